// Composition root: builds the core objects and the adapters, and registers every disposable.
// Nothing else reaches into VS Code's global state.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ChallengePanel } from './vscode/challengePanel.ts';
import { ChallengeTests } from './vscode/challengeTests.ts';
import { Challenges } from './vscode/challenges.ts';
import { COMMANDS, registerCommands } from './vscode/commands.ts';
import { LessonPanel } from './vscode/lessonPanel.ts';
import { PlanPanel } from './vscode/planPanel.ts';
import { ProgressStore } from './vscode/progressStore.ts';
import { ReviewPanel } from './vscode/reviewPanel.ts';
import { ReviewStatusBar } from './vscode/reviewStatusBar.ts';
import { Runtimes } from './vscode/runtime.ts';
import { Snippets } from './vscode/snippets.ts';
import { StatusBar } from './vscode/statusBar.ts';
import { Study } from './vscode/study.ts';
import { StudyView } from './vscode/studyView.ts';

/** What activation hands to the integration tests through the extension's exports; not an API for other extensions. */
export interface ExtensionApi {
  /** Milliseconds from the start of `activate` to its end, measured inside the extension host. */
  readonly activationMs: number;
  /** Set only when the extension host runs tests. */
  readonly testing?: {
    readonly study: Study;
    readonly studyView: StudyView;
    readonly lessonPanel: LessonPanel;
    readonly statusBar: StatusBar;
    readonly snippets: Snippets;
    readonly workspaceState: vscode.Memento;
    readonly challenges: Challenges;
    readonly challengeTests: ChallengeTests;
    readonly challengePanel: ChallengePanel;
    readonly reviewPanel: ReviewPanel;
    readonly reviewStatusBar: ReviewStatusBar;
    readonly planPanel: PlanPanel;
  };
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Backend Interview Prep', { log: true });
  const progress = new ProgressStore(context.workspaceState, log);
  const study = new Study(join(context.extensionUri.fsPath, 'content'), progress, log, join(context.extensionUri.fsPath, 'dist', 'content-index.json'));
  const runtimes = new Runtimes(log);
  const snippets = new Snippets(study, runtimes, context.globalStorageUri);
  // The statement panel and the challenges need each other: the panel's buttons start a
  // challenge, and a start or a hint shows the statement.
  const statement: { panel?: ChallengePanel } = {};
  const challenges = new Challenges({
    study,
    globalState: context.globalState,
    version: versionOf(context),
    nodeTypesFile: join(study.contentRoot, 'learner-types', 'node.d.ts'),
    runtimes,
    log,
    showStatement: async (id, anchor) => statement.panel?.show(id, { preserveFocus: true, ...(anchor ? { anchor } : {}) }),
  });
  const challengeTests = new ChallengeTests({ study, challenges, runtimes, reporter: context.asAbsolutePath(join('dist', 'reporter.mjs')), probe: context.asAbsolutePath(join('dist', 'probe.mjs')), log });
  const lessonPanel = new LessonPanel(study, context.extensionUri, {
    openSnippet: (path) => snippets.open(path),
    runSnippet: async (path) => {
      await snippets.run(path);
    },
    startChallenge: async (id) => {
      await vscode.commands.executeCommand(COMMANDS.startChallenge, id);
    },
  }, log);
  const challengePanel = new ChallengePanel(
    study,
    context.extensionUri,
    {
      startChallenge: async (id) => {
        await vscode.commands.executeCommand(COMMANDS.startChallenge, id);
      },
      showNextHint: async (id) => {
        await challenges.showNextHint(id);
      },
      openLesson: (id) => lessonPanel.show(id),
    },
    async (id) => (await challenges.find(id)) !== undefined,
  );
  statement.panel = challengePanel;
  const studyView = new StudyView(study, context.workspaceState);
  const studyTreeView = vscode.window.createTreeView(StudyView.id, { treeDataProvider: studyView });
  studyView.attach(studyTreeView);
  const statusBar = new StatusBar(study);
  const reviewPanel = new ReviewPanel(study, context.extensionUri, { openLesson: (id) => lessonPanel.show(id) });
  const reviewStatusBar = new ReviewStatusBar(study, COMMANDS.startReview, () => studyView.levelFilter);
  const planPanel = new PlanPanel(study, context.extensionUri, {
    openLesson: (id) => lessonPanel.show(id),
    openChallenge: async (id) => {
      await vscode.commands.executeCommand(COMMANDS.openChallenge, id);
    },
    startReview: async () => {
      await vscode.commands.executeCommand(COMMANDS.startReview);
    },
    chooseLevel: async () => {
      await vscode.commands.executeCommand(COMMANDS.filterByLevel);
    },
    track: () => studyView.levelFilter,
  });
  studyView.onDidChangeLevelFilter(() => {
    planPanel.refresh();
    void reviewStatusBar.update();
  });

  context.subscriptions.push(
    log,
    progress,
    study,
    runtimes,
    snippets,
    lessonPanel,
    studyView,
    statusBar,
    reviewPanel,
    reviewStatusBar,
    planPanel,
    challenges,
    challengeTests,
    challengePanel,
    studyTreeView,
    challenges.onDidScaffold((challenge) => challengeTests.add(challenge)),
    ...registerCommands({ log, study, studyView, lessonPanel, challenges, challengeTests, snippets, challengePanel, reviewPanel, planPanel }),
  );
  void challengeTests.discoverAll();
  void challenges.resumePendingOpen();

  if (context.extensionMode === vscode.ExtensionMode.Development) {
    // Authors editing content/ see their change without reloading the window.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(study.contentRoot), '**/*'));
    const reload = (): void => {
      study.reload();
    };
    context.subscriptions.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
  }

  const activationMs = performance.now() - started;
  log.info(`Activated in ${activationMs.toFixed(1)} ms.`);
  return {
    activationMs,
    ...(context.extensionMode === vscode.ExtensionMode.Test ? { testing: { study, studyView, lessonPanel, statusBar, snippets, workspaceState: context.workspaceState, challenges, challengeTests, challengePanel, reviewPanel, reviewStatusBar, planPanel } } : {}),
  };
}

export function deactivate(): void {
  // Every resource is a disposable in context.subscriptions; VS Code disposes them.
}

function versionOf(context: vscode.ExtensionContext): string {
  const version = (context.extension.packageJSON as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
