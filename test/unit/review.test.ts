import assert from 'node:assert/strict';
import { EMPTY_PROGRESS, parseProgress, setReviewSchedule } from '../../src/core/progress/progress.ts';
import { localDay } from '../../src/core/plan/calendar.ts';
import { buildQueue, cramCards, matchesFilter, type ReviewCard } from '../../src/core/review/reviewQueue.ts';
import { ReviewSession } from '../../src/core/review/reviewSession.ts';
import { formatInterval, ReviewScheduler, type CardSchedule, type ReviewRating } from '../../src/core/review/schedule.ts';

const DAY = 86_400_000;

describe('review scheduling (FSRS-6 through ts-fsrs)', () => {
  // The expectations below are the package's own (packages/fsrs/__tests__/FSRS-6.test.ts at
  // ts-fsrs cdec8d2, whose `w` is the default FSRS-6 weights): our JSON round trip between
  // ratings must not change a single interval or memory state.
  it('reproduces the package’s interval history under the default parameters', () => {
    const scheduler = new ReviewScheduler();
    const ratings: ReviewRating[] = ['good', 'good', 'good', 'good', 'good', 'good', 'again', 'again', 'good', 'good', 'good', 'good', 'good'];
    let now = new Date(2022, 11, 29, 12, 30, 0, 0);
    let schedule: CardSchedule | undefined;
    const intervals: number[] = [];
    for (const rating of ratings) {
      schedule = JSON.parse(JSON.stringify(scheduler.rate(schedule, rating, now))) as CardSchedule;
      intervals.push(schedule.scheduledDays);
      now = new Date(schedule.due);
    }
    assert.deepEqual(intervals, [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21]);
  });

  it('reproduces the package’s memory state after again then five goods (short-term steps on)', () => {
    const scheduler = new ReviewScheduler();
    let now = new Date(2022, 11, 29, 12, 30, 0, 0);
    let schedule: CardSchedule | undefined;
    const ratings: ReviewRating[] = ['again', 'good', 'good', 'good', 'good', 'good'];
    for (const [index, rating] of ratings.entries()) {
      now = new Date(now.getTime() + [0, 0, 1, 3, 8, 21][index]! * DAY);
      schedule = scheduler.rate(schedule, rating, now);
    }
    assert.ok(Math.abs(schedule!.stability - 53.62691) < 5e-5, `stability ${schedule!.stability}`);
    assert.ok(Math.abs(schedule!.difficulty - 6.3574867) < 5e-5, `difficulty ${schedule!.difficulty}`);
  });

  it('rates a new card as the package’s first repeat does, and shows each wait', () => {
    const now = new Date(2022, 11, 29, 12, 30, 0, 0);
    const preview = new ReviewScheduler().preview(undefined, now);
    assert.deepEqual(preview.map((outcome) => outcome.schedule.stability), [0.212, 1.2931, 2.3065, 8.2956]);
    assert.deepEqual(preview.map((outcome) => outcome.schedule.difficulty), [6.4133, 5.11217071, 2.11810397, 1]);
    assert.deepEqual(preview.map((outcome) => outcome.schedule.state), ['learning', 'learning', 'learning', 'review']);
    assert.deepEqual(preview.map((outcome) => outcome.interval), ['1m', '6m', '10m', '8d']);
    assert.ok(preview.every((outcome) => outcome.schedule.introducedAt === now.toISOString() && outcome.schedule.reps === 1));
  });

  it('keeps the day a card was introduced through later ratings', () => {
    const scheduler = new ReviewScheduler();
    const first = new Date(2026, 0, 1, 9);
    const later = scheduler.rate(scheduler.rate(undefined, 'good', first), 'good', new Date(2026, 0, 5, 9));
    assert.equal(later.introducedAt, first.toISOString());
    assert.equal(later.lastReview, new Date(2026, 0, 5, 9).toISOString());
  });

  it('gives retrievability 0 to a new card and about 90 % to a card at its due time', () => {
    const scheduler = new ReviewScheduler();
    const now = new Date(2023, 11, 1, 4, 5);
    assert.equal(scheduler.retrievability(undefined, now), 0);
    const easy = scheduler.rate(undefined, 'easy', now);
    assert.ok(Math.abs(scheduler.retrievability(easy, new Date(easy.due)) - 0.9) < 0.01);
  });

  it('formats waits as the rating buttons show them', () => {
    assert.deepEqual(
      [0, 59_000, 10 * 60_000, 59 * 60_000, 3 * 3_600_000, 2 * DAY, 29 * DAY, 45 * DAY, 400 * DAY, 730 * DAY].map(formatInterval),
      ['1m', '1m', '10m', '59m', '3h', '2d', '29d', '1.5mo', '1.1y', '2y'],
    );
  });
});

