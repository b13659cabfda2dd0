// Runs only in the launcher's second phase, in a workspace VS Code does not trust
// (BACKEND_STUDY_UNTRUSTED=1): lessons stay readable, and no learner code or snippet runs.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ScaffoldedChallenge } from '../../src/vscode/challenges.ts';
import { extension, hooks, recordRuns } from './extension.ts';

describe('untrusted workspace', function () {
  this.timeout(60_000);

  it('is untrusted, and the extension still activates in limited mode', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const { study } = await hooks();
    assert.ok((await study.loaded()).catalog.lessons.size > 0);
  });

  it('opens lessons', async () => {
    const { study, lessonPanel } = await hooks();
    const lesson = [...(await study.loaded()).catalog.lessons.values()][0]!;
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    assert.equal(lessonPanel.title, lesson.title);
  });

  it('runs no snippet', async () => {
    const { study, snippets } = await hooks();
    const lesson = [...(await study.loaded()).catalog.lessons.values()][0]!;
    const terminals = vscode.window.terminals.length;
    assert.equal(await snippets.run(lesson.snippets[0]!.path), undefined);
    assert.equal(vscode.window.terminals.length, terminals);
  });

  it('runs no challenge test, and says why in the run', async () => {
    const { study, challengeTests } = await hooks();
    study.useContentRoot(join(extension().extensionPath, 'test', 'fixtures', 'content'));
    const scaffolded = await vscode.commands.executeCommand<ScaffoldedChallenge | undefined>('backendStudy.startChallenge', 'sum-numbers');
    assert.ok(scaffolded, 'scaffolding writes files, which an untrusted workspace allows');
    await challengeTests.discoverAll();
    const item = challengeTests.challengeItem('sum-numbers');
    assert.ok(item);
    const recording = await recordRuns();
    try {
      await challengeTests.run(new vscode.TestRunRequest([item], undefined, challengeTests.runProfile), new vscode.CancellationTokenSource().token);
      assert.equal(recording.results.size, 0, 'a test ran in an untrusted workspace');
    } finally {
      recording.dispose();
    }
  });
});
