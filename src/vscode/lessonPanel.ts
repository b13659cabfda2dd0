import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LoadedCatalog } from '../core/content/catalog.ts';
import { AREAS, briefsOfFocus, documentOf, FOCUS_AREAS, lessonsOfArea, type StudyDocument } from '../core/content/model.ts';
import type { CodeBlock } from '../core/markdown/renderLesson.ts';
import { lessonOpened, lessonState, setLessonState } from '../core/progress/progress.ts';
import { parseLessonMessage, type LessonMessage } from '../core/webview/messages.ts';
import { render } from './lazy.ts';
import type { Study } from './study.ts';

export interface LessonActions {
  openSnippet(path: string): Promise<void>;
  runSnippet(path: string): Promise<void>;
  startChallenge(challengeId: string): Promise<void>;
}

/**
 * The lesson webview: one panel, reused for whichever lesson the learner opens, restored
 * after a window reload at the lesson it showed.
 */
export class LessonPanel implements vscode.Disposable {
  static readonly viewType = 'backendStudy.lesson';

  private panel: vscode.WebviewPanel | undefined;
  private lessonId: string | undefined;
  private pendingAnchor: string | undefined;
  /** The page on show: its render id and its code, highlighted once, when first needed. */
  private shown: { render: string; code: readonly CodeBlock[]; highlighted?: string[] } | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly media: vscode.Uri;
  private readonly actions: LessonActions;
  private readonly log: vscode.LogOutputChannel;

