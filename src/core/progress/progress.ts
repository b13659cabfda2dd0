// The learner's progress: a versioned, validated value and the transitions on it. Stored
// values are never trusted: `parseProgress` keeps every valid entry of whatever it is given
// and says what it dropped, so a corrupt value costs the broken entries, never the rest.
import * as v from 'valibot';
import { isDay, localDay } from '../plan/calendar.ts';
import type { PlanSettings } from '../plan/plan.ts';
import { MEMORY_STATES, type CardSchedule } from '../review/card.ts';
import { Count, describeValue, ID_PATTERN, IsoTime, PlainObject, plainObject } from '../schemas.ts';

/** 2 added `reviews`, `activeDays` and `plan`; a version 1 value reads as version 2 without them. */
export const PROGRESS_VERSION = 2;

export const ITEM_STATES = ['not-started', 'in-progress', 'done'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export interface LessonProgress {
  readonly state: ItemState;
  /** ISO 8601. */
  readonly updatedAt: string;
}

export interface ChallengeProgress {
  readonly state: ItemState;
  readonly updatedAt: string;
  /** Test runs of the challenge's suite. */
  readonly runs: number;
  /** How many hints the learner has revealed, in order. */
  readonly hintsShown: number;
  readonly solutionViewed: boolean;
}

export interface Progress {
  readonly version: typeof PROGRESS_VERSION;
  readonly lessons: Readonly<Record<string, LessonProgress>>;
  readonly challenges: Readonly<Record<string, ChallengeProgress>>;
  /** The spaced-repetition schedule of each review card that has been rated, by card id. */
  readonly reviews: Readonly<Record<string, CardSchedule>>;
  /** The local days on which something was studied (a lesson completed, a test run, a card rated), sorted: the streak's evidence. */
  readonly activeDays: readonly string[];
  /** The learner's plan: when it starts, the interview, the hours a week. Undefined until set. */
  readonly plan?: PlanSettings;
}

export const EMPTY_PROGRESS: Progress = { version: PROGRESS_VERSION, lessons: {}, challenges: {}, reviews: {}, activeDays: [] };

/** Enough for more than a year of daily study; older days no longer change a streak. */
const ACTIVE_DAYS_KEPT = 400;

export interface ParsedProgress {
  readonly progress: Progress;
  /** What was dropped or repaired, in words for the output channel; empty for a clean value. */
  readonly problems: readonly string[];
}

const STATE_RANK: Record<ItemState, number> = { 'not-started': 0, 'in-progress': 1, done: 2 };
const EPOCH = new Date(0).toISOString();
const LessonEntry = plainObject(v.object({ state: v.picklist(ITEM_STATES), updatedAt: v.optional(IsoTime, EPOCH) }));
const ChallengeEntry = plainObject(
  v.object({
    state: v.picklist(ITEM_STATES),
    updatedAt: v.optional(IsoTime, EPOCH),
    runs: v.optional(Count, 0),
    hintsShown: v.optional(Count, 0),
    solutionViewed: v.optional(v.fallback(v.boolean(), false), false),
  }),
);

const FiniteNumber = v.pipe(v.number(), v.finite());
const ReviewEntry = plainObject(
  v.object({
    due: v.pipe(v.string(), v.isoTimestamp()),
    stability: v.pipe(FiniteNumber, v.minValue(0)),
    difficulty: FiniteNumber,
    scheduledDays: v.pipe(FiniteNumber, v.minValue(0)),
    learningSteps: v.pipe(v.number(), v.integer(), v.minValue(0)),
    reps: v.pipe(v.number(), v.integer(), v.minValue(0)),
    lapses: v.pipe(v.number(), v.integer(), v.minValue(0)),
    state: v.picklist(MEMORY_STATES),
    lastReview: v.pipe(v.string(), v.isoTimestamp()),
    introducedAt: v.pipe(v.string(), v.isoTimestamp()),
  }),
);

const Day = v.pipe(v.string(), v.check(isDay));
const PlanEntry = plainObject(
  v.pipe(
    v.object({ start: Day, interview: v.optional(Day), hoursPerWeek: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0.5), v.maxValue(100))) }),
    v.check((plan) => plan.interview === undefined || plan.interview > plan.start),
  ),
);

/**
 * Reads a stored or imported value. Undefined (nothing stored yet) is empty progress with no
 * problem. A value from a newer version is read as far as it matches this version's shape.
 */
