// Turns the output of one `node --test` run (reporter lines and anything else the process
// printed) into results for the Testing view, decided without the editor: which test passed,
// failed, errored or was skipped, with what message and where, and which file did not load.
import { isAbsolute, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineSplitter, parseLine, type FailureDetails, type Location, type ReporterEvent } from './protocol.ts';

export type Outcome = 'passed' | 'failed' | 'errored' | 'skipped';

/** A failure as reported, with the innermost frame inside the challenge folder as its first guess of a location. */
export type Failure = FailureDetails & { readonly location?: Location };

export interface TestResult {
  readonly kind: 'result';
  readonly key: string;
  readonly file: string;
  readonly path: readonly string[];
  readonly line?: number;
  readonly suite: boolean;
  readonly outcome: Outcome;
  readonly durationMs: number;
  readonly failure?: Failure;
}

export type RunUpdate =
  | { readonly kind: 'started'; readonly key: string; readonly file: string; readonly path: readonly string[]; readonly line?: number }
  /** A test began running (the probe's live report); `key` is what a time limit stops. */
  | { readonly kind: 'running'; readonly key: string; readonly file: string; readonly path: readonly string[] }
  | TestResult
  /** Printed output; `key` is the test that was running in that file when it was printed. */
  | { readonly kind: 'output'; readonly text: string; readonly file?: string; readonly key?: string }
  /** A test file that did not load or whose process died: its tests never reported. */
  | { readonly kind: 'fileError'; readonly file: string; readonly message: string; readonly location?: Location };

export interface RunEnd {
  readonly exitCode: number | null;
  readonly timedOut?: { readonly afterMs: number };
  /** The per-test limit stopped the run, at the test that was running. */
  readonly testTimedOut?: { readonly afterMs: number; readonly key: string };
  readonly cancelled?: boolean;
}

/** The identity of a test across discovery and runs: its file and its chain of names (a unit separator between them: VS Code refuses NUL in test ids). */
export function testKey(file: string, path: readonly string[]): string {
  return [file, ...path].join('\u001f');
}

/** Failures that mean the test could not run to a verdict, rather than that it found a bug. */
const ERRORED_FAILURES = new Set(['testTimeoutFailure', 'cancelledByParent', 'hookFailure']);

export class RunResults {
  private readonly splitter = new LineSplitter();
  private readonly stderrByFile = new Map<string, string>();
  private readonly open = new Map<string, { file: string; path: readonly string[]; line?: number }>();
  private readonly finished = new Set<string>();
  /** Files with a test that failed or errored: their process exits non-zero whatever else happens. */
  private readonly failedFiles = new Set<string>();
  /** The test running now in each file, by the probe's reports. */
  private readonly runningByFile = new Map<string, string>();
  private readonly counts = { passed: 0, failed: 0, fileErrors: 0 };
  private readonly root: string;

  /** @param root the challenge folder the run's cwd was */
  constructor(root: string) {
    this.root = root;
  }

  /** Feeds a chunk of the process's stdout; returns what can be shown at once. */
  push(chunk: string): RunUpdate[] {
    return this.splitter.push(chunk).flatMap((line) => this.line(line));
  }

  /** The process ended: flushes the last line and accounts for tests that never finished. */
  finish(end: RunEnd): RunUpdate[] {
    const updates = this.splitter.end().flatMap((line) => this.line(line));
    for (const [key, test] of this.open) {
      if (this.finished.has(key)) continue;
      updates.push({ kind: 'result', key, ...test, suite: false, outcome: 'errored', durationMs: 0, failure: { message: unfinishedMessage(end), frames: [] } });
    }
    this.open.clear();
    this.count(updates);
    return updates;
  }

  /** Tests (not suites) that passed, and that failed or errored; files that did not run. */
  summary(): { passed: number; failed: number; fileErrors: number } {
    return { ...this.counts };
  }

  /** Keys of the tests that reported a result. */
  get reported(): ReadonlySet<string> {
    return this.finished;
  }

