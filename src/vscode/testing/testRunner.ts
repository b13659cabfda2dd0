import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import { changedTests } from '../../core/challenges/scaffold.ts';
import { errorMessage } from '../../core/errors.ts';
import { FileTail } from '../../core/process/fileTail.ts';
import { runProcess } from '../../core/process/runProcess.ts';
import { challengeRunVerdict, recordChallengeRun } from '../../core/progress/challengeRun.ts';
import type { NodeRuntime } from '../../core/runtime/nodeRuntime.ts';
import { anchorFailure } from '../../core/testing/failureAnchor.ts';
import type { FailureFrame, Location } from '../../core/testing/protocol.ts';
import { planRun, settleUnreported, type ChallengePlan } from '../../core/testing/runPlan.ts';
import { RunQueue } from '../../core/testing/runQueue.ts';
import { groupFileErrors, RunResults, unfinishedMessage, type Failure, type RunEnd, type RunUpdate } from '../../core/testing/runResults.ts';
import type { ScaffoldedChallenge } from '../challenges.ts';
import { Disposable } from '../disposable.ts';
import { requireTrust, type Runtimes } from '../runtime.ts';
import { setting } from '../settings.ts';
import type { Study } from '../study.ts';
import { testFiles, type TestTree } from './testTree.ts';

/** What a finished run of one challenge tells about its progress. */
export interface ChallengeRunSummary {
  readonly challenge: string;
  readonly passed: number;
  readonly failed: number;
  readonly complete: boolean;
  readonly counted: boolean;
  readonly changedTests: readonly string[];
  /** When the request came, in the extension host's clock (performance.now()). */
  readonly startedAt: number;
  /** When the run ended in the Testing view, every result shown. */
  readonly shownAt: number;
  /** When the progress was recorded too (after the results show: the learner does not wait for it). */
  readonly endedAt: number;
  /** Where the time of this challenge's part of the run went, in ms. */
  readonly phases: RunPhases;
}

/** Where a run's time goes: before the test process, the process itself, and after it. */
export interface RunPhases {
  /** Request to the process's start: trust, runtime, planning, listing files, enqueueing items. */
  readonly prepareMs: number;
  /** The process, from spawn to exit, with its results applied as they come. */
  readonly processMs: number;
  /** Exit to the last result applied: unreported tests settled, the summary written. */
  readonly settleMs: number;
  /** Of the process's time: the extension host busy parsing its output and showing results. */
  readonly handleMs: number;
  /** What the process printed on stdout. */
  readonly stdoutBytes: number;
}

/** What a run showed in the Testing view, item by item, as it happened. */
export type RunReport =
  | { readonly kind: 'result'; readonly itemId: string; readonly outcome: 'started' | 'passed' | 'failed' | 'errored' | 'skipped'; readonly message?: vscode.TestMessage; readonly durationMs?: number }
  | { readonly kind: 'output'; readonly text: string; readonly itemId?: string };

type Outcome = RunEnd;

/** The Node arguments of a run (the files and the reporter's destination follow): our probe and reporter, and the name filters. */
export function testArgs(input: { probe: string; reporter: string; namePatterns: readonly string[]; skipPatterns: readonly string[] }): string[] {
  return [
    `--import=${pathToFileURL(input.probe).href}`,
    '--test',
    `--test-reporter=${input.reporter}`,
    ...input.namePatterns.map((pattern) => `--test-name-pattern=${pattern}`),
    ...input.skipPatterns.map((pattern) => `--test-skip-pattern=${pattern}`),
  ];
}

/** A test still running after this share of the run's limit is stopped on its own, naming it. */
export function perTestLimitMs(runLimitSeconds: number): number {
  return Math.max(1000, Math.min(10_000, Math.round((runLimitSeconds * 1000) / 3)));
}

/**
 * Runs challenge tests: one queue of runs (one active per challenge), the learner's Node with
 * the extension's reporter and probe, or a debug session of our own; results into the Testing
 * view; progress recorded after the results show. Every run in flight ends with the extension.
 */
