import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatEvent, type ReporterEventInput } from '../../src/core/testing/protocol.ts';
import { parseLoadError, RunResults, testKey, type RunUpdate, type TestResult } from '../../src/core/testing/runResults.ts';

const ROOT = '/work/challenge';
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'reporter-output');
const basics = `${ROOT}/test/basics.test.ts`;

function captured(version: string): string {
  return readFileSync(join(fixtures, `node-${version}.txt`), 'utf8').replaceAll('<root>', ROOT);
}

function run(text: string, chunkSize = text.length): RunUpdate[] {
  const results = new RunResults(ROOT);
  const updates: RunUpdate[] = [];
  for (let index = 0; index < text.length; index += chunkSize) updates.push(...results.push(text.slice(index, index + chunkSize)));
  updates.push(...results.finish({ exitCode: 1 }));
  return updates;
}

function result(updates: RunUpdate[], ...path: string[]): TestResult {
  const found = updates.find((update): update is TestResult => update.kind === 'result' && update.key === testKey(basics, path));
  assert.ok(found, `no result for ${path.join(' > ')}`);
  return found;
}

for (const version of ['22.18.0', '24']) {
  describe(`RunResults on real node:test output from Node ${version}`, () => {
    const updates = run(captured(version));

    it('reports a passing test with its duration', () => {
      const passed = result(updates, 'adds two numbers');
      assert.equal(passed.outcome, 'passed');
      assert.ok(passed.durationMs > 0);
      assert.equal(passed.line, 5);
    });

    it('reports a failed assertion in a nested describe with both sides as readable text, at the failing line', () => {
      const failed = result(updates, 'calculator', 'nested', 'compares objects');
      assert.equal(failed.outcome, 'failed');
      assert.equal(failed.failure?.expected, '{\n  items: [\n    1,\n    2\n  ],\n  sum: 3\n}');
      assert.equal(failed.failure.actual, '{\n  items: [\n    1,\n    2\n  ],\n  sum: 2\n}');
      assert.deepEqual(failed.failure.location, { file: basics, line: 12, column: 14 });
      const strings = result(updates, 'calculator', 'compares strings');
      assert.deepEqual([strings.failure?.expected, strings.failure?.actual], ['total: 5', 'total: 4']);
      assert.equal(strings.failure?.location?.line, 17);
    });

    it('reports an error thrown by the code under test at the line that threw', () => {
      const failed = result(updates, 'calculator', 'throws from the code under test');
      assert.equal(failed.outcome, 'failed');
      assert.equal(failed.failure?.message, 'out of range');
      assert.equal(failed.failure.expected, undefined);
      assert.deepEqual(failed.failure.location, { file: `${ROOT}/src/calc.ts`, line: 6, column: 9 });
    });

    it('reports skipped and todo tests as skipped, and a describe with failing tests as failed', () => {
      assert.equal(result(updates, 'calculator', 'is skipped').outcome, 'skipped');
      assert.equal(result(updates, 'calculator', 'is still to do').outcome, 'skipped');
      const suite = result(updates, 'calculator');
      assert.equal(suite.suite, true);
      assert.equal(suite.outcome, 'failed');
    });

    it('passes on what the tests printed as output of the run', () => {
      assert.ok(updates.some((update) => update.kind === 'output' && update.text === 'noise from the test\n' && update.file === basics));
    });

    it('reports a syntax error in the learner\'s code on the file, with the runtime\'s message and location', () => {
      const error = updates.find((update) => update.kind === 'fileError' && update.file === `${ROOT}/test/broken-import.test.ts`);
      assert.deepEqual(error, {
        kind: 'fileError',
        file: `${ROOT}/test/broken-import.test.ts`,
        message: 'SyntaxError [ERR_INVALID_TYPESCRIPT_SYNTAX]: Expression expected',
        location: { file: `${ROOT}/src/broken.ts`, line: 2, column: 15 },
      });
    });

    it('reports a test process that exited early as an error of its file', () => {
      const error = updates.find((update) => update.kind === 'fileError' && update.file === `${ROOT}/test/crash.test.ts`);
      assert.ok(error && error.kind === 'fileError');
      assert.match(error.message, /did not run to the end/);
    });

    it('gives the same updates however the output is split into chunks', () => {
      assert.deepEqual(run(captured(version), 7), updates);
    });
  });
}

