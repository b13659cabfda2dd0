// A review card's schedule as progress stores it, and the words for ratings and memory states.
// Kept apart from the scheduler (schedule.ts, which carries ts-fsrs), so that progress, the
// message schemas and the review counts load without it: the scheduler is loaded when a sitting
// starts (src/vscode/lazy.ts).

export const RATINGS = ['again', 'hard', 'good', 'easy'] as const;
export type ReviewRating = (typeof RATINGS)[number];

export const MEMORY_STATES = ['new', 'learning', 'review', 'relearning'] as const;
export type MemoryState = (typeof MEMORY_STATES)[number];

/** What progress keeps per card: exactly what FSRS needs, as JSON. */
export interface CardSchedule {
  /** ISO 8601: when the card is due again. */
  readonly due: string;
  readonly stability: number;
  readonly difficulty: number;
  readonly scheduledDays: number;
  readonly learningSteps: number;
  readonly reps: number;
  readonly lapses: number;
  readonly state: MemoryState;
  /** ISO 8601 of the last rating. */
  readonly lastReview: string;
  /** ISO 8601 of the first rating: the cap on new cards per day counts these. */
  readonly introducedAt: string;
}

export interface RatingPreview {
  readonly rating: ReviewRating;
  readonly schedule: CardSchedule;
  /** The wait until the card is due again, as a button shows it (`10m`, `3d`, `2.1mo`). */
  readonly interval: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A wait as a rating button shows it: minutes under an hour, hours under a day, then days, months (30 d) and years (365 d). */
export function formatInterval(ms: number): string {
  if (ms < HOUR) return `${Math.max(1, Math.round(ms / MINUTE))}m`;
  if (ms < DAY) return `${Math.round(ms / HOUR)}h`;
  const days = ms / DAY;
  if (days < 30) return `${Math.round(days)}d`;
  if (days < 365) return `${trim(days / 30)}mo`;
  return `${trim(days / 365)}y`;
}

function trim(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}
