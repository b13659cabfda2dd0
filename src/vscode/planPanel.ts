import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Catalog } from '../core/content/model.ts';
import { daysBetween, isDay, localDay } from '../core/plan/calendar.ts';
import { buildPlan, streak, todayView, weekProgress, type IsDone, type PlanItemRef, type StudyPlan } from '../core/plan/plan.ts';
import { planToIcs, planToMarkdown } from '../core/plan/planExport.ts';
import { challengeProgress, lessonState, setPlan, type Progress } from '../core/progress/progress.ts';
import type { PlanSettings } from '../core/plan/plan.ts';
import { levelTrack } from '../core/study/levelTrack.ts';
import type { LevelFilter } from '../core/study/studyTree.ts';
import { parsePlanMessage, type PlanCommand } from '../core/webview/messages.ts';
import { render } from './lazy.ts';
import { exportUriFor } from './progressCommands.ts';
import { reviewCounts } from './reviewPanel.ts';
import type { Study } from './study.ts';

export interface PlanActions {
  openLesson(id: string): Promise<void>;
  openChallenge(id: string): Promise<void>;
  startReview(): Promise<void>;
  chooseLevel(): Promise<void>;
  /** The learner's level track (the study view's target level). */
  track(): LevelFilter;
}

export function isDoneIn(progress: Progress): IsDone {
  return (item: PlanItemRef) => (item.kind === 'lesson' ? lessonState(progress, item.id) === 'done' : challengeProgress(progress, item.id).state === 'done');
}

export function currentPlan(catalog: Catalog, progress: Progress, track: LevelFilter): StudyPlan | undefined {
  return progress.plan ? buildPlan(catalog, progress.plan, isDoneIn(progress), track) : undefined;
}

/**
 * The plan page and the commands that set the plan. The settings live in progress (exported
 * with it); the plan itself is computed from them, the catalog and what is done, every time.
 */
export class PlanPanel implements vscode.Disposable {
  static readonly viewType = 'backendStudy.plan';

  private panel: vscode.WebviewPanel | undefined;
  /** The HTML on show, for the integration tests. */
  html: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly media: vscode.Uri;
  private readonly actions: PlanActions;