describe('RunResults', () => {
  it('treats noise, broken protocol lines and unknown events as output, never as results', () => {
    const noise = ['plain text from somewhere', '@@backend-study@@ {not json', '@@backend-study@@ {"type":"bogus"}', '@@backend-study@@ {"type":"pass","file":1}'].join('\n');
    const updates = run(`${noise}\n`);
    assert.deepEqual(updates.map((update) => update.kind), ['output', 'output', 'output', 'output']);
  });

  it('reports a test still running at the time limit as errored, naming the limit', () => {
    const results = new RunResults(ROOT);
    results.push(formatEvent({ type: 'start', file: basics, path: ['hangs'], line: 3, suite: false }));
    const [update] = results.finish({ exitCode: null, timedOut: { afterMs: 30_000 } });
    assert.ok(update?.kind === 'result');
    assert.equal(update.outcome, 'errored');
    assert.match(update.failure?.message ?? '', /time limit of 30 s/);
  });

  describe('a file-level failure after the file\'s own tests failed', () => {
    // As Node 24 sent it in 2 of 25 runs of the rate limiter's suite on a loaded machine: the
    // file's process exited 1 (its tests failed) before node:test had counted the failures.
    const exited: ReporterEventInput = { type: 'fail', file: basics, path: ['test/basics.test.ts'], line: 1, column: 1, suite: false, durationMs: 467.8, error: { message: 'test failed', failureType: 'testCodeFailure', frames: [] } };
    const failing = (path: string[]) => formatEvent({ type: 'fail', file: basics, path, suite: false, durationMs: 1, error: { message: 'Expected values to be strictly deep-equal', failureType: 'testCodeFailure', frames: [{ file: basics, line: 9, column: 5 }] } });

    it('is not a file that did not run: its failures are the result', () => {
      const results = new RunResults(ROOT);
      const updates = [
        ...results.push(`${formatEvent({ type: 'start', file: basics, path: ['window', 'edge'], line: 9, suite: false })}\n`),
        ...results.push(`${failing(['window', 'edge'])}\n`),
        ...results.push(`${formatEvent(exited)}\n`),
        ...results.finish({ exitCode: 1 }),
      ];
      assert.deepEqual(updates.filter((update) => update.kind === 'fileError'), []);
      assert.deepEqual(results.summary(), { passed: 0, failed: 1, fileErrors: 0 });
    });

    it('is still a file that did not run when a test of it was left unfinished', () => {
      const results = new RunResults(ROOT);
      results.push(`${failing(['first'])}\n`);
      results.push(`${formatEvent({ type: 'start', file: basics, path: ['second'], line: 12, suite: false })}\n`);
      const updates = results.push(`${formatEvent(exited)}\n`);
      assert.equal(updates[0]?.kind, 'fileError');
    });

    it('is still a file that did not run when none of its tests failed', () => {
      const results = new RunResults(ROOT);
      results.push(`${formatEvent({ type: 'pass', file: basics, path: ['first'], suite: false, durationMs: 1 })}\n`);
      const updates = results.push(`${formatEvent(exited)}\n`);
      assert.equal(updates[0]?.kind, 'fileError');
    });
  });

  it('reports a test that timed out inside node:test as errored', () => {
    const results = new RunResults(ROOT);
    const [update] = results.push(formatEvent({ type: 'fail', file: basics, path: ['slow'], suite: false, durationMs: 50, error: { message: 'test timed out after 50ms', failureType: 'testTimeoutFailure' } }));
    assert.ok(update?.kind === 'result');
    assert.equal(update.outcome, 'errored');
  });
});

describe('parseLoadError', () => {
  it('reads a plain JavaScript syntax error with its caret', () => {
    const stderr = ['file:///c/src/a.ts:4', '  const x = ;', '            ^', '', "SyntaxError: Unexpected token ';'", '    at compileSourceTextModule'].join('\n');
    assert.deepEqual(parseLoadError(stderr), { message: "SyntaxError: Unexpected token ';'", location: { file: '/c/src/a.ts', line: 4, column: 13 } });
  });

  it('reads a missing module without a location', () => {
    const stderr = "node:internal/modules/esm/resolve:275\n    throw new ERR_MODULE_NOT_FOUND(\n\nError [ERR_MODULE_NOT_FOUND]: Cannot find module '/c/src/nope.ts' imported from /c/test/a.test.ts\n";
    assert.deepEqual(parseLoadError(stderr), { message: "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/c/src/nope.ts' imported from /c/test/a.test.ts" });
  });

  it('finds nothing in output without an error', () => {
    assert.equal(parseLoadError('all good\n'), undefined);
  });
});
