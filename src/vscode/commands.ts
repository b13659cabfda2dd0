import * as vscode from 'vscode';
import { setLessonState } from '../core/progress/progress.ts';
import { LEVEL_FILTERS, type LevelFilter, type StudyNode } from '../core/study/studyTree.ts';
import type { LessonPanel } from './lessonPanel.ts';
import { exportProgressCommand, importProgressCommand, resetProgressCommand } from './progressCommands.ts';
import { quickOpen } from './quickOpen.ts';
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
  exportProgress: 'backendStudy.exportProgress',
  importProgress: 'backendStudy.importProgress',
  resetProgress: 'backendStudy.resetProgress',
} as const;

interface CommandDeps {
  readonly log: vscode.LogOutputChannel;
  readonly study: Study;
  readonly studyView: StudyView;
  readonly lessonPanel: LessonPanel;
}

export function registerCommands({ log, study, studyView, lessonPanel }: CommandDeps): vscode.Disposable[] {
  const openChallenge = async (id: string): Promise<void> => {
    const { catalog } = await study.loaded();
    const challenge = catalog.challenges.get(id);
    if (!challenge) return;
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(study.contentPath(`${challenge.folder}/challenge.md`)));
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

  return [
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
      const id = typeof target === 'string' ? target : (target as StudyNode | undefined)?.id;
      if (id) await openChallenge(id);
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
                LEVEL_FILTERS.map((filter) => ({ label: filter === 'all' ? 'All levels' : `${filter[0]?.toUpperCase() ?? ''}${filter.slice(1)}`, filter, picked: filter === studyView.levelFilter })),
                { title: 'Show items for level', placeHolder: `Now: ${studyView.levelFilter}` },
              )
            )?.filter;
      if (chosen) await studyView.setLevelFilter(chosen);
    }),
    vscode.commands.registerCommand(COMMANDS.exportProgress, (uri?: unknown) => exportProgressCommand(study.progress, uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(COMMANDS.importProgress, (uri?: unknown, mode?: unknown) =>
      importProgressCommand(study.progress, uri instanceof vscode.Uri ? uri : undefined, mode === 'merge' || mode === 'replace' ? mode : undefined),
    ),
    vscode.commands.registerCommand(COMMANDS.resetProgress, (confirmed?: unknown) => resetProgressCommand(study.progress, confirmed === true)),
  ];
}