function card(id: string, lessonId: string, level: ReviewCard['level'], area = 'databases'): ReviewCard {
  return { id, kind: 'quiz', lessonId, lessonTitle: lessonId, area, level, question: `${id}?`, answer: 'yes' };
}

describe('the review queue', () => {
  const scheduler = new ReviewScheduler();
  const now = new Date(2026, 5, 10, 18, 0);
  const cards = [card('a-1', 'a', 'senior'), card('a-2', 'a', 'staff'), card('a-3', 'a', 'principal'), card('b-1', 'b', 'senior', 'api-design'), card('c-1', 'c', 'senior')];
  const started = new Set(['a', 'b']);

  it('offers new cards only from lessons the learner has opened, in catalog order, up to the daily cap', () => {
    const queue = buildQueue(cards, {}, { now, newPerDay: 2, startedLessons: started });
    assert.deepEqual(queue.fresh.map((c) => c.id), ['a-1', 'a-2']);
    assert.equal(queue.heldBack, 2);
    assert.deepEqual(queue.due, []);
  });

  it('counts cards introduced earlier the same local day against the cap, and not those of yesterday', () => {
    const today = scheduler.rate(undefined, 'good', new Date(2026, 5, 10, 0, 5));
    const yesterday = scheduler.rate(undefined, 'good', new Date(2026, 5, 9, 23, 55));
    const queue = buildQueue(cards, { 'a-1': today, 'a-2': yesterday }, { now, newPerDay: 2, startedLessons: started });
    assert.deepEqual(queue.fresh.map((c) => c.id), ['a-3']);
    assert.equal(queue.heldBack, 1);
  });

  it('shows due cards the longest overdue first, and not cards due later', () => {
    const old = { ...scheduler.rate(undefined, 'good', new Date(2026, 5, 1)), due: new Date(2026, 5, 8).toISOString() };
    const recent = { ...old, due: new Date(2026, 5, 10, 17).toISOString() };
    const future = { ...old, due: new Date(2026, 5, 11).toISOString() };
    const queue = buildQueue(cards, { 'b-1': recent, 'a-2': old, 'a-1': future, 'c-1': recent }, { now, newPerDay: 0, startedLessons: started });
    // c-1's lesson was never opened, but a card once scheduled stays in review.
    assert.deepEqual(queue.due.map((c) => c.id), ['a-2', 'b-1', 'c-1']);
    assert.deepEqual(queue.fresh, []);
  });

  it('limits a session to an area, and to a target level with the levels below it', () => {
    assert.deepEqual(cards.filter((c) => matchesFilter(c, { level: 'staff' })).map((c) => c.id), ['a-1', 'a-2', 'b-1', 'c-1']);
    assert.deepEqual(cards.filter((c) => matchesFilter(c, { level: 'senior', area: 'databases' })).map((c) => c.id), ['a-1', 'c-1']);
    assert.deepEqual(buildQueue(cards, {}, { now, newPerDay: 10, startedLessons: started, filter: { area: 'api-design' } }).fresh.map((c) => c.id), ['b-1']);
  });

  it('crams every seen or available card of the filter', () => {
    const seen = scheduler.rate(undefined, 'good', now);
    assert.deepEqual(cramCards(cards, { 'c-1': seen }, { level: 'staff' }, started).map((c) => c.id), ['a-1', 'a-2', 'b-1', 'c-1']);
  });

  it('names the local calendar day, not the UTC one', () => {
    assert.equal(localDay(new Date(2026, 0, 31, 23, 59)), '2026-01-31');
    assert.equal(localDay(new Date(2026, 1, 1, 0, 0)), '2026-02-01');
  });

  it('survives a round trip through stored progress with the schedule unchanged', () => {
    const schedule = scheduler.rate(scheduler.rate(undefined, 'good', now), 'easy', new Date(now.getTime() + DAY));
    const stored: unknown = JSON.parse(JSON.stringify(setReviewSchedule(EMPTY_PROGRESS, 'a-1', schedule)));
    assert.deepEqual(parseProgress(stored).progress.reviews['a-1'], schedule);
    assert.deepEqual(setReviewSchedule(setReviewSchedule(EMPTY_PROGRESS, 'a-1', schedule), 'a-1', undefined).reviews, {});
  });
});

