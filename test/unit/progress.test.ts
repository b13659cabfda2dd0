import assert from 'node:assert/strict';
import {
  EMPTY_PROGRESS,
  exportProgress,
  lessonOpened,
  lessonState,
  mergeProgress,
  parseExport,
  parseProgress,
  setLessonState,
  markActive,
  recordRating,
  setPlan,
  setReviewSchedule,
  updateChallenge,
  type Progress,
} from '../../src/core/progress/progress.ts';
import { recordChallengeRun } from '../../src/core/progress/challengeRun.ts';
import { ReviewScheduler } from '../../src/core/review/schedule.ts';

const T1 = new Date('2026-01-01T00:00:00.000Z');
const T2 = new Date('2026-02-01T00:00:00.000Z');

describe('progress', () => {
  describe('transitions', () => {
    it('starts a lesson when it is opened, and never undoes a completion by opening it again', () => {
      let progress = lessonOpened(EMPTY_PROGRESS, 'event-loop', T1);
      assert.equal(lessonState(progress, 'event-loop'), 'in-progress');
      progress = setLessonState(progress, 'event-loop', 'done', T2);
      assert.equal(lessonOpened(progress, 'event-loop', T2), progress);
      assert.equal(lessonState(progress, 'event-loop'), 'done');
      assert.equal(progress.lessons['event-loop']!.updatedAt, T2.toISOString());
    });

    it('marks a lesson not complete again', () => {
      const done = setLessonState(EMPTY_PROGRESS, 'streams', 'done', T1);
      assert.equal(lessonState(setLessonState(done, 'streams', 'in-progress', T2), 'streams'), 'in-progress');
    });

    it('returns the same object when nothing changes, so that no write is needed', () => {
      const progress = setLessonState(EMPTY_PROGRESS, 'streams', 'done', T1);
      assert.equal(setLessonState(progress, 'streams', 'done', T2), progress);
    });

    it('does not mutate the progress it is given', () => {
      const before = JSON.stringify(EMPTY_PROGRESS);
      setLessonState(EMPTY_PROGRESS, 'streams', 'done', T1);
      updateChallenge(EMPTY_PROGRESS, 'rate-limiter', { runs: 1 }, T1);
      assert.equal(JSON.stringify(EMPTY_PROGRESS), before);
    });
  });

  describe('parseProgress', () => {
    it('reads nothing stored as empty progress without a problem', () => {
      assert.deepEqual(parseProgress(undefined), { progress: EMPTY_PROGRESS, problems: [] });
    });

    it('round-trips a valid value unchanged', () => {
      const progress = updateChallenge(setLessonState(EMPTY_PROGRESS, 'streams', 'done', T1), 'rate-limiter', { state: 'in-progress', runs: 3, hintsShown: 2, solutionViewed: true }, T2);
      assert.deepEqual(parseProgress(JSON.parse(JSON.stringify(progress))), { progress, problems: [] });
    });

    it('keeps the valid entries of a corrupt value and names each one it dropped', () => {
      const raw = {
        version: 1,
        lessons: { streams: { state: 'done', updatedAt: T1.toISOString() }, 'event-loop': { state: 'finished' }, '../x': { state: 'done' } },
        challenges: { 'rate-limiter': { state: 'in-progress', runs: -4, hintsShown: 'two', updatedAt: 'yesterday' }, pool: 7, queue: ['done'] },
      };
      const { progress, problems } = parseProgress(raw);
      assert.deepEqual(Object.keys(progress.lessons), ['streams']);
      assert.equal(progress.challenges['rate-limiter']!.runs, 0);
      assert.equal(progress.challenges['rate-limiter']!.hintsShown, 0);
      assert.equal(progress.challenges['rate-limiter']!.updatedAt, new Date(0).toISOString());
      assert.equal(problems.length, 4);
      assert.match(problems.join('\n'), /challenge "queue"/);
      assert.match(problems.join('\n'), /lesson "event-loop"/);
      assert.match(problems.join('\n'), /lesson "\.\.\/x"/);
      assert.match(problems.join('\n'), /challenge "pool"/);
    });

    it('survives values that are not objects at all', () => {
      for (const raw of ['garbage', 42, [1, 2], true]) {
        const { progress, problems } = parseProgress(raw);
        assert.deepEqual(progress, EMPTY_PROGRESS);
        assert.equal(problems.length, 1);
      }
      const { progress, problems } = parseProgress({ version: 1, lessons: 'x', challenges: null });
      assert.deepEqual(progress, EMPTY_PROGRESS);
      assert.equal(problems.length, 2);
    });

    it('reads a value from a newer schema as far as it understands it, and says so', () => {
      const { progress, problems } = parseProgress({ version: 3, lessons: { streams: { state: 'done', updatedAt: T1.toISOString(), confidence: 5 } }, notes: {} });
      assert.equal(lessonState(progress, 'streams'), 'done');
      assert.match(problems[0]!, /newer version of the extension \(schema 3\)/);
    });

    it('reads a version 1 value (before reviews) as version 2 with no review, and no problem', () => {
      const { progress, problems } = parseProgress({ version: 1, lessons: { streams: { state: 'done', updatedAt: T1.toISOString() } }, challenges: {} });
      assert.deepEqual(problems, []);
      assert.equal(progress.version, 2);
      assert.deepEqual(progress.reviews, {});
      assert.equal(lessonState(progress, 'streams'), 'done');
    });

    it('drops a corrupt review schedule alone, keeping the other schedules and the rest of progress', () => {
      const good = new ReviewScheduler().rate(undefined, 'good', T1);
      const raw = {
        version: 2,
        lessons: { streams: { state: 'done', updatedAt: T1.toISOString() } },
        reviews: { 'streams-quiz-a': good, 'streams-quiz-b': { ...good, stability: 'high' }, 'streams-quiz-c': { ...good, due: 'soon' }, 'streams-quiz-d': null, '../x': good },
      };
      const { progress, problems } = parseProgress(JSON.parse(JSON.stringify(raw)));
      assert.deepEqual(Object.keys(progress.reviews), ['streams-quiz-a']);
      assert.deepEqual(progress.reviews['streams-quiz-a'], good);
      assert.equal(lessonState(progress, 'streams'), 'done');
      assert.equal(problems.length, 4);
      assert.match(problems.join('\n'), /card "streams-quiz-b" \(it will come back as a new card\)/);
      const notAnObject = parseProgress({ version: 2, lessons: raw.lessons, reviews: [good] });
      assert.deepEqual(notAnObject.progress.reviews, {});
      assert.equal(lessonState(notAnObject.progress, 'streams'), 'done');
      assert.match(notAnObject.problems[0]!, /review progress/);
    });

    it('keeps the valid days of study and a valid plan, and drops the rest alone', () => {
      const raw = {
        version: 2,
        lessons: { streams: { state: 'done', updatedAt: T1.toISOString() } },
        activeDays: ['2026-12-02', 'yesterday', '2026-02-30', '2026-12-01', '2026-12-02', 7],
        plan: { start: '2026-12-01', interview: '2026-12-20', hoursPerWeek: 8 },
      };
      const { progress, problems } = parseProgress(raw);
      assert.deepEqual(progress.activeDays, ['2026-12-01', '2026-12-02']);
      assert.deepEqual(progress.plan, { start: '2026-12-01', interview: '2026-12-20', hoursPerWeek: 8 });
      assert.deepEqual(problems, ['dropped 3 day(s) of study that are not calendar days']);
      for (const plan of [{ start: '2026-12-20', interview: '2026-12-01' }, { start: 'soon' }, { start: '2026-12-01', hoursPerWeek: -1 }, 'x']) {
        const parsed = parseProgress({ ...raw, plan });
        assert.equal(parsed.progress.plan, undefined, JSON.stringify(plan));
        assert.equal(lessonState(parsed.progress, 'streams'), 'done');
        assert.match(parsed.problems.at(-1)!, /dropped the plan settings/);
      }
      assert.deepEqual(parseProgress({ ...raw, activeDays: 'every day' }).progress.activeDays, []);
    });

    it('repairs an unreadable date rather than dropping the entry', () => {
      const { progress } = parseProgress({ version: 1, lessons: { streams: { state: 'done', updatedAt: 'yesterday' } } });
      assert.equal(progress.lessons.streams!.updatedAt, new Date(0).toISOString());
    });
  });

  describe('days of study', () => {
    const local = (day: number, hour = 10): Date => new Date(2026, 11, day, hour);

    it('counts a completed lesson, a test run and a rating, each once a local day', () => {
      let progress = setLessonState(EMPTY_PROGRESS, 'streams', 'done', local(1));
      progress = recordChallengeRun(progress, 'rate-limiter', { complete: false, counted: false }, local(2, 9));
      progress = recordChallengeRun(progress, 'rate-limiter', { complete: false, counted: false }, local(2, 21));
      progress = recordRating(progress, 'streams-quiz-a', new ReviewScheduler().rate(undefined, 'good', local(4)), local(4));
      assert.deepEqual(progress.activeDays, ['2026-12-01', '2026-12-02', '2026-12-04']);
    });

    it('does not count opening a lesson, starting a challenge, a hint or an undo', () => {
      let progress = lessonOpened(EMPTY_PROGRESS, 'streams', local(1));
      progress = updateChallenge(progress, 'rate-limiter', { state: 'in-progress' }, local(1));
      progress = updateChallenge(progress, 'rate-limiter', { hintsShown: 1 }, local(1));
      progress = setReviewSchedule(progress, 'streams-quiz-a', undefined);
      progress = setLessonState(progress, 'streams', 'in-progress', local(1));
      assert.deepEqual(progress.activeDays, []);
    });

    it('sets and clears the plan', () => {
      const planned = setPlan(EMPTY_PROGRESS, { start: '2026-12-07', hoursPerWeek: 6 });
      assert.deepEqual(planned.plan, { start: '2026-12-07', hoursPerWeek: 6 });
      assert.equal('plan' in setPlan(planned, undefined), false);
    });
  });

  describe('mergeProgress', () => {
    const ours: Progress = updateChallenge(setLessonState(setLessonState(EMPTY_PROGRESS, 'streams', 'done', T1), 'event-loop', 'in-progress', T1), 'rate-limiter', { state: 'done', runs: 5, hintsShown: 1 }, T1);
    const theirs: Progress = updateChallenge(setLessonState(setLessonState(EMPTY_PROGRESS, 'streams', 'in-progress', T2), 'event-loop', 'done', T2), 'rate-limiter', { state: 'in-progress', runs: 2, hintsShown: 3, solutionViewed: true }, T2);

    it('keeps the further state of each item from either side', () => {
      const merged = mergeProgress(ours, theirs);
      assert.equal(lessonState(merged, 'streams'), 'done');
      assert.equal(lessonState(merged, 'event-loop'), 'done');
      assert.equal(merged.challenges['rate-limiter']!.state, 'done');
    });

    it('never lowers counters or flags', () => {
      const challenge = mergeProgress(ours, theirs).challenges['rate-limiter']!;
      assert.deepEqual({ runs: challenge.runs, hintsShown: challenge.hintsShown, solutionViewed: challenge.solutionViewed }, { runs: 5, hintsShown: 3, solutionViewed: true });
    });

    it('keeps, per review card, the schedule with the more recent review', () => {
      const scheduler = new ReviewScheduler();
      const early = scheduler.rate(undefined, 'good', T1);
      const late = scheduler.rate(early, 'again', T2);
      const onlyTheirs = scheduler.rate(undefined, 'easy', T1);
      const merged = mergeProgress(setReviewSchedule(setReviewSchedule(EMPTY_PROGRESS, 'a', late), 'b', early), setReviewSchedule(setReviewSchedule(setReviewSchedule(EMPTY_PROGRESS, 'a', early), 'b', late), 'c', onlyTheirs));
      assert.deepEqual(merged.reviews, { a: late, b: late, c: onlyTheirs });
    });

    it('unites the days of study, and takes the imported plan when it has one', () => {
      const mine = setPlan(markActive(EMPTY_PROGRESS, new Date(2026, 11, 1)), { start: '2026-12-01' });
      const imported = markActive(markActive(EMPTY_PROGRESS, new Date(2026, 11, 1)), new Date(2026, 10, 30));
      assert.deepEqual(mergeProgress(mine, imported).activeDays, ['2026-11-30', '2026-12-01']);
      assert.deepEqual(mergeProgress(mine, imported).plan, { start: '2026-12-01' });
      assert.deepEqual(mergeProgress(mine, setPlan(imported, { start: '2026-12-05' })).plan, { start: '2026-12-05' });
    });

    it('adds items only one side has', () => {
      const merged = mergeProgress(ours, setLessonState(EMPTY_PROGRESS, 'clustering', 'done', T2));
      assert.equal(lessonState(merged, 'clustering'), 'done');
      assert.equal(lessonState(merged, 'streams'), 'done');
    });
  });

  describe('export and import', () => {
    it('gives back the same progress, review schedules included', () => {
      const scheduler = new ReviewScheduler();
      const schedule = scheduler.rate(scheduler.rate(undefined, 'good', T1), 'hard', T2);
      const progress = setReviewSchedule(updateChallenge(setLessonState(EMPTY_PROGRESS, 'streams', 'done', T1), 'rate-limiter', { runs: 2 }, T2), 'streams-quiz-a', schedule);
      assert.deepEqual(parseExport(exportProgress(progress, T2)), { progress });
    });

    it('refuses a file that is not an export, or an export with broken entries', () => {
      assert.match((parseExport('not json') as { error: string }).error, /not JSON/);
      assert.match((parseExport('{"lessons":{}}') as { error: string }).error, /not a Backend Interview Prep progress export/);
      const broken = JSON.stringify({ format: 'backend-interview-prep/progress', progress: { version: 1, lessons: { streams: { state: 'nope' } } } });
      assert.match((parseExport(broken) as { error: string }).error, /lesson "streams"/);
    });
  });
});