  constructor(study: Study, extensionUri: vscode.Uri, actions: LessonActions, log: vscode.LogOutputChannel) {
    this.study = study;
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
    this.actions = actions;
    this.log = log;
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(LessonPanel.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const lessonId = (state as { lessonId?: unknown } | undefined)?.lessonId;
          this.adopt(panel);
          const { catalog } = await study.loaded();
          if (typeof lessonId === 'string' && documentOf(catalog, lessonId)) await this.show(lessonId);
          else panel.dispose();
        },
      }),
      study.progress.onDidChange((progress) => {
        if (this.panel && this.lessonId) void this.panel.webview.postMessage({ type: 'complete', complete: lessonState(progress, this.lessonId) === 'done' });
      }),
      study.onDidChangeCatalog(() => {
        // The same lesson, rendered again from the new catalog (show() alone would only reveal it).
        if (this.lessonId) void this.show(this.lessonId, undefined, true);
      }),
    );
  }

  /** The lesson on show, for commands that act on "the current lesson". */
  get currentLessonId(): string | undefined {
    return this.panel ? this.lessonId : undefined;
  }

  get title(): string | undefined {
    return this.panel?.title;
  }

  /** The page's HTML as set on the webview (what the learner sees). */
  get html(): string | undefined {
    return this.panel?.webview.html;
  }

  /** Counts show() calls: a render that finishes after a newer show() started is dropped. */
  private generation = 0;

  async show(lessonId: string, anchor?: string, rerender = false): Promise<void> {
    const generation = ++this.generation;
    const loaded = await this.study.loaded();
    const lesson = documentOf(loaded.catalog, lessonId);
    if (!lesson) {
      void vscode.window.showErrorMessage(`There is no lesson "${lessonId}".`);
      return;
    }
    if (this.panel && this.lessonId === lessonId && !rerender) {
      // A hidden webview is rebuilt as it comes back and would lose a message sent now: it
      // gets the anchor when its script reports ready.
      if (anchor && !this.panel.visible) this.pendingAnchor = anchor;
      this.panel.reveal();
      if (anchor) void this.panel.webview.postMessage({ type: 'scrollTo', anchor });
      // Opening it again is still the learner's act: after a reset it starts the lesson again.
      await this.study.progress.update((progress) => lessonOpened(progress, lessonId, new Date()));
      return;
    }
    if (!this.panel) {
      this.adopt(
        // The webview's own options (scripts, resource roots) are set in adopt(), for created and restored panels alike.
        vscode.window.createWebviewPanel(LessonPanel.viewType, lesson.title, vscode.ViewColumn.Active, { enableFindWidget: true }),
      );
    }
    const panel = this.panel;
    if (!panel) return;
    const page = this.page(lesson, loaded, panel.webview, anchor);
    // The id, the title and the page change together, only for the latest request: opening A
    // then B quickly never shows A's page under B's title (and Mark complete acts on the page shown).
    if (generation !== this.generation || this.panel !== panel) return;
    this.lessonId = lessonId;
    panel.title = lesson.title;
    panel.webview.html = page.html;
    const shown = { render: page.render, code: page.code };
    this.shown = shown;
    // The webview takes longer to load than the highlighting takes: do it meanwhile, so the
    // colours are ready to send when the page says it is ready for them.
    setImmediate(() => {
      if (this.shown === shown) this.highlighted(shown);
    });
    if (rerender) return;
    panel.reveal();
    // Opening is the learner's act: a page rendered again (new content) starts nothing, so a
    // reset of progress is never undone by a render that was on its way.
    await this.study.progress.update((progress) => lessonOpened(progress, lessonId, new Date()));
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.media] };
    panel.iconPath = vscode.Uri.joinPath(this.media, 'activity-bar.svg');
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.lessonId = undefined;
        this.shown = undefined;
      }
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseLessonMessage(raw);
      if (!message) {
        this.log.debug(`Ignored a message from the lesson webview: ${JSON.stringify(raw)}`);
        return;
      }
      void this.handle(message).catch((error: unknown) => {
        this.log.error(`Lesson action ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  }

  private async handle(message: LessonMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        // Every (re)load of the page asks: a webview that comes back from the background is
        // rebuilt from the plain HTML and needs its colours again.
        const shown = this.shown;
        if (shown) await this.panel?.webview.postMessage({ type: 'highlight', render: shown.render, html: this.highlighted(shown) });
        const anchor = this.pendingAnchor;
        this.pendingAnchor = undefined;
        if (anchor) await this.panel?.webview.postMessage({ type: 'scrollTo', anchor });
        return;
      }
      case 'openLesson':
        return this.show(message.lessonId, message.anchor);
      case 'openExternal':
        await vscode.env.openExternal(vscode.Uri.parse(message.url, true));
        return;
      case 'openSnippet':
        return this.actions.openSnippet(message.path);
      case 'runSnippet':
        return this.actions.runSnippet(message.path);
      case 'startChallenge':
        return this.actions.startChallenge(message.challengeId);
      case 'setComplete': {
        const lessonId = this.lessonId;
        if (!lessonId) return;
        return this.study.progress.update((progress) => setLessonState(progress, lessonId, message.complete ? 'done' : 'in-progress', new Date()));
      }
    }
  }

  private highlighted(shown: NonNullable<LessonPanel['shown']>): string[] {
    shown.highlighted ??= render().highlightCode(shown.code);
    return shown.highlighted;
  }

  /**
   * Synchronous: the catalog holds every snippet's text, so a render reads no file. The code
   * is plain text here; the page asks for its colours when it has loaded.
   */
  private page(lesson: StudyDocument, loaded: LoadedCatalog, webview: vscode.Webview, anchor: string | undefined): { html: string; code: readonly CodeBlock[]; render: string } {
    const { catalog } = loaded;
    const lessonFiles = new Map([...catalog.lessons.values()].map((candidate) => [candidate.file, candidate.id]));
    const body = render().renderLesson(lesson, { snippetSource: (path) => loaded.snippetSources.get(path), lessonIdOfFile: (path) => lessonFiles.get(path) });
    const renderId = randomBytes(8).toString('hex');

    // Previous and next: the outline's order, lessons across areas, briefs within their focus area.
    const ordered: StudyDocument[] = lesson.kind === 'lesson' ? AREAS.flatMap((area) => lessonsOfArea(catalog, area.id)) : briefsOfFocus(catalog, lesson.focus);
    const index = ordered.findIndex((candidate) => candidate.id === lesson.id);
    const areaTitle =
      lesson.kind === 'lesson'
        ? (AREAS.find((area) => area.id === lesson.area)?.title ?? lesson.area)
        : `Focus area: ${FOCUS_AREAS.find((focus) => focus.id === lesson.focus)?.title ?? lesson.focus}`;
    const html = render().lessonPage({
      lesson,
      renderId,
      areaTitle,
      bodyHtml: body.html,
      complete: lessonState(this.study.progress.progress, lesson.id) === 'done',
      previous: ordered[index - 1],
      next: ordered[index + 1],
      challenges: lesson.challenges.flatMap((id) => {
        const challenge = catalog.challenges.get(id);
        return challenge ? [challenge] : [];
      }),
      anchor,
      cspSource: webview.cspSource,
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'lesson.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'lesson.js')).toString(),
      nonce: randomBytes(16).toString('base64'),
    });
    return { html, code: body.code, render: renderId };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
