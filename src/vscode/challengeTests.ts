import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { changedTests, MARKER_FILE } from '../core/challenges/scaffold.ts';
import { runProcess } from '../core/process/runProcess.ts';
import { challengeProgress, updateChallenge } from '../core/progress/progress.ts';
import type { NodeRuntime } from '../core/runtime/nodeRuntime.ts';
import { discoverTests, type DiscoveredTest } from '../core/testing/discovery.ts';
import { RunResults, testKey, unfinishedMessage, type RunUpdate } from '../core/testing/runResults.ts';
import type { Challenges, ScaffoldedChallenge } from './challenges.ts';
import { requireTrust, type Runtimes } from './runtime.ts';
import type { Study } from './study.ts';

type ItemData =
  | { readonly kind: 'challenge'; readonly challenge: ScaffoldedChallenge }
  | { readonly kind: 'file'; readonly challenge: ScaffoldedChallenge; readonly file: string }
  | { readonly kind: 'test'; readonly challenge: ScaffoldedChallenge; readonly file: string; readonly path: readonly string[] };

/** What a finished run of one challenge tells about its progress. */
export interface ChallengeRunSummary {
  readonly challenge: string;
  readonly passed: number;
  readonly failed: number;
  readonly complete: boolean;
  readonly counted: boolean;
  readonly changedTests: readonly string[];
}

/**
 * The challenges' tests in VS Code's Testing view: discovered from the source of every
 * scaffolded challenge, run with the resolved Node and the extension's reporter, results at
 * the failing line, continuous runs on save, and debugging.
 */
export class ChallengeTests implements vscode.Disposable {
  static readonly controllerId = 'backendStudy.challenges';

  readonly controller = vscode.tests.createTestController(ChallengeTests.controllerId, 'Backend Study Challenges');
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly continuous = new Set<{ items: readonly vscode.TestItem[]; token: vscode.CancellationToken }>();
  private readonly runCompleted = new vscode.EventEmitter<ChallengeRunSummary>();
  /** What the latest run reported for each item, by item id: the Testing view's state, readable by the integration tests. */
  readonly lastResults = new Map<string, { readonly outcome: 'started' | 'passed' | 'failed' | 'errored' | 'skipped'; readonly message?: vscode.TestMessage; readonly durationMs?: number }>();
  readonly onDidCompleteRun = this.runCompleted.event;
  private readonly study: Study;
  private readonly challenges: Challenges;
  private readonly runtimes: Runtimes;
  private readonly reporter: string;
  private readonly log: vscode.LogOutputChannel;
  readonly runProfile: vscode.TestRunProfile;
  readonly debugProfile: vscode.TestRunProfile;