/** Read through a call, so that an earlier assertion on `current` does not narrow this one. */
function currentId(session: ReviewSession): string | undefined {
  return session.current?.id;
}

describe('a review sitting', () => {
  const scheduler = new ReviewScheduler();
  const now = new Date(2026, 5, 10, 18, 0);
  const cards = [card('a-1', 'a', 'senior'), card('a-2', 'a', 'senior')];

  it('rates only once the answer shows, and returns the change to store', () => {
    const session = new ReviewSession(cards, {}, scheduler);
    assert.equal(session.rate('good', now), undefined);
    session.reveal();
    const change = session.rate('easy', now);
    assert.deepEqual(change, { cardId: 'a-1', schedule: scheduler.rate(undefined, 'easy', now) });
    assert.equal(session.current?.id, 'a-2');
    assert.equal(session.revealed, false);
    assert.equal(session.remaining, 1);
  });

  it('shows a card again in the same sitting when its next step is minutes away, rated from its new state', () => {
    const session = new ReviewSession(cards, {}, scheduler);
    session.reveal();
    const first = session.rate('again', now)!;
    session.reveal();
    session.rate('easy', now);
    assert.equal(session.current?.id, 'a-1');
    session.reveal();
    const later = new Date(now.getTime() + 60_000);
    assert.deepEqual(session.rate('good', later), { cardId: 'a-1', schedule: scheduler.rate(first.schedule, 'good', later) });
  });

  it('undoes the last rating: the card is current again with its answer showing, its schedule restored, its repeat dropped', () => {
    const stored = { 'a-1': scheduler.rate(undefined, 'good', new Date(2026, 5, 1)) };
    const session = new ReviewSession(cards, stored, scheduler);
    session.reveal();
    session.rate('again', now);
    assert.equal(session.remaining, 2);
    assert.deepEqual(session.undo(), { cardId: 'a-1', schedule: stored['a-1'] });
    assert.equal(session.current?.id, 'a-1');
    assert.equal(session.revealed, true);
    assert.equal(session.remaining, 2);
    assert.equal(session.canUndo, false);
    assert.equal(session.undo(), undefined);
    session.rate('easy', now);
    session.reveal();
    session.rate('easy', now);
    assert.equal(session.current, undefined);
    // A card never reviewed before goes back to new.
    assert.deepEqual(session.undo(), { cardId: 'a-2', schedule: undefined });
  });

  it('in cram mode changes no schedule, and shows a forgotten card again', () => {
    const session = new ReviewSession(cards, {}, scheduler, { cram: true });
    session.reveal();
    assert.equal(session.rate('again', now), undefined);
    session.reveal();
    assert.equal(session.rate('good', now), undefined);
    assert.equal(session.current?.id, 'a-1');
    assert.equal(session.undo(), undefined);
    assert.equal(currentId(session), 'a-2');
    assert.deepEqual(session.preview(now).map((outcome) => outcome.rating), ['again', 'hard', 'good', 'easy']);
  });
});
