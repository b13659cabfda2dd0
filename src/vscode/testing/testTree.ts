import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { MARKER_FILE } from '../../core/challenges/scaffold.ts';
import type { DiscoveredTest } from '../../core/testing/discovery.ts';
import { discovery } from '../lazy.ts';
import { LatestTask } from '../../core/testing/latestTask.ts';
import type { PlanTarget } from '../../core/testing/runPlan.ts';
import { testKey } from '../../core/testing/runResults.ts';
import type { Challenges, ScaffoldedChallenge } from '../challenges.ts';
import { Disposable } from '../disposable.ts';
import type { Study } from '../study.ts';

export type ItemData =
  | { readonly kind: 'challenge'; readonly challenge: ScaffoldedChallenge }
  | { readonly kind: 'file'; readonly challenge: ScaffoldedChallenge; readonly file: string }
  | { readonly kind: 'test'; readonly challenge: ScaffoldedChallenge; readonly file: string; readonly path: readonly string[] };

/**
 * The Testing view's tree of challenges, test files and tests: discovered from the source of
 * every scaffolded challenge, kept current by watchers and by the editor's text as the learner
 * types. Item data lives beside the items, in a WeakMap.
 */
export class TestTree extends Disposable {
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  /** The last source parsed per file, with its tests: an unchanged text is not parsed again. */
  private readonly parsed = new Map<string, { source: string; tests: DiscoveredTest[] }>();
  private readonly discovery = new LatestTask(() => this.discover());
  private readonly controller: vscode.TestController;
  private readonly challenges: Challenges;
  private readonly study: Study;

