import * as vscode from 'vscode';
import type { ItemState } from '../core/progress/progress.ts';
import { buildStudyTree, emptyFilterNotice, filterDescription, LEVEL_FILTERS, type GroupNode, type LevelFilter, type StudyNode, type TodayNode } from '../core/study/studyTree.ts';
import { currentPlan, todayDescription } from './planPanel.ts';
import { reviewCounts } from './reviewPanel.ts';
import type { Study } from './study.ts';

const LEVEL_FILTER_KEY = 'backendStudy.levelFilter';

const STATE_ICONS: Record<ItemState, vscode.ThemeIcon> = {
  'not-started': new vscode.ThemeIcon('circle-large-outline'),
  'in-progress': new vscode.ThemeIcon('record', new vscode.ThemeColor('charts.yellow')),
  done: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
};

/** The study view in the activity bar: areas with their lessons, and the challenges. */
export class StudyView implements vscode.TreeDataProvider<StudyNode>, vscode.Disposable {
  static readonly id = 'backendStudy.studyView';

  private readonly changed = new vscode.EventEmitter<StudyNode | undefined>();
  private readonly levelChanged = new vscode.EventEmitter<LevelFilter>();
  /** The learner chose another target level: the plan and the reviews follow it. */
  readonly onDidChangeLevelFilter = this.levelChanged.event;
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly study: Study;
  private readonly state: vscode.Memento;
  private view: vscode.TreeView<StudyNode> | undefined;

  constructor(study: Study, state: vscode.Memento) {
    this.study = study;
    this.state = state;
    this.subscriptions.push(
      study.progress.onDidChange(() => {
        this.refresh();
      }),
      study.onDidChangeCatalog(() => {
        this.refresh();
      }),
    );
    void this.updateFilterContext();
  }

  /** The view this provider feeds: it shows the active filter in its description. */
  attach(view: vscode.TreeView<StudyNode>): void {
    this.view = view;
    view.description = filterDescription(this.levelFilter) ?? '';
  }

  get description(): string | undefined {
    return this.view?.description;
  }

  get levelFilter(): LevelFilter {
    const stored = this.state.get<unknown>(LEVEL_FILTER_KEY);
    return LEVEL_FILTERS.includes(stored as LevelFilter) ? (stored as LevelFilter) : 'all';
  }

  async setLevelFilter(filter: LevelFilter): Promise<void> {
    await this.state.update(LEVEL_FILTER_KEY, filter);
    await this.updateFilterContext();
    if (this.view) this.view.description = filterDescription(filter) ?? '';
    this.refresh();
    this.levelChanged.fire(filter);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: StudyNode): Promise<StudyNode[]> {
    if (node) return isGroup(node) ? [...node.children] : [];
    const { catalog } = await this.study.loaded();
    const filter = this.levelFilter;
    const groups = buildStudyTree(catalog, this.study.progress.progress, filter);
    // An empty view shows the welcome text, which speaks of content that could not be read.
    const rows: StudyNode[] = groups.length === 0 && filter !== 'all' ? [emptyFilterNotice(filter)] : groups;
    if (catalog.lessons.size === 0) return rows;
    const now = new Date();
    const reviews = await reviewCounts(this.study, now, filter === 'all' ? undefined : { level: filter });
    const waiting = reviews.due + reviews.fresh > 0 ? ` · ${reviews.due + reviews.fresh} review(s)` : '';
    const today: TodayNode = { kind: 'today', id: 'today', label: 'Today', description: `${todayDescription(currentPlan(catalog, this.study.progress.progress, filter), now)}${waiting}` };
    return [today, ...rows];
  }

  getTreeItem(node: StudyNode): vscode.TreeItem {
    if (node.kind === 'today') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = 'today';
      item.description = node.description;
      item.tooltip = 'The study plan: what is overdue, today’s items, the reviews due and the days left. Click to open it.';
      item.iconPath = new vscode.ThemeIcon('calendar');
      item.command = { command: 'backendStudy.openPlan', title: 'Open Study Plan' };
      return item;
    }
    if (node.kind === 'notice') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = `notice:${node.id}`;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon('filter');
      item.command = { command: 'backendStudy.filterByLevel', title: 'Show All Levels', arguments: ['all'] };
      return item;
    }
    if (isGroup(node)) {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.kind}:${node.id}`;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon(node.kind === 'area' ? 'book' : node.kind === 'focus' ? 'target' : 'beaker');
      item.contextValue = node.kind;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.kind}:${node.id}`;
    item.description = node.description;
    item.tooltip = new vscode.MarkdownString(node.tooltip.replace(/\n/g, '  \n'));
    item.iconPath = STATE_ICONS[node.state];
    item.contextValue = `${node.kind}.${node.state === 'done' ? 'done' : 'notDone'}`;
    item.accessibilityInformation = { label: `${node.label}, ${node.state.replace('-', ' ')}, ${node.description}` };
    item.command =
      node.kind === 'lesson' || node.kind === 'brief'
        ? { command: 'backendStudy.openLesson', title: node.kind === 'lesson' ? 'Open Lesson' : 'Open Brief', arguments: [node.id] }
        : { command: 'backendStudy.openChallenge', title: 'Open Challenge', arguments: [node.id] };
    return item;
  }

  private async updateFilterContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'backendStudy.levelFilter', this.levelFilter);
  }

  dispose(): void {
    this.changed.dispose();
    this.levelChanged.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

function isGroup(node: StudyNode): node is GroupNode {
  return node.kind === 'area' || node.kind === 'challenges' || node.kind === 'focus';
}
