import * as vscode from 'vscode';
import { AREAS } from '../core/content/model.ts';
import type { Study } from './study.ts';

interface Pick extends vscode.QuickPickItem {
  readonly lessonId?: string;
  readonly anchor?: string;
  readonly challengeId?: string;
}

/** "Open Lesson or Challenge...": a quick pick over titles, tags and section headings. */
export async function quickOpen(study: Study, openLesson: (id: string, anchor?: string) => Promise<void>, openChallenge: (id: string) => Promise<void>): Promise<void> {
  const { catalog } = await study.loaded();
  const items: Pick[] = [];
  for (const area of AREAS) {
    const lessons = [...catalog.lessons.values()].filter((lesson) => lesson.area === area.id);
    if (lessons.length === 0) continue;
    items.push({ label: area.title, kind: vscode.QuickPickItemKind.Separator });
    for (const lesson of lessons) {
      items.push({ label: `$(book) ${lesson.title}`, description: `${lesson.minutes} min · ${lesson.level}`, detail: lesson.tags.map((tag) => `#${tag}`).join(' '), lessonId: lesson.id });
      for (const heading of lesson.headings.filter((candidate) => candidate.level === 2 || candidate.level === 3)) {
        items.push({ label: `$(symbol-key) ${heading.text}`, description: lesson.title, lessonId: lesson.id, anchor: heading.slug });
      }
    }
  }
  if (catalog.challenges.size > 0) {
    items.push({ label: 'Challenges', kind: vscode.QuickPickItemKind.Separator });
    for (const challenge of catalog.challenges.values()) {
      items.push({ label: `$(beaker) ${challenge.title}`, description: `${challenge.difficulty} · ${challenge.minutes} min`, detail: challenge.lessons.map((lesson) => `#${lesson}`).join(' '), challengeId: challenge.id });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Open Lesson or Challenge', placeHolder: 'Search titles, tags and section headings', matchOnDescription: true, matchOnDetail: true });
  if (picked?.lessonId) await openLesson(picked.lessonId, picked.anchor);
  else if (picked?.challengeId) await openChallenge(picked.challengeId);
}
