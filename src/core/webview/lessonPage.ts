// The lesson webview's whole document. Its Content-Security-Policy allows nothing by default:
// styles only from the extension's media folder, the one script only by nonce, no remote
// resource of any kind.
import type { Challenge, Lesson } from '../content/model.ts';

/** What the page header needs of a lesson or a brief (a brief has no week and no objectives). */
export type PageDocument = Pick<Lesson, 'id' | 'title' | 'minutes' | 'level'> & { readonly week?: number; readonly objectives?: readonly string[] };
import { escapeHtml } from '../markdown/highlight.ts';

export interface LessonPageInput {
  readonly lesson: PageDocument;
  /** Names this render: the colours for its code blocks are posted with it (renderLesson, highlightCode). */
  readonly renderId?: string;
  readonly areaTitle: string;
  /** The rendered markdown body (renderLesson's html). */
  readonly bodyHtml: string;
  readonly complete: boolean;
  readonly previous: Pick<Lesson, 'id' | 'title'> | undefined;
  readonly next: Pick<Lesson, 'id' | 'title'> | undefined;
  readonly challenges: readonly Pick<Challenge, 'id' | 'title' | 'difficulty' | 'minutes'>[];
  /** Where to scroll after load. */
  readonly anchor: string | undefined;
  /** The webview's own source (`webview.cspSource`) and resource addresses. */
  readonly cspSource: string;
  readonly styleUri: string;
  readonly scriptUri: string;
  readonly nonce: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function lessonPage(input: LessonPageInput): string {
  const { lesson } = input;
  const e = escapeHtml;
  const navLink = (direction: 'previous' | 'next', target: LessonPageInput['previous']): string =>
    target ? `<a href="#" class="nav-${direction}" data-lesson="${e(target.id)}">${direction === 'previous' ? '← ' : ''}${e(target.title)}${direction === 'next' ? ' →' : ''}</a>` : '<span></span>';
  const challenges = input.challenges.length === 0
    ? ''
    : [
        '<section class="related-challenges" aria-labelledby="related-challenges">',
        '<h2 id="related-challenges">Practise it: related challenges</h2><ul>',
        ...input.challenges.map(
          (challenge) =>
            `<li><strong>${e(challenge.title)}</strong> <span class="level">${e(challenge.difficulty)}</span> ${challenge.minutes} min ` +
            `<button type="button" class="primary" data-action="start-challenge" data-challenge="${e(challenge.id)}">Start challenge</button></li>`,
        ),
        '</ul></section>',
      ].join('');
  const completeButton = (where: string): string =>
    `<button type="button" class="complete-toggle ${where}" data-action="toggle-complete" aria-pressed="${String(input.complete)}">${input.complete ? '✓ Completed' : 'Mark as complete'}</button>`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(input.styleUri)}">
<title>${e(lesson.title)}</title>
</head>
<body data-lesson-id="${e(lesson.id)}"${input.renderId ? ` data-render="${e(input.renderId)}"` : ''} data-complete="${String(input.complete)}"${input.anchor ? ` data-anchor="${e(input.anchor)}"` : ''}>
<header class="lesson-header">
<p class="breadcrumb">${e(input.areaTitle)} · ${lesson.minutes} min · ${e(lesson.level)}${lesson.week === undefined ? '' : ` · week ${lesson.week}`}</p>
<h1>${e(lesson.title)}</h1>
${lesson.objectives && lesson.objectives.length > 0 ? `<details class="objectives" open><summary>You will be able to</summary><ul>${lesson.objectives.map((objective) => `<li>${e(objective)}</li>`).join('')}</ul></details>` : ''}
${completeButton('top')}
</header>
<main>
${input.bodyHtml}
</main>
${challenges}
<footer class="lesson-footer">
${completeButton('bottom')}
<nav class="lesson-nav" aria-label="Lessons">${navLink('previous', input.previous)}${navLink('next', input.next)}</nav>
</footer>
<script nonce="${e(input.nonce)}" src="${e(input.scriptUri)}"></script>
</body>
</html>
`;
}
