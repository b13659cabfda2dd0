import * as vscode from 'vscode';
import { completion } from '../core/study/studyTree.ts';
import type { Study } from './study.ts';

/** Overall completion in the status bar; a click reveals the study view. `backendStudy.showStatusBar` hides it. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backendStudy.progress', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;

  constructor(study: Study) {
    this.study = study;
    this.item.name = 'Backend Interview Prep progress';
    this.item.command = 'backendStudy.focusStudyView';
    this.subscriptions.push(
      study.progress.onDidChange(() => void this.update()),
      study.onDidChangeCatalog(() => void this.update()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('backendStudy.showStatusBar')) void this.update();
      }),
    );
    void this.update();
  }

  get text(): string {
    return this.item.text;
  }

  async update(): Promise<void> {
    const { catalog } = await this.study.loaded();
    const { done, total } = completion(catalog, this.study.progress.progress);
    this.item.text = `$(mortar-board) ${done}/${total}`;
    this.item.tooltip = `Backend Interview Prep: ${done} of ${total} lessons and challenges done. Click to open the study view.`;
    this.item.accessibilityInformation = { label: `Backend Interview Prep: ${done} of ${total} done` };
    if (vscode.workspace.getConfiguration('backendStudy').get<boolean>('showStatusBar', true)) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
