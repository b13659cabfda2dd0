import * as vscode from 'vscode';

/**
 * The study view in the activity bar. Until the catalog lands it has no items, so VS Code
 * shows the view's welcome content from the manifest.
 */
export class StudyView implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  static readonly id = 'backendStudy.studyView';

  private readonly changed = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  getTreeItem(item: vscode.TreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
