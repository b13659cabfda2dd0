import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTail } from '../../src/core/process/fileTail.ts';
import { runProcess } from '../../src/core/process/runProcess.ts';
import { challengeRunVerdict, recordChallengeRun } from '../../src/core/progress/challengeRun.ts';
import { challengeProgress, EMPTY_PROGRESS } from '../../src/core/progress/progress.ts';
import { anchorFailure } from '../../src/core/testing/failureAnchor.ts';
import { LatestTask } from '../../src/core/testing/latestTask.ts';
import { planRun, settleUnreported, testNamePattern } from '../../src/core/testing/runPlan.ts';
import { RunQueue } from '../../src/core/testing/runQueue.ts';
import { groupFileErrors } from '../../src/core/testing/runResults.ts';

const C = '/w/challenges/pool';

describe('planRun', () => {
  it('runs a single test alone: its file, filtered by an anchored, escaped name pattern', () => {
    const [plan] = planRun([{ kind: 'test', challenge: C, file: `${C}/test/a.test.ts`, path: ['pool (v2)', 'grows to 10.5*n'] }]);
    assert.deepEqual(plan, { challenge: C, files: [`${C}/test/a.test.ts`], excludeFiles: [], namePatterns: ['^pool \\(v2\\) grows to 10\\.5\\*n$'], skipPatterns: [], whole: false });
    assert.ok(new RegExp(plan.namePatterns[0]!).test('pool (v2) grows to 10.5*n'));
    assert.ok(!new RegExp(plan.namePatterns[0]!).test('pool (v2) grows to 10.5*n twice'));
  });

  it('runs a whole challenge with nothing excluded as whole; exclusions become skipped files and skip patterns', () => {
    assert.equal(planRun([{ kind: 'challenge', challenge: C }])[0]?.whole, true);
    const [plan] = planRun([{ kind: 'challenge', challenge: C }], [{ kind: 'file', challenge: C, file: `${C}/test/b.test.ts` }, { kind: 'test', challenge: C, file: `${C}/test/a.test.ts`, path: ['x'] }]);
    assert.deepEqual(plan && { files: plan.files, excludeFiles: plan.excludeFiles, skipPatterns: plan.skipPatterns, whole: plan.whole }, { files: 'all', excludeFiles: [`${C}/test/b.test.ts`], skipPatterns: ['^x$'], whole: false });
    assert.deepEqual(planRun([{ kind: 'challenge', challenge: C }], [{ kind: 'challenge', challenge: C }]), []);
  });

  it('runs files whole when a challenge mixes whole files and single tests', () => {
    const [plan] = planRun([{ kind: 'file', challenge: C, file: `${C}/test/b.test.ts` }, { kind: 'test', challenge: C, file: `${C}/test/a.test.ts`, path: ['x'] }]);
    assert.deepEqual(plan?.namePatterns, []);
    assert.deepEqual(plan.files, [`${C}/test/a.test.ts`, `${C}/test/b.test.ts`]);
  });

  it('joins nested names with spaces, as node:test matches them', () => {
    assert.equal(testNamePattern(['a', 'b']), '^a b$');
  });
});

describe('settleUnreported', () => {
  it('errors only the test running at a stop, leaves the others not run, and errors every one on a cancel', () => {
    const keys = ['a', 'b', 'c'];
    assert.deepEqual(settleUnreported(keys, new Set(['a']), { timedOut: true, running: new Set(['b']) }).map((s) => [s.key, s.outcome]), [['b', 'errored'], ['c', 'skipped']]);
    assert.deepEqual(settleUnreported(keys, new Set(), { cancelled: true }).map((s) => s.outcome), ['errored', 'errored', 'errored']);
    assert.deepEqual(settleUnreported(keys, new Set(['a', 'b']), {}).map((s) => [s.key, s.outcome]), [['c', 'skipped']]);
  });
});

describe('challengeRunVerdict', () => {
  const facts = { wholeChallenge: true, timedOut: false, cancelled: false, passed: 3, failed: 0, fileErrors: 0, changedTests: [] };
  it('completes only a whole, clean, passing run, and counts it only with the tests as scaffolded', () => {
    assert.deepEqual(challengeRunVerdict(facts), { complete: true, counted: true });
    assert.deepEqual(challengeRunVerdict({ ...facts, changedTests: ['test/a.test.ts'] }), { complete: true, counted: false });
    for (const change of [{ wholeChallenge: false }, { timedOut: true }, { cancelled: true }, { failed: 1 }, { passed: 0 }, { fileErrors: 1 }]) {
      assert.equal(challengeRunVerdict({ ...facts, ...change }).complete, false, JSON.stringify(change));
    }
  });
  it('counts every run and keeps done once done', () => {
    const done = recordChallengeRun(EMPTY_PROGRESS, 'pool', { complete: true, counted: true }, new Date());
    const after = recordChallengeRun(done, 'pool', { complete: false, counted: false }, new Date());
    assert.deepEqual([challengeProgress(after, 'pool').state, challengeProgress(after, 'pool').runs], ['done', 2]);
  });
});