  /** The tests running now (one per file at most), by the probe's reports: the ones a time limit stops. */
  get running(): ReadonlySet<string> {
    return new Set([...this.runningByFile.values()].filter((key) => !this.finished.has(key)));
  }

  private line(line: string): RunUpdate[] {
    const parsed = parseLine(line);
    if (parsed.kind === 'text') return parsed.text === '' ? [] : [{ kind: 'output', text: `${parsed.text}\n` }];
    const updates = this.event(parsed.event);
    this.count(updates);
    return updates;
  }

  private count(updates: readonly RunUpdate[]): void {
    for (const update of updates) {
      if (update.kind === 'fileError') this.counts.fileErrors += 1;
      if (update.kind !== 'result' || update.suite) continue;
      if (update.outcome === 'passed') this.counts.passed += 1;
      if (update.outcome === 'failed' || update.outcome === 'errored') this.counts.failed += 1;
    }
  }

  private event(event: ReporterEvent): RunUpdate[] {
    switch (event.type) {
      case 'output': {
        if (event.stream === 'stderr' && event.file) this.stderrByFile.set(event.file, (this.stderrByFile.get(event.file) ?? '') + event.text);
        const running = event.file === undefined ? undefined : this.runningByFile.get(event.file);
        return [{ kind: 'output', text: event.text, ...(event.file ? { file: event.file } : {}), ...(running ? { key: running } : {}) }];
      }
      case 'diagnostic':
        return [];
      case 'running': {
        const key = testKey(event.file, event.path);
        this.runningByFile.set(event.file, key);
        return [{ kind: 'running', key, file: event.file, path: event.path }];
      }
      case 'start': {
        if (this.isFileLevel(event.file, event.path)) return [];
        const key = testKey(event.file, event.path);
        this.open.set(key, { file: event.file, path: event.path, ...(event.line ? { line: event.line } : {}) });
        return [{ kind: 'started', key, file: event.file, path: event.path, ...(event.line ? { line: event.line } : {}) }];
      }
      case 'pass':
      case 'fail': {
        if (event.type === 'fail' && this.isFileLevel(event.file, event.path)) {
          return this.isExitOfFailedTests(event.file, event.error) ? [] : [this.fileError(event.file, event.error)];
        }
        if (this.isFileLevel(event.file, event.path)) return [];
        const key = testKey(event.file, event.path);
        this.finished.add(key);
        this.open.delete(key);
        if (this.runningByFile.get(event.file) === key) this.runningByFile.delete(event.file);
        const base = { kind: 'result' as const, key, file: event.file, path: event.path, suite: event.suite, durationMs: event.durationMs, ...(event.line ? { line: event.line } : {}) };
        if (event.type === 'pass') return [{ ...base, outcome: event.skip !== undefined || event.todo !== undefined ? 'skipped' : 'passed' }];
        if (event.todo !== undefined) return [{ ...base, outcome: 'skipped' }];
        this.failedFiles.add(event.file);
        const [innermost] = event.error.frames;
        const failure: Failure = { ...event.error, ...(innermost ? { location: { file: innermost.file, line: innermost.line, column: innermost.column } } : {}) };
        return [{ ...base, outcome: ERRORED_FAILURES.has(event.error.failureType ?? '') ? 'errored' : 'failed', failure }];
      }
    }
  }

  /** node:test reports a file that failed as a whole (it did not load, or its process died) as a test named after the file. */
  private isFileLevel(file: string, path: readonly string[]): boolean {
    // Named as the file was given on the command line: relative when found by discovery, absolute when listed.
    return path.length === 1 && (path[0] === file || path[0] === relative(this.root, file).split(sep).join(posix.sep));
  }

