// The challenge statement as the learner reads it: title, difficulty, time, the task and its
// API, the related lessons that exist, and only the hints already revealed (through Show Next
// Hint), rendered as markdown. The front matter, the hints to come and internal ids stay out.
import type { Catalog, Challenge } from '../content/model.ts';
import { escapeHtml } from '../markdown/highlight.ts';
import { contentSecurityPolicy } from './lessonPage.ts';
import { renderPageMarkdown } from './pageMarkdown.ts';

export interface ChallengePageInput {
  readonly challenge: Challenge;
  readonly catalog: Catalog;
  readonly hintsShown: number;
  readonly started: boolean;
  /** An element to scroll to after load (the hint just revealed). */
  readonly anchor?: string | undefined;
  readonly cspSource: string;
  readonly styleUri: string;
  readonly scriptUri: string;
  readonly nonce: string;
}


export function challengePage(input: ChallengePageInput): string {
  const { challenge } = input;
  const e = escapeHtml;
  const statement = challenge.body.trim().replace(/^# .*\n+/, '');
  const lessons = challenge.lessons.flatMap((id) => {
    const lesson = input.catalog.lessons.get(id);
    return lesson ? [lesson] : [];
  });
  const shown = challenge.hints.slice(0, Math.max(0, input.hintsShown));
  const remaining = challenge.hints.length - shown.length;
  const related = lessons.length === 0
    ? ''
    : `<section class="related-lessons" aria-labelledby="related-lessons"><h2 id="related-lessons">Related lessons</h2><ul>${lessons
        .map((lesson) => `<li><a href="#" data-lesson="${e(lesson.id)}">${e(lesson.title)}</a> <span class="level">${lesson.minutes} min</span></li>`)
        .join('')}</ul></section>`;
  const hints = [
    `<section class="hints" aria-labelledby="hints"><h2 id="hints">Hints</h2>`,
    shown.length === 0 ? '<p class="no-hints">No hints shown yet.</p>' : `<ol class="hint-list">${shown.map((hint, index) => `<li id="hint-${index + 1}">${renderPageMarkdown(hint)}</li>`).join('')}</ol>`,
    remaining > 0
      ? `<button type="button" data-action="show-next-hint">Show Next Hint (${remaining} left)</button>`
      : '<p>All hints are shown. <em>Compare with Reference Solution</em> is the next step.</p>',
    '</section>',
  ].join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(input.styleUri)}">
<title>${e(challenge.title)}</title>
</head>
<body data-challenge-id="${e(challenge.id)}"${input.anchor ? ` data-anchor="${e(input.anchor)}"` : ''}>
<header class="lesson-header">
<p class="breadcrumb">Challenge · ${e(challenge.difficulty)} · about ${challenge.minutes} min · ${e(challenge.level)} level</p>
<h1>${e(challenge.title)}</h1>
<p>You edit <code>${e(challenge.entry)}</code> until its tests pass in the Testing view.</p>
<button type="button" class="primary" data-action="start-challenge">${input.started ? 'Open my files' : 'Start challenge'}</button>
</header>
<main>
${renderPageMarkdown(statement)}
</main>
${hints}
${related}
<script nonce="${e(input.nonce)}" src="${e(input.scriptUri)}"></script>
</body>
</html>
`;
}