describe('RunQueue', () => {
  it('runs one job per lane at a time, in order, and a newer request for the same tests replaces the waiting one', async () => {
    const queue = new RunQueue<string>();
    const log: string[] = [];
    let release!: () => void;
    const first = queue.enqueue('pool', 'all', async () => {
      log.push('first starts');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      log.push('first ends');
      return 'first';
    });
    const second = queue.enqueue('pool', 'all', () => Promise.resolve('second'));
    const third = queue.enqueue('pool', 'all', () => {
      log.push('third starts');
      return Promise.resolve('third');
    });
    assert.deepEqual(await second, { kind: 'superseded' });
    release();
    assert.deepEqual(await first, { kind: 'ran', value: 'first' });
    assert.deepEqual(await third, { kind: 'ran', value: 'third' });
    assert.deepEqual(log, ['first starts', 'first ends', 'third starts']);
  });

  it('aborts the running job and drops the waiting ones on dispose', async () => {
    const queue = new RunQueue<boolean>();
    const running = queue.enqueue('pool', 'a', (signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          resolve(signal.aborted);
        });
      }),
    );
    const waiting = queue.enqueue('pool', 'b', () => Promise.resolve(false));
    await new Promise((resolve) => setImmediate(resolve));
    queue.dispose();
    assert.deepEqual(await running, { kind: 'ran', value: true });
    assert.deepEqual(await waiting, { kind: 'disposed' });
  });

  it('with runProcess, a dispose kills the test process and the children it started', async function () {
    if (process.platform === 'win32') this.skip();
    const queue = new RunQueue<number | null>();
    const dir = mkdtempSync(join(tmpdir(), 'queue-'));
    const pidFile = join(dir, 'child.pid');
    const script = `const { spawn } = require('node:child_process'); const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`;
    const ran = queue.enqueue('pool', 'all', (signal) => runProcess({ command: process.execPath, args: ['-e', script], cwd: dir, timeoutMs: 30_000, signal }).then((result) => result.exitCode));
    const deadline = Date.now() + 5000;
    let pid = 0;
    while (!pid && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      pid = Number(spawnSync('cat', [pidFile], { encoding: 'utf8' }).stdout) || 0;
    }
    assert.ok(pid > 0, 'the grandchild never started');
    queue.dispose();
    await ran;
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Gone, or a zombie no one reaped (a container's init may not): either way it no longer runs.
    const state = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout.split(' ')[2];
    assert.ok(state === undefined || state === 'Z', `the grandchild outlived the dispose (state ${state})`);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('LatestTask', () => {
  it('runs once more after the running one when asked meanwhile, so a change made during a run is seen', async () => {
    const seen: number[] = [];
    let state = 0;
    const task = new LatestTask(async () => {
      const read = state;
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen.push(read);
    });
    const first = task.request();
    state = 1; // a marker written after the running discovery listed the workspace
    const second = task.request();
    const third = task.request();
    await Promise.all([first, second, third]);
    assert.deepEqual(seen, [0, 1]);
  });
});

describe('FileTail', () => {
  it('delivers every appended byte once, and a UTF-8 character split between reads whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tail-'));
    const file = join(dir, 'events.txt');
    const tail = new FileTail(file);
    assert.equal(await tail.read(), '');
    const bytes = Buffer.from('naïve €\n');
    const split = bytes.indexOf(Buffer.from('€')) + 1;
    writeFileSync(file, bytes.subarray(0, split));
    const first = await tail.read();
    appendFileSync(file, bytes.subarray(split));
    const second = await tail.read();
    assert.equal(first + second, 'naïve €\n');
    assert.ok(!first.includes('\uFFFD') && !second.includes('\uFFFD'));
    assert.equal(await tail.read(), '');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('anchorFailure', () => {
  const test = { file: '/c/test/pool.test.ts', line: 30, endLine: 40 };
  it('anchors at the deepest frame in the test\'s own body and keeps the helper frames as related', () => {
    const helper = { file: '/c/test/pool.test.ts', line: 26, column: 3, name: 'expectSize' };
    const body = { file: '/c/test/pool.test.ts', line: 33, column: 5 };
    const anchor = anchorFailure([helper, body, { file: '/c/test/pool.test.ts', line: 50, column: 1 }], test);
    assert.deepEqual(anchor, { location: { file: body.file, line: 33, column: 5 }, related: [helper] });
  });
  it('falls back to the innermost frame in the folder', () => {
    assert.deepEqual(anchorFailure([{ file: '/c/src/pool.ts', line: 4, column: 9 }], test), { location: { file: '/c/src/pool.ts', line: 4, column: 9 }, related: [] });
    assert.deepEqual(anchorFailure([], test), { location: undefined, related: [] });
  });
});

describe('groupFileErrors', () => {
  it('tells one broken module shared by every test file once, with the files it stopped', () => {
    const location = { file: '/c/src/a.ts', line: 2, column: 3 };
    const groups = groupFileErrors([
      { kind: 'fileError', file: '/c/test/a.test.ts', message: 'SyntaxError: x', location },
      { kind: 'fileError', file: '/c/test/b.test.ts', message: 'SyntaxError: x', location },
      { kind: 'fileError', file: '/c/test/c.test.ts', message: 'Error: other' },
    ]);
    assert.deepEqual(groups, [
      { message: 'SyntaxError: x', location, files: ['/c/test/a.test.ts', '/c/test/b.test.ts'] },
      { message: 'Error: other', files: ['/c/test/c.test.ts'] },
    ]);
  });
});
