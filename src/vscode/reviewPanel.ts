import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { REVIEW_GROUPS } from '../core/content/model.ts';
import { recordRating, setReviewSchedule, type Progress } from '../core/progress/progress.ts';
import { buildQueue, cramCards, matchesFilter, reviewCards, type ReviewCard, type ReviewFilter } from '../core/review/reviewQueue.ts';
import { ReviewSession } from '../core/review/reviewSession.ts';
import { formatInterval } from '../core/review/card.ts';
import type { ReviewScheduler } from '../core/review/schedule.ts';
import { parseReviewMessage, parseReviewOptions } from '../core/webview/messages.ts';
import { render, review } from './lazy.ts';
import type { Study } from './study.ts';

export interface ReviewOptions {
  readonly filter?: ReviewFilter;
  readonly cram?: boolean;
}

export interface ReviewActions {
  openLesson(id: string): Promise<void>;
}

/** What the status bar and the plan show: cards due now and new cards allowed today. */
export interface ReviewCounts {
  readonly due: number;
  readonly fresh: number;
}

const DEFAULT_NEW_PER_DAY = 20;

export function newCardsPerDay(): number {
  const value = vscode.workspace.getConfiguration('backendStudy').get<unknown>('newCardsPerDay', DEFAULT_NEW_PER_DAY);
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : DEFAULT_NEW_PER_DAY;
}

function startedLessons(progress: Progress): Set<string> {
  return new Set(Object.entries(progress.lessons).filter(([, entry]) => entry.state !== 'not-started').map(([id]) => id));
}

export async function reviewCounts(study: Study, now = new Date(), filter?: ReviewFilter): Promise<ReviewCounts> {
  const { catalog } = await study.loaded();
  const progress = study.progress.progress;
  const queue = buildQueue(reviewCards(catalog), progress.reviews, { now, newPerDay: newCardsPerDay(), startedLessons: startedLessons(progress), ...(filter ? { filter } : {}) });
  return { due: queue.due.length, fresh: queue.fresh.length };
}