  constructor(deps: { study: Study; challenges: Challenges; runtimes: Runtimes; reporter: string; log: vscode.LogOutputChannel }) {
    this.study = deps.study;
    this.challenges = deps.challenges;
    this.runtimes = deps.runtimes;
    this.reporter = deps.reporter;
    this.log = deps.log;
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discoverAll();
    };
    this.controller.refreshHandler = () => this.discoverAll();
    this.runProfile = this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true, undefined, true);
    this.debugProfile = this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (request, token) => this.run(request, token), true);

    const markers = vscode.workspace.createFileSystemWatcher(`**/${MARKER_FILE}`);
    const tests = vscode.workspace.createFileSystemWatcher('**/test/**/*.test.ts');
    this.subscriptions.push(
      markers,
      tests,
      markers.onDidCreate(() => this.discoverAll()),
      markers.onDidDelete(() => this.discoverAll()),
      markers.onDidChange(() => this.discoverAll()),
      tests.onDidCreate((uri) => this.refreshFile(uri)),
      tests.onDidChange((uri) => this.refreshFile(uri)),
      tests.onDidDelete((uri) => this.refreshFile(uri)),
      vscode.workspace.onDidChangeTextDocument((event) => this.refreshFile(event.document.uri, event.document.getText())),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.discoverAll()),
      // The roots are titled from the catalog: one discovered before the catalog changed kept
      // a stale label while the others took the new one.
      deps.study.onDidChangeCatalog(() => this.discoverAll()),
      vscode.workspace.onDidSaveTextDocument((document) => {
        this.rerunContinuous(document.uri);
      }),
    );
  }

  /** Finds every scaffolded challenge and its tests; calls made while one is running share it. */
  discoverAll(): Promise<void> {
    this.discovering ??= this.discover().finally(() => {
      this.discovering = undefined;
    });
    return this.discovering;
  }

  private discovering: Promise<void> | undefined;

  private async discover(): Promise<void> {
    const found = await this.challenges.findAll();
    const { catalog } = await this.study.loaded();
    const items: vscode.TestItem[] = [];
    for (const challenge of found) {
      const item = this.controller.createTestItem(challenge.folder.toString(), catalog.challenges.get(challenge.marker.challenge)?.title ?? challenge.marker.challenge, challenge.folder);
      item.description = vscode.workspace.asRelativePath(challenge.folder);
      this.data.set(item, { kind: 'challenge', challenge });
      const files = await testFiles(challenge.folder.fsPath);
      for (const file of files) item.children.add(await this.fileItem(challenge, file));
      items.push(item);
    }
    this.controller.items.replace(items);
  }

  /** The items of a challenge, by challenge id (for commands and tests). */
  challengeItem(id: string): vscode.TestItem | undefined {
    let found: vscode.TestItem | undefined;
    this.controller.items.forEach((item) => {
      const data = this.data.get(item);
      if (data?.kind === 'challenge' && data.challenge.marker.challenge === id) found = item;
    });
    return found;
  }

  dataOf(item: vscode.TestItem): ItemData | undefined {
    return this.data.get(item);
  }

  private async fileItem(challenge: ScaffoldedChallenge, file: string, text?: string): Promise<vscode.TestItem> {
    const uri = vscode.Uri.file(file);
    const item = this.controller.createTestItem(uri.toString(), relative(challenge.folder.fsPath, file).split(sep).join('/'), uri);
    this.data.set(item, { kind: 'file', challenge, file });
    const source = text ?? (await readFile(file, 'utf8').catch(() => ''));
    item.children.replace(this.discovered(challenge, file, source));
    return item;
  }

  private discovered(challenge: ScaffoldedChallenge, file: string, source: string): vscode.TestItem[] {
    return discoverTests(source).map((test) => this.testItem(challenge, file, [], test));
  }

  private testItem(challenge: ScaffoldedChallenge, file: string, parents: readonly string[], test: DiscoveredTest): vscode.TestItem {
    const path = [...parents, test.name];
    const item = this.controller.createTestItem(testKey(file, path), test.name, vscode.Uri.file(file));
    item.range = new vscode.Range(test.range.startLine, test.range.startColumn, test.range.endLine, test.range.endColumn);
    this.data.set(item, { kind: 'test', challenge, file, path });
    item.children.replace(test.children.map((child) => this.testItem(challenge, file, path, child)));
    return item;
  }

  /**
   * Keeps a test file's items current. An edit in an open editor re-reads the tests from the
   * editor's text, with no disk access (it runs on every keystroke); a change on disk re-reads
   * the file or drops it.
   */
  private async refreshFile(uri: vscode.Uri, text?: string): Promise<void> {
    if (uri.scheme !== 'file' || !uri.fsPath.endsWith('.test.ts')) return;
    let challengeItem: vscode.TestItem | undefined;
    this.controller.items.forEach((item) => {
      const data = this.data.get(item);
      if (data?.kind === 'challenge' && uri.fsPath.startsWith(`${data.challenge.folder.fsPath}${sep}test${sep}`)) challengeItem = item;
    });
    const data = challengeItem && this.data.get(challengeItem);
    if (!challengeItem || data?.kind !== 'challenge') return;
    if (text !== undefined) {
      challengeItem.children.get(uri.toString())?.children.replace(this.discovered(data.challenge, uri.fsPath, text));
      return;
    }
    const source = await readFile(uri.fsPath, 'utf8').catch(() => undefined);
    if (source === undefined) challengeItem.children.delete(uri.toString());
    else challengeItem.children.add(await this.fileItem(data.challenge, uri.fsPath, source));
  }

  private rerunContinuous(uri: vscode.Uri): void {
    for (const watch of this.continuous) {
      const touched = watch.items.some((item) => {
        const data = this.data.get(item);
        return data !== undefined && uri.fsPath.startsWith(`${data.challenge.folder.fsPath}${sep}`);
      });
      if (touched) void this.run(new vscode.TestRunRequest(watch.items, undefined, this.runProfile), watch.token);
    }
  }

  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const debug = request.profile?.kind === vscode.TestRunProfileKind.Debug;
    if (request.continuous) {
      const watch = { items: request.include ?? this.allItems(), token };
      this.continuous.add(watch);
      token.onCancellationRequested(() => this.continuous.delete(watch));
      // A continuous request starts with one run, then one per save.
      await this.run(new vscode.TestRunRequest(watch.items, request.exclude, this.runProfile), token);
      return;
    }
    const started = performance.now();
    const run = this.controller.createTestRun(request);
    const finished: (() => Promise<void>)[] = [];
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
      for (const [challenge, files] of this.plan(request)) {
        if (token.isCancellationRequested) break;
        finished.push(await this.runChallenge(run, challenge, files, runtime, token, debug));
      }
    } finally {
      run.end();
      this.lastRunMs = performance.now() - started;
    }
    // Progress is recorded once the results are shown: the learner does not wait for it.
    for (const record of finished) await record();
  }

  /** From the request to the end of the last run's results (for `npm run bench`). */
  lastRunMs: number | undefined;

  private allItems(): vscode.TestItem[] {
    const items: vscode.TestItem[] = [];
    this.controller.items.forEach((item) => items.push(item));
    return items;
  }

  /** Which test files of which challenge a request runs; no file set: the whole challenge. */
  private plan(request: vscode.TestRunRequest): Map<ScaffoldedChallenge, Set<string> | undefined> {
    const byFolder = new Map<string, { challenge: ScaffoldedChallenge; files: Set<string> | undefined }>();
    for (const item of request.include ?? this.allItems()) {
      const data = this.data.get(item);
      if (!data || request.exclude?.includes(item)) continue;
      const entry = byFolder.get(data.challenge.folder.fsPath) ?? { challenge: data.challenge, files: new Set<string>() };
      if (data.kind === 'challenge') entry.files = undefined;
      else entry.files?.add(data.file);
      byFolder.set(data.challenge.folder.fsPath, entry);
    }
    return new Map([...byFolder.values()].map((entry) => [entry.challenge, entry.files]));
  }

  /** Runs one challenge's tests into `run`; returns what records its progress, to call after the run ends. */
  private async runChallenge(run: vscode.TestRun, challenge: ScaffoldedChallenge, only: Set<string> | undefined, runtime: NodeRuntime, token: vscode.CancellationToken, debug: boolean): Promise<() => Promise<void>> {
    const root = challenge.folder.fsPath;
    const allFiles = await testFiles(root);
    const files = only ? allFiles.filter((file) => only.has(file)) : allFiles;
    const challengeItem = this.challengeItem(challenge.marker.challenge);
    const items = new Map<string, vscode.TestItem>();
    const collect = (item: vscode.TestItem): void => {
      items.set(item.id, item);
      item.children.forEach(collect);
    };
    challengeItem?.children.forEach((fileItem) => {
      const data = this.data.get(fileItem);
      if (data?.kind === 'file' && files.includes(data.file)) collect(fileItem);
    });
    for (const item of items.values()) run.enqueued(item);
    this.lastResults.clear();

    const results = new RunResults(root);
    const timeoutSeconds = vscode.workspace.getConfiguration('backendStudy', challenge.folder).get<number>('testTimeoutSeconds', 30);
    const args = ['--test', `--test-reporter=${this.reporter}`];
    const started = Date.now();
    let outcome: { exitCode: number | null; timedOut?: { afterMs: number }; cancelled?: boolean };
    if (debug) {
      outcome = await this.debugRun(run, challenge, files, runtime, args, results, items, token);
    } else {
      const cancel = new AbortController();
      const subscription = token.onCancellationRequested(() => {
        cancel.abort();
      });
      const ran = await runProcess({
        command: runtime.executable,
        args: [...args, '--test-reporter-destination=stdout', ...files],
        cwd: root,
        env: runtime.env,
        timeoutMs: timeoutSeconds * 1000,
        signal: cancel.signal,
        onStdout: (chunk) => {
          this.apply(run, challenge, results.push(chunk), items);
        },
        onStderr: (chunk) => {
          run.appendOutput(crlf(chunk));
        },
      });
      subscription.dispose();
      if (ran.startError) run.appendOutput(crlf(`Could not start ${runtime.executable}: ${ran.startError.message}\n`));
      outcome = { exitCode: ran.exitCode, ...(ran.timedOut ? { timedOut: { afterMs: timeoutSeconds * 1000 } } : {}), ...(ran.cancelled ? { cancelled: true } : {}) };
    }
    this.apply(run, challenge, results.finish(outcome), items);
    // Whatever was queued and never reported did not run (a file that did not load, a cancel).
    // Tests that never reported: stopped by the time limit or a cancel (errored), or never run
    // because their file did not load (skipped; the file carries the error).
    for (const [id, item] of items) {
      if (results.reported.has(id) || item.children.size > 0 || this.lastResults.has(id) || this.data.get(item)?.kind !== 'test') continue;
      if (outcome.timedOut || outcome.cancelled) {
        const message = new vscode.TestMessage(unfinishedMessage(outcome));
        run.errored(item, message);
        this.lastResults.set(id, { outcome: 'errored', message });
      } else {
        run.skipped(item);
        this.lastResults.set(id, { outcome: 'skipped' });
      }
    }
    this.log.info(`Ran ${challenge.marker.challenge} (${files.length} file(s)) in ${Date.now() - started} ms.`);
    const whole = files.length > 0 && files.length === allFiles.length;
    return () => this.recordProgress(challenge, results, whole, outcome);
  }

  private async debugRun(
    run: vscode.TestRun,
    challenge: ScaffoldedChallenge,
    files: readonly string[],
    runtime: NodeRuntime,
    args: readonly string[],
    results: RunResults,
    items: Map<string, vscode.TestItem>,
    token: vscode.CancellationToken,
  ): Promise<{ exitCode: number | null; cancelled?: boolean }> {
    // The debugger owns the process's stdout; the reporter writes to a file instead, read as it grows.
    const dir = await mkdtemp(join(tmpdir(), 'backend-study-debug-'));
    const destination = join(dir, 'events.txt');
    const folder = vscode.workspace.getWorkspaceFolder(challenge.folder);
    let offset = 0;
    const drain = async (): Promise<void> => {
      const text = await readFile(destination, 'utf8').catch(() => '');
      if (text.length > offset) {
        this.apply(run, challenge, results.push(text.slice(offset)), items);
        offset = text.length;
      }
    };
    const name = `Debug ${challenge.marker.challenge} tests`;
    const ended = new Promise<void>((resolve) => {
      const listener = vscode.debug.onDidTerminateDebugSession((session) => {
        if (session.name === name) {
          listener.dispose();
          resolve();
        }
      });
    });
    const ok = await vscode.debug.startDebugging(folder, {
      type: 'node',
      request: 'launch',
      name,
      runtimeExecutable: runtime.executable,
      // One process: breakpoints bind without attaching to a child per test file.
      runtimeArgs: ['--experimental-test-isolation=none', ...args, `--test-reporter-destination=${destination}`, ...files],
      cwd: challenge.folder.fsPath,
      env: runtime.env,
      console: 'internalConsole',
      autoAttachChildProcesses: true,
      skipFiles: ['<node_internals>/**'],
    });
    this.log.info(`Debugging ${challenge.marker.challenge}: session ${ok ? 'started' : 'did not start'}.`);
    if (!ok) {
      run.appendOutput('The debugger did not start: is the JavaScript debugger (ms-vscode.js-debug) enabled?\r\n');
      await rm(dir, { recursive: true, force: true });
      return { exitCode: null };
    }
    const poll = setInterval(() => void drain(), 250);
    const cancel = token.onCancellationRequested(() => void vscode.debug.stopDebugging());
    await ended;
    clearInterval(poll);
    cancel.dispose();
    await drain();
    await rm(dir, { recursive: true, force: true });
    return { exitCode: null, ...(token.isCancellationRequested ? { cancelled: true } : {}) };
  }

  private apply(run: vscode.TestRun, challenge: ScaffoldedChallenge, updates: RunUpdate[], items: Map<string, vscode.TestItem>): void {
    for (const update of updates) {
      switch (update.kind) {
        case 'output':
          run.appendOutput(crlf(update.text), undefined, update.file ? items.get(vscode.Uri.file(update.file).toString()) : undefined);
          break;
        case 'started': {
          const item = items.get(update.key) ?? this.addDynamic(challenge, update.file, update.path, update.line, items);
          // No run.started(): with one process per test file, node:test reports a test's start
          // only when it reports its result, so the call would add messages, not information.
          if (item) this.lastResults.set(item.id, { outcome: 'started' });
          break;
        }
        case 'result': {
          const item = items.get(update.key) ?? this.addDynamic(challenge, update.file, update.path, update.line, items);
          if (!item) break;
          if (update.outcome === 'passed') run.passed(item, update.durationMs);
          else if (update.outcome === 'skipped') run.skipped(item);
          else {
            const message = this.message(update.failure, item);
            if (update.outcome === 'failed') run.failed(item, message, update.durationMs);
            else run.errored(item, message, update.durationMs);
            this.lastResults.set(item.id, { outcome: update.outcome, message, durationMs: update.durationMs });
            break;
          }
          this.lastResults.set(item.id, { outcome: update.outcome, durationMs: update.durationMs });
          break;
        }
        case 'fileError': {
          const item = items.get(vscode.Uri.file(update.file).toString());
          const message = new vscode.TestMessage(update.message);
          if (update.location) message.location = new vscode.Location(vscode.Uri.file(update.location.file), new vscode.Position(update.location.line - 1, update.location.column - 1));
          if (item) {
            run.errored(item, message);
            this.lastResults.set(item.id, { outcome: 'errored', message });
          }
          run.appendOutput(crlf(`${update.message}\n`));
          break;
        }
      }
    }
  }

  private message(failure: { message: string; expected?: string; actual?: string; location?: { file: string; line: number; column: number } } | undefined, item: vscode.TestItem): vscode.TestMessage {
    const text = failure?.message ?? 'failed';
    const message = failure?.expected !== undefined && failure.actual !== undefined ? vscode.TestMessage.diff(text, failure.expected, failure.actual) : new vscode.TestMessage(text);
    if (failure?.location) message.location = new vscode.Location(vscode.Uri.file(failure.location.file), new vscode.Position(failure.location.line - 1, failure.location.column - 1));
    else if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range.start);
    return message;
  }

  /** A test that appeared only at run time (a name built in a loop): added under its file or suite. */
  private addDynamic(challenge: ScaffoldedChallenge, file: string, path: readonly string[], line: number | undefined, items: Map<string, vscode.TestItem>): vscode.TestItem | undefined {
    let parent = items.get(vscode.Uri.file(file).toString());
    if (!parent) return undefined;
    for (let depth = 1; depth <= path.length; depth += 1) {
      const key = testKey(file, path.slice(0, depth));
      let item = items.get(key);
      if (!item) {
        item = this.controller.createTestItem(key, path[depth - 1] ?? '', vscode.Uri.file(file));
        if (line && depth === path.length) item.range = new vscode.Range(line - 1, 0, line - 1, 0);
        this.data.set(item, { kind: 'test', challenge, file, path: path.slice(0, depth) });
        parent.children.add(item);
        items.set(key, item);
      }
      parent = item;
    }
    return parent;
  }

  private async recordProgress(challenge: ScaffoldedChallenge, results: RunResults, wholeChallenge: boolean, outcome: { exitCode: number | null; timedOut?: unknown; cancelled?: boolean }): Promise<void> {
    const id = challenge.marker.challenge;
    const current: Record<string, string | undefined> = {};
    for (const path of Object.keys(challenge.marker.tests)) current[path] = await readFile(join(challenge.folder.fsPath, ...path.split('/')), 'utf8').catch(() => undefined);
    const changed = changedTests(challenge.marker, current);
    const summary = results.summary();
    const complete = wholeChallenge && !outcome.timedOut && !outcome.cancelled && summary.failed === 0 && summary.passed > 0 && !summary.fileErrors;
    const counted = changed.length === 0;
    await this.study.progress.update((progress) => {
      const before = challengeProgress(progress, id);
      const state = complete && counted ? 'done' : before.state === 'done' ? 'done' : 'in-progress';
      return updateChallenge(progress, id, { state, runs: before.runs + 1 }, new Date());
    });
    if (complete && !counted) {
      void vscode.window.showWarningMessage(
        `All tests pass, but ${changed.join(', ')} changed since the challenge started, so this run does not count as completing it. Reset the test files (or the challenge) to count it.`,
      );
    } else if (complete) {
      const { catalog } = await this.study.loaded();
      void vscode.window.showInformationMessage(`${catalog.challenges.get(id)?.title ?? id}: every test passes. Challenge complete.`);
    }
    this.runCompleted.fire({ challenge: id, passed: summary.passed, failed: summary.failed, complete, counted, changedTests: changed });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.runCompleted.dispose();
    this.controller.dispose();
  }
}

async function testFiles(root: string): Promise<string[]> {
  const dir = join(root, 'test');
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(path);
    }
  };
  await walk(dir);
  return found.sort();
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
