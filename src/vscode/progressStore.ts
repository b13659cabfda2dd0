import * as vscode from 'vscode';
import { EMPTY_PROGRESS, parseProgress, type Progress } from '../core/progress/progress.ts';

export const PROGRESS_KEY = 'backendStudy.progress';

/**
 * Progress in the workspace's state, typed and validated. A corrupt stored value is read as
 * far as it is valid; what was dropped is reported once in the log, and the stored value is
 * left as it was until the learner's next change rewrites it.
 */
export class ProgressStore implements vscode.Disposable {
  private current: Progress = EMPTY_PROGRESS;
  private readonly changed = new vscode.EventEmitter<Progress>();
  readonly onDidChange = this.changed.event;
  private readonly state: vscode.Memento;
  private readonly log: vscode.LogOutputChannel;

  constructor(state: vscode.Memento, log: vscode.LogOutputChannel) {
    this.state = state;
    this.log = log;
    this.reload();
  }

  get progress(): Progress {
    return this.current;
  }

  /** Re-reads the stored value (after activation, or when tests corrupt it on purpose). */
  reload(): void {
    const { progress, problems } = parseProgress(this.state.get<unknown>(PROGRESS_KEY));
    if (problems.length > 0) {
      this.log.warn(`Stored progress had problems; kept what was valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    }
    this.current = progress;
    this.changed.fire(progress);
  }

  async update(change: (progress: Progress) => Progress): Promise<void> {
    const next = change(this.current);
    if (next === this.current) return;
    this.current = next;
    await this.state.update(PROGRESS_KEY, next);
    this.changed.fire(next);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
