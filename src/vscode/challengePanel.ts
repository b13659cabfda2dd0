import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { challengeProgress } from '../core/progress/progress.ts';
import { parseChallengeMessage } from '../core/webview/messages.ts';
import { render } from './lazy.ts';
import type { Study } from './study.ts';

export interface ChallengePanelActions {
  startChallenge(id: string): Promise<void>;
  showNextHint(id: string): Promise<void>;
  openLesson(id: string): Promise<void>;
}

/**
 * The challenge statement in a webview: one panel, in the first editor group (the learner's
 * files go in the second), re-rendered as hints are revealed, restored after a reload.
 */
export class ChallengePanel implements vscode.Disposable {
  static readonly viewType = 'backendStudy.challenge';

  private panel: vscode.WebviewPanel | undefined;
  private challengeId: string | undefined;
  /** The HTML on show, for the integration tests. */
  html: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly media: vscode.Uri;
  private readonly actions: ChallengePanelActions;
  private readonly started: (id: string) => Promise<boolean>;

  constructor(study: Study, extensionUri: vscode.Uri, actions: ChallengePanelActions, started: (id: string) => Promise<boolean>) {
    this.study = study;
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
    this.actions = actions;
    this.started = started;
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(ChallengePanel.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const id = (state as { challengeId?: unknown } | undefined)?.challengeId;
          this.adopt(panel);
          const { catalog } = await study.loaded();
          if (typeof id === 'string' && catalog.challenges.has(id)) await this.show(id, { preserveFocus: true });
          else panel.dispose();
        },
      }),
      study.progress.onDidChange(() => {
        if (this.challengeId) void this.render(this.challengeId);
      }),
    );
  }

  get currentChallengeId(): string | undefined {
    return this.panel ? this.challengeId : undefined;
  }

  async show(id: string, options: { preserveFocus?: boolean; anchor?: string } = {}): Promise<void> {
    const { catalog } = await this.study.loaded();
    const challenge = catalog.challenges.get(id);
    if (!challenge) return;
    this.panel ??= this.adopt(
      vscode.window.createWebviewPanel(ChallengePanel.viewType, challenge.title, { viewColumn: vscode.ViewColumn.One, preserveFocus: options.preserveFocus ?? false }, { enableFindWidget: true }),
    );
    this.challengeId = id;
    this.panel.title = challenge.title;
    await this.render(id, options.anchor);
    this.panel.reveal(vscode.ViewColumn.One, options.preserveFocus ?? false);
  }

  private async render(id: string, anchor?: string): Promise<void> {
    const panel = this.panel;
    const { catalog } = await this.study.loaded();
    const challenge = catalog.challenges.get(id);
    if (!panel || !challenge) return;
    const webview = panel.webview;
    this.html = render().challengePage({
      challenge,
      catalog,
      hintsShown: challengeProgress(this.study.progress.progress, id).hintsShown,
      started: await this.started(id),
      anchor,
      cspSource: webview.cspSource,
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'lesson.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'challenge.js')).toString(),
      nonce: randomBytes(16).toString('base64'),
    });
    webview.html = this.html;
  }

  private adopt(panel: vscode.WebviewPanel): vscode.WebviewPanel {
    if (this.panel !== panel) this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.media] };
    panel.iconPath = vscode.Uri.joinPath(this.media, 'activity-bar.svg');
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.challengeId = undefined;
        this.html = undefined;
      }
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseChallengeMessage(raw);
      const id = this.challengeId;
      if (!message || !id) return;
      if (message.type === 'startChallenge') void this.actions.startChallenge(id);
      else if (message.type === 'showNextHint') void this.actions.showNextHint(id);
      else void this.actions.openLesson(message.lessonId);
    });
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
