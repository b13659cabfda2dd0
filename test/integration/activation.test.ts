import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../src/vscode/commands.ts';
import { EXTENSION_ID, extension, manifest, recordMeasurements, waitFor } from './extension.ts';

describe('activation', () => {
  it('is lazy: the extension is not active before its view or a command is used', () => {
    // Every test file runs in one host, so this must run first; the file name sorts it there.
    assert.equal(extension().isActive, false);
    const events = manifest().activationEvents ?? [];
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `eager activation events: ${events.join(', ')}`);
  });

  it('activates when the study view is opened, and reports its activation time', async () => {
    const started = performance.now();
    await vscode.commands.executeCommand('backendStudy.studyView.focus');
    await waitFor(() => extension().isActive, 'the extension to activate after its view was focused');
    const observedMs = performance.now() - started;
    const api = extension().exports;
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs > 0 && api.activationMs < observedMs, `activate() took ${api.activationMs} ms of ${observedMs} ms observed`);

    recordMeasurements({ activationMs: api.activationMs, viewToActiveMs: observedMs });
  });

  it('registers every command the manifest contributes, and contributes every command it registers', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands.map((entry) => entry.command);
    for (const command of contributed) assert.ok(registered.has(command), `contributed but not registered: ${command}`);
    assert.deepEqual([...contributed].sort(), Object.values(COMMANDS).sort());
  });

  it('puts every contributed command in the "Backend Study" palette category', () => {
    for (const entry of manifest().contributes.commands) assert.equal(entry.category, 'Backend Study', entry.command);
  });

  it('contributes a walkthrough whose steps show their pages and link only to commands it registers', async () => {
    const walkthroughs = (manifest() as unknown as { contributes: { walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown: string }; completionEvents: string[] }[] }[] } }).contributes.walkthroughs;
    assert.equal(walkthroughs.length, 1);
    const [walkthrough] = walkthroughs;
    assert.deepEqual(walkthrough!.steps.map((step) => step.id), ['studyView', 'levelAndPlan', 'firstLesson', 'firstChallenge', 'firstReview']);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough!.steps) {
      const page = readFileSync(join(extension().extensionPath, step.media.markdown), 'utf8');
      const linked = [...`${step.description}\n${page}`.matchAll(/\(command:([\w.]+)/g)].map((match) => match[1]!);
      assert.ok(linked.length > 0, `${step.id} links to no command`);
      for (const command of linked) assert.ok(registered.has(command), `${step.id} links to ${command}, which is not registered`);
      for (const event of step.completionEvents) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        if (command) assert.ok(registered.has(command), `${step.id} completes on ${command}, which is not registered`);
      }
    }
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#${walkthrough!.id}`, false);
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label !== undefined, 'the walkthrough to open');
    const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
    assert.match(label, /Welcome|Walkthrough|Get started/i, `the active tab is "${label}"`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('runs its commands without error', async () => {
    await vscode.commands.executeCommand(COMMANDS.showLog);
    await vscode.commands.executeCommand(COMMANDS.focusStudyView);
  });
});
