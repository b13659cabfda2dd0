// Composition root: builds the core objects and the adapters, and registers every disposable.
// Nothing else reaches into VS Code's global state.
import * as vscode from 'vscode';
import { COMMANDS, registerCommands } from './vscode/commands.ts';
import { StudyView } from './vscode/studyView.ts';

/** What activation hands to tests through the extension's exports; not an API for other extensions. */
export interface ExtensionApi {
  /** Milliseconds from the start of `activate` to its end, measured inside the extension host. */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Backend Interview Prep', { log: true });
  context.subscriptions.push(log);

  const studyView = new StudyView();
  context.subscriptions.push(
    studyView,
    vscode.window.registerTreeDataProvider(StudyView.id, studyView),
    ...registerCommands({ log }),
  );

  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms; ${Object.keys(COMMANDS).length} commands registered.`);
  return { activationMs };
}

export function deactivate(): void {
  // Every resource is a disposable in context.subscriptions; VS Code disposes them.
}
