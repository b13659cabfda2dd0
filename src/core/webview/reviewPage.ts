// The review page: one card at a time. The question first, with a box to answer in before the
// model answer shows (recall, not recognition); then the answer beside what the learner wrote,
// and four ratings, each with the wait it gives. The same strict CSP as every page.
import type { ReviewCard } from '../review/reviewQueue.ts';
import type { RatingPreview } from '../review/card.ts';
import { escapeHtml } from '../markdown/highlight.ts';
import { contentSecurityPolicy } from './lessonPage.ts';
import { renderPageMarkdown } from './pageMarkdown.ts';

export interface ReviewPageInput {
  /** Undefined when the sitting is over. */
  readonly card: ReviewCard | undefined;
  readonly revealed: boolean;
  /** What the learner wrote before revealing, shown beside the model answer. */
  readonly scratch: string;
  readonly previews: readonly RatingPreview[];
  readonly remaining: number;
  readonly rated: number;
  readonly canUndo: boolean;
  readonly cram: boolean;
  /** What the sitting is limited to, in words (`Databases, staff level and below`); undefined: everything. */
  readonly scope: string | undefined;
  /** The sitting's limits as JSON, kept in the webview's state so that a reload starts the same sitting. */
  readonly options: string;
  /** For the closing screen. */
  readonly summary: { readonly heldBack: number; readonly nextDue: string | undefined; readonly cramAvailable: number };
  readonly cspSource: string;
  readonly styleUri: string;
  readonly scriptUri: string;
  readonly nonce: string;
}

const RATING_LABELS = { again: 'Again', hard: 'Hard', good: 'Good', easy: 'Easy' } as const;

export function reviewPage(input: ReviewPageInput): string {
  const e = escapeHtml;
  const mode = input.cram ? 'Cram (the schedule does not change)' : 'Review';
  const scope = input.scope ? ` · ${e(input.scope)}` : '';
  const undo = input.canUndo ? '<button type="button" data-action="undo" title="Take back the last rating (U)">Undo last rating</button>' : '';
  const body = input.card ? cardHtml(input, input.card) : closingHtml(input);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(input.styleUri)}">
<title>Review</title>
</head>
<body class="review" data-card="${e(input.card?.id ?? '')}" data-revealed="${String(input.revealed)}" data-options="${e(input.options)}">
<header class="lesson-header">
<p class="breadcrumb">${mode}${scope} · <span class="review-count">${input.card ? `${input.remaining} left` : 'done'}</span> · ${input.rated} rated</p>
${undo}
</header>
<main>
${body}
</main>
<script nonce="${e(input.nonce)}" src="${e(input.scriptUri)}"></script>
</body>
</html>
`;
}

function cardHtml(input: ReviewPageInput, card: ReviewCard): string {
  const e = escapeHtml;
  const kind = card.kind === 'interview' ? 'Interview question' : 'Quiz card';
  const source = `<p class="breadcrumb">${kind} <span class="level">${e(card.level)}</span> · from <a href="#" data-lesson="${e(card.lessonId)}">${e(card.lessonTitle)}</a></p>`;
  const question = `<h1 class="review-question">${e(card.question)}</h1>`;
  if (!input.revealed) {
    const prompt = card.kind === 'interview' ? 'Answer first, here or aloud, as you would in the interview.' : 'Answer first, here or in your head.';
    return [
      source,
      question,
      `<label for="scratch" class="scratch-label">${prompt}</label>`,
      `<textarea id="scratch" class="scratch" rows="${card.kind === 'interview' ? 10 : 3}" spellcheck="true">${e(input.scratch)}</textarea>`,
      '<p><button type="button" class="primary" data-action="reveal">Show answer</button> <span class="key-hint">Space, or Ctrl+Enter in the box</span></p>',
    ].join('\n');
  }
  const model = card.kind === 'interview' ? renderPageMarkdown(card.answer) : `<p>${e(card.answer)}</p>${card.why ? `<p class="quiz-why"><strong>Why:</strong> ${e(card.why)}</p>` : ''}`;
  const yours = input.scratch.trim() === '' ? '' : `<section class="your-answer"><h2>Your answer</h2><pre class="scratch-shown">${e(input.scratch)}</pre></section>`;
  const buttons = input.previews
    .map(
      (preview, index) =>
        `<button type="button" class="rating rating-${preview.rating}${preview.rating === 'good' ? ' primary' : ''}" data-action="rate" data-rating="${preview.rating}" aria-keyshortcuts="${index + 1}">` +
        `<span class="rating-label">${RATING_LABELS[preview.rating]}</span> <span class="rating-interval">${e(preview.interval)}</span> <kbd>${index + 1}</kbd></button>`,
    )
    .join('');
  return [
    source,
    question,
    yours,
    `<section class="model-answer"><h2>Model answer</h2>${model}</section>`,
    `<div class="ratings" role="group" aria-label="How well did you recall it?">${buttons}</div>`,
  ].join('\n');
}

function closingHtml(input: ReviewPageInput): string {
  const e = escapeHtml;
  const lines = [input.rated > 0 ? `<h1>Done: ${input.rated} rated</h1>` : '<h1>Nothing is due</h1>'];
  if (!input.cram && input.summary.heldBack > 0) lines.push(`<p>${input.summary.heldBack} new card(s) wait for tomorrow: the setting <code>backendStudy.newCardsPerDay</code> caps new cards a day.</p>`);
  if (!input.cram && input.summary.nextDue) lines.push(`<p>Next card due ${e(input.summary.nextDue)}.</p>`);
  if (input.summary.cramAvailable > 0 && !input.cram) lines.push(`<p><button type="button" data-action="cram">Cram ${input.summary.cramAvailable} card(s) anyway</button> (the schedule does not change)</p>`);
  if (input.summary.cramAvailable === 0 && input.rated === 0) lines.push('<p>Cards join the reviews when you open their lesson: every quiz card and interview question of it.</p>');
  return lines.join('\n');
}
