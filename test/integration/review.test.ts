import * as assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { lessonState } from '../../src/core/progress/progress.ts';
import { reviewCards } from '../../src/core/review/reviewQueue.ts';
import { PROGRESS_KEY } from '../../src/vscode/progressStore.ts';
import { hooks, waitFor } from './extension.ts';

/** The first lesson of the catalog and its review cards, in the order a sitting shows new cards. */
async function firstLesson(): Promise<{ id: string; cards: string[] }> {
  const { study } = await hooks();
  const { catalog } = await study.loaded();
  const lesson = [...catalog.lessons.values()][0]!;
  return { id: lesson.id, cards: reviewCards(catalog).filter((card) => card.lessonId === lesson.id).map((card) => card.id) };
}

describe('spaced-repetition reviews', () => {
  beforeEach(async () => {
    const { studyView } = await hooks();
    await vscode.commands.executeCommand('backendStudy.resetProgress', true);
    await studyView.setLevelFilter('all');
  });

  afterEach(async () => {
    await vscode.workspace.getConfiguration('backendStudy').update('newCardsPerDay', undefined, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('has nothing to review before a lesson is opened, and says how cards arrive', async () => {
    const { reviewPanel, reviewStatusBar } = await hooks();
    await reviewStatusBar.update();
    assert.equal(reviewStatusBar.visible, false);
    await vscode.commands.executeCommand('backendStudy.startReview');
    assert.equal(reviewPanel.current, undefined);
    assert.match(reviewPanel.html ?? '', /Nothing is due/);
    assert.match(reviewPanel.html ?? '', /Cards join the reviews when you open their lesson/);
  });

  it('offers the cards of an opened lesson as new, up to the daily cap, in the status bar', async () => {
    const { reviewStatusBar } = await hooks();
    const lesson = await firstLesson();
    await vscode.workspace.getConfiguration('backendStudy').update('newCardsPerDay', 3, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await waitFor(() => reviewStatusBar.text === '$(history) 3 new', `the status bar to offer 3 new cards (it shows "${reviewStatusBar.text}")`);
    assert.equal(reviewStatusBar.visible, true);
  });

  it('shows a question with an answer box, then the model answer beside the learner’s, with four ratings and their waits', async () => {
    const { reviewPanel, study } = await hooks();
    const lesson = await firstLesson();
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await vscode.commands.executeCommand('backendStudy.startReview');
    const card = reviewPanel.current;
    assert.equal(card?.id, lesson.cards[0]);
    assert.match(reviewPanel.html!, /<textarea id="scratch"/);
    assert.doesNotMatch(reviewPanel.html!, /Model answer/);

    reviewPanel.reveal('my <b>answer</b>');
    const html = reviewPanel.html!;
    assert.match(html, /Your answer<\/h2><pre class="scratch-shown">my &lt;b&gt;answer&lt;\/b&gt;<\/pre>/);
    assert.match(html, /Model answer/);
    const buttons = [...html.matchAll(/data-rating="(\w+)" aria-keyshortcuts="(\d)"><span class="rating-label">\w+<\/span> <span class="rating-interval">([^<]+)<\/span>/g)].map((match) => [match[1], match[2], match[3]]);
    assert.deepEqual(buttons.map(([rating, key]) => `${rating}:${key}`), ['again:1', 'hard:2', 'good:3', 'easy:4']);
    assert.ok(buttons.every(([, , wait]) => /^\d+(\.\d)?(m|h|d|mo|y)$/.test(wait!)), JSON.stringify(buttons));

    await reviewPanel.rate('good');
    const stored = study.progress.progress.reviews[card!.id];
    assert.ok(stored, 'the rating was not stored');
    assert.equal(stored.reps, 1);
    assert.equal(reviewPanel.current?.id, lesson.cards[1]);
  });

  it('undoes the last rating, in the store too', async () => {
    const { reviewPanel, study } = await hooks();
    const lesson = await firstLesson();
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await vscode.commands.executeCommand('backendStudy.startReview');
    reviewPanel.reveal();
    await reviewPanel.rate('easy');
    assert.ok(study.progress.progress.reviews[lesson.cards[0]!]);
    assert.match(reviewPanel.html!, /data-action="undo"/);
    await reviewPanel.undo();
    assert.equal(study.progress.progress.reviews[lesson.cards[0]!], undefined);
    assert.equal(reviewPanel.current?.id, lesson.cards[0]);
    assert.match(reviewPanel.html!, /Model answer/);
  });

  it('crams without touching the schedule', async () => {
    const { reviewPanel, study } = await hooks();
    const lesson = await firstLesson();
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await vscode.commands.executeCommand('backendStudy.cramReview');
    assert.match(reviewPanel.html!, /Cram \(the schedule does not change\)/);
    reviewPanel.reveal();
    await reviewPanel.rate('again');
    reviewPanel.reveal();
    await reviewPanel.rate('good');
    assert.deepEqual(study.progress.progress.reviews, {});
  });

  it('limits a sitting to one area, and to a level with the levels below it', async () => {
    const { reviewPanel, study } = await hooks();
    const { catalog } = await study.loaded();
    const lessons = [...catalog.lessons.values()];
    const other = lessons.find((lesson) => lesson.area !== lessons[0]!.area)!;
    for (const lesson of [lessons[0]!, other]) await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await vscode.commands.executeCommand('backendStudy.startReview', { filter: { area: other.area, level: 'senior' } });
    const shown = new Set<string>();
    while (reviewPanel.current) {
      shown.add(`${reviewPanel.current.area}/${reviewPanel.current.level}`);
      reviewPanel.reveal();
      await reviewPanel.rate('easy');
    }
    assert.deepEqual([...shown], [`${other.area}/senior`]);
    assert.ok(Object.keys(study.progress.progress.reviews).length > 0);
  });

  it('exports and imports the review schedule with the rest of progress', async () => {
    const { reviewPanel, study } = await hooks();
    const lesson = await firstLesson();
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await vscode.commands.executeCommand('backendStudy.startReview');
    reviewPanel.reveal();
    await reviewPanel.rate('hard');
    const before = study.progress.progress;
    const file = vscode.Uri.file(join(mkdtempSync(join(tmpdir(), 'progress-')), 'progress.json'));
    await vscode.commands.executeCommand('backendStudy.exportProgress', file);
    await vscode.commands.executeCommand('backendStudy.resetProgress', true);
    assert.deepEqual(study.progress.progress.reviews, {});
    await vscode.commands.executeCommand('backendStudy.importProgress', file, 'replace');
    assert.deepEqual(study.progress.progress, before);
  });

  it('recovers a corrupt review state without losing the rest of progress', async () => {
    const { study, workspaceState, reviewStatusBar } = await hooks();
    const lesson = await firstLesson();
    await workspaceState.update(PROGRESS_KEY, {
      version: 2,
      lessons: { [lesson.id]: { state: 'in-progress', updatedAt: '2026-01-01T00:00:00.000Z' } },
      challenges: {},
      reviews: { [lesson.cards[0]!]: { due: 'tomorrow', stability: -1 }, [lesson.cards[1]!]: 42 },
    });
    study.progress.reload();
    assert.equal(lessonState(study.progress.progress, lesson.id), 'in-progress');
    assert.deepEqual(study.progress.progress.reviews, {});
    // The broken cards come back as new ones of an opened lesson.
    await waitFor(() => /new$/.test(reviewStatusBar.text), `the status bar to offer new cards (it shows "${reviewStatusBar.text}")`);
  });

  it('serves the page under the same strict Content-Security-Policy as every page', async () => {
    const { reviewPanel } = await hooks();
    const lesson = await firstLesson();
    await vscode.commands.executeCommand('backendStudy.openLesson', lesson.id);
    await vscode.commands.executeCommand('backendStudy.startReview');
    const html = reviewPanel.html!;
    const csp = (/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '').replaceAll('&#39;', "'");
    assert.match(csp, /^default-src 'none'; style-src [^;]+; font-src [^;]+; img-src [^;]+; script-src 'nonce-[^']+'; base-uri 'none'; form-action 'none'$/);
    // Every resource comes from the webview's own origin, as the stylesheet does; links are in-page.
    const addresses = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    const origin = new URL(addresses.find((address) => address.endsWith('lesson.css'))!).origin;
    assert.deepEqual(addresses.filter((address) => address !== '#' && new URL(address).origin !== origin), []);
  });
});
