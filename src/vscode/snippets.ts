import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SNIPPET_SETTINGS } from '../core/snippets/settings.ts';
import { snippetCommand } from '../core/snippets/runSnippet.ts';
import { requireTrust, type Runtimes } from './runtime.ts';
import type { Study } from './study.ts';

export const SNIPPET_SCHEME = 'backend-study-snippet';

/**
 * Lesson snippets: opened read-only (they are the extension's own files, which an edit would
 * corrupt), and run in a terminal with their settings at full size.
 */
export class Snippets implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly folders = new Map<vscode.Terminal, string>();
  private readonly study: Study;
  private readonly runtimes: Runtimes;

  constructor(study: Study, runtimes: Runtimes) {
    this.study = study;
    this.runtimes = runtimes;
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(SNIPPET_SCHEME, {
        provideTextDocumentContent: async (uri) => (await this.known(uri.path.replace(/^\//, '')) ? await study.readContent(uri.path.replace(/^\//, '')) : undefined) ?? '',
      }),
      vscode.window.onDidCloseTerminal((terminal) => {
        const folder = this.folders.get(terminal);
        this.folders.delete(terminal);
        if (folder) void rm(folder, { recursive: true, force: true });
      }),
    );
  }

  async open(path: string): Promise<void> {
    if (!(await this.known(path))) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SNIPPET_SCHEME, path: `/${path}` }));
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  async run(path: string): Promise<vscode.Terminal | undefined> {
    if (!(await this.known(path)) || !requireTrust('Running a snippet')) return undefined;
    const runtime = await this.runtimes.require();
    if (!runtime) return undefined;
    const { snippets } = await this.study.loaded();
    const { args, env } = snippetCommand({ file: this.study.contentPath(path), settings: snippets.get(path) ?? DEFAULT_SNIPPET_SETTINGS, mode: 'full' });
    // The same temporary working folder the test run uses, so a snippet that writes files leaves nothing behind.
    const cwd = await mkdtemp(join(tmpdir(), 'snippet-'));
    const terminal = vscode.window.createTerminal({
      name: `Snippet: ${path.replace(/^.*\//, '')}`,
      shellPath: runtime.executable,
      shellArgs: args,
      cwd,
      env: { ...runtime.env, ...env },
      iconPath: new vscode.ThemeIcon('play'),
    });
    this.folders.set(terminal, cwd);
    terminal.show();
    return terminal;
  }

  /** Only snippets of the catalog: a message naming any other file does nothing. */
  private async known(path: string): Promise<boolean> {
    const { catalog } = await this.study.loaded();
    return [...catalog.lessons.values()].some((lesson) => lesson.snippets.some((snippet) => snippet.path === path));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const folder of this.folders.values()) void rm(folder, { recursive: true, force: true });
  }
}
