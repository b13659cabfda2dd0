// When a review card comes back: FSRS through the `ts-fsrs` package, with its default FSRS-6
// parameters (they predict recall far better than SM-2 without any training on the learner's
// own history). This module only translates between the package's `Card` (Dates, a numeric
// state) and the plain JSON record that progress stores (card.ts). It is bundled on its own
// (dist/review.js) and loaded when a sitting starts.
import { createEmptyCard, fsrs, Rating, State, type Card, type FSRS, type FSRSParameters, type Grade } from 'ts-fsrs';
import { formatInterval, RATINGS, type CardSchedule, type MemoryState, type RatingPreview, type ReviewRating } from './card.ts';

export { formatInterval, MEMORY_STATES, RATINGS, type CardSchedule, type MemoryState, type RatingPreview, type ReviewRating } from './card.ts';

const GRADES: Record<ReviewRating, Grade> = { again: Rating.Again, hard: Rating.Hard, good: Rating.Good, easy: Rating.Easy };
const STATES: Record<State, MemoryState> = { [State.New]: 'new', [State.Learning]: 'learning', [State.Review]: 'review', [State.Relearning]: 'relearning' };
const FSRS_STATES: Record<MemoryState, State> = { new: State.New, learning: State.Learning, review: State.Review, relearning: State.Relearning };

export class ReviewScheduler {
  private readonly fsrs: FSRS;

  /** Parameters are the package's defaults (FSRS-6, 90 % retention, steps 1m and 10m, no fuzz) unless a test pins others. */
  constructor(parameters: Partial<FSRSParameters> = {}) {
    this.fsrs = fsrs(parameters);
  }

  /** The schedule after rating a card (undefined: never reviewed) at `now`. */
  rate(schedule: CardSchedule | undefined, rating: ReviewRating, now: Date): CardSchedule {
    const next = this.fsrs.next(toCard(schedule, now), now, GRADES[rating]).card;
    return fromCard(next, schedule?.introducedAt ?? now.toISOString());
  }

  /** All four outcomes, for the buttons. */
  preview(schedule: CardSchedule | undefined, now: Date): RatingPreview[] {
    return RATINGS.map((rating) => {
      const next = this.rate(schedule, rating, now);
      return { rating, schedule: next, interval: formatInterval(Date.parse(next.due) - now.getTime()) };
    });
  }

  /** The probability of recalling the card at `now`, 0 to 1 (a new card: 0). */
  retrievability(schedule: CardSchedule | undefined, now: Date): number {
    if (!schedule || schedule.state === 'new') return 0;
    return this.fsrs.get_retrievability(toCard(schedule, now), now, false);
  }
}

function toCard(schedule: CardSchedule | undefined, now: Date): Card {
  if (!schedule) return createEmptyCard(now);
  return {
    due: new Date(schedule.due),
    stability: schedule.stability,
    difficulty: schedule.difficulty,
    // Deprecated in ts-fsrs 5 (it computes the elapsed time from `last_review`), but still a
    // required field of its `Card`.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    elapsed_days: 0,
    scheduled_days: schedule.scheduledDays,
    learning_steps: schedule.learningSteps,
    reps: schedule.reps,
    lapses: schedule.lapses,
    state: FSRS_STATES[schedule.state],
    last_review: new Date(schedule.lastReview),
  };
}

function fromCard(card: Card, introducedAt: string): CardSchedule {
  return {
    due: card.due.toISOString(),
    stability: card.stability,
    difficulty: card.difficulty,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    reps: card.reps,
    lapses: card.lapses,
    state: STATES[card.state],
    lastReview: (card.last_review ?? card.due).toISOString(),
    introducedAt,
  };
}
