import * as assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { MARKER_FILE, parseMarker } from '../../src/core/challenges/scaffold.ts';
import { challengeProgress } from '../../src/core/progress/progress.ts';
import type { ScaffoldedChallenge } from '../../src/vscode/challenges.ts';
import type { ChallengeRunSummary } from '../../src/vscode/challengeTests.ts';
import { extension, hooks, recordRuns, waitFor, type ItemResult, type RunRecording } from './extension.ts';

const ID = 'sum-numbers';
const fixtureContent = (): string => join(extension().extensionPath, 'test', 'fixtures', 'content');
const solution = (): string => readFileSync(join(fixtureContent(), 'challenges', ID, 'solution', 'src', 'sum.ts'), 'utf8');

function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder');
  return folder.uri.fsPath;
}

/** What the latest run() reported, per item id. */
let latest = new Map<string, ItemResult>();
let latestOutput: RunRecording['output'] = [];

async function run(kind: 'run' | 'debug' = 'run', item?: vscode.TestItem): Promise<ChallengeRunSummary> {
  const { challengeTests } = await hooks();
  const recording = await recordRuns();
  await challengeTests.discoverAll();
  const target = item ?? challengeTests.challengeItem(ID);
  assert.ok(target, 'the fixture challenge is not in the Testing view');
  const profile = kind === 'run' ? challengeTests.runProfile : challengeTests.debugProfile;
  const completed = new Promise<ChallengeRunSummary>((resolve) => {
    const listener = challengeTests.onDidCompleteRun((summary) => {
      listener.dispose();
      resolve(summary);
    });
  });
  try {
    await challengeTests.run(new vscode.TestRunRequest([target], undefined, profile), new vscode.CancellationTokenSource().token);
    return await completed;
  } finally {
    recording.dispose();
    latest = recording.results;
    latestOutput = recording.output;
  }
}

/** The item of a test by its names, under the fixture's test file. */
async function testItem(...path: string[]): Promise<vscode.TestItem> {
  const { challengeTests } = await hooks();
  let item: vscode.TestItem | undefined;
  challengeTests.challengeItem(ID)?.children.forEach((file) => {
    let node: vscode.TestItem | undefined = file;
    for (const name of path) {
      let next: vscode.TestItem | undefined;
      node?.children.forEach((child) => {
        if (child.label === name) next = child;
      });
      node = next;
    }
    item ??= node;
  });
  assert.ok(item, `no test item ${path.join(' > ')}`);
  return item;
}

function textOf(message: vscode.TestMessage | undefined): string {
  const text = message?.message;
  return typeof text === 'string' ? text : (text?.value ?? '');
}

async function resultOf(...path: string[]): Promise<ItemResult | undefined> {
  return latest.get((await testItem(...path)).id);
}

