import * as vscode from 'vscode';
import { StudyView } from './studyView.ts';

/** Every command the extension contributes, by id. The manifest's `contributes.commands` must list the same ids. */
export const COMMANDS = {
  showLog: 'backendStudy.showLog',
  focusStudyView: 'backendStudy.focusStudyView',
} as const;

interface CommandDeps {
  readonly log: vscode.LogOutputChannel;
}

export function registerCommands({ log }: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.showLog, () => {
      log.show(true);
    }),
    vscode.commands.registerCommand(COMMANDS.focusStudyView, async () => {
      // `<view id>.focus` is the command VS Code generates for every contributed view.
      await vscode.commands.executeCommand(`${StudyView.id}.focus`);
    }),
  ];
}