  constructor(study: Study, extensionUri: vscode.Uri, actions: PlanActions) {
    this.study = study;
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
    this.actions = actions;
    this.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(PlanPanel.viewType, {
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
          await this.render();
        },
      }),
      study.progress.onDidChange(() => void this.render()),
      study.onDidChangeCatalog(() => void this.render()),
    );
  }

  /** Renders the page again if it is open (the level track changed). */
  refresh(): void {
    void this.render();
  }

  async show(): Promise<void> {
    this.panel ??= this.adopt(vscode.window.createWebviewPanel(PlanPanel.viewType, 'Study plan', vscode.ViewColumn.Active, { enableFindWidget: true }));
    await this.render();
    this.panel.reveal();
  }

  private async render(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    const { catalog } = await this.study.loaded();
    const progress = this.study.progress.progress;
    const now = new Date();
    const track = this.actions.track();
    const plan = currentPlan(catalog, progress, track);
    const webview = panel.webview;
    this.html = render().planPage({
      plan,
      today: plan ? todayView(plan, localDay(now)) : undefined,
      weeks: weekProgress(catalog, isDoneIn(progress), track),
      track: { target: track === 'all' ? undefined : track, levels: levelTrack(catalog, track === 'all' ? 'principal' : track, isDoneIn(progress)) },
      streak: streak(new Set(progress.activeDays), localDay(now)),
      reviews: await reviewCounts(this.study, now, track === 'all' ? undefined : { level: track }),
      cspSource: webview.cspSource,
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'lesson.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'plan.js')).toString(),
      nonce: randomBytes(16).toString('base64'),
    });
    webview.html = this.html;
  }

  /** Sets the start date (an argument skips the input box); the interview date, if any, must stay after it. */
  async setStart(day?: unknown): Promise<void> {
    const current = this.study.progress.progress.plan;
    const chosen = typeof day === 'string' ? day : await askDay('When does your study start?', current?.start ?? localDay(new Date()), (text) => (current?.interview && text >= current.interview ? `The interview date (${current.interview}) must be after the start.` : undefined));
    if (chosen === undefined) return;
    if (!isDay(chosen) || (current?.interview !== undefined && chosen >= current.interview)) {
      void vscode.window.showErrorMessage(`The start date ${JSON.stringify(chosen)} is not a calendar day before the interview date.`);
      return;
    }
    await this.update({ ...current, start: chosen });
  }

  /** Sets the interview date; an empty answer (or argument) clears it. */
  async setInterview(day?: unknown): Promise<void> {
    const current = this.study.progress.progress.plan ?? { start: localDay(new Date()) };
    const chosen = typeof day === 'string' ? day : await askDay('When is the interview? (empty: no date, a four-week plan)', current.interview ?? '', (text) => (text <= current.start ? `It must be after the start date, ${current.start}.` : undefined), true);
    if (chosen === undefined) return;
    if (chosen === '') {
      await this.update({ start: current.start, ...(current.hoursPerWeek === undefined ? {} : { hoursPerWeek: current.hoursPerWeek }) });
      return;
    }
    if (!isDay(chosen) || chosen <= current.start) {
      void vscode.window.showErrorMessage(`The interview date ${JSON.stringify(chosen)} is not a calendar day after the start (${current.start}).`);
      return;
    }
    await this.update({ ...current, interview: chosen });
  }

  async setHours(hours?: unknown): Promise<void> {
    const current = this.study.progress.progress.plan ?? { start: localDay(new Date()) };
    let value: number | undefined;
    if (typeof hours === 'number') value = hours;
    else {
      const text = await vscode.window.showInputBox({
        title: 'Study plan',
        prompt: 'How many hours a week can you study?',
        value: current.hoursPerWeek === undefined ? '' : String(current.hoursPerWeek),
        validateInput: (input) => (validHours(Number(input)) ? undefined : 'A number of hours from 0.5 to 100.'),
      });
      if (text === undefined) return;
      value = Number(text);
    }
    if (!validHours(value)) {
      void vscode.window.showErrorMessage(`${String(value)} is not a number of hours from 0.5 to 100.`);
      return;
    }
    await this.update({ ...current, hoursPerWeek: value });
  }

  async exportCalendar(target?: unknown): Promise<void> {
    await this.exportAs(target, 'ics', (plan) => planToIcs(plan, new Date()));
  }

  async exportChecklist(target?: unknown): Promise<void> {
    await this.exportAs(target, 'md', (plan) => planToMarkdown(plan));
  }

  private async exportAs(target: unknown, extension: 'ics' | 'md', make: (plan: StudyPlan) => string): Promise<void> {
    const { catalog } = await this.study.loaded();
    const plan = currentPlan(catalog, this.study.progress.progress, this.actions.track());
    if (!plan) {
      void vscode.window.showInformationMessage('Set a start date first: "Backend Study: Set Plan Start Date".');
      return;
    }
    const uri =
      target instanceof vscode.Uri
        ? target
        : await vscode.window.showSaveDialog({
            title: extension === 'ics' ? 'Export the plan as a calendar' : 'Export the plan as a checklist',
            defaultUri: exportUriFor(`study-plan-${plan.settings.start}.${extension}`),
            filters: extension === 'ics' ? { Calendar: ['ics'] } : { Markdown: ['md'] },
          });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(make(plan)));
    if (!(target instanceof vscode.Uri)) void vscode.window.showInformationMessage(`Study plan exported to ${uri.fsPath}.`);
  }

  private async update(plan: PlanSettings): Promise<void> {
    await this.study.progress.update((progress) => setPlan(progress, plan));
  }

  private adopt(panel: vscode.WebviewPanel): vscode.WebviewPanel {
    if (this.panel !== panel) this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.media] };
    panel.iconPath = vscode.Uri.joinPath(this.media, 'activity-bar.svg');
    panel.onDidDispose(() => {
      if (this.panel === panel) {
        this.panel = undefined;
        this.html = undefined;
      }
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => {
      const message = parsePlanMessage(raw);
      if (!message) return;
      if (message.type === 'open') void (message.kind === 'lesson' ? this.actions.openLesson(message.id) : this.actions.openChallenge(message.id));
      else void this.run(message.command);
    });
    return panel;
  }

  private async run(command: PlanCommand): Promise<void> {
    switch (command) {
      case 'setStart':
        return this.setStart();
      case 'setInterview':
        return this.setInterview();
      case 'setHours':
        return this.setHours();
      case 'exportCalendar':
        return this.exportCalendar();
      case 'exportChecklist':
        return this.exportChecklist();
      case 'startReview':
        return this.actions.startReview();
      case 'chooseLevel':
        return this.actions.chooseLevel();
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

function validHours(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0.5 && value <= 100;
}

async function askDay(prompt: string, value: string, extra: (text: string) => string | undefined, optional = false): Promise<string | undefined> {
  const answer = await vscode.window.showInputBox({
    title: 'Study plan',
    prompt: `${prompt} As YYYY-MM-DD.`,
    value,
    validateInput: (text) => {
      const trimmed = text.trim();
      if (optional && trimmed === '') return undefined;
      if (!isDay(trimmed)) return 'A calendar day as YYYY-MM-DD, such as 2026-12-07.';
      return extra(trimmed);
    },
  });
  return answer?.trim();
}

/** The status of today's plan in words, for the study view's Today item. */
export function todayDescription(plan: StudyPlan | undefined, now: Date): string {
  if (!plan) return 'set a start date';
  const today = todayView(plan, localDay(now));
  if (today.startsIn !== undefined) return `starts in ${today.startsIn} day(s)`;
  if (!today.day) return `ended ${daysBetween(plan.end, localDay(now))} day(s) ago`;
  const open = today.items.filter((entry) => !entry.done).length;
  return [`${open} item(s) today`, today.overdue.length > 0 ? `${today.overdue.length} overdue` : undefined, `${today.daysRemaining} day(s) left`].filter(Boolean).join(' · ');
}
