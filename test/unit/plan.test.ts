import assert from 'node:assert/strict';
import type { Catalog, Challenge, Lesson, Level } from '../../src/core/content/model.ts';
import { addDays, daysBetween, isDay, localDay, weekday } from '../../src/core/plan/calendar.ts';
import { levelTrack } from '../../src/core/study/levelTrack.ts';
import { foldLine, planToIcs, planToMarkdown } from '../../src/core/plan/planExport.ts';
import { buildPlan, practiceDays, streak, todayView, weekProgress, type PlanItemRef } from '../../src/core/plan/plan.ts';

/** A catalog with just the items and minutes a test names; the plan reads nothing else. */
function catalogOf(lessons: Record<string, number>, challenges: Record<string, number> = {}): Catalog {
  return {
    areas: [],
    lessons: new Map(Object.entries(lessons).map(([id, minutes]) => [id, { id, title: `Lesson ${id}`, minutes } as unknown as Lesson])),
    challenges: new Map(Object.entries(challenges).map(([id, minutes]) => [id, { id, title: `Challenge ${id}`, minutes } as unknown as Challenge])),
  };
}

const doneSet = (...ids: string[]) => (item: PlanItemRef): boolean => ids.includes(item.id);
const catalog = catalogOf({ 'event-loop': 90, 'error-handling': 30, streams: 45, 'rest-best-practices': 60, communication: 150 }, { 'rate-limiter': 60 });
const byDay = (plan: ReturnType<typeof buildPlan>): Record<number, string[]> =>
  Object.fromEntries(plan.days.filter((day) => day.entries.length > 0).map((day) => [day.index, day.entries.map((entry) => entry.id)]));

describe('calendar days', () => {
  it('adds and counts days across a month end and a daylight-saving change', () => {
    assert.equal(addDays('2026-12-30', 3), '2027-01-02');
    assert.equal(addDays('2026-03-28', 2), '2026-03-30');
    assert.equal(daysBetween('2026-10-24', '2026-10-26'), 2);
    assert.equal(daysBetween('2026-12-07', '2026-12-04'), -3);
  });

  it('knows a real day from a made-up one, and the weekday', () => {
    assert.equal(isDay('2028-02-29'), true);
    assert.equal(isDay('2026-02-29'), false);
    assert.equal(isDay('2026-2-01'), false);
    assert.equal(weekday('2026-12-07'), 0);
    assert.equal(weekday('2026-12-06'), 6);
    assert.equal(localDay(new Date(2026, 11, 7, 23, 59)), '2026-12-07');
  });
});

