import * as vscode from 'vscode';
import { AREAS, briefsOfFocus, FOCUS_AREAS, type StudyDocument } from '../core/content/model.ts';
import type { Study } from './study.ts';

interface Pick extends vscode.QuickPickItem {
  readonly lessonId?: string;
  readonly anchor?: string;
  readonly challengeId?: string;
}

/** A lesson or a brief, then its section headings, each opening the page at its place. */
function documentItems(document: StudyDocument, icon: string): Pick[] {
  return [
    { label: `$(${icon}) ${document.title}`, description: `${document.minutes} min · ${document.level}`, detail: document.tags.map((tag) => `#${tag}`).join(' '), lessonId: document.id },
    ...document.headings
      .filter((candidate) => candidate.level === 2 || candidate.level === 3)
      .map((heading) => ({ label: `$(symbol-key) ${heading.text}`, description: document.title, lessonId: document.id, anchor: heading.slug })),
  ];
}

/** "Open Lesson or Challenge...": a quick pick over titles, tags and section headings. */
export async function quickOpen(study: Study, openLesson: (id: string, anchor?: string) => Promise<void>, openChallenge: (id: string) => Promise<void>): Promise<void> {
  const { catalog } = await study.loaded();
  const items: Pick[] = [];
  for (const area of AREAS) {
    const lessons = [...catalog.lessons.values()].filter((lesson) => lesson.area === area.id);
    if (lessons.length === 0) continue;
    items.push({ label: area.title, kind: vscode.QuickPickItemKind.Separator });
    for (const lesson of lessons) items.push(...documentItems(lesson, 'book'));
  }
  for (const focus of FOCUS_AREAS) {
    const briefs = briefsOfFocus(catalog, focus.id);
    if (briefs.length === 0) continue;
    items.push({ label: `Focus: ${focus.title}`, kind: vscode.QuickPickItemKind.Separator });
    for (const brief of briefs) items.push(...documentItems(brief, 'target'));
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