export class TestRunner extends Disposable {
  private readonly queue = new RunQueue<(shownAt: number) => Promise<void>>();
  private readonly completed = this.register(new vscode.EventEmitter<ChallengeRunSummary>());
  private readonly reported = this.register(new vscode.EventEmitter<RunReport>());
  readonly onDidCompleteRun = this.completed.event;
  /** For whoever shows or checks a run's results as they come (the integration tests among them). */
  readonly onDidReport = this.reported.event;
  private readonly controller: vscode.TestController;
  private readonly tree: TestTree;
  private readonly study: Study;
  private readonly runtimes: Runtimes;
  private readonly reporter: string;
  private readonly probe: string;
  private readonly log: vscode.LogOutputChannel;

  constructor(deps: { controller: vscode.TestController; tree: TestTree; study: Study; runtimes: Runtimes; reporter: string; probe: string; log: vscode.LogOutputChannel }) {
    super();
    this.controller = deps.controller;
    this.tree = deps.tree;
    this.study = deps.study;
    this.runtimes = deps.runtimes;
    this.reporter = deps.reporter;
    this.probe = deps.probe;
    this.log = deps.log;
  }

  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken, debug: boolean): Promise<void> {
    const startedAt = performance.now();
    const run = this.controller.createTestRun(request);
    const finished: ((shownAt: number) => Promise<void>)[] = [];
    try {
      if (!vscode.workspace.isTrusted) {
        run.appendOutput('Challenge tests run code, which this untrusted workspace does not allow. Trust the workspace to run them.\r\n');
        requireTrust('Running challenge tests');
        return;
      }
      const runtime = await this.runtimes.require();
      if (!runtime) {
        run.appendOutput('No Node.js that runs TypeScript directly was found: install Node.js 22.18 or later, or set backendStudy.nodePath.\r\n');
        return;
      }
      const include = request.include ?? this.tree.challengeItems();
      const plans = planRun(include.map((item) => this.tree.target(item)), (request.exclude ?? []).map((item) => this.tree.target(item)));
      for (const plan of plans) {
        if (token.isCancellationRequested) break;
        const challengeItem = this.tree.challengeAt(plan.challenge);
        if (!challengeItem) continue;
        const requested = include.filter((item) => this.tree.target(item).challenge === plan.challenge);
        const outcome = await this.queue.enqueue(plan.challenge, JSON.stringify({ debug, plan }), (signal) =>
          this.runChallenge({ run, challengeItem, plan, requested, runtime, token, signal, debug, startedAt }),
        );
        if (outcome.kind === 'ran') finished.push(outcome.value);
        else if (outcome.kind === 'superseded') run.appendOutput('A newer request for the same tests replaced this run before it started.\r\n');
      }
    } finally {
      run.end();
    }
    const shownAt = performance.now();
    // Progress is recorded once the results are shown: the learner does not wait for it.
    for (const record of finished) await record(shownAt);
  }

  private async runChallenge(input: {
    run: vscode.TestRun;
    challengeItem: vscode.TestItem;
    plan: ChallengePlan;
    requested: readonly vscode.TestItem[];
    runtime: NodeRuntime;
    token: vscode.CancellationToken;
    signal: AbortSignal;
    debug: boolean;
    startedAt: number;
  }): Promise<(shownAt: number) => Promise<void>> {
    const { run, challengeItem, plan, runtime, token, debug } = input;
    const data = this.tree.dataOf(challengeItem);
    const challenge = data.challenge;
    const root = challenge.folder.fsPath;
    const allFiles = await testFiles(root);
    const files = plan.files === 'all' ? allFiles.filter((file) => !plan.excludeFiles.includes(file)) : plan.files.filter((file) => allFiles.includes(file));
    const items = this.tree.itemsOf(challengeItem, files);
    // With a name filter, only the requested tests (and what they contain) are expected to report.
    const queued = plan.namePatterns.length > 0 ? new Map<string, vscode.TestItem>() : new Map(items);
    if (plan.namePatterns.length > 0) {
      const collect = (item: vscode.TestItem): void => {
        queued.set(item.id, item);
        item.children.forEach(collect);
      };
      for (const item of input.requested) collect(item);
    }
    for (const item of queued.values()) run.enqueued(item);

    const results = new RunResults(root);
    const timeoutSeconds = setting('testTimeoutSeconds', challenge.folder);
    const perTestMs = perTestLimitMs(timeoutSeconds);
    const args = testArgs({ probe: this.probe, reporter: this.reporter, namePatterns: plan.namePatterns, skipPatterns: plan.skipPatterns });
    const fileErrors: Extract<RunUpdate, { kind: 'fileError' }>[] = [];
    const apply = (updates: readonly RunUpdate[]): void => {
      for (const update of updates) {
        if (update.kind === 'fileError') fileErrors.push(update);
        else this.apply(run, challenge, update, items);
      }
    };
    run.appendOutput(crlf(`Running ${files.length} test file(s) of ${vscode.workspace.asRelativePath(challenge.folder)}${plan.namePatterns.length > 0 ? ` filtered to ${plan.namePatterns.join(', ')}` : ''} with Node ${runtime.version}${debug ? ' in the debugger' : ''}\n`));
    const started = Date.now();
    const processStarted = performance.now();
    let handleMs = 0;
    let stdoutBytes = 0;
    let outcome: Outcome;
    if (debug) {
      outcome = await this.debugRun(run, challenge, files, runtime, args, results, apply, token, input.signal);
    } else {
      const cancel = new AbortController();
      let testTimedOut: { afterMs: number; key: string } | undefined;
      const watchdogs = new Map<string, NodeJS.Timeout>();
      const stopAbort = (): void => {
        cancel.abort();
      };
      input.signal.addEventListener('abort', stopAbort);
      const subscription = token.onCancellationRequested(stopAbort);
      const ran = await runProcess({
        command: runtime.executable,
        args: [...args, `--test-timeout=${perTestMs}`, '--test-reporter-destination=stdout', ...files],
        cwd: root,
        env: runtime.env,
        timeoutMs: timeoutSeconds * 1000,
        signal: cancel.signal,
        onStdout: (chunk) => {
          const began = performance.now();
          stdoutBytes += chunk.length;
          const updates = results.push(chunk);
          // A test that runs past the per-test limit without yielding (a loop that never ends)
          // cannot be timed out by node:test itself: stop the process and name it.
          for (const update of updates) {
            if (update.kind !== 'running') continue;
            clearTimeout(watchdogs.get(update.file));
            watchdogs.set(update.file, setTimeout(() => {
              if (!results.running.has(update.key) || cancel.signal.aborted) return;
              testTimedOut = { afterMs: perTestMs, key: update.key };
              cancel.abort();
            }, perTestMs + 1000));
          }
          apply(updates);
          handleMs += performance.now() - began;
        },
        onStderr: (chunk) => {
          run.appendOutput(crlf(chunk));
          this.reported.fire({ kind: 'output', text: crlf(chunk) });
        },
      });
      for (const timer of watchdogs.values()) clearTimeout(timer);
      subscription.dispose();
      input.signal.removeEventListener('abort', stopAbort);
      if (ran.startError) run.appendOutput(crlf(`Could not start ${runtime.executable}: ${ran.startError.message}\n`));
      outcome = {
        exitCode: ran.exitCode,
        ...(ran.timedOut ? { timedOut: { afterMs: timeoutSeconds * 1000 } } : {}),
        ...(testTimedOut ? { testTimedOut } : ran.cancelled ? { cancelled: true } : {}),
      };
    }
    const processEnded = performance.now();
    const running = outcome.testTimedOut ? new Set([outcome.testTimedOut.key]) : results.running;
    apply(results.finish(outcome));
    this.reportFileErrors(run, challengeItem, challenge, files, fileErrors);

    // Tests that never reported: the one running when time ran out errored, the others not run.
    const ending = { timedOut: outcome.timedOut !== undefined || outcome.testTimedOut !== undefined, cancelled: outcome.cancelled === true, running };
    const testKeys = [...queued.entries()].filter(([, item]) => item.children.size === 0 && this.tree.dataOf(item).kind === 'test').map(([id]) => id);
    for (const settled of settleUnreported(testKeys, results.reported, ending)) {
      const item = queued.get(settled.key);
      if (!item) continue;
      if (settled.outcome === 'errored') {
        const message = new vscode.TestMessage(unfinishedMessage(outcome));
        if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range.start);
        run.errored(item, message);
        this.reported.fire({ kind: 'result', itemId: item.id, outcome: 'errored', message });
      } else {
        run.skipped(item);
        this.reported.fire({ kind: 'result', itemId: item.id, outcome: 'skipped' });
      }
    }
    const summary = results.summary();
    run.appendOutput(crlf(`${summary.passed} passed, ${summary.failed} failed${summary.fileErrors > 0 ? `, ${summary.fileErrors} file(s) did not run` : ''} in ${Date.now() - started} ms\n`));
    const phases: RunPhases = { prepareMs: processStarted - input.startedAt, processMs: processEnded - processStarted, settleMs: performance.now() - processEnded, handleMs, stdoutBytes };
    this.log.info(`Ran ${challenge.marker.challenge} (${files.length} file(s)) in ${Date.now() - started} ms (before the process ${phases.prepareMs.toFixed(1)} ms, handling its ${stdoutBytes} characters of output ${handleMs.toFixed(1)} ms, after it ${phases.settleMs.toFixed(1)} ms).`);
    const whole = plan.whole && files.length > 0 && files.length === allFiles.length;
    return (shownAt) => this.recordProgress(challenge, results, whole, outcome, { startedAt: input.startedAt, shownAt, phases });
  }

  /** A module that does not load stops every test file that imports it: said once, at its line. */
  private reportFileErrors(run: vscode.TestRun, challengeItem: vscode.TestItem, challenge: ScaffoldedChallenge, files: readonly string[], fileErrors: readonly Extract<RunUpdate, { kind: 'fileError' }>[]): void {
    const root = challenge.folder.fsPath;
    const name = (file: string): string => relative(root, file).split(sep).join('/');
    for (const group of groupFileErrors(fileErrors)) {
      const where = group.location ? `${name(group.location.file)}:${group.location.line}:${group.location.column}: ` : '';
      const scope = group.files.length === files.length ? 'No test could run' : `No test in ${group.files.map(name).join(', ')} could run`;
      const message = new vscode.TestMessage(`${scope}: ${where}${group.message}`);
      if (group.location) message.location = toLocation(group.location);
      const [only] = group.files;
      const item = group.files.length === 1 && only !== undefined ? (challengeItem.children.get(vscode.Uri.file(only).toString()) ?? challengeItem) : challengeItem;
      run.errored(item, message);
      this.reported.fire({ kind: 'result', itemId: item.id, outcome: 'errored', message });
      run.appendOutput(crlf(`${scope}: ${where}${group.message}\n`), message.location);
    }
  }

  private async debugRun(
    run: vscode.TestRun,
    challenge: ScaffoldedChallenge,
    files: readonly string[],
    runtime: NodeRuntime,
    args: readonly string[],
    results: RunResults,
    apply: (updates: readonly RunUpdate[]) => void,
    token: vscode.CancellationToken,
    signal: AbortSignal,
  ): Promise<Outcome> {
    // The debugger owns the process's stdout; the reporter writes to a file instead, read from
    // where the last read stopped.
    const dir = await mkdtemp(join(tmpdir(), 'backend-study-debug-'));
    const destination = join(dir, 'events.txt');
    const tail = new FileTail(destination);
    const drain = async (): Promise<void> => {
      const text = await tail.read();
      if (text) apply(results.push(text));
    };
    const folder = vscode.workspace.getWorkspaceFolder(challenge.folder);
    const runId = `${challenge.marker.challenge}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    let session: vscode.DebugSession | undefined;
    let ended!: () => void;
    const sessionEnded = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const listeners = [
      vscode.debug.onDidStartDebugSession((started) => {
        if ((started.configuration as { backendStudyRun?: unknown }).backendStudyRun === runId) session ??= started;
      }),
      vscode.debug.onDidTerminateDebugSession((terminated) => {
        if (terminated === session || (terminated.configuration as { backendStudyRun?: unknown }).backendStudyRun === runId) ended();
      }),
    ];
    const stop = (): void => {
      if (session) void vscode.debug.stopDebugging(session);
    };
    const cancel = token.onCancellationRequested(stop);
    signal.addEventListener('abort', stop);
    let poll: NodeJS.Timeout | undefined;
    try {
      const ok = await vscode.debug.startDebugging(folder, {
        type: 'node',
        request: 'launch',
        name: `Debug ${challenge.marker.challenge} tests`,
        backendStudyRun: runId,
        runtimeExecutable: runtime.executable,
        // One process per test file, as in a run (their mock.timers and globals must not
        // collide); the debugger follows each into its child.
        runtimeArgs: [...args, `--test-reporter-destination=${destination}`, ...files],
        cwd: challenge.folder.fsPath,
        env: runtime.env,
        console: 'internalConsole',
        autoAttachChildProcesses: true,
        skipFiles: ['<node_internals>/**'],
      });
      this.log.info(`Debugging ${challenge.marker.challenge}: session ${ok ? 'started' : 'did not start'}.`);
      if (!ok) {
        run.appendOutput('The debugger did not start: is the JavaScript debugger (ms-vscode.js-debug) enabled?\r\n');
        return { exitCode: null };
      }
      poll = setInterval(() => void drain(), 100);
      await sessionEnded;
    } catch (error) {
      run.appendOutput(crlf(`The debugger did not start: ${errorMessage(error)}\n`));
      return { exitCode: null };
    } finally {
      clearInterval(poll);
      cancel.dispose();
      signal.removeEventListener('abort', stop);
      for (const listener of listeners) listener.dispose();
      await drain();
      await rm(dir, { recursive: true, force: true });
    }
    return { exitCode: null, ...(token.isCancellationRequested || signal.aborted ? { cancelled: true } : {}) };
  }

  private apply(run: vscode.TestRun, challenge: ScaffoldedChallenge, update: Exclude<RunUpdate, { kind: 'fileError' }>, items: Map<string, vscode.TestItem>): void {
    switch (update.kind) {
      case 'output': {
        const item = (update.key ? items.get(update.key) : undefined) ?? (update.file ? items.get(vscode.Uri.file(update.file).toString()) : undefined);
        run.appendOutput(crlf(update.text), undefined, item);
        this.reported.fire({ kind: 'output', text: crlf(update.text), ...(item ? { itemId: item.id } : {}) });
        break;
      }
      case 'running': {
        const item = items.get(update.key);
        if (item) {
          run.started(item);
          this.reported.fire({ kind: 'result', itemId: item.id, outcome: 'started' });
        }
        break;
      }
      case 'started':
        if (!items.has(update.key)) this.tree.addDynamic(challenge, update.file, update.path, update.line, items);
        break;
      case 'result': {
        const item = items.get(update.key) ?? this.tree.addDynamic(challenge, update.file, update.path, update.line, items);
        if (!item) break;
        if (update.outcome === 'passed') run.passed(item, update.durationMs);
        else if (update.outcome === 'skipped') run.skipped(item);
        else {
          const message = this.message(update.failure, item, update.file, update.line, challenge.folder.fsPath);
          if (update.outcome === 'failed') run.failed(item, message, update.durationMs);
          else run.errored(item, message, update.durationMs);
          this.reported.fire({ kind: 'result', itemId: item.id, outcome: update.outcome, message, durationMs: update.durationMs });
          break;
        }
        this.reported.fire({ kind: 'result', itemId: item.id, outcome: update.outcome, durationMs: update.durationMs });
        break;
      }
    }
  }

  private message(failure: Failure | undefined, item: vscode.TestItem, file: string, line: number | undefined, root: string): vscode.TestMessage {
    const anchor = anchorFailure(failure?.frames ?? [], {
      file,
      ...(item.range ? { line: item.range.start.line + 1 } : line ? { line } : {}),
      ...(item.range && item.range.end.line > item.range.start.line ? { endLine: item.range.end.line + 1 } : {}),
    });
    const related = anchor.related.map((frame) => `${frame.name ?? 'at'} ${relative(root, frame.file).split(sep).join('/')}:${frame.line}:${frame.column}`);
    const text = [failure?.message ?? 'failed', ...(related.length > 0 ? ['', `Failed inside: ${related.join(' <- ')}`] : [])].join('\n');
    const message = failure?.expected !== undefined && failure.actual !== undefined ? vscode.TestMessage.diff(text, failure.expected, failure.actual) : new vscode.TestMessage(text);
    if (anchor.location) message.location = toLocation(anchor.location);
    else if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range.start);
    if (failure && failure.frames.length > 0) setStackTrace(message, failure.frames);
    return message;
  }

  private async recordProgress(
    challenge: ScaffoldedChallenge,
    results: RunResults,
    wholeChallenge: boolean,
    outcome: Outcome,
    timing: { startedAt: number; shownAt: number; phases: RunPhases },
  ): Promise<void> {
    const id = challenge.marker.challenge;
    const current: Record<string, string | undefined> = {};
    for (const path of Object.keys(challenge.marker.tests)) current[path] = await readFile(join(challenge.folder.fsPath, ...path.split('/')), 'utf8').catch(() => undefined);
    const changed = changedTests(challenge.marker, current);
    const summary = results.summary();
    const verdict = challengeRunVerdict({ wholeChallenge, timedOut: outcome.timedOut !== undefined || outcome.testTimedOut !== undefined, cancelled: outcome.cancelled === true, ...summary, changedTests: changed });
    await this.study.progress.update((progress) => recordChallengeRun(progress, id, verdict, new Date()));
    if (verdict.complete && !verdict.counted) {
      void vscode.window.showWarningMessage(
        `All tests pass, but ${changed.join(', ')} changed since the challenge started, so this run does not count as completing it. Reset the test files (or the challenge) to count it.`,
      );
    } else if (verdict.complete) {
      const { catalog } = await this.study.loaded();
      void vscode.window.showInformationMessage(`${catalog.challenges.get(id)?.title ?? id}: every test passes. Challenge complete.`);
    }
    this.completed.fire({ challenge: id, passed: summary.passed, failed: summary.failed, ...verdict, changedTests: changed, ...timing, endedAt: performance.now() });
  }

  override dispose(): void {
    // Every run in flight is aborted, and its process group killed, with the extension.
    this.queue.dispose();
    super.dispose();
  }
}

function toLocation(location: Location): vscode.Location {
  return new vscode.Location(vscode.Uri.file(location.file), new vscode.Position(location.line - 1, location.column - 1));
}

/** The frames as the Test Results view's call stack, where the editor has the API (1.93 and later). */
function setStackTrace(message: vscode.TestMessage, frames: readonly FailureFrame[]): void {
  const api = vscode as unknown as { TestMessageStackFrame?: new (label: string, uri: vscode.Uri, position: vscode.Position) => unknown };
  if (!api.TestMessageStackFrame) return;
  const Frame = api.TestMessageStackFrame;
  (message as unknown as { stackTrace: unknown[] }).stackTrace = frames.map((frame) => new Frame(frame.name ?? '<anonymous>', vscode.Uri.file(frame.file), new vscode.Position(frame.line - 1, frame.column - 1)));
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