export function parseProgress(raw: unknown): ParsedProgress {
  if (raw === undefined || raw === null) return { progress: EMPTY_PROGRESS, problems: [] };
  const problems: string[] = [];
  if (!isRecord(raw)) return { progress: EMPTY_PROGRESS, problems: [`progress is not an object (${describeValue(raw)}); starting from empty progress`] };

  if (raw.version !== PROGRESS_VERSION && raw.version !== 1) {
    problems.push(
      typeof raw.version === 'number' && raw.version > PROGRESS_VERSION
        ? `progress was written by a newer version of the extension (schema ${raw.version}); kept what this version understands`
        : `progress has an unknown schema version (${describeValue(raw.version)}); kept the entries that are valid`,
    );
  }

  const lessons: Record<string, LessonProgress> = {};
  for (const [id, value] of entriesOf(raw.lessons, 'lessons', problems)) {
    const entry = v.safeParse(LessonEntry, value);
    if (!ID_PATTERN.test(id) || !entry.success) {
      problems.push(`dropped the progress of lesson ${JSON.stringify(id)}: ${describeValue(value)} is not a valid entry`);
      continue;
    }
    lessons[id] = entry.output;
  }

  const challenges: Record<string, ChallengeProgress> = {};
  for (const [id, value] of entriesOf(raw.challenges, 'challenges', problems)) {
    const entry = v.safeParse(ChallengeEntry, value);
    if (!ID_PATTERN.test(id) || !entry.success) {
      problems.push(`dropped the progress of challenge ${JSON.stringify(id)}: ${describeValue(value)} is not a valid entry`);
      continue;
    }
    challenges[id] = entry.output;
  }

  // A review schedule is only useful whole: a card whose record does not parse starts again as new.
  const reviews: Record<string, CardSchedule> = {};
  for (const [id, value] of entriesOf(raw.reviews, 'review', problems)) {
    const entry = v.safeParse(ReviewEntry, value);
    if (!ID_PATTERN.test(id) || !entry.success) {
      problems.push(`dropped the review schedule of card ${JSON.stringify(id)} (it will come back as a new card): ${describeValue(value)} is not a valid schedule`);
      continue;
    }
    reviews[id] = entry.output;
  }

  const activeDays: string[] = [];
  if (raw.activeDays !== undefined) {
    if (!Array.isArray(raw.activeDays)) problems.push(`dropped the days of study: ${describeValue(raw.activeDays)} is not a list`);
    else {
      const valid = raw.activeDays.filter((day): day is string => typeof day === 'string' && isDay(day));
      if (valid.length < raw.activeDays.length) problems.push(`dropped ${raw.activeDays.length - valid.length} day(s) of study that are not calendar days`);
      activeDays.push(...[...new Set(valid)].sort().slice(-ACTIVE_DAYS_KEPT));
    }
  }

  let plan: PlanSettings | undefined;
  if (raw.plan !== undefined) {
    const entry = v.safeParse(PlanEntry, raw.plan);
    if (entry.success) plan = withoutUndefined(entry.output);
    else problems.push(`dropped the plan settings: ${describeValue(raw.plan)} is not a start date with an optional later interview date and hours a week`);
  }
  return { progress: { version: PROGRESS_VERSION, lessons, challenges, reviews, activeDays, ...(plan ? { plan } : {}) }, problems };
}

function withoutUndefined(plan: { start: string; interview?: string | undefined; hoursPerWeek?: number | undefined }): PlanSettings {
  return { start: plan.start, ...(plan.interview === undefined ? {} : { interview: plan.interview }), ...(plan.hoursPerWeek === undefined ? {} : { hoursPerWeek: plan.hoursPerWeek }) };
}

/** Records that the learner studied on the local day of `now`. */
export function markActive(progress: Progress, now: Date): Progress {
  const day = localDay(now);
  if (progress.activeDays.includes(day)) return progress;
  return { ...progress, activeDays: [...progress.activeDays, day].sort().slice(-ACTIVE_DAYS_KEPT) };
}

export function setPlan(progress: Progress, plan: PlanSettings | undefined): Progress {
  const { version, lessons, challenges, reviews, activeDays } = progress;
  return { version, lessons, challenges, reviews, activeDays, ...(plan ? { plan } : {}) };
}

export function lessonState(progress: Progress, id: string): ItemState {
  return progress.lessons[id]?.state ?? 'not-started';
}

export function challengeProgress(progress: Progress, id: string): ChallengeProgress {
  return progress.challenges[id] ?? { state: 'not-started', updatedAt: new Date(0).toISOString(), runs: 0, hintsShown: 0, solutionViewed: false };
}

export function setLessonState(progress: Progress, id: string, state: ItemState, now: Date): Progress {
  if (lessonState(progress, id) === state) return progress;
  const next = { ...progress, lessons: { ...progress.lessons, [id]: { state, updatedAt: now.toISOString() } } };
  return state === 'done' ? markActive(next, now) : next;
}

