// One sitting of reviews: the cards in order, which side is showing, and what a rating or an
// undo changes. It decides; it does not store: `rate` and `undo` return the schedule change
// for the caller to write to progress (none in cram mode, which never touches the schedule).
import type { ReviewCard } from './reviewQueue.ts';
import type { CardSchedule, RatingPreview, ReviewRating, ReviewScheduler } from './schedule.ts';

/** A card rated into a learning step that comes due within this long is shown again in the same sitting, as Anki does. */
export const RELEARN_WITHIN_MS = 20 * 60_000;

export interface ScheduleChange {
  readonly cardId: string;
  /** Undefined: the card goes back to never reviewed. */
  readonly schedule: CardSchedule | undefined;
}

interface Rated {
  readonly card: ReviewCard;
  readonly previous: CardSchedule | undefined;
  /** Whether the rating put the card back at the end of the sitting. */
  readonly requeued: boolean;
}

export class ReviewSession {
  readonly cram: boolean;
  private readonly queue: ReviewCard[];
  private readonly schedules: Map<string, CardSchedule | undefined>;
  private readonly scheduler: ReviewScheduler;
  private readonly history: Rated[] = [];
  private position = 0;
  private shown = false;

  /**
   * @param schedules the stored schedules when the sitting starts; the session keeps its own
   *   copy up to date as it rates, so that a card shown twice is rated from its new state.
   */
  constructor(cards: readonly ReviewCard[], schedules: Readonly<Record<string, CardSchedule>>, scheduler: ReviewScheduler, options: { cram?: boolean } = {}) {
    this.queue = [...cards];
    this.schedules = new Map(cards.map((card) => [card.id, schedules[card.id]]));
    this.scheduler = scheduler;
    this.cram = options.cram ?? false;
  }

  get current(): ReviewCard | undefined {
    return this.queue[this.position];
  }

  get revealed(): boolean {
    return this.shown;
  }

  /** Cards still to show, the current one included. */
  get remaining(): number {
    return this.queue.length - this.position;
  }

  get ratedCount(): number {
    return this.history.length;
  }

  get canUndo(): boolean {
    return this.history.length > 0;
  }

  reveal(): void {
    if (this.current) this.shown = true;
  }

  /** The four buttons for the current card, each with the wait it would give. */
  preview(now: Date): RatingPreview[] {
    const card = this.current;
    return card ? this.scheduler.preview(this.schedules.get(card.id), now) : [];
  }

  /** Rates the current card (only once its answer is showing) and moves on. */
  rate(rating: ReviewRating, now: Date): ScheduleChange | undefined {
    const card = this.current;
    if (!card || !this.shown) return undefined;
    const previous = this.schedules.get(card.id);
    const next = this.scheduler.rate(previous, rating, now);
    // Cram shows a forgotten card again too, but schedules nothing.
    const requeued = this.cram ? rating === 'again' : Date.parse(next.due) - now.getTime() <= RELEARN_WITHIN_MS;
    if (requeued) this.queue.push(card);
    this.history.push({ card, previous, requeued });
    this.position += 1;
    this.shown = false;
    if (this.cram) return undefined;
    this.schedules.set(card.id, next);
    return { cardId: card.id, schedule: next };
  }

  /** Takes back the last rating: that card is current again, answer showing, and its schedule is what it was. */
  undo(): ScheduleChange | undefined {
    const last = this.history.pop();
    if (!last) return undefined;
    if (last.requeued) this.queue.splice(this.queue.lastIndexOf(last.card), 1);
    this.position -= 1;
    this.shown = true;
    if (this.cram) return undefined;
    this.schedules.set(last.card.id, last.previous);
    return { cardId: last.card.id, schedule: last.previous };
  }
}