  /**
   * node:test fails a file whose process exited non-zero; it leaves that out of the report when
   * the file's own tests failed, but it counts those failures as their reports arrive, so a
   * process that exits before the count is up is reported as a failed file, with the generic
   * "test failed" and no stack (seen 2 runs in 25 of the rate limiter's suite on Node 24 on a
   * loaded machine). A file that reported failures and left no test unfinished did run to the end.
   */
  private isExitOfFailedTests(file: string, error: FailureDetails): boolean {
    if (error.message !== 'test failed' || error.frames.length > 0 || !this.failedFiles.has(file)) return false;
    return ![...this.open.values()].some((test) => test.file === file);
  }

  private fileError(file: string, error: FailureDetails): RunUpdate {
    const loadError = parseLoadError(this.stderrByFile.get(file) ?? '');
    if (loadError) return { kind: 'fileError', file, message: loadError.message, ...(loadError.location ? { location: loadError.location } : {}) };
    const detail = error.message === 'test failed' ? 'the test process failed before its tests could report (did the code call process.exit?)' : error.message;
    return { kind: 'fileError', file, message: `This test file did not run to the end: ${detail}` };
  }
}

/** One cause of test files not running (a syntax error in a module they share), told once with the files it stopped. */
export interface LoadFailure {
  readonly message: string;
  readonly location?: Location;
  readonly files: readonly string[];
}

/** Groups the files that did not load by the error that stopped them: one broken module shared by every test file is one problem. */
export function groupFileErrors(updates: readonly Extract<RunUpdate, { kind: 'fileError' }>[]): LoadFailure[] {
  const groups = new Map<string, { message: string; location?: Location; files: string[] }>();
  for (const update of updates) {
    const key = JSON.stringify([update.message, update.location]);
    const group = groups.get(key) ?? { message: update.message, ...(update.location ? { location: update.location } : {}), files: [] };
    group.files.push(update.file);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Why a test has no result when the run ended: the time limit, a cancel, or the process ending. */
export function unfinishedMessage(end: RunEnd): string {
  if (end.testTimedOut) {
    return `Stopped: this test ran for more than ${formatSeconds(end.testTimedOut.afterMs)} (the per-test limit), so the run was stopped here. Look for a loop that never ends or a promise that never settles.`;
  }
  if (end.timedOut) {
    return `Stopped: the run exceeded its time limit of ${formatSeconds(end.timedOut.afterMs)} (backendStudy.testTimeoutSeconds) while this test ran. Look for a promise that never settles or a loop that never ends.`;
  }
  if (end.cancelled) return 'Cancelled before it finished.';
  return `The test process ended (exit code ${end.exitCode ?? 'none'}) before this test finished.`;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** `/a/b.ts:3`, `C:\a\b.ts:3` or `file:///a/b.ts:3`: the header Node prints above the offending line. */
const HEADER = /^((?:file:\/\/)?(?:\/|[A-Za-z]:[\\/]|\\\\).*?):(\d+)$/;

/**
 * Reads the error Node printed when a module did not load: the `file:line` header, the caret
 * under the column, and the `SomeError: message` line.
 */
export function parseLoadError(stderr: string): { message: string; location?: Location } | undefined {
  const lines = stderr.split(/\r?\n/);
  const errorIndex = lines.findIndex((line) => /^\w*(?:Error|Exception)\b(?: \[\w+\])?: /.test(line));
  if (errorIndex === -1) return undefined;
  const message = lines[errorIndex] ?? '';
  const headerIndex = lines.findIndex((line, index) => index < errorIndex && HEADER.test(line) && !line.startsWith('node:'));
  const header = headerIndex === -1 ? null : HEADER.exec(lines[headerIndex] ?? '');
  if (!header?.[1]) return { message };
  const file = header[1].startsWith('file://') ? fileURLToPath(header[1]) : header[1];
  if (!isAbsolute(file) && !/^[A-Za-z]:[\\/]/.test(file)) return { message };
  const caretLine = lines.slice(headerIndex + 1, errorIndex).find((line) => /^\s*\^+\s*$/.test(line));
  const column = caretLine === undefined ? 1 : caretLine.indexOf('^') + 1;
  return { message, location: { file, line: Number(header[2]), column } };
}
