// The messages the lesson webview may send. Everything from the webview is untrusted input:
// it is parsed against this schema and anything else is dropped.
import * as v from 'valibot';
import { LEVELS, REVIEW_GROUPS, type Level } from '../content/model.ts';
import { RATINGS, type ReviewRating } from '../review/card.ts';
import { Id, isSafeRelativePath, parseOrUndefined } from '../schemas.ts';

export type LessonMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'openLesson'; readonly lessonId: string; readonly anchor?: string }
  | { readonly type: 'openExternal'; readonly url: string }
  | { readonly type: 'openSnippet'; readonly path: string }
  | { readonly type: 'runSnippet'; readonly path: string }
  | { readonly type: 'setComplete'; readonly complete: boolean }
  | { readonly type: 'startChallenge'; readonly challengeId: string };

const ANCHOR = /^[\p{L}\p{N}_-]{1,200}$/u;
/** A snippet path relative to the content folder: no `..`, no absolute path. */
const SNIPPET_PATH = /^(?:[a-z0-9-]+\/)+[\w.-]+\.ts$/;
const SnippetPath = v.pipe(v.string(), v.regex(SNIPPET_PATH), v.check(isSafeRelativePath));
/** Only http and https leave the editor; the URL as the URL parser normalises it. */
const WebUrl = v.pipe(
  v.string(),
  v.maxLength(2000),
  v.url(),
  v.transform((text) => new URL(text)),
  v.check((url) => url.protocol === 'https:' || url.protocol === 'http:'),
  v.transform((url) => url.href),
);

const LessonMessageSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('openLesson'), lessonId: Id, anchor: v.fallback(v.optional(v.pipe(v.string(), v.regex(ANCHOR))), undefined) }),
  v.object({ type: v.literal('openExternal'), url: WebUrl }),
  v.object({ type: v.picklist(['openSnippet', 'runSnippet']), path: SnippetPath }),
  v.object({ type: v.literal('setComplete'), complete: v.boolean() }),
  v.object({ type: v.literal('startChallenge'), challengeId: Id }),
]);

export function parseLessonMessage(raw: unknown): LessonMessage | undefined {
  const message = parseOrUndefined(LessonMessageSchema, raw);
  if (message?.type !== 'openLesson') return message;
  // A bad anchor is dropped, not the message: the lesson still opens, at its top.
  return message.anchor === undefined ? { type: 'openLesson', lessonId: message.lessonId } : { type: 'openLesson', lessonId: message.lessonId, anchor: message.anchor };
}

/** The messages the challenge statement page may send. */
export type ChallengeMessage =
  | { readonly type: 'startChallenge' }
  | { readonly type: 'showNextHint' }
  | { readonly type: 'openLesson'; readonly lessonId: string };

const ChallengeMessageSchema = v.variant('type', [
  v.object({ type: v.picklist(['startChallenge', 'showNextHint']) }),
  v.object({ type: v.literal('openLesson'), lessonId: Id }),
]);

/** Everything from the webview is untrusted: a message that does not match is dropped. */
export function parseChallengeMessage(raw: unknown): ChallengeMessage | undefined {
  return parseOrUndefined(ChallengeMessageSchema, raw);
}

/** The messages the review page may send. */
export type ReviewMessage =
  | { readonly type: 'reveal'; readonly scratch: string }
  | { readonly type: 'rate'; readonly rating: ReviewRating }
  | { readonly type: 'undo' }
  | { readonly type: 'cram' }
  | { readonly type: 'openLesson'; readonly lessonId: string }
  | { readonly type: 'openExternal'; readonly url: string };

/** What an answer box may hold; a longer text is cut, not refused, so that the answer still shows. */
export const SCRATCH_LIMIT = 20_000;

const ReviewMessageSchema = v.variant('type', [
  v.object({ type: v.literal('reveal'), scratch: v.fallback(v.pipe(v.string(), v.transform((text) => text.slice(0, SCRATCH_LIMIT))), '') }),
  v.object({ type: v.literal('rate'), rating: v.picklist(RATINGS) }),
  v.object({ type: v.picklist(['undo', 'cram']) }),
  v.object({ type: v.literal('openLesson'), lessonId: Id }),
  v.object({ type: v.literal('openExternal'), url: WebUrl }),
]);

export function parseReviewMessage(raw: unknown): ReviewMessage | undefined {
  return parseOrUndefined(ReviewMessageSchema, raw);
}

export const PLAN_COMMANDS = ['setStart', 'setInterview', 'setHours', 'exportCalendar', 'exportChecklist', 'startReview', 'chooseLevel'] as const;
export type PlanCommand = (typeof PLAN_COMMANDS)[number];

/** The messages the plan page may send. */
export type PlanMessage = { readonly type: 'open'; readonly kind: 'lesson' | 'challenge'; readonly id: string } | { readonly type: 'command'; readonly command: PlanCommand };

const PlanMessageSchema = v.variant('type', [
  v.object({ type: v.literal('open'), kind: v.picklist(['lesson', 'challenge']), id: Id }),
  v.object({ type: v.literal('command'), command: v.picklist(PLAN_COMMANDS) }),
]);

export function parsePlanMessage(raw: unknown): PlanMessage | undefined {
  return parseOrUndefined(PlanMessageSchema, raw);
}

/** A review sitting's limits, from untrusted input (a command's argument, a restored webview's state): anything unknown is dropped. */
export interface ReviewOptionsInput {
  readonly filter: { readonly area?: string; readonly level?: Level };
  readonly cram: boolean;
}

const ReviewOptionsSchema = v.object({
  filter: v.fallback(
    v.optional(
      v.object({
        area: v.fallback(v.optional(v.picklist(REVIEW_GROUPS.map((group) => group.id))), undefined),
        level: v.fallback(v.optional(v.picklist(LEVELS)), undefined),
      }),
      {},
    ),
    {},
  ),
  cram: v.fallback(v.optional(v.boolean(), false), false),
});

export function parseReviewOptions(raw: unknown): ReviewOptionsInput {
  const parsed = parseOrUndefined(ReviewOptionsSchema, raw) ?? { filter: {}, cram: false };
  const { area, level } = parsed.filter;
  return { filter: { ...(area === undefined ? {} : { area }), ...(level === undefined ? {} : { level }) }, cram: parsed.cram };
}