/** Opening a lesson starts it; it never undoes a completion. */
export function lessonOpened(progress: Progress, id: string, now: Date): Progress {
  return lessonState(progress, id) === 'not-started' ? setLessonState(progress, id, 'in-progress', now) : progress;
}

/** A test run (or a completion) is a day of study; starting a challenge or revealing a hint is not. */
export function updateChallenge(progress: Progress, id: string, change: Partial<Omit<ChallengeProgress, 'updatedAt'>>, now: Date): Progress {
  const current = challengeProgress(progress, id);
  const next = { ...progress, challenges: { ...progress.challenges, [id]: { ...current, ...change, updatedAt: now.toISOString() } } };
  return (change.runs !== undefined && change.runs > current.runs) || change.state === 'done' ? markActive(next, now) : next;
}

/** A rating: the card's new schedule, and a day of study. */
export function recordRating(progress: Progress, cardId: string, schedule: CardSchedule, now: Date): Progress {
  return markActive(setReviewSchedule(progress, cardId, schedule), now);
}

/** Sets or (undefined) clears a card's schedule; an undo uses it, and records no study. */
export function setReviewSchedule(progress: Progress, cardId: string, schedule: CardSchedule | undefined): Progress {
  const reviews = Object.fromEntries(Object.entries(progress.reviews).filter(([id]) => id !== cardId));
  if (schedule) reviews[cardId] = schedule;
  return { ...progress, reviews };
}

/**
 * Import in merge mode: for each item the further state wins (done over in progress over not
 * started), and counters and flags never go back. Nothing the learner achieved on either
 * side is lost.
 */
export function mergeProgress(base: Progress, incoming: Progress): Progress {
  const lessons: Record<string, LessonProgress> = { ...base.lessons };
  for (const [id, theirs] of Object.entries(incoming.lessons)) {
    const ours = lessons[id];
    lessons[id] = !ours || STATE_RANK[theirs.state] > STATE_RANK[ours.state] ? theirs : ours;
  }
  const challenges: Record<string, ChallengeProgress> = { ...base.challenges };
  for (const [id, theirs] of Object.entries(incoming.challenges)) {
    const ours = challenges[id];
    challenges[id] = ours
      ? {
          state: STATE_RANK[theirs.state] > STATE_RANK[ours.state] ? theirs.state : ours.state,
          updatedAt: theirs.updatedAt > ours.updatedAt ? theirs.updatedAt : ours.updatedAt,
          runs: Math.max(ours.runs, theirs.runs),
          hintsShown: Math.max(ours.hintsShown, theirs.hintsShown),
          solutionViewed: ours.solutionViewed || theirs.solutionViewed,
        }
      : theirs;
  }
  // Schedules cannot be combined: the card's more recent review history wins.
  const reviews: Record<string, CardSchedule> = { ...base.reviews };
  for (const [id, theirs] of Object.entries(incoming.reviews)) {
    const ours = reviews[id];
    if (!ours || Date.parse(theirs.lastReview) > Date.parse(ours.lastReview)) reviews[id] = theirs;
  }
  const activeDays = [...new Set([...base.activeDays, ...incoming.activeDays])].sort().slice(-ACTIVE_DAYS_KEPT);
  // The plan is a setting, not an achievement: the one being imported wins when it has one.
  const plan = incoming.plan ?? base.plan;
  return { version: PROGRESS_VERSION, lessons, challenges, reviews, activeDays, ...(plan ? { plan } : {}) };
}

/** The file an export writes: marked, so that an import can tell it from any other JSON. */
export const EXPORT_FORMAT = 'backend-interview-prep/progress';

export function exportProgress(progress: Progress, now: Date): string {
  return `${JSON.stringify({ format: EXPORT_FORMAT, exportedAt: now.toISOString(), progress }, null, 2)}\n`;
}

/** Reads an export file. Unlike stored state, an import with problems is refused whole: the learner chose it and can fix it. */
export function parseExport(text: string): { progress: Progress } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: `the file is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isRecord(data) || data.format !== EXPORT_FORMAT) return { error: 'the file is not a Backend Interview Prep progress export' };
  const parsed = parseProgress(data.progress);
  if (parsed.problems.length > 0) return { error: parsed.problems.join('; ') };
  return { progress: parsed.progress };
}

function entriesOf(value: unknown, what: string, problems: string[]): [string, unknown][] {
  if (value === undefined) return [];
  if (!isRecord(value)) {
    problems.push(`dropped the ${what} progress: ${describeValue(value)} is not an object`);
    return [];
  }
  return Object.entries(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return v.is(PlainObject, value);
}
