import * as vscode from 'vscode';
import type { LevelFilter } from '../core/study/studyTree.ts';
import { reviewCounts } from './reviewPanel.ts';
import type { Study } from './study.ts';

/** Cards come due with time, not only when progress changes: the count is refreshed this often too. */
const REFRESH_MS = 60_000;

/** The reviews waiting now, beside the completion item; a click starts a sitting. Hidden while nothing waits. */
export class ReviewStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backendStudy.reviews', vscode.StatusBarAlignment.Left, 9);
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly study: Study;

  private readonly track: () => LevelFilter;

  /** @param track the learner's level track: the count covers the cards the sitting would show */
  constructor(study: Study, command: string, track: () => LevelFilter) {
    this.study = study;
    this.track = track;
    this.item.name = 'Backend Interview Prep reviews';
    this.item.command = command;
    this.subscriptions.push(
      study.progress.onDidChange(() => void this.update()),
      study.onDidChangeCatalog(() => void this.update()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('backendStudy')) void this.update();
      }),
    );
    this.timer = setInterval(() => void this.update(), REFRESH_MS);
    void this.update();
  }

  get text(): string {
    return this.item.text;
  }

  get visible(): boolean {
    return this.shown;
  }

  private shown = false;

  async update(): Promise<void> {
    const track = this.track();
    const { due, fresh } = await reviewCounts(this.study, new Date(), track === 'all' ? undefined : { level: track });
    const words = [due > 0 ? `${due} due` : undefined, fresh > 0 ? `${fresh} new` : undefined].filter((word) => word !== undefined);
    this.item.text = `$(history) ${words.join(' · ')}`;
    this.item.tooltip = `Backend Interview Prep reviews: ${due} card(s) due and ${fresh} new card(s) for today. Click to review.`;
    this.item.accessibilityInformation = { label: `Reviews: ${due} due, ${fresh} new` };
    this.shown = words.length > 0 && vscode.workspace.getConfiguration('backendStudy').get<boolean>('showStatusBar', true);
    if (this.shown) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
