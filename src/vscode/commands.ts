import * as vscode from 'vscode';
import { REVIEW_GROUPS } from '../core/content/model.ts';
import { setLessonState } from '../core/progress/progress.ts';
import { filterDescription, LEVEL_FILTERS, type LevelFilter, type StudyNode } from '../core/study/studyTree.ts';
import type { ChallengePanel } from './challengePanel.ts';
import type { ChallengeTests } from './challengeTests.ts';
import type { Challenges, ScaffoldedChallenge } from './challenges.ts';
import type { LessonPanel } from './lessonPanel.ts';
import { exportProgressCommand, importProgressCommand, resetProgressCommand } from './progressCommands.ts';
import { quickOpen } from './quickOpen.ts';
import { parseReviewOptions } from '../core/webview/messages.ts';
import { reviewCounts, type ReviewOptions, type ReviewPanel } from './reviewPanel.ts';
import type { PlanPanel } from './planPanel.ts';
import type { Snippets } from './snippets.ts';
import type { Study } from './study.ts';
import { StudyView } from './studyView.ts';

/** Every command the extension contributes, by id. The manifest's `contributes.commands` must list the same ids. */
export const COMMANDS = {
  showLog: 'backendStudy.showLog',
  focusStudyView: 'backendStudy.focusStudyView',
  openLesson: 'backendStudy.openLesson',
  openChallenge: 'backendStudy.openChallenge',
  quickOpen: 'backendStudy.quickOpen',
  markLessonComplete: 'backendStudy.markLessonComplete',
  markLessonNotComplete: 'backendStudy.markLessonNotComplete',
  filterByLevel: 'backendStudy.filterByLevel',
  clearLevelFilter: 'backendStudy.clearLevelFilter',
  exportProgress: 'backendStudy.exportProgress',
  importProgress: 'backendStudy.importProgress',
  resetProgress: 'backendStudy.resetProgress',
  startChallenge: 'backendStudy.startChallenge',
  showNextHint: 'backendStudy.showNextHint',
  compareWithSolution: 'backendStudy.compareWithSolution',
  resetChallenge: 'backendStudy.resetChallenge',
  installNodeTypes: 'backendStudy.installNodeTypes',
  editSnippetCopy: 'backendStudy.editSnippetCopy',
  runSnippet: 'backendStudy.runSnippet',
  startReview: 'backendStudy.startReview',
  reviewArea: 'backendStudy.reviewArea',
  cramReview: 'backendStudy.cramReview',
  openPlan: 'backendStudy.openPlan',
  setPlanStart: 'backendStudy.setPlanStart',
  setInterviewDate: 'backendStudy.setInterviewDate',
  setHoursPerWeek: 'backendStudy.setHoursPerWeek',
  exportPlanCalendar: 'backendStudy.exportPlanCalendar',
  exportPlanChecklist: 'backendStudy.exportPlanChecklist',
} as const;

interface CommandDeps {
  readonly log: vscode.LogOutputChannel;
  readonly study: Study;
  readonly studyView: StudyView;
  readonly lessonPanel: LessonPanel;
  readonly challenges: Challenges;
  readonly challengeTests: ChallengeTests;
  readonly snippets: Snippets;
  readonly challengePanel: ChallengePanel;
  readonly reviewPanel: ReviewPanel;
  readonly planPanel: PlanPanel;
}