describe('the study plan', () => {
  // Hand-computed: 7 h a week is 60 min a day; 28 days, the last 3 practice, so 25 study days
  // and the weeks start on days 0, 6, 12 and 18 (floor of k × 25 / 4).
  //   day 0  event-loop (90): a day and a half, so the next item starts on day 1 with 30 used
  //   day 1  error-handling (30): the day is full
  //   day 2  rate-limiter (60)
  //   day 3  streams (45)
  //   day 6  rest-best-practices (60): week 2 starts on day 6
  //   day 18 communication (150): week 4 starts on day 18
  it('spreads the outline over four weeks by minutes, each week from its own share of days', () => {
    const plan = buildPlan(catalog, { start: '2026-12-07', hoursPerWeek: 7 }, doneSet());
    assert.deepEqual(byDay(plan), { 0: ['event-loop'], 1: ['error-handling'], 2: ['rate-limiter'], 3: ['streams'], 6: ['rest-best-practices'], 18: ['communication'] });
    assert.equal(plan.days.length, 28);
    assert.equal(plan.end, '2027-01-03');
    assert.deepEqual(plan.days.filter((day) => day.practice).map((day) => day.date), ['2027-01-01', '2027-01-02', '2027-01-03']);
    assert.deepEqual([0, 5, 6, 12, 18, 27].map((index) => plan.days[index]!.week), [1, 1, 2, 3, 4, 4]);
    assert.deepEqual(plan.unscheduled, []);
    assert.equal(plan.minutesPerDay, 60);
  });

  it('shows today with what is overdue, today’s items and the days left', () => {
    const plan = buildPlan(catalog, { start: '2026-12-07', hoursPerWeek: 7 }, doneSet('event-loop'));
    const today = todayView(plan, '2026-12-10');
    assert.deepEqual(today.overdue.map((entry) => entry.id), ['error-handling', 'rate-limiter']);
    assert.deepEqual(today.items.map((entry) => entry.id), ['streams']);
    assert.equal(today.daysRemaining, 25);
    assert.equal(today.practice, false);
    assert.equal(todayView(plan, '2026-12-12').practice, true, 'a day with nothing new is for practice');
  });

  // Hand-computed: interview on the 14th, so 7 days (the 7th to the 13th), the last 2 practice:
  // 5 study days, weeks from days 0, 1, 2 and 3. Week 1 fills days 0 to 3 as above; rest (60)
  // does not fit beside streams (45) and goes to day 4; communication would start on day 5,
  // a practice day, so it does not fit.
  it('compresses the plan when the interview is sooner than four weeks, and says what does not fit', () => {
    const plan = buildPlan(catalog, { start: '2026-12-07', interview: '2026-12-14', hoursPerWeek: 7 }, doneSet());
    assert.deepEqual(byDay(plan), { 0: ['event-loop'], 1: ['error-handling'], 2: ['rate-limiter'], 3: ['streams'], 4: ['rest-best-practices'] });
    assert.equal(plan.end, '2026-12-13');
    assert.deepEqual(plan.unscheduled.map((entry) => entry.id), ['communication']);
    assert.deepEqual(plan.days.filter((day) => day.practice).map((day) => day.index), [5, 6]);
    assert.equal(todayView(plan, '2026-12-13').daysRemaining, 1);
  });

  it('with a start date in the past, shows everything not done as overdue, and no day left once it is over', () => {
    const plan = buildPlan(catalog, { start: '2026-11-01', hoursPerWeek: 7 }, doneSet('streams'));
    const today = todayView(plan, '2026-12-04');
    assert.equal(today.day, undefined);
    assert.deepEqual(today.overdue.map((entry) => entry.id), ['event-loop', 'error-handling', 'rate-limiter', 'rest-best-practices', 'communication']);
    assert.equal(today.daysRemaining, 0);
  });

  it('counts down to a start in the future', () => {
    const plan = buildPlan(catalog, { start: '2026-12-07' }, doneSet());
    assert.deepEqual({ ...todayView(plan, '2026-12-05'), day: undefined }, { date: '2026-12-05', startsIn: 2, day: undefined, overdue: [], items: [], practice: false, daysRemaining: 28 });
    // 435 minutes over 25 study days is 2.03 h a week, rounded up to 2.5; everything fits.
    assert.deepEqual([plan.settings.hoursPerWeek, plan.hoursDerived, plan.unscheduled.length], [2.5, true, 0]);
  });

  it('without hours a week, takes what the outline needs in the days there are', () => {
    // Hand-computed. One week to the interview: 5 study days for 435 minutes is 10.15 h a week,
    // rounded up to 10.5 (90 min a day): event-loop fills day 0, error-handling and rate-limiter
    // day 1, streams day 2, rest day 3, communication starts on day 4. At 10 h (85.7 min a day)
    // communication would start on day 5, a practice day.
    const plan = buildPlan(catalog, { start: '2026-12-07', interview: '2026-12-14' }, doneSet());
    assert.deepEqual([plan.settings.hoursPerWeek, plan.hoursDerived, plan.unscheduled.length], [10.5, true, 0]);
    assert.deepEqual(byDay(plan), { 0: ['event-loop'], 1: ['error-handling', 'rate-limiter'], 2: ['streams'], 3: ['rest-best-practices'], 4: ['communication'] });
    assert.deepEqual(buildPlan(catalog, { start: '2026-12-07', interview: '2026-12-14', hoursPerWeek: 10 }, doneSet()).unscheduled.map((entry) => entry.id), ['communication']);
    assert.equal(buildPlan(catalog, { start: '2026-12-07', hoursPerWeek: 7 }, doneSet()).hoursDerived, false);
  });

  it('keeps a day’s items where they are as items get done', () => {
    const before = buildPlan(catalog, { start: '2026-12-07', hoursPerWeek: 7 }, doneSet());
    const after = buildPlan(catalog, { start: '2026-12-07', hoursPerWeek: 7 }, doneSet('event-loop', 'streams'));
    assert.deepEqual(byDay(after), byDay(before));
  });

  it('keeps practice days in proportion to the plan', () => {
    assert.deepEqual([1, 2, 3, 6, 7, 20, 21, 28].map(practiceDays), [0, 0, 1, 1, 2, 2, 3, 3]);
    const oneDay = buildPlan(catalog, { start: '2026-12-07', interview: '2026-12-07', hoursPerWeek: 7 }, doneSet());
    assert.equal(oneDay.days.length, 1);
  });

  it('counts progress per week and goal from what is done, over the items that exist', () => {
    const weeks = weekProgress(catalog, doneSet('event-loop', 'rate-limiter', 'communication'));
    assert.deepEqual(weeks.map((week) => [week.week, week.done, week.total]), [[1, 2, 4], [2, 0, 1], [3, 0, 0], [4, 1, 1]]);
    assert.deepEqual(weeks[0]!.goals.map((goal) => [goal.text, goal.done, goal.total]), [['Event loop and async patterns', 2, 3], ['Streams and buffers', 0, 1], ['Clustering scenarios', 0, 0]]);
  });
});

