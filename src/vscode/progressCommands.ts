import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EMPTY_PROGRESS, exportProgress, mergeProgress, parseExport } from '../core/progress/progress.ts';
import type { ProgressStore } from './progressStore.ts';

/**
 * Where Export Progress proposes to save: the home folder (or its Documents), never the
 * workspace, which is the learner's repository, where the file would get committed.
 */
export function defaultExportUri(now = new Date()): vscode.Uri {
  return exportUriFor(`backend-study-progress-${now.toISOString().slice(0, 10)}.json`);
}

/** A file name in the first folder outside the workspace: Documents, else home, else its parent. */
export function exportUriFor(name: string): vscode.Uri {
  const home = homedir();
  const workspace = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const candidates = [join(home, 'Documents'), home, join(home, '..')].filter((dir) => existsSync(dir));
  const outside = candidates.find((dir) => workspace.every((folder) => !`${dir}/`.startsWith(`${folder}/`)));
  return vscode.Uri.file(join(outside ?? home, name));
}

/** Export, import and reset of progress. Arguments let tests skip the dialogs; the palette gives none. */
export async function exportProgressCommand(store: ProgressStore, target?: vscode.Uri): Promise<void> {
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title: 'Export study progress',
      defaultUri: defaultExportUri(),
      filters: { JSON: ['json'] },
    }));
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(exportProgress(store.progress, new Date())));
  if (!target) void vscode.window.showInformationMessage(`Study progress exported to ${uri.fsPath}.`);
}

export async function importProgressCommand(store: ProgressStore, source?: vscode.Uri, mode?: 'merge' | 'replace'): Promise<void> {
  const uri =
    source ??
    (await vscode.window.showOpenDialog({ title: 'Import study progress', canSelectMany: false, filters: { JSON: ['json'] } }))?.[0];
  if (!uri) return;
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (error) {
    void vscode.window.showErrorMessage(`Could not read ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  const parsed = parseExport(text);
  if ('error' in parsed) {
    void vscode.window.showErrorMessage(`Nothing was imported: ${parsed.error}.`);
    return;
  }
  const chosen =
    mode ??
    (
      await vscode.window.showQuickPick(
        [
          { label: 'Merge', description: 'keep the further state of each item from both', mode: 'merge' as const },
          { label: 'Replace', description: 'discard the current progress', mode: 'replace' as const },
        ],
        { title: 'Import study progress', placeHolder: 'Merge with the current progress, or replace it?' },
      )
    )?.mode;
  if (!chosen) return;
  await store.update((current) => (chosen === 'merge' ? mergeProgress(current, parsed.progress) : parsed.progress));
  if (!source) void vscode.window.showInformationMessage(`Study progress imported (${chosen}).`);
}

export async function resetProgressCommand(store: ProgressStore, confirmed?: boolean): Promise<void> {
  const ok =
    confirmed === true ||
    (await vscode.window.showWarningMessage(
      'Reset all study progress in this workspace?',
      { modal: true, detail: 'Lesson and challenge states, run counts and hints shown are cleared. Export your progress first to keep a copy. Your challenge files are not touched.' },
      'Reset',
    )) === 'Reset';
  if (ok) await store.update(() => EMPTY_PROGRESS);
}
