import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { runProcess } from '../core/process/runProcess.ts';
import { DEFAULT_SNIPPET_SETTINGS } from '../core/snippets/settings.ts';
import { snippetCommand } from '../core/snippets/runSnippet.ts';
import { serviceEnvironment } from '../core/snippets/serviceUrls.ts';
import { requireTrust, type Runtimes } from './runtime.ts';
import { setting } from './settings.ts';
import type { Study } from './study.ts';

export const SNIPPET_SCHEME = 'backend-study-snippet';
/** A run in the terminal has no short limit (benchmarks take a while); Ctrl+C or closing the terminal stops it. */
const TERMINAL_RUN_LIMIT_MS = 30 * 60_000;

/** What a finished run wrote to the terminal, for the integration tests. */
export interface SnippetRun {
  readonly path: string;
  readonly exitCode: number | null;
  readonly output: string;
}

/**
 * Lesson snippets: opened read-only (they are the extension's own files, which an edit would
 * corrupt), copied on request into the extension's storage where the learner can edit and run
 * them, and run in one terminal with their settings at full size.
 */
export class Snippets implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly runtimes: Runtimes;
  private readonly copies: string;
  private terminal: SnippetTerminal | undefined;

  /** @param storage a folder of the extension's own (global storage) that holds the learner's copies */
  constructor(study: Study, runtimes: Runtimes, storage: vscode.Uri) {
    this.study = study;
    this.runtimes = runtimes;
    this.copies = join(storage.fsPath, 'snippet-copies');
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(SNIPPET_SCHEME, {
        provideTextDocumentContent: async (uri) => (await this.known(uri.path.replace(/^\//, '')) ? await study.readContent(uri.path.replace(/^\//, '')) : undefined) ?? '',
      }),
      vscode.window.onDidCloseTerminal((closed) => {
        if (this.terminal?.terminal === closed) {
          this.terminal.dispose();
          this.terminal = undefined;
        }
      }),
    );
  }

  async open(path: string): Promise<void> {
    if (!(await this.known(path))) return;
    const document = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SNIPPET_SCHEME, path: `/${path}` }));
    // Beside the lesson, in the other of two groups, never a third.
    const beside = vscode.window.tabGroups.activeTabGroup.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    await vscode.window.showTextDocument(document, { viewColumn: beside, preview: true });
  }

  /**
   * Opens the learner's editable copy of a snippet, writing it first if there is none (an
   * existing copy keeps the learner's edits).
   */
  async editCopy(path: string): Promise<vscode.TextEditor | undefined> {
    if (!(await this.known(path))) return undefined;
    const copy = join(this.copies, ...path.split('/'));
    if (!(await stat(copy).then(() => true, () => false))) {
      await mkdir(dirname(copy), { recursive: true });
      await writeFile(copy, (await this.study.readContent(path)) ?? '');
    }
    return vscode.window.showTextDocument(vscode.Uri.file(copy), { preview: false });
  }

  /** The snippet a copy was made from, by its content path; undefined for any other file. */
  async originalOf(uri: vscode.Uri): Promise<string | undefined> {
    if (uri.scheme === SNIPPET_SCHEME) return uri.path.replace(/^\//, '');
    if (uri.scheme !== 'file') return undefined;
    const path = relative(this.copies, uri.fsPath);
    if (path.startsWith('..') || path === '' || path.includes(`..${sep}`)) return undefined;
    const original = path.split(sep).join('/');
    return (await this.known(original)) ? original : undefined;
  }

  /** Runs a snippet, or the learner's copy of it (saved first), with the snippet's settings. */
  async runCopy(uri: vscode.Uri): Promise<SnippetRun | undefined> {
    const original = await this.originalOf(uri);
    if (!original) {
      void vscode.window.showInformationMessage('This file is not a lesson snippet or a copy of one.');
      return undefined;
    }
    if (uri.scheme !== 'file') return this.run(original);
    await vscode.workspace.textDocuments.find((document) => document.uri.fsPath === uri.fsPath)?.save();
    return this.run(original, uri.fsPath);
  }

  /**
   * Runs a snippet in the snippet terminal, reused from run to run; the output stays there
   * with the exit code until the learner closes it. Resolves when the run ends.
   * @param file what to run instead of the snippet itself: the learner's copy
   */
  async run(path: string, file = this.study.contentPath(path)): Promise<SnippetRun | undefined> {
    if (!(await this.known(path)) || !requireTrust('Running a snippet')) return undefined;
    const { snippets } = await this.study.loaded();
    const settings = snippets.get(path) ?? DEFAULT_SNIPPET_SETTINGS;
    // A snippet that needs a real server runs only against the one the learner configured.
    const services = serviceEnvironment(settings.services, { postgres: setting('databaseUrl'), redis: setting('redisUrl') });
    if (!services.ok) {
      void vscode.window.showWarningMessage(services.message, 'Open Setting').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', services.setting);
      });
      return undefined;
    }
    const runtime = await this.runtimes.require();
    if (!runtime) return undefined;
    const command = snippetCommand({ file, settings, mode: 'full' });
    const { args } = command;
    const env = { ...services.env, ...command.env };
    this.terminal ??= new SnippetTerminal();
    const terminal = this.terminal;
    terminal.terminal.show(true);
    return terminal.run(path, async (signal, write) => {
      // A temporary working folder per run, so a snippet that writes files leaves nothing behind.
      const cwd = await mkdtemp(join(tmpdir(), 'snippet-'));
      try {
        const result = await runProcess({
          command: runtime.executable,
          args,
          cwd,
          env: { ...runtime.env, ...env },
          timeoutMs: TERMINAL_RUN_LIMIT_MS,
          signal,
          onStdout: write,
          onStderr: write,
        });
        if (result.startError) write(`${result.startError.message}\n`);
        return result.exitCode;
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });
  }

  /** The terminal snippets run in, if one is open. */
  get openTerminal(): vscode.Terminal | undefined {
    return this.terminal?.terminal;
  }

  /** Only snippets of the catalog: a message naming any other file does nothing. */
  private async known(path: string): Promise<boolean> {
    const { catalog } = await this.study.loaded();
    return [...catalog.lessons.values()].some((lesson) => lesson.snippets.some((snippet) => snippet.path === path));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.terminal?.terminal.dispose();
    this.terminal?.dispose();
  }
}

