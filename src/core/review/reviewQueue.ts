// Which cards a review session shows, and in what order. Every quiz card and interview question
// of the catalog is a review card under its stable content id. A card enters the schedule once
// its lesson has been opened (reviewing what one has not read is not recall), at most
// `newPerDay` a day; after that FSRS decides when it comes back.
import { LEVELS, type Catalog, type Level } from '../content/model.ts';
import { localDay } from '../plan/calendar.ts';
import type { CardSchedule } from './card.ts';

export interface ReviewCard {
  readonly id: string;
  readonly kind: 'quiz' | 'interview';
  /** The lesson (or focus-area brief) the card belongs to: its page opens with the lesson panel. */
  readonly lessonId: string;
  readonly lessonTitle: string;
  /** The lesson's area, or the brief's focus area. */
  readonly area: string;
  /** An interview question's own level; a quiz card takes its lesson's. */
  readonly level: Level;
  readonly question: string;
  /** Markdown for an interview question; plain text for a quiz card. */
  readonly answer: string;
  /** A quiz card's explanation. */
  readonly why?: string;
}

/** A session may be limited to one area, and to a target level (that level and the ones below it). */
export interface ReviewFilter {
  readonly area?: string;
  readonly level?: Level;
}

export interface QueueOptions {
  readonly now: Date;
  /** New cards allowed per local day, counting the ones already introduced today. */
  readonly newPerDay: number;
  readonly filter?: ReviewFilter;
  /** Lessons the learner has opened: only their cards can be new. */
  readonly startedLessons: ReadonlySet<string>;
}

export interface ReviewQueue {
  /** Scheduled cards due now, the longest overdue first. */
  readonly due: readonly ReviewCard[];
  /** New cards that may be introduced today, in outline order. */
  readonly fresh: readonly ReviewCard[];
  /** New cards held back by the daily cap (shown so that the cap is never a mystery). */
  readonly heldBack: number;
}

/** Per catalog: the due count is computed on every tree refresh and every minute, the cards only once. */
const cardsOf = new WeakMap<Catalog, readonly ReviewCard[]>();

export function reviewCards(catalog: Catalog): readonly ReviewCard[] {
  const known = cardsOf.get(catalog);
  if (known) return known;
  const cards: ReviewCard[] = [];
  for (const lesson of [...catalog.lessons.values(), ...(catalog.briefs?.values() ?? [])]) {
    const base = { lessonId: lesson.id, lessonTitle: lesson.title, area: lesson.kind === 'lesson' ? lesson.area : lesson.focus };
    for (const card of lesson.quizCards) cards.push({ ...base, id: card.id, kind: 'quiz', level: lesson.level, question: card.question, answer: card.answer, why: card.why });
    for (const question of lesson.interviewQuestions) cards.push({ ...base, id: question.id, kind: 'interview', level: question.level, question: question.question, answer: question.answer });
  }
  cardsOf.set(catalog, cards);
  return cards;
}

export function matchesFilter(card: ReviewCard, filter: ReviewFilter = {}): boolean {
  if (filter.area !== undefined && card.area !== filter.area) return false;
  return filter.level === undefined || LEVELS.indexOf(card.level) <= LEVELS.indexOf(filter.level);
}

export function buildQueue(cards: readonly ReviewCard[], schedules: Readonly<Record<string, CardSchedule>>, options: QueueOptions): ReviewQueue {
  const now = options.now.getTime();
  const today = localDay(options.now);
  const introducedToday = Object.values(schedules).filter((schedule) => localDay(new Date(schedule.introducedAt)) === today).length;
  const allowance = Math.max(0, options.newPerDay - introducedToday);

  const due: { card: ReviewCard; at: number }[] = [];
  const candidates: ReviewCard[] = [];
  for (const card of cards) {
    if (!matchesFilter(card, options.filter)) continue;
    const schedule = schedules[card.id];
    if (schedule) {
      const at = Date.parse(schedule.due);
      if (at <= now) due.push({ card, at });
    } else if (options.startedLessons.has(card.lessonId)) {
      candidates.push(card);
    }
  }
  due.sort((a, b) => a.at - b.at);
  return { due: due.map(({ card }) => card), fresh: candidates.slice(0, allowance), heldBack: Math.max(0, candidates.length - allowance) };
}

/** The cards of a cram session: every card of the filter that has been seen or could be new, with no schedule change. */
export function cramCards(cards: readonly ReviewCard[], schedules: Readonly<Record<string, CardSchedule>>, filter: ReviewFilter, startedLessons: ReadonlySet<string>): ReviewCard[] {
  return cards.filter((card) => matchesFilter(card, filter) && (schedules[card.id] !== undefined || startedLessons.has(card.lessonId)));
}