describe('the streak', () => {
  it('forgives one missed day between two days of study, once', () => {
    assert.deepEqual(streak(new Set(['2026-12-01', '2026-12-02', '2026-12-04']), '2026-12-04'), { days: 3, activeToday: true, repaired: '2026-12-03' });
    assert.deepEqual(streak(new Set(['2026-11-30', '2026-12-02', '2026-12-04']), '2026-12-04'), { days: 2, activeToday: true, repaired: '2026-12-03' });
  });

  it('is still alive today until the day is over, and nothing without study', () => {
    assert.deepEqual(streak(new Set(['2026-12-02', '2026-12-03']), '2026-12-04'), { days: 2, activeToday: false });
    assert.deepEqual(streak(new Set(['2026-12-01']), '2026-12-04'), { days: 0, activeToday: false });
    assert.deepEqual(streak(new Set(), '2026-12-04'), { days: 0, activeToday: false });
  });
});

describe('plan exports', () => {
  const plan = buildPlan(catalog, { start: '2026-12-07', interview: '2026-12-14', hoursPerWeek: 7 }, doneSet('event-loop'));
  const now = new Date('2026-12-04T20:00:00.000Z');

  it('writes an RFC 5545 calendar: CRLF lines, all-day events on study and practice days, stable UIDs', () => {
    const ics = planToIcs(plan, now);
    assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
    assert.ok(!/[^\r]\n/.test(ics), 'a bare LF');
    const lines = ics.split('\r\n');
    assert.deepEqual(lines.slice(0, 3), ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Backend Interview Prep//Study plan//EN']);
    const events = ics.split('BEGIN:VEVENT').slice(1);
    // Study on days 0 to 4, practice on days 5 and 6.
    assert.equal(events.length, 7);
    assert.match(events[0]!, /UID:20261207-day-1@backend-interview-prep\r\nDTSTAMP:20261204T200000Z\r\nDTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261208\r\n/);
    assert.match(events[0]!, /DESCRIPTION:Lesson: Lesson event-loop \(90 min\)\r\n/);
    assert.match(events[6]!, /DTSTART;VALUE=DATE:20261213\r\nDTEND;VALUE=DATE:20261214\r\nSUMMARY:Interview practice: a mock design question and your reviews/);
    assert.equal(planToIcs(plan, now), ics);
    assert.ok(lines.every((line) => new TextEncoder().encode(line).length <= 75), 'a line over 75 octets');
  });

  it('escapes text and folds long lines without splitting a character', () => {
    const long = `SUMMARY:${'é'.repeat(60)}`;
    const folded = foldLine(long);
    assert.ok(folded.split('\r\n').every((line) => new TextEncoder().encode(line).length <= 75));
    assert.equal(folded.replaceAll('\r\n ', ''), long);
    const commas = buildPlan(catalogOf({ 'event-loop': 30 }), { start: '2026-12-07' }, doneSet());
    const titled = { ...commas, days: commas.days.map((day) => ({ ...day, entries: day.entries.map((entry) => ({ ...entry, title: 'A, B; C\\D' })) })) };
    assert.match(planToIcs(titled, now), /SUMMARY:Study \(week 1\): A\\, B\\; C\\\\D\r\n/);
  });

  it('writes a Markdown checklist by week and goal, with each item’s day and what does not fit', () => {
    const markdown = planToMarkdown(plan);
    assert.match(markdown, /^# Interview study plan\n\nFrom 2026-12-07 to 2026-12-13 \(interview on 2026-12-14\), 7 hours a week\.\n/);
    assert.match(markdown, /## Week 1: Node\.js fundamentals\n\n### Event loop and async patterns\n\n- \[x\] Lesson: Lesson event-loop \(90 min\), 2026-12-07\n- \[ \] Lesson: Lesson error-handling \(30 min\), 2026-12-08\n- \[ \] Challenge: Challenge rate-limiter \(60 min\), 2026-12-09\n/);
    assert.match(markdown, /- \[ \] Lesson: Lesson communication \(150 min\), does not fit before the interview\n/);
    assert.match(markdown, /## Practice days\n\n- \[ \] 2026-12-12: .*\n- \[ \] 2026-12-13: /);
    assert.doesNotMatch(markdown, /### Clustering scenarios/);
  });
});

describe('the level track', () => {
  const leveled = (entries: Record<string, [number, Level]>, challenges: Record<string, [number, Level]> = {}): Catalog => ({
    areas: [],
    lessons: new Map(Object.entries(entries).map(([id, [minutes, level]]) => [id, { id, title: `Lesson ${id}`, minutes, level } as unknown as Lesson])),
    challenges: new Map(Object.entries(challenges).map(([id, [minutes, level]]) => [id, { id, title: `Challenge ${id}`, minutes, level } as unknown as Challenge])),
  });
  const tracked = leveled({ 'rest-best-practices': [60, 'senior'], versioning: [60, 'staff'], 'error-handling': [30, 'senior'], sharding: [90, 'principal'] }, { 'idempotency-keys': [60, 'staff'] });

  it('lists the concepts of the target level and the levels below, each ticked only when all that teaches it is done', () => {
    const track = levelTrack(tracked, 'staff', doneSet('rest-best-practices', 'versioning', 'error-handling'));
    assert.deepEqual(track.map((level) => level.level), ['senior', 'staff']);
    const senior = track[0]!.concepts;
    assert.deepEqual(senior.map((concept) => [concept.text, concept.done, concept.items.map((item) => item.id)]), [
      ['RESTful API design', false, ['rest-best-practices', 'versioning', 'idempotency-keys']],
      ['Basic database optimisation', false, []],
      ['Authentication and authorisation', false, []],
      ['Error-handling patterns', true, ['error-handling']],
    ]);
    assert.equal(levelTrack(tracked, 'staff', doneSet('rest-best-practices', 'versioning', 'idempotency-keys'))[0]!.concepts[0]!.done, true);
    assert.deepEqual(levelTrack(tracked, 'principal', doneSet()).map((level) => level.level), ['senior', 'staff', 'principal']);
  });

  it('keeps the plan to the track: no item above the target level is spread', () => {
    const plan = buildPlan(tracked, { start: '2026-12-07', hoursPerWeek: 7 }, doneSet(), 'senior');
    assert.deepEqual(plan.days.flatMap((day) => day.entries.map((entry) => entry.id)).sort(), ['error-handling', 'rest-best-practices']);
    assert.deepEqual(weekProgress(tracked, doneSet(), 'senior').map((week) => week.total), [1, 1, 0, 0]);
    assert.equal(buildPlan(tracked, { start: '2026-12-07' }, doneSet()).days.flatMap((day) => day.entries).length, 5);
  });
});
