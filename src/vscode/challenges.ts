import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import {
  BACKUP_MARKER_FILE,
  backupName,
  challengeFolder,
  MARKER_FILE,
  parseMarker,
  planScaffold,
  tsconfigWithInstalledNodeTypes,
  type ChallengeSources,
  type Marker,
} from '../core/challenges/scaffold.ts';
import { isBackupFolder, preferredCopy } from '../core/challenges/copies.ts';
import type { Challenge } from '../core/content/model.ts';
import { runProcess } from '../core/process/runProcess.ts';
import { errorMessage } from '../core/errors.ts';
import { challengeProgress, updateChallenge } from '../core/progress/progress.ts';
import { requireTrust, type Runtimes } from './runtime.ts';
import type { Study } from './study.ts';

export const SOLUTION_SCHEME = 'backend-study-solution';
const PENDING_OPEN_KEY = 'backendStudy.pendingChallengeOpen';

/** A challenge scaffolded in the workspace. */
export interface ScaffoldedChallenge {
  readonly folder: vscode.Uri;
  readonly marker: Marker;
}

/**
 * Starting, finding, resetting challenges, and their hints and reference solution. Writes only
 * inside the challenge's own folder of the workspace folder the learner chose, never over a
 * file that exists.
 */
export class Challenges implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly globalState: vscode.Memento;
  private readonly version: string;
  private readonly nodeTypesFile: string;
  private readonly runtimes: Runtimes;
  private readonly log: vscode.LogOutputChannel;
  private readonly showStatement: (id: string, anchor?: string) => Promise<void>;
  private readonly handoffs = new Set<(challenge: ScaffoldedChallenge) => Promise<unknown>>();

  /**
   * A challenge was written (started or reset): the Testing view takes it from here, not from a
   * file watcher, and Start Challenge returns once it has (so a run right after never misses it).
   */
  onDidScaffold(handler: (challenge: ScaffoldedChallenge) => Promise<unknown>): vscode.Disposable {
    this.handoffs.add(handler);
    return new vscode.Disposable(() => this.handoffs.delete(handler));
  }

  /** @param nodeTypesFile the declaration of Node's modules that scaffolded challenges get instead of @types/node */
  constructor(deps: { study: Study; globalState: vscode.Memento; version: string; nodeTypesFile: string; runtimes: Runtimes; log: vscode.LogOutputChannel; showStatement: (id: string, anchor?: string) => Promise<void> }) {
    this.showStatement = deps.showStatement;
    this.study = deps.study;
    this.globalState = deps.globalState;
    this.version = deps.version;
    this.nodeTypesFile = deps.nodeTypesFile;
    this.runtimes = deps.runtimes;
    this.log = deps.log;
    const study = deps.study;
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(SOLUTION_SCHEME, {
        provideTextDocumentContent: async (uri) => {
          // Only files under a challenge's solution/ folder are served.
          const path = uri.path.replace(/^\//, '');
          return /^challenges\/[a-z0-9-]+\/solution\/[\w./-]+$/.test(path) && !path.includes('..') ? ((await study.readContent(path)) ?? '') : '';
        },
      }),
    );
  }

  /** Finishes a start that had to open a folder first: the window reloaded in between. */
  async resumePendingOpen(): Promise<void> {
    const pending = this.globalState.get<{ folder?: unknown }>(PENDING_OPEN_KEY);
    if (typeof pending?.folder !== 'string') return;
    const folder = vscode.Uri.file(pending.folder);
    if (!vscode.workspace.getWorkspaceFolder(folder)) return;
    await this.globalState.update(PENDING_OPEN_KEY, undefined);
    const scaffolded = await this.read(folder);
    if (!scaffolded) return;
    // The start happened before this window had a workspace state to record it in.
    const id = scaffolded.marker.challenge;
    await this.study.progress.update((progress) =>
      challengeProgress(progress, id).state === 'not-started' ? updateChallenge(progress, id, { state: 'in-progress' }, new Date()) : progress,
    );
    await this.openFiles(scaffolded);
  }

  async start(id: string): Promise<ScaffoldedChallenge | undefined> {
    const { catalog } = await this.study.loaded();
    const challenge = catalog.challenges.get(id);
    if (!challenge) {
      void vscode.window.showErrorMessage(`There is no challenge "${id}".`);
      return undefined;
    }
    const workspaceFolder = await this.chooseWorkspaceFolder(challenge);
    if (!workspaceFolder) return undefined;
    const setting = vscode.workspace.getConfiguration('backendStudy', workspaceFolder.uri).get<string>('challengesFolder', 'challenges');
    const located = challengeFolder(workspaceFolder.uri.fsPath, setting, challenge.id);
    if ('error' in located) {
      void vscode.window.showErrorMessage(located.error, 'Open Setting').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'backendStudy.challengesFolder');
      });
      return undefined;
    }
    const folder = vscode.Uri.file(located.folder);

    if (await exists(located.folder)) {
      const existing = await this.read(folder);
      const choice = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(folder)} already exists.`,
        { modal: true, detail: 'Open it as it is, or reset it: the folder is first moved to a timestamped backup beside it, then the starter is written anew. Nothing is overwritten.' },
        'Open',
        'Reset',
      );
      if (choice === 'Open') {
        if (existing) await this.openFiles(existing);
        else await vscode.commands.executeCommand('revealInExplorer', folder);
        return existing;
      }
      if (choice !== 'Reset') return undefined;
      const backup = await this.backUp(located.folder, challenge.id);
      void vscode.window.showInformationMessage(`Your previous files are in ${vscode.workspace.asRelativePath(vscode.Uri.file(backup))}.`);
    }

    const scaffolded = await this.write(challenge, located.folder);
    if (!scaffolded) return undefined;
    await this.study.progress.update((progress) =>
      challengeProgress(progress, challenge.id).state === 'not-started' ? updateChallenge(progress, challenge.id, { state: 'in-progress' }, new Date()) : progress,
    );
    await this.openFiles(scaffolded);
    return scaffolded;
  }

  /** Moves the learner's files to a backup, then writes the starter again. */
  async reset(scaffolded: ScaffoldedChallenge, confirmed = false): Promise<ScaffoldedChallenge | undefined> {
    const { catalog } = await this.study.loaded();
    const challenge = catalog.challenges.get(scaffolded.marker.challenge);
    if (!challenge) return undefined;
    const ok =
      confirmed ||
      (await vscode.window.showWarningMessage(
        `Reset ${challenge.title} to its starter?`,
        { modal: true, detail: 'Your current files are first moved to a timestamped backup folder beside it.' },
        'Reset',
      )) === 'Reset';
    if (!ok) return undefined;
    await this.backUp(scaffolded.folder.fsPath, challenge.id);
    const fresh = await this.write(challenge, scaffolded.folder.fsPath);
    if (fresh) await this.openFiles(fresh);
    return fresh;
  }

  async showNextHint(id: string): Promise<string | undefined> {
    const { catalog } = await this.study.loaded();
    const challenge = catalog.challenges.get(id);
    if (!challenge) return undefined;
    const shown = challengeProgress(this.study.progress.progress, id).hintsShown;
    if (shown >= challenge.hints.length) {
      void vscode.window.showInformationMessage(`No more hints for ${challenge.title}: all ${challenge.hints.length} are shown. "Compare with Reference Solution" is the next step.`);
      return undefined;
    }
    const hint = challenge.hints[shown] ?? '';
    await this.study.progress.update((progress) => updateChallenge(progress, id, { hintsShown: shown + 1 }, new Date()));
    // The statement lists every hint shown so far, rendered, where the learner can re-read them.
    await this.showStatement(id, `hint-${shown + 1}`);
    return hint;
  }

  async compareWithSolution(scaffolded: ScaffoldedChallenge, confirmed = false): Promise<boolean> {
    const { catalog } = await this.study.loaded();
    const challenge = catalog.challenges.get(scaffolded.marker.challenge);
    if (!challenge) return false;
    const ok =
      confirmed ||
      (await vscode.window.showWarningMessage(
        `Show the reference solution of ${challenge.title}?`,
        { modal: true, detail: 'It opens beside your file as a read-only diff, with the solution notes. Try the hints first if you have not.' },
        'Show Solution',
      )) === 'Show Solution';
    if (!ok) return false;
    const mine = vscode.Uri.joinPath(scaffolded.folder, ...challenge.entry.split('/'));
    const reference = vscode.Uri.from({ scheme: SOLUTION_SCHEME, path: `/${challenge.folder}/solution/${challenge.entry}` });
    // Two groups at most: the notes where the statement is, the diff where the learner's file is.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(this.study.contentPath(`${challenge.folder}/solution/NOTES.md`)));
    await vscode.commands.executeCommand('vscode.diff', mine, reference, `${challenge.entry}: yours ↔ reference solution`, { viewColumn: vscode.ViewColumn.Two, preview: false });
    await this.study.progress.update((progress) => updateChallenge(progress, challenge.id, { solutionViewed: true }, new Date()));
    return true;
  }

  /**
   * The optional full types: installs @types/node in the challenge folder with npm, then points
   * the tsconfig at it and removes the bundled declaration. The tests never need this.
   */
  async installNodeTypes(scaffolded: ScaffoldedChallenge): Promise<boolean> {
    if (!requireTrust('Installing @types/node')) return false;
    const runtime = await this.runtimes.require();
    const major = runtime ? /^v?(\d+)/.exec(runtime.version)?.[1] : undefined;
    const spec = `@types/node@${major ?? '24'}`;
    const folder = scaffolded.folder.fsPath;
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing ${spec} in ${vscode.workspace.asRelativePath(scaffolded.folder)}`, cancellable: true },
      (_progress, token) => {
        const cancel = new AbortController();
        token.onCancellationRequested(() => {
          cancel.abort();
        });
        return runProcess({ command: npm, args: ['install', '--save-dev', '--no-audit', '--no-fund', spec], cwd: folder, timeoutMs: 300_000, signal: cancel.signal, shell: process.platform === 'win32' });
      },
    );
    const output = `${result.stdout}${result.stderr}${result.startError?.message ?? ''}`;
    this.log.info(`npm install ${spec} in ${folder} exited with ${result.exitCode ?? 'an error'}:\n${output.trim()}`);
    if (result.exitCode !== 0) {
      void vscode.window.showErrorMessage(`Could not install ${spec} (is npm on PATH, and the registry reachable?). The bundled declaration stays in place.`, 'Show Log').then((choice) => {
        if (choice) this.log.show(true);
      });
      return false;
    }
    const tsconfigPath = join(folder, 'tsconfig.json');
    const updated = tsconfigWithInstalledNodeTypes(await readFile(tsconfigPath, 'utf8').catch(() => ''));
    if (updated) await writeFile(tsconfigPath, updated);
    await rm(join(folder, 'types', 'node.d.ts'), { force: true });
    void vscode.window.showInformationMessage(`${spec} is installed: the editor now uses Node's full types.`);
    return true;
  }

  /** Every scaffolded challenge in the workspace, by its marker; backups are not challenges. */
  async findAll(): Promise<ScaffoldedChallenge[]> {
    const markers = await vscode.workspace.findFiles(`**/${MARKER_FILE}`, '**/node_modules/**');
    const found = await Promise.all(markers.map((uri) => this.read(vscode.Uri.file(dirname(uri.fsPath)))));
    return found.filter((entry): entry is ScaffoldedChallenge => entry !== undefined && !isBackupFolder(basename(entry.folder.fsPath), entry.marker.challenge));
  }

  /** The copy of a challenge the learner works in, when the workspace holds more than one. */
  async find(id: string): Promise<ScaffoldedChallenge | undefined> {
    const copies = (await this.findAll()).filter((candidate) => candidate.marker.challenge === id);
    if (copies.length <= 1) return copies[0];
    const described = await Promise.all(
      copies.map(async (copy) => ({
        copy,
        folder: copy.folder.fsPath,
        entryModifiedMs: (await stat(join(copy.folder.fsPath, ...copy.marker.entry.split('/'))).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    const startFolders = (vscode.workspace.workspaceFolders ?? []).flatMap((folder) => {
      const located = challengeFolder(folder.uri.fsPath, vscode.workspace.getConfiguration('backendStudy', folder.uri).get<string>('challengesFolder', 'challenges'), id);
      return 'folder' in located ? [located.folder] : [];
    });
    const active = vscode.window.activeTextEditor?.document.uri;
    return preferredCopy(described, { activeFile: active?.scheme === 'file' ? active.fsPath : undefined, startFolders })?.copy;
  }

  async read(folder: vscode.Uri): Promise<ScaffoldedChallenge | undefined> {
    try {
      const marker = parseMarker(await readFile(join(folder.fsPath, MARKER_FILE), 'utf8'));
      if (!marker) {
        this.log.warn(`${join(folder.fsPath, MARKER_FILE)} is not a valid challenge marker; that folder is ignored.`);
        return undefined;
      }
      return { folder, marker };
    } catch {
      return undefined;
    }
  }

  /** The scaffolded challenge a file belongs to, if any. */
  async containing(uri: vscode.Uri): Promise<ScaffoldedChallenge | undefined> {
    const workspaceFolder = vscode.workspace.getWorkspaceFolder(uri);
    let folder = dirname(uri.fsPath);
    while (workspaceFolder && folder.startsWith(workspaceFolder.uri.fsPath)) {
      const found = await this.read(vscode.Uri.file(folder));
      if (found) return found;
      const parent = dirname(folder);
      if (parent === folder) break;
      folder = parent;
    }
    return undefined;
  }

  private async chooseWorkspaceFolder(challenge: Challenge): Promise<vscode.WorkspaceFolder | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 1) return folders[0];
    if (folders.length > 1) {
      return vscode.window.showWorkspaceFolderPick({ placeHolder: `Where should ${challenge.title} go?` });
    }
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Start Challenge Here',
      title: `Choose a folder for ${challenge.title}`,
    });
    const root = picked?.[0];
    if (!root) return undefined;
    const setting = vscode.workspace.getConfiguration('backendStudy').get<string>('challengesFolder', 'challenges');
    const located = challengeFolder(root.fsPath, setting, challenge.id);
    if ('error' in located) {
      void vscode.window.showErrorMessage(located.error);
      return undefined;
    }
    // Opening a folder restarts the extension host: write the files first, and open them
    // when the folder's window activates the extension (its marker is a workspaceContains event).
    if (!(await exists(located.folder))) await this.write(challenge, located.folder);
    await this.globalState.update(PENDING_OPEN_KEY, { folder: located.folder });
    await vscode.commands.executeCommand('vscode.openFolder', root, { forceReuseWindow: true });
    return undefined;
  }

  /** How long the last scaffold took to read the content and write its files (for `npm run bench`). */
  lastWrite: { readonly files: number; readonly ms: number } | undefined;

  private async write(challenge: Challenge, folder: string): Promise<ScaffoldedChallenge | undefined> {
    const started = performance.now();
    const sources = await this.sources(challenge);
    const planned = planScaffold({ challenge, sources, folder, contentVersion: this.version, now: new Date() });
    if ('error' in planned) {
      void vscode.window.showErrorMessage(`Could not start ${challenge.title}: ${planned.error}.`);
      return undefined;
    }
    try {
      for (const file of planned.plan.files) {
        const path = join(folder, ...file.path.split('/'));
        await mkdir(dirname(path), { recursive: true });
        // 'wx': never overwrite a file that is there.
        await writeFile(path, file.content, { flag: 'wx' });
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not write ${challenge.title} into ${folder}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    this.lastWrite = { files: planned.plan.files.length, ms: performance.now() - started };
    this.log.info(`Started ${challenge.id} in ${folder}: ${planned.plan.files.length} files in ${this.lastWrite.ms.toFixed(0)} ms.`);
    const scaffolded = { folder: vscode.Uri.file(folder), marker: planned.plan.marker };
    await Promise.all([...this.handoffs].map((handoff) => handoff(scaffolded).catch((error: unknown) => {
      this.log.error(`Handing ${challenge.id} to the Testing view failed: ${errorMessage(error)}`);
    })));
    return scaffolded;
  }

  /**
   * Moves the folder to a timestamped backup beside it. Its marker is renamed, so neither the
   * Testing view nor a command ever takes the backup for the challenge.
   */
  private async backUp(folder: string, id: string): Promise<string> {
    const backup = join(dirname(folder), backupName(id, new Date()));
    await rename(folder, backup);
    await rename(join(backup, MARKER_FILE), join(backup, BACKUP_MARKER_FILE)).catch(() => undefined);
    return backup;
  }

  private async sources(challenge: Challenge): Promise<ChallengeSources> {
    const root = this.study.contentPath(challenge.folder);
    const starter = await readTree(join(root, 'starter'));
    const tests = await readTree(join(root, 'tests'));
    const nodeTypes = await readFile(this.nodeTypesFile, 'utf8').catch(() => '');
    return { starter, tests, nodeTypes };
  }

  /**
   * The statement in the first editor group, the learner's file in the second: the same two
   * groups for every start, reset and open, never a new group beside the last one.
   */
  async openFiles(scaffolded: ScaffoldedChallenge): Promise<void> {
    const entry = vscode.Uri.joinPath(scaffolded.folder, ...scaffolded.marker.entry.split('/'));
    await this.showStatement(scaffolded.marker.challenge);
    await vscode.window.showTextDocument(entry, { viewColumn: vscode.ViewColumn.Two, preview: false });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.handoffs.clear();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file under a folder, by `/`-separated path relative to it. */
async function readTree(root: string, prefix = ''): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  let entries;
  try {
    entries = await readdir(join(root, prefix), { withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, await readTree(root, path));
    else if (entry.isFile()) files[path] = await readFile(join(root, path), 'utf8');
  }
  return files;
}