/**
 * One terminal for every snippet run. It is a pseudoterminal the extension writes to, not a
 * shell: a terminal whose shell is the snippet's Node closes the moment the snippet exits, and
 * its output with it. A new run stops the one still going and starts below the old output.
 */
class SnippetTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly named = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.written.event;
  readonly onDidChangeName = this.named.event;
  readonly terminal: vscode.Terminal;
  private opened = false;
  private pending = '';
  private current: AbortController | undefined;
  private runs = 0;

  constructor() {
    this.terminal = vscode.window.createTerminal({ name: 'Snippets', pty: this, iconPath: new vscode.ThemeIcon('play') });
  }

  open(): void {
    this.opened = true;
    if (this.pending) this.written.fire(this.pending);
    this.pending = '';
  }

  close(): void {
    this.current?.abort();
  }

  handleInput(data: string): void {
    // Ctrl+C stops the run, as in a shell.
    if (data === '\x03') this.current?.abort();
  }

  async run(path: string, body: (signal: AbortSignal, write: (text: string) => void) => Promise<number | null>): Promise<SnippetRun> {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    this.runs += 1;
    let output = '';
    const write = (text: string): void => {
      output += text;
      this.write(text.replace(/\r?\n/g, '\r\n'));
    };
    const name = path.replace(/^.*\//, '');
    this.named.fire(`Snippet: ${name}`);
    this.write(`${this.runs > 1 ? '\r\n' : ''}\x1b[1m▶ ${path}\x1b[0m\r\n`);
    const exitCode = await body(controller.signal, write);
    const stopped = controller.signal.aborted;
    if (this.current === controller) this.current = undefined;
    const status = stopped ? 'stopped' : `exited with code ${exitCode ?? 'none'}`;
    this.write(`\r\n\x1b[${exitCode === 0 ? '32' : '31'}m■ ${name} ${status}\x1b[0m\r\n`);
    return { path, exitCode, output: `${output}\n${name} ${status}\n` };
  }

  private write(text: string): void {
    if (this.opened) this.written.fire(text);
    else this.pending += text;
  }

  dispose(): void {
    this.current?.abort();
    this.written.dispose();
    this.named.dispose();
  }
}
