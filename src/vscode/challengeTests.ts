import { sep } from 'node:path';
import * as vscode from 'vscode';
import type { Challenges, ScaffoldedChallenge } from './challenges.ts';
import { Disposable } from './disposable.ts';
import type { Runtimes } from './runtime.ts';
import type { Study } from './study.ts';
import { TestRunner } from './testing/testRunner.ts';
import { TestTree, type ItemData } from './testing/testTree.ts';

export type { ChallengeRunSummary, RunReport } from './testing/testRunner.ts';

/** A continuous run: what it watches (no include: every challenge, those started later too). */
interface Watch {
  readonly include: readonly vscode.TestItem[] | undefined;
  readonly exclude: readonly vscode.TestItem[] | undefined;
  readonly token: vscode.CancellationToken;
}

/**
 * The challenges' tests in VS Code's Testing view: the controller and its profiles, wiring the
 * test tree (discovery, items, watchers) to the runner (queue, processes, debug), and
 * continuous runs on save.
 */
export class ChallengeTests extends Disposable {
  static readonly controllerId = 'backendStudy.challenges';

  readonly controller = this.register(vscode.tests.createTestController(ChallengeTests.controllerId, 'Backend Study Challenges'));
  readonly tree: TestTree;
  private readonly runner: TestRunner;
  private readonly watches = new Set<Watch>();
  readonly runProfile: vscode.TestRunProfile;
  readonly debugProfile: vscode.TestRunProfile;
  readonly onDidCompleteRun: TestRunner['onDidCompleteRun'];
  readonly onDidReport: TestRunner['onDidReport'];

  constructor(deps: { study: Study; challenges: Challenges; runtimes: Runtimes; reporter: string; probe: string; log: vscode.LogOutputChannel }) {
    super();
    this.tree = this.register(new TestTree(this.controller, deps.challenges, deps.study));
    this.runner = this.register(new TestRunner({ controller: this.controller, tree: this.tree, study: deps.study, runtimes: deps.runtimes, reporter: deps.reporter, probe: deps.probe, log: deps.log }));
    this.onDidCompleteRun = this.runner.onDidCompleteRun;
    this.onDidReport = this.runner.onDidReport;
    this.runProfile = this.register(this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true, undefined, true));
    this.debugProfile = this.register(this.controller.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, (request, token) => this.run(request, token), true));
    // The roots are titled from the catalog: one discovered before the catalog changed kept a
    // stale label while the others took the new one.
    this.register(deps.study.onDidChangeCatalog(() => void this.discoverAll()));
    this.register(vscode.workspace.onDidSaveTextDocument((document) => {
      this.rerunContinuous(document.uri);
    }));
  }

  discoverAll(): Promise<void> {
    return this.tree.discoverAll();
  }

  /** A challenge just scaffolded: into the tree at once. */
  async add(challenge: ScaffoldedChallenge): Promise<void> {
    await this.tree.add(challenge);
  }

  challengeItem(id: string): vscode.TestItem | undefined {
    return this.tree.challengeItem(id);
  }

  /** The data of one of our items; undefined for another controller's. */
  dataOf(item: vscode.TestItem): ItemData | undefined {
    return this.tree.find(item);
  }

  /** The profiles' run handler. */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const debug = request.profile?.kind === vscode.TestRunProfileKind.Debug;
    if (request.continuous) {
      const watch: Watch = { include: request.include, exclude: request.exclude, token };
      this.watches.add(watch);
      token.onCancellationRequested(() => this.watches.delete(watch));
      // A continuous request starts with one run, then one per save.
      await this.runner.run(new vscode.TestRunRequest(request.include, request.exclude, this.runProfile, true), token, false);
      return;
    }
    await this.runner.run(request, token, debug);
  }

  private rerunContinuous(uri: vscode.Uri): void {
    for (const watch of this.watches) {
      if (watch.token.isCancellationRequested) continue;
      const watched = watch.include ?? this.tree.challengeItems();
      const touched = watched.some((item) => {
        const data = this.tree.find(item);
        return data !== undefined && uri.fsPath.startsWith(`${data.challenge.folder.fsPath}${sep}`);
      });
      // The queue keeps one run per challenge: saves during a run leave one run waiting, not a pile.
      if (touched) void this.runner.run(new vscode.TestRunRequest(watch.include, watch.exclude, this.runProfile, true), watch.token, false);
    }
  }
}