function describeFilter(filter: ReviewFilter | undefined): string | undefined {
  const parts = [
    filter?.area ? (REVIEW_GROUPS.find((group) => group.id === filter.area)?.title ?? filter.area) : undefined,
    filter?.level ? `${filter.level} level${filter.level === 'senior' ? '' : ' and below'}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/**
 * The review page: one sitting at a time in one panel. Each rating is written to progress as
 * it is made, so closing the panel loses nothing; a window reload starts a new sitting with the
 * same limits.
 */
export class ReviewPanel implements vscode.Disposable {
  static readonly viewType = 'backendStudy.review';

  private panel: vscode.WebviewPanel | undefined;
  private session: ReviewSession | undefined;
  private options: ReviewOptions = {};
  private cards: readonly ReviewCard[] = [];
  private heldBack = 0;
  private scratch = '';
  /** The HTML on show, for the integration tests. */
  html: string | undefined;
  private schedulerInstance: ReviewScheduler | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly media: vscode.Uri;
  private readonly actions: ReviewActions;

  constructor(study: Study, extensionUri: vscode.Uri, actions: ReviewActions) {
    this.study = study;
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
    this.actions = actions;
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(ReviewPanel.viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          this.adopt(panel);
          await this.start(parseReviewOptions((state as { options?: unknown } | undefined)?.options), { preserveFocus: true });
        },
      }),
    );
  }

  get current(): ReviewCard | undefined {
    return this.session?.current;
  }

  async start(options: ReviewOptions = {}, show: { preserveFocus?: boolean } = {}): Promise<void> {
    const { catalog } = await this.study.loaded();
    const progress = this.study.progress.progress;
    const cards = reviewCards(catalog);
    this.cards = cards;
    const started = startedLessons(progress);
    const filter = options.filter ?? {};
    let sitting: ReviewCard[];
    if (options.cram) {
      sitting = cramCards(cards, progress.reviews, filter, started);
      this.heldBack = 0;
    } else {
      const queue = buildQueue(cards, progress.reviews, { now: new Date(), newPerDay: newCardsPerDay(), startedLessons: started, filter });
      sitting = [...queue.due, ...queue.fresh];
      this.heldBack = queue.heldBack;
    }
    this.options = options;
    this.schedulerInstance ??= new (review().ReviewScheduler)();
    this.session = new ReviewSession(sitting, progress.reviews, this.schedulerInstance, { cram: options.cram ?? false });
    this.scratch = '';
    this.panel ??= this.adopt(
      vscode.window.createWebviewPanel(ReviewPanel.viewType, 'Review', { viewColumn: vscode.ViewColumn.Active, preserveFocus: show.preserveFocus ?? false }, { enableFindWidget: true }),
    );
    this.render();
    this.panel.reveal(undefined, show.preserveFocus ?? false);
  }

  /** Shows the current card's answer, with what the learner wrote beside it. */
  reveal(scratch = ''): void {
    if (!this.session?.current) return;
    this.scratch = scratch;
    this.session.reveal();
    this.render();
  }

  async rate(rating: Parameters<ReviewSession['rate']>[0]): Promise<void> {
    const now = new Date();
    const change = this.session?.rate(rating, now);
    this.scratch = '';
    const schedule = change?.schedule;
    if (change && schedule) await this.study.progress.update((progress) => recordRating(progress, change.cardId, schedule, now));
    this.render();
  }

  async undo(): Promise<void> {
    const change = this.session?.undo();
    if (change) await this.study.progress.update((progress) => setReviewSchedule(progress, change.cardId, change.schedule));
    this.render();
  }

  private render(): void {
    const panel = this.panel;
    const session = this.session;
    if (!panel || !session) return;
    const now = new Date();
    const webview = panel.webview;
    this.html = render().reviewPage({
      card: session.current,
      revealed: session.revealed,
      scratch: this.scratch,
      previews: session.revealed ? session.preview(now) : [],
      remaining: session.remaining,
      rated: session.ratedCount,
      canUndo: session.canUndo,
      cram: session.cram,
      scope: describeFilter(this.options.filter),
      options: JSON.stringify(this.options),
      summary: session.current ? { heldBack: 0, nextDue: undefined, cramAvailable: 0 } : this.summary(now),
      cspSource: webview.cspSource,
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'lesson.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'review.js')).toString(),
      nonce: randomBytes(16).toString('base64'),
    });
    webview.html = this.html;
  }

  /** The closing screen: what waits for tomorrow, when the next card is due, what a cram would show. */
  private summary(now: Date): { heldBack: number; nextDue: string | undefined; cramAvailable: number } {
    const progress = this.study.progress.progress;
    const filter = this.options.filter ?? {};
    const inFilter = this.cards.filter((card) => matchesFilter(card, filter));
    const upcoming = inFilter
      .map((card) => progress.reviews[card.id])
      .flatMap((schedule) => (schedule ? [Date.parse(schedule.due)] : []))
      .filter((due) => due > now.getTime())
      .sort((a, b) => a - b)[0];
    return {
      heldBack: this.heldBack,
      nextDue: upcoming === undefined ? undefined : `in ${formatInterval(upcoming - now.getTime())}`,
      cramAvailable: cramCards(this.cards, progress.reviews, filter, startedLessons(progress)).length,
    };
  }

  private adopt(panel: vscode.WebviewPanel): vscode.WebviewPanel {
    if (this.panel !== panel) this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.media] };
    panel.iconPath = vscode.Uri.joinPath(this.media, 'activity-bar.svg');
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.session = undefined;
        this.html = undefined;
      }
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parseReviewMessage(raw);
      if (!message) return;
      switch (message.type) {
        case 'reveal':
          this.reveal(message.scratch);
          break;
        case 'rate':
          void this.rate(message.rating);
          break;
        case 'undo':
          void this.undo();
          break;
        case 'cram':
          void this.start({ ...this.options, cram: true });
          break;
        case 'openLesson':
          void this.actions.openLesson(message.lessonId);
          break;
        case 'openExternal':
          void vscode.env.openExternal(vscode.Uri.parse(message.url));
          break;
      }
    });
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
