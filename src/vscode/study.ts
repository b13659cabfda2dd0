import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadCatalog, type LoadedCatalog } from '../core/content/catalog.ts';
import { loadCatalogIndexed } from '../core/content/contentIndex.ts';
import { formatProblem } from '../core/content/problems.ts';
import { folderSource } from '../core/content/source.ts';
import type { ProgressStore } from './progressStore.ts';

/**
 * The study material and the learner's progress, shared by every surface. The catalog loads
 * once, lazily; in development it reloads when content/ changes.
 */
export class Study implements vscode.Disposable {
  private root: string;
  readonly progress: ProgressStore;
  private readonly log: vscode.LogOutputChannel;
  private loading: Promise<LoadedCatalog> | undefined;
  private readonly catalogChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCatalog = this.catalogChanged.event;

  private readonly indexFile: string | undefined;

  /** @param indexFile the build's content index (dist/content-index.json), used while the content is exactly what it was made from */
  constructor(contentRoot: string, progress: ProgressStore, log: vscode.LogOutputChannel, indexFile?: string) {
    this.root = contentRoot;
    this.progress = progress;
    this.log = log;
    this.indexFile = indexFile;
  }

  get contentRoot(): string {
    return this.root;
  }

  /** Points the study at another content folder (the integration tests' fixture content). */
  useContentRoot(root: string): void {
    this.root = root;
    this.reload();
  }

  loaded(): Promise<LoadedCatalog> {
    this.loading ??= this.load();
    return this.loading;
  }

  reload(): void {
    this.loading = undefined;
    this.catalogChanged.fire();
  }

  /** A content file's absolute path; `path` has been validated as content-relative. */
  contentPath(path: string): string {
    return join(this.contentRoot, ...path.split('/'));
  }

  async readContent(path: string): Promise<string | undefined> {
    try {
      return await readFile(this.contentPath(path), 'utf8');
    } catch {
      return undefined;
    }
  }

  private async load(): Promise<LoadedCatalog> {
    const started = performance.now();
    try {
      const indexText = this.indexFile === undefined ? undefined : await readFile(this.indexFile, 'utf8').catch(() => undefined);
      const result = await loadCatalogIndexed(folderSource(this.contentRoot), indexText);
      const { loaded } = result;
      const { catalog, problems } = loaded;
      const how = result.from === 'index' ? 'from the content index' : `in full: ${result.why}`;
      this.log.info(`Loaded ${catalog.lessons.size} lessons and ${catalog.challenges.size} challenges in ${(performance.now() - started).toFixed(0)} ms (${how}).`);
      if (problems.length > 0) {
        this.log.warn(`The content has ${problems.length} problem(s); the items affected may be incomplete:\n${problems.map((problem) => `  content/${formatProblem(problem)}`).join('\n')}`);
      }
      return loaded;
    } catch (error) {
      // Unreadable content (a missing folder, permissions) leaves an empty study view, never a crash.
      this.log.error(`Could not load the content from ${this.contentRoot}: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.commands.executeCommand('setContext', 'backendStudy.contentUnreadable', true);
      const empty = await loadCatalog({ readFile: () => Promise.resolve(undefined), list: () => Promise.resolve(undefined) });
      return empty;
    }
  }

  dispose(): void {
    this.catalogChanged.dispose();
  }
}