export function registerCommands({ log, study, studyView, lessonPanel, challenges, challengeTests, snippets, challengePanel, reviewPanel, planPanel }: CommandDeps): vscode.Disposable[] {
  /** A challenge command's target: an id, a tree or test item, the challenge of the active editor, else the learner's pick. */
  const challengeOf = async (target: unknown): Promise<string | undefined> => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object') {
      if ((target as StudyNode).kind === 'challenge') return (target as StudyNode).id;
      const data = challengeTests.dataOf(target as vscode.TestItem);
      if (data) return data.challenge.marker.challenge;
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    const containing = active && (await challenges.containing(active));
    if (containing) return containing.marker.challenge;
    const { catalog } = await study.loaded();
    const picked = await vscode.window.showQuickPick(
      [...catalog.challenges.values()].map((challenge) => ({ label: challenge.title, description: `${challenge.difficulty} · ${challenge.minutes} min`, id: challenge.id })),
      { placeHolder: 'Which challenge?' },
    );
    return picked?.id;
  };

  /** The scaffolded copy of a challenge, or a message that it needs starting first. */
  const scaffoldedOf = async (target: unknown): Promise<ScaffoldedChallenge | undefined> => {
    const id = await challengeOf(target);
    if (!id) return undefined;
    const found = await challenges.find(id);
    if (!found) void vscode.window.showInformationMessage(`Start the challenge first: "Backend Study: Start Challenge".`);
    return found;
  };

  const openChallenge = async (id: string): Promise<void> => {
    await challengePanel.show(id);
  };

  /** A lesson command's target: a tree item, an id, else the lesson on show, else the learner's pick. */
  const lessonOf = async (target: unknown): Promise<string | undefined> => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object' && (target as StudyNode).kind === 'lesson') return (target as StudyNode).id;
    if (lessonPanel.currentLessonId) return lessonPanel.currentLessonId;
    const { catalog } = await study.loaded();
    const picked = await vscode.window.showQuickPick(
      [...catalog.lessons.values()].map((lesson) => ({ label: lesson.title, id: lesson.id })),
      { placeHolder: 'Which lesson?' },
    );
    return picked?.id;
  };

  const setComplete = (complete: boolean) => async (target: unknown) => {
    const id = await lessonOf(target);
    if (id) await study.progress.update((progress) => setLessonState(progress, id, complete ? 'done' : 'in-progress', new Date()));
  };

  /** A sitting's limits: the command's argument if it gives any (tests, links), else the study view's level filter. */
  const reviewOptionsOf = (argument: unknown, cram: boolean): ReviewOptions => {
    if (argument && typeof argument === 'object') return { ...parseReviewOptions(argument), ...(cram ? { cram } : {}) };
    const level = studyView.levelFilter;
    return { filter: level === 'all' ? {} : { level }, cram };
  };

  /** A snippet command's target: a URI (editor title menus pass it), else the active editor's file. */
  const snippetUri = (target: unknown): vscode.Uri | undefined => (target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri);

  return [
    vscode.commands.registerCommand(COMMANDS.editSnippetCopy, async (target?: unknown) => {
      const uri = snippetUri(target);
      const original = uri && (await snippets.originalOf(uri));
      if (original) return snippets.editCopy(original);
      void vscode.window.showInformationMessage('Open a lesson snippet first ("Open in editor" on the lesson page).');
      return undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.runSnippet, async (target?: unknown) => {
      const uri = snippetUri(target);
      return uri ? snippets.runCopy(uri) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.showLog, () => {
      log.show(true);
    }),
    vscode.commands.registerCommand(COMMANDS.focusStudyView, async () => {
      // `<view id>.focus` is the command VS Code generates for every contributed view.
      await vscode.commands.executeCommand(`${StudyView.id}.focus`);
    }),
    vscode.commands.registerCommand(COMMANDS.openLesson, async (id?: unknown, anchor?: unknown) => {
      const lessonId = await lessonOf(id);
      if (lessonId) await lessonPanel.show(lessonId, typeof anchor === 'string' ? anchor : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.openChallenge, async (target?: unknown) => {
      const id = await challengeOf(target);
      if (!id) return;
      const scaffolded = await challenges.find(id);
      if (scaffolded) await challenges.openFiles(scaffolded);
      else await openChallenge(id);
    }),
    vscode.commands.registerCommand(COMMANDS.quickOpen, () => quickOpen(study, (id, anchor) => lessonPanel.show(id, anchor), openChallenge)),
    vscode.commands.registerCommand(COMMANDS.markLessonComplete, setComplete(true)),
    vscode.commands.registerCommand(COMMANDS.markLessonNotComplete, setComplete(false)),
    vscode.commands.registerCommand(COMMANDS.filterByLevel, async (level?: unknown) => {
      const chosen =
        typeof level === 'string' && LEVEL_FILTERS.includes(level as LevelFilter)
          ? (level as LevelFilter)
          : (
              await vscode.window.showQuickPick(
                LEVEL_FILTERS.map((filter) => ({
                  label: filter === 'all' ? 'All levels' : `${filter[0]?.toUpperCase() ?? ''}${filter.slice(1)}`,
                  description: filterDescription(filter) ?? 'no target level',
                  filter,
                  picked: filter === studyView.levelFilter,
                })),
                { title: 'Choose your target level', placeHolder: `The study view, the plan and the reviews show that level and the ones below it. Now: ${studyView.levelFilter}` },
              )
            )?.filter;
      if (chosen) await studyView.setLevelFilter(chosen);
    }),
    vscode.commands.registerCommand(COMMANDS.clearLevelFilter, () => studyView.setLevelFilter('all')),
    vscode.commands.registerCommand(COMMANDS.exportProgress, (uri?: unknown) => exportProgressCommand(study.progress, uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(COMMANDS.importProgress, (uri?: unknown, mode?: unknown) =>
      importProgressCommand(study.progress, uri instanceof vscode.Uri ? uri : undefined, mode === 'merge' || mode === 'replace' ? mode : undefined),
    ),
    vscode.commands.registerCommand(COMMANDS.resetProgress, (confirmed?: unknown) => resetProgressCommand(study.progress, confirmed === true)),
    vscode.commands.registerCommand(COMMANDS.startReview, (options?: unknown) => reviewPanel.start(reviewOptionsOf(options, false))),
    vscode.commands.registerCommand(COMMANDS.cramReview, (options?: unknown) => reviewPanel.start(reviewOptionsOf(options, true))),
    vscode.commands.registerCommand(COMMANDS.reviewArea, async () => {
      const base = reviewOptionsOf(undefined, false);
      const picked = await vscode.window.showQuickPick(
        await Promise.all(
          REVIEW_GROUPS.map(async (area) => {
            const counts = await reviewCounts(study, new Date(), { ...base.filter, area: area.id });
            return { label: area.title, description: `${counts.due} due · ${counts.fresh} new`, area: area.id };
          }),
        ),
        { title: 'Review one area', placeHolder: 'Which area?' },
      );
      if (picked) await reviewPanel.start({ filter: { ...base.filter, area: picked.area } });
    }),
    vscode.commands.registerCommand(COMMANDS.openPlan, () => planPanel.show()),
    vscode.commands.registerCommand(COMMANDS.setPlanStart, (day?: unknown) => planPanel.setStart(day)),
    vscode.commands.registerCommand(COMMANDS.setInterviewDate, (day?: unknown) => planPanel.setInterview(day)),
    vscode.commands.registerCommand(COMMANDS.setHoursPerWeek, (hours?: unknown) => planPanel.setHours(hours)),
    vscode.commands.registerCommand(COMMANDS.exportPlanCalendar, (uri?: unknown) => planPanel.exportCalendar(uri)),
    vscode.commands.registerCommand(COMMANDS.exportPlanChecklist, (uri?: unknown) => planPanel.exportChecklist(uri)),
    vscode.commands.registerCommand(COMMANDS.startChallenge, async (target?: unknown) => {
      const id = await challengeOf(target);
      return id ? challenges.start(id) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.showNextHint, async (target?: unknown) => {
      const id = await challengeOf(target);
      return id ? challenges.showNextHint(id) : undefined;
    }),
    vscode.commands.registerCommand(COMMANDS.compareWithSolution, async (target?: unknown, confirmed?: unknown) => {
      const scaffolded = await scaffoldedOf(target);
      return scaffolded ? challenges.compareWithSolution(scaffolded, confirmed === true) : false;
    }),
    vscode.commands.registerCommand(COMMANDS.installNodeTypes, async (target?: unknown) => {
      const scaffolded = await scaffoldedOf(target);
      return scaffolded ? challenges.installNodeTypes(scaffolded) : false;
    }),
    vscode.commands.registerCommand(COMMANDS.resetChallenge, async (target?: unknown, confirmed?: unknown) => {
      const scaffolded = await scaffoldedOf(target);
      return scaffolded ? challenges.reset(scaffolded, confirmed === true) : undefined;
    }),
  ];
}