  constructor(controller: vscode.TestController, challenges: Challenges, study: Study) {
    super();
    this.controller = controller;
    this.challenges = challenges;
    this.study = study;
    controller.resolveHandler = async (item) => {
      if (!item) await this.discoverAll();
    };
    controller.refreshHandler = () => this.discoverAll();
    const markers = this.register(vscode.workspace.createFileSystemWatcher(`**/${MARKER_FILE}`));
    const tests = this.register(vscode.workspace.createFileSystemWatcher('**/test/**/*.test.ts'));
    const rediscover = (): void => {
      void this.discoverAll();
    };
    this.register(markers.onDidCreate(rediscover));
    this.register(markers.onDidDelete(rediscover));
    this.register(markers.onDidChange(rediscover));
    this.register(tests.onDidCreate((uri) => this.refreshFile(uri)));
    this.register(tests.onDidChange((uri) => this.refreshFile(uri)));
    this.register(tests.onDidDelete((uri) => this.refreshFile(uri)));
    this.register(vscode.workspace.onDidChangeTextDocument((event) => this.refreshFile(event.document.uri, event.document.getText())));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(rediscover));
  }

  /** Finds every scaffolded challenge and its tests. A call made while one runs gets a fresh one after it: the running one may have listed the workspace too early. */
  discoverAll(): Promise<void> {
    return this.discovery.request();
  }

  private async discover(): Promise<void> {
    const found = await this.challenges.findAll();
    const items: vscode.TestItem[] = [];
    for (const challenge of found) items.push(await this.challengeTree(challenge));
    this.controller.items.replace(items);
  }

  /** Adds (or refreshes) one challenge at once, as Start Challenge writes it: no waiting for a file watcher. */
  async add(challenge: ScaffoldedChallenge): Promise<vscode.TestItem> {
    const item = await this.challengeTree(challenge);
    this.controller.items.add(item);
    return item;
  }

  private async challengeTree(challenge: ScaffoldedChallenge): Promise<vscode.TestItem> {
    const { catalog } = await this.study.loaded();
    const item = this.controller.createTestItem(challenge.folder.toString(), catalog.challenges.get(challenge.marker.challenge)?.title ?? challenge.marker.challenge, challenge.folder);
    item.description = vscode.workspace.asRelativePath(challenge.folder);
    this.data.set(item, { kind: 'challenge', challenge });
    for (const file of await testFiles(challenge.folder.fsPath)) item.children.add(await this.fileItem(challenge, file));
    return item;
  }

  /** The item of a challenge, by challenge id. */
  challengeItem(id: string): vscode.TestItem | undefined {
    return this.challengeItems().find((item) => this.dataOf(item).challenge.marker.challenge === id);
  }

  challengeItems(): vscode.TestItem[] {
    const items: vscode.TestItem[] = [];
    this.controller.items.forEach((item) => items.push(item));
    return items;
  }

  /** An item's data; every item this tree made has some, so a missing one is a bug, not a case to skip. */
  dataOf(item: vscode.TestItem): ItemData {
    const data = this.data.get(item);
    if (!data) throw new Error(`The test item ${item.id} has no data: this is a bug.`);
    return data;
  }

  /** An item's data, or undefined for an item that is not this tree's (commands receive any item). */
  find(item: vscode.TestItem): ItemData | undefined {
    return this.data.get(item);
  }

  /** What the run plan needs to know of an item. */
  target(item: vscode.TestItem): PlanTarget {
    const data = this.dataOf(item);
    const challenge = data.challenge.folder.fsPath;
    if (data.kind === 'challenge') return { kind: 'challenge', challenge };
    if (data.kind === 'file') return { kind: 'file', challenge, file: data.file };
    return { kind: 'test', challenge, file: data.file, path: data.path };
  }

  /** The challenge item whose folder is `folder`. */
  challengeAt(folder: string): vscode.TestItem | undefined {
    return this.challengeItems().find((item) => this.dataOf(item).challenge.folder.fsPath === folder);
  }

  /** The challenge whose folder holds `path`. */
  challengeOf(path: string): vscode.TestItem | undefined {
    return this.challengeItems().find((item) => path.startsWith(`${this.dataOf(item).challenge.folder.fsPath}${sep}`));
  }

  /** Every item under the challenge's given test files, by id (files included). */
  itemsOf(challengeItem: vscode.TestItem, files: readonly string[]): Map<string, vscode.TestItem> {
    const items = new Map<string, vscode.TestItem>();
    const collect = (item: vscode.TestItem): void => {
      items.set(item.id, item);
      item.children.forEach(collect);
    };
    challengeItem.children.forEach((fileItem) => {
      const data = this.dataOf(fileItem);
      if (data.kind === 'file' && files.includes(data.file)) collect(fileItem);
    });
    return items;
  }

  /** A test that appeared only at run time (a name built in a loop): added under its file or suite. */
  addDynamic(challenge: ScaffoldedChallenge, file: string, path: readonly string[], line: number | undefined, items: Map<string, vscode.TestItem>): vscode.TestItem | undefined {
    let parent = items.get(vscode.Uri.file(file).toString());
    if (!parent) return undefined;
    for (let depth = 1; depth <= path.length; depth += 1) {
      const key = testKey(file, path.slice(0, depth));
      let item = items.get(key);
      if (!item) {
        item = this.controller.createTestItem(key, path[depth - 1] ?? '', vscode.Uri.file(file));
        if (line && depth === path.length) item.range = new vscode.Range(line - 1, 0, line - 1, 0);
        this.data.set(item, { kind: 'test', challenge, file, path: path.slice(0, depth) });
        parent.children.add(item);
        items.set(key, item);
      }
      parent = item;
    }
    return parent;
  }

  private async fileItem(challenge: ScaffoldedChallenge, file: string, text?: string): Promise<vscode.TestItem> {
    const uri = vscode.Uri.file(file);
    const item = this.controller.createTestItem(uri.toString(), relative(challenge.folder.fsPath, file).split(sep).join('/'), uri);
    this.data.set(item, { kind: 'file', challenge, file });
    const source = text ?? (await readFile(file, 'utf8').catch(() => ''));
    item.children.replace(this.discovered(challenge, file, source));
    return item;
  }

  private discovered(challenge: ScaffoldedChallenge, file: string, source: string): vscode.TestItem[] {
    let cached = this.parsed.get(file);
    if (cached?.source !== source) {
      cached = { source, tests: discovery().discoverTests(source) };
      this.parsed.set(file, cached);
    }
    return cached.tests.map((test) => this.testItem(challenge, file, [], test));
  }

  private testItem(challenge: ScaffoldedChallenge, file: string, parents: readonly string[], test: DiscoveredTest): vscode.TestItem {
    const path = [...parents, test.name];
    const item = this.controller.createTestItem(testKey(file, path), test.name, vscode.Uri.file(file));
    item.range = new vscode.Range(test.range.startLine, test.range.startColumn, test.range.endLine, test.range.endColumn);
    this.data.set(item, { kind: 'test', challenge, file, path });
    item.children.replace(test.children.map((child) => this.testItem(challenge, file, path, child)));
    return item;
  }

  /**
   * Keeps a test file's items current. An edit in an open editor re-reads the tests from the
   * editor's text, with no disk access (it runs on every keystroke); a change on disk re-reads
   * the file or drops it.
   */
  private async refreshFile(uri: vscode.Uri, text?: string): Promise<void> {
    if (uri.scheme !== 'file' || !uri.fsPath.endsWith('.test.ts')) return;
    const challengeItem = this.challengeItems().find((item) => uri.fsPath.startsWith(`${this.dataOf(item).challenge.folder.fsPath}${sep}test${sep}`));
    if (!challengeItem) return;
    const { challenge } = this.dataOf(challengeItem);
    if (text !== undefined) {
      const fileItem = challengeItem.children.get(uri.toString());
      if (fileItem) fileItem.children.replace(this.discovered(challenge, uri.fsPath, text));
      return;
    }
    const source = await readFile(uri.fsPath, 'utf8').catch(() => undefined);
    if (source === undefined) challengeItem.children.delete(uri.toString());
    else challengeItem.children.add(await this.fileItem(challenge, uri.fsPath, source));
  }
}

/** The challenge's test files, sorted: every `*.test.ts` under its `test/` folder. */
export async function testFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) found.push(path);
    }
  };
  await walk(join(root, 'test'));
  return found.sort();
}