describe('challenges: scaffolding and the Testing API', function () {
  this.timeout(90_000);
  let scaffolded: ScaffoldedChallenge;
  let entry: string;

  before(async () => {
    const { study } = await hooks();
    study.useContentRoot(fixtureContent());
    await vscode.commands.executeCommand('backendStudy.resetProgress', true);
  });

  after(async () => {
    const { study } = await hooks();
    study.useContentRoot(join(extension().extensionPath, 'content'));
    await vscode.workspace.getConfiguration('backendStudy').update('testTimeoutSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('scaffolds the challenge into the workspace in one command, and opens the statement and the file to edit', async () => {
    const result = await vscode.commands.executeCommand<ScaffoldedChallenge | undefined>('backendStudy.startChallenge', ID);
    assert.ok(result, 'startChallenge returned nothing');
    // Handed to the Testing view by Start Challenge itself, not left to a file-watcher event.
    const { challengeTests } = await hooks();
    assert.ok(challengeTests.challengeItem(ID), 'the Testing view has no root for the challenge just started');
    scaffolded = result;
    const folder = join(workspaceFolder(), 'challenges', ID);
    assert.equal(scaffolded.folder.fsPath, folder);
    for (const file of ['README.md', 'package.json', 'tsconfig.json', 'src/sum.ts', 'test/sum.test.ts', 'types/node.d.ts', MARKER_FILE]) {
      assert.ok(existsSync(join(folder, file)), `${file} was not written`);
    }
    const marker = parseMarker(readFileSync(join(folder, MARKER_FILE), 'utf8'));
    assert.ok(marker, 'the marker does not parse');
    assert.equal(marker.challenge, ID);
    assert.deepEqual(Object.keys(marker.tests), ['test/sum.test.ts']);
    entry = join(folder, 'src', 'sum.ts');
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === entry, 'the entry file to open');
    const { study } = await hooks();
    assert.equal(challengeProgress(study.progress.progress, ID).state, 'in-progress');
  });

  it('shows no false errors in the scaffolded files, while the editor still reports real ones', async () => {
    // A probe with a real type error proves the TypeScript service has checked the project.
    const probe = join(scaffolded.folder.fsPath, 'src', 'probe.ts');
    writeFileSync(probe, "export const wrong: number = 'not a number';\n");
    const files = [probe, entry, join(scaffolded.folder.fsPath, 'test', 'sum.test.ts')].map((file) => vscode.Uri.file(file));
    for (const uri of files) await vscode.window.showTextDocument(uri, { preview: false });
    const errors = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Error);
    try {
      await waitFor(() => errors(files[0]!).length > 0, 'the TypeScript service to report the probe\'s error', 60_000);
      // The other files were opened first; give their diagnostics the same chance to arrive.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const uri of files.slice(1)) assert.deepEqual(errors(uri).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`), [], uri.fsPath);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(probe, { force: true });
    }
  });

  it('discovers the test file and its tests, nested, with ranges', async () => {
    const { challengeTests } = await hooks();
    await challengeTests.discoverAll();
    const challenge = challengeTests.challengeItem(ID);
    assert.ok(challenge);
    assert.equal(challenge.label, 'Sum numbers (fixture)');
    const adds = await testItem('sum', 'adds every number');
    assert.equal(adds.range?.start.line, 5);
    assert.ok(await testItem('sum', 'with objects', 'keeps a report of the total'));
  });

  it('titles the Testing root from the current catalog, without waiting for another discovery', async () => {
    const { study, challengeTests } = await hooks();
    const label = () => challengeTests.challengeItem(ID)?.label;
    study.useContentRoot(join(extension().extensionPath, 'content'));
    try {
      // The extension's own content has no such challenge: the root falls back to its id.
      await waitFor(() => label() === ID, `the root to be relabelled, it reads ${label()}`);
    } finally {
      study.useContentRoot(fixtureContent());
    }
    await waitFor(() => label() === 'Sum numbers (fixture)', `the root to take the fixture's title back, it reads ${label()}`);
  });

  it('keeps the tests current as the learner types, before saving', async () => {
    const testFile = vscode.Uri.file(join(scaffolded.folder.fsPath, 'test', 'sum.test.ts'));
    const editor = await vscode.window.showTextDocument(testFile);
    await editor.edit((edit) => {
      edit.insert(new vscode.Position(5, 0), "  it('was added while typing', () => {});\n\n");
    });
    try {
      await waitFor(async () => (await testItem('sum', 'was added while typing').then(() => true, () => false)), 'the new test to appear', 10_000);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    await waitFor(async () => (await testItem('sum', 'was added while typing').then(() => false, () => true)), 'the reverted test to go', 10_000);
  });

  it('runs the tests: failures become diffs at the failing line, passes pass', async () => {
    const summary = await run();
    assert.deepEqual({ passed: summary.passed, failed: summary.failed, complete: summary.complete }, { passed: 3, failed: 2, complete: false });
    const adds = await resultOf('sum', 'adds every number');
    assert.equal(adds?.outcome, 'failed');
    const message = adds.message;
    assert.ok(message?.location, 'the failure has no message with a location');
    assert.deepEqual([message.expectedOutput, message.actualOutput], ['6', '1']);
    assert.equal(message.location.uri.fsPath, join(scaffolded.folder.fsPath, 'test', 'sum.test.ts'));
    assert.equal(message.location.range.start.line, 6);
    const report = await resultOf('sum', 'with objects', 'keeps a report of the total');
    assert.equal(report?.outcome, 'failed');
    assert.equal(report.message?.expectedOutput, '{\n  total: 4\n}');
    assert.equal((await resultOf('sum', 'is 0 for no numbers'))?.outcome, 'passed');
  });

  it('adds tests whose names are built at run time when they report', async () => {
    const { challengeTests } = await hooks();
    await challengeTests.discoverAll();
    // Discovery from source cannot name them...
    await assert.rejects(testItem('sum', 'returns 7 for the single number 7'));
    // ...the run reports them, and they join the tree under their suite with their results.
    await run();
    const added = await testItem('sum', 'returns 7 for the single number 7');
    assert.equal(latest.get(added.id)?.outcome, 'passed');
    assert.equal((await resultOf('sum', 'returns 11 for the single number 11'))?.outcome, 'passed');
  });

  it('runs a single test alone: one test reports, not its whole file', async () => {
    const summary = await run('run', await testItem('sum', 'is 0 for no numbers'));
    assert.deepEqual({ passed: summary.passed, failed: summary.failed }, { passed: 1, failed: 0 });
    const suite = (await testItem('sum')).id;
    const reported = [...latest.values()].filter((result) => result.itemId !== suite && (result.outcome === 'passed' || result.outcome === 'failed'));
    assert.equal(reported.length, 1, `reported: ${reported.map((result) => result.itemId).join(', ')}`);
  });

  it('keeps one run per challenge: requests made during a run wait, and a newer one for the same tests replaces the waiting one', async () => {
    const { challengeTests } = await hooks();
    const item = challengeTests.challengeItem(ID);
    assert.ok(item);
    const summaries: ChallengeRunSummary[] = [];
    const listener = challengeTests.onDidCompleteRun((summary) => {
      summaries.push(summary);
    });
    try {
      const request = (): Promise<void> => challengeTests.run(new vscode.TestRunRequest([item], undefined, challengeTests.runProfile), new vscode.CancellationTokenSource().token);
      await Promise.all([request(), request(), request()]);
    } finally {
      listener.dispose();
    }
    assert.equal(summaries.length, 2, 'the waiting request was not replaced');
    const [first, second] = summaries;
    assert.ok(first && second && second.startedAt < first.endedAt);
    // Their processes did not overlap: the second run's results began after the first's ended.
    assert.ok(second.endedAt - first.endedAt > 0);
  });

  it('shows what assert.throws got and wanted, anchors a failure in the test body, and records output per test', async () => {
    const extra = join(scaffolded.folder.fsPath, 'test', 'extra.test.ts');
    writeFileSync(extra, [
      "import assert from 'node:assert/strict';",
      "import { test } from 'node:test';",
      '',
      'function expectTotal(actual: number, expected: number): void {',
      '  assert.equal(actual, expected);',
      '}',
      '',
      "test('throws the wrong error', () => {",
      "  assert.throws(() => { throw new RangeError('cost must be between 1 and 10'); }, TypeError, 'cost 1');",
      '});',
      '',
      "test('fails in a helper', () => {",
      "  console.log('printed by the test');",
      '  expectTotal(1, 2);',
      '});',
      '',
    ].join('\n'));
    try {
      const { challengeTests } = await hooks();
      await challengeTests.discoverAll();
      let fileItem: vscode.TestItem | undefined;
      challengeTests.challengeItem(ID)?.children.forEach((child) => {
        if (child.uri?.fsPath === extra) fileItem = child;
      });
      assert.ok(fileItem, 'the extra test file is not in the tree');
      await run('run', fileItem);
      const byLabel = (label: string): ItemResult | undefined => {
        let found: vscode.TestItem | undefined;
        fileItem?.children.forEach((child) => {
          if (child.label === label) found = child;
        });
        return found && latest.get(found.id);
      };
      const thrown = byLabel('throws the wrong error');
      assert.equal(thrown?.outcome, 'failed');
      assert.match(textOf(thrown.message), /cost 1/);
      assert.match(textOf(thrown.message), /Expected: an instance of TypeError/);
      assert.match(textOf(thrown.message), /Actual: RangeError: cost must be between 1 and 10/);
      const helper = byLabel('fails in a helper');
      assert.equal(helper?.outcome, 'failed');
      assert.equal(helper.message?.location?.range.start.line, 13, 'not anchored at the call in the test body');
      assert.match(textOf(helper.message), /Failed inside: expectTotal test\/extra\.test\.ts:5/);
      const printed = latestOutput.find((output) => output.text.includes('printed by the test'));
      assert.ok(printed, 'the output was not recorded');
      assert.ok(printed.text.endsWith('\r\n'), 'output lines end in CRLF');
      let helperItem: vscode.TestItem | undefined;
      fileItem.children.forEach((child) => {
        if (child.label === 'fails in a helper') helperItem = child;
      });
      assert.equal(printed.itemId, helperItem?.id, 'the output is not attached to the test that printed it');
    } finally {
      rmSync(extra, { force: true });
      const { challengeTests } = await hooks();
      await challengeTests.discoverAll();
    }
  });

  it('debugs a multi-file suite with the same verdicts as a run: mock.timers do not collide between files', async () => {
    const files = ['timers-a', 'timers-b'].map((name) => join(scaffolded.folder.fsPath, 'test', `${name}.test.ts`));
    for (const file of files) {
      writeFileSync(file, [
        "import assert from 'node:assert/strict';",
        "import { mock, test } from 'node:test';",
        "test('fires after the delay', () => {",
        "  mock.timers.enable({ apis: ['setTimeout'] });",
        '  let fired = false;',
        '  setTimeout(() => { fired = true; }, 1000);',
        '  mock.timers.tick(1000);',
        '  assert.equal(fired, true);',
        '});',
        '',
      ].join('\n'));
    }
    try {
      const { challengeTests } = await hooks();
      await challengeTests.discoverAll();
      const items: vscode.TestItem[] = [];
      challengeTests.challengeItem(ID)?.children.forEach((child) => {
        if (child.uri && files.includes(child.uri.fsPath)) items.push(child);
      });
      assert.equal(items.length, 2);
      const recording = await recordRuns();
      try {
        await challengeTests.run(new vscode.TestRunRequest(items, undefined, challengeTests.debugProfile), new vscode.CancellationTokenSource().token);
      } finally {
        recording.dispose();
      }
      const outcomes = [...recording.results.values()].filter((result) => result.outcome !== 'started').map((result) => result.outcome);
      assert.deepEqual(outcomes, ['passed', 'passed']);
    } finally {
      for (const file of files) rmSync(file, { force: true });
      const { challengeTests } = await hooks();
      await challengeTests.discoverAll();
    }
  });

  it('reports a syntax error in the learner\'s file on the test file, with the runtime\'s message and location', async () => {
    writeFileSync(entry, 'export function sum(values: readonly number[]): number {\n  return (values[0] + ;\n}\n');
    await run();
    const { challengeTests } = await hooks();
    let fileItem: vscode.TestItem | undefined;
    challengeTests.challengeItem(ID)?.children.forEach((item) => {
      fileItem = item;
    });
    assert.ok(fileItem);
    const result = latest.get(fileItem.id);
    assert.equal(result?.outcome, 'errored');
    const message = result.message;
    assert.ok(message?.location, 'the error has no message with a location');
    assert.match(textOf(message), /^No test could run: src\/sum\.ts:2:\d+: SyntaxError/);
    assert.equal(message.location.uri.fsPath, entry);
    assert.equal(message.location.range.start.line, 1);
  });

  it('stops hung code at the per-test limit, names the test that hung and marks the others not run', async () => {
    await vscode.workspace.getConfiguration('backendStudy').update('testTimeoutSeconds', 3, vscode.ConfigurationTarget.Workspace);
    writeFileSync(entry, 'export function sum(values: readonly number[]): number {\n  for (;;) {}\n}\n');
    const started = Date.now();
    await run();
    assert.ok(Date.now() - started < 20_000, `the run took ${Date.now() - started} ms`);
    // The hung test is named, well before the run limit; the tests after it did not run.
    const adds = await resultOf('sum', 'adds every number');
    assert.equal(adds?.outcome, 'errored');
    assert.match(textOf(adds.message), /this test ran for more than 1 s \(the per-test limit\)/);
    assert.equal((await resultOf('sum', 'is 0 for no numbers'))?.outcome, 'skipped');
    await vscode.workspace.getConfiguration('backendStudy').update('testTimeoutSeconds', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('kills the test process when the run is cancelled, and reports the unfinished tests as cancelled', async () => {
    writeFileSync(entry, 'export function sum(values: readonly number[]): number {\n  for (;;) {}\n}\n');
    const { challengeTests } = await hooks();
    await challengeTests.discoverAll();
    const item = challengeTests.challengeItem(ID);
    assert.ok(item);
    const source = new vscode.CancellationTokenSource();
    const started = Date.now();
    setTimeout(() => {
      source.cancel();
    }, 1000);
    const recording = await recordRuns();
    await challengeTests.run(new vscode.TestRunRequest([item], undefined, challengeTests.runProfile), source.token).finally(() => {
      recording.dispose();
    });
    latest = recording.results;
    // The default time limit is 30 s: ending well before it means the cancel killed the process.
    assert.ok(Date.now() - started < 10_000, `the run took ${Date.now() - started} ms after a cancel at 1 s`);
    const adds = await resultOf('sum', 'adds every number');
    assert.equal(adds?.outcome, 'errored');
    assert.match(textOf(adds.message), /Cancelled/);
  });

  it('does not count a passing run when the tests were edited since scaffolding', async () => {
    writeFileSync(entry, solution());
    const testFile = join(scaffolded.folder.fsPath, 'test', 'sum.test.ts');
    const original = readFileSync(testFile, 'utf8');
    writeFileSync(testFile, `${original}// edited by the learner\n`);
    const summary = await run();
    assert.deepEqual({ failed: summary.failed, complete: summary.complete, counted: summary.counted }, { failed: 0, complete: true, counted: false });
    assert.deepEqual(summary.changedTests, ['test/sum.test.ts']);
    const { study } = await hooks();
    assert.equal(challengeProgress(study.progress.progress, ID).state, 'in-progress');
    writeFileSync(testFile, original);
  });

  it('marks the challenge done when the reference solution passes every test, and the tree and status bar follow', async () => {
    const { study, studyView, statusBar } = await hooks();
    const runsBefore = challengeProgress(study.progress.progress, ID).runs;
    const summary = await run();
    assert.deepEqual({ passed: summary.passed, failed: summary.failed, complete: summary.complete, counted: summary.counted }, { passed: 5, failed: 0, complete: true, counted: true });
    for (const path of [['sum', 'adds every number'], ['sum', 'is 0 for no numbers'], ['sum', 'with objects', 'keeps a report of the total']]) {
      assert.equal((await resultOf(...path))?.outcome, 'passed', path.join(' > '));
    }
    const progress = challengeProgress(study.progress.progress, ID);
    assert.equal(progress.state, 'done');
    assert.equal(progress.runs, runsBefore + 1);
    const groups = await studyView.getChildren();
    const challenges = groups.find((group) => group.kind === 'challenges');
    assert.ok(challenges && challenges.kind === 'challenges');
    assert.equal(challenges.description, '1/1');
    await waitFor(() => statusBar.text === '$(mortar-board) 1/1', `the status bar to show 1/1, shows ${statusBar.text}`);
  });

  it('reveals hints one at a time and remembers how many were shown', async () => {
    const { study } = await hooks();
    assert.equal(await vscode.commands.executeCommand('backendStudy.showNextHint', ID), 'Start from zero.');
    assert.equal(await vscode.commands.executeCommand('backendStudy.showNextHint', ID), 'Add each number in turn.');
    assert.equal(challengeProgress(study.progress.progress, ID).hintsShown, 2);
  });

  it('opens the reference solution as a read-only diff against the learner\'s file, and records it', async () => {
    const { study } = await hooks();
    assert.equal(await vscode.commands.executeCommand('backendStudy.compareWithSolution', ID, true), true);
    const diff = vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputTextDiff);
    assert.ok(diff && diff.input instanceof vscode.TabInputTextDiff, 'no diff editor is open');
    assert.equal(diff.input.original.fsPath, entry);
    assert.equal(diff.input.modified.scheme, 'backend-study-solution');
    assert.equal((await vscode.workspace.openTextDocument(diff.input.modified)).getText(), solution());
    assert.equal(challengeProgress(study.progress.progress, ID).solutionViewed, true);
  });

  it('stops at a breakpoint in the learner\'s TypeScript file when debugging a test', async () => {
    const stops: { source: string | undefined; line: number | undefined }[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (message: { type?: string; event?: string; body?: { reason?: string; threadId?: number } }) => {
          if (message.type !== 'event' || message.event !== 'stopped') return;
          void (async () => {
            const trace = (await session.customRequest('stackTrace', { threadId: message.body?.threadId, levels: 1 })) as { stackFrames: { source?: { path?: string }; line: number }[] };
            const frame = trace.stackFrames[0];
            stops.push({ source: frame?.source?.path, line: frame?.line });
            await session.customRequest('continue', { threadId: message.body?.threadId });
          })();
        },
      }),
    });
    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(entry), new vscode.Position(2, 0)));
    vscode.debug.addBreakpoints([breakpoint]);
    try {
      const summary = await run('debug', await testItem('sum', 'adds every number'));
      // On a remote host (the headless server) js-debug names sources by vscode-remote:// URI.
      assert.ok(stops.some((stop) => stop.source?.endsWith(entry) === true && stop.line === 3), `stops: ${JSON.stringify(stops)}`);
      assert.equal(summary.failed, 0);
      assert.equal((await resultOf('sum', 'adds every number'))?.outcome, 'passed');
    } finally {
      vscode.debug.removeBreakpoints([breakpoint]);
      tracker.dispose();
    }
  });

  it('runs again on save while a continuous run is on', async () => {
    const { challengeTests } = await hooks();
    const challenge = challengeTests.challengeItem(ID);
    assert.ok(challenge);
    const summaries: ChallengeRunSummary[] = [];
    const listener = challengeTests.onDidCompleteRun((summary) => {
      summaries.push(summary);
    });
    const source = new vscode.CancellationTokenSource();
    try {
      await challengeTests.run(new vscode.TestRunRequest([challenge], undefined, challengeTests.runProfile, true), source.token);
      assert.equal(summaries.length, 1);
      const document = await vscode.workspace.openTextDocument(entry);
      const editor = await vscode.window.showTextDocument(document);
      await editor.edit((edit) => {
        edit.insert(new vscode.Position(0, 0), '// a change\n');
      });
      await document.save();
      await waitFor(() => summaries.length === 2, 'a second run after the save', 30_000);
      source.cancel();
      await editor.edit((edit) => {
        edit.insert(new vscode.Position(0, 0), '// another change\n');
      });
      await document.save();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(summaries.length, 2, 'a cancelled continuous run still ran on save');
    } finally {
      listener.dispose();
      source.dispose();
    }
  });

  it('resets the challenge: the learner\'s files go to a backup first, then the starter comes back, and the backup is no challenge', async () => {
    const before = readFileSync(entry, 'utf8');
    const fresh = await vscode.commands.executeCommand<ScaffoldedChallenge | undefined>('backendStudy.resetChallenge', ID, true);
    assert.ok(fresh);
    const parent = join(workspaceFolder(), 'challenges');
    const backups = readdirSync(parent).filter((name) => name.startsWith(`${ID}.backup-`));
    assert.equal(backups.length, 1);
    assert.equal(readFileSync(join(parent, backups[0]!, 'src', 'sum.ts'), 'utf8'), before);
    assert.equal(readFileSync(entry, 'utf8'), readFileSync(join(fixtureContent(), 'challenges', ID, 'starter', 'src', 'sum.ts'), 'utf8'));
    // The backup kept a live marker: the extension saw two copies and the Testing view two roots.
    assert.equal(existsSync(join(parent, backups[0]!, MARKER_FILE)), false, 'the backup still has a live marker');
    const { challenges, challengeTests } = await hooks();
    assert.deepEqual((await challenges.findAll()).map((copy) => copy.folder.fsPath), [scaffolded.folder.fsPath]);
    await challengeTests.discoverAll();
    assert.equal(challengeTests.controller.items.size, 1, 'the Testing view does not show one root');
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === entry, 'the fresh entry file to open');
  });

  it('keeps to two editor groups through start, compare, reset and open', async () => {
    // Start, compare and reset have run above; open the started challenge again on top.
    await vscode.commands.executeCommand('backendStudy.compareWithSolution', ID, true);
    await vscode.commands.executeCommand('backendStudy.openChallenge', ID);
    assert.ok(vscode.window.tabGroups.all.length <= 2, `${vscode.window.tabGroups.all.length} editor groups are open`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('acts on the copy the learner works in when the workspace holds two', async () => {
    const { challenges } = await hooks();
    // A copy elsewhere in the workspace, written later: neither the first found nor the newest decides.
    const other = join(workspaceFolder(), 'a-copy', ID);
    cpSync(scaffolded.folder.fsPath, other, { recursive: true });
    try {
      await waitFor(async () => (await challenges.findAll()).length === 2, 'the second copy to be found');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal((await challenges.find(ID))?.folder.fsPath, scaffolded.folder.fsPath, 'with no editor open, the copy where Start Challenge writes');
      await vscode.window.showTextDocument(vscode.Uri.file(join(other, 'src', 'sum.ts')));
      assert.equal((await challenges.find(ID))?.folder.fsPath, other, 'the copy of the active editor');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(join(workspaceFolder(), 'a-copy'), { recursive: true, force: true });
    }
  });
});
