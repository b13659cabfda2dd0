import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hooks, waitFor } from './extension.ts';

const ID = 'rate-limiter';

/** The page's visible text, roughly: the markup without tags. */
const textOf = (html: string): string => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ');

describe('the challenge statement', () => {
  before(async () => {
    await vscode.commands.executeCommand('backendStudy.resetProgress', true);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a challenge that is not started as the learner reads it: no front matter, no hints, only lessons that exist', async () => {
    const { study, challengePanel } = await hooks();
    const { catalog } = await study.loaded();
    const challenge = catalog.challenges.get(ID)!;
    await vscode.commands.executeCommand('backendStudy.openChallenge', ID);
    await waitFor(() => challengePanel.currentChallengeId === ID, 'the statement to open');
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('backendStudy.challenge'), 'the statement is not the challenge webview');
    const html = challengePanel.html ?? '';
    const text = textOf(html);
    assert.match(text, new RegExp(challenge.title));
    assert.match(text, new RegExp(`${challenge.difficulty} · about ${challenge.minutes} min`));
    for (const key of ['hints:', 'entry:', 'lessons:', 'difficulty:']) assert.ok(!text.includes(key), `the front matter's ${key} shows`);
    for (const hint of challenge.hints) assert.ok(!text.includes(hint.slice(0, 40)), `a hint shows before Show Next Hint: ${hint.slice(0, 40)}`);
    const linked = [...html.matchAll(/data-lesson="([^"]+)"/g)].map((match) => match[1]);
    // A lesson not written yet is left out: test/unit/lessonPage.test.ts pins that, now that every outline lesson exists.
    assert.deepEqual(linked, challenge.lessons.filter((id) => catalog.lessons.has(id)));
    assert.ok(linked.length > 0, 'the statement links no related lesson');
  });

  it('lists the hints shown so far, rendered as markdown, and only those', async () => {
    const { study, challengePanel } = await hooks();
    const challenge = (await study.loaded()).catalog.challenges.get(ID)!;
    await vscode.commands.executeCommand('backendStudy.showNextHint', ID);
    await waitFor(() => (challengePanel.html ?? '').includes('id="hint-1"'), 'the first hint to show');
    const html = challengePanel.html ?? '';
    const first = challenge.hints[0]!;
    const code = /`([^`]+)`/.exec(first)?.[1];
    if (code) assert.ok(html.includes(`<code>${code}</code>`), 'backticks are not rendered as code');
    assert.ok(!html.includes('id="hint-2"'));
    assert.ok(!textOf(html).includes(challenge.hints[1]!.slice(0, 40)), 'the second hint shows before it was asked for');
  });
});
