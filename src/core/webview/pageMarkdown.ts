// Markdown for the pages that show short text from the content (a challenge statement, its
// hints, a review card's model answer): the content's one markdown-it configuration, with code
// fences highlighted in place. Lessons have their own renderer (renderLesson), which defers the
// colours of long code.
import { escapeHtml, highlight, languageOf } from '../markdown/highlight.ts';
import { createMarkdownIt } from '../markdown/markdownIt.ts';

const md = createMarkdownIt();
md.renderer.rules.fence = (tokens, index) => {
  const token = tokens[index];
  const language = languageOf(token?.info.trim() ?? '');
  return `<pre class="code-block"><code class="hljs language-${escapeHtml(language ?? 'text')}">${highlight(token?.content ?? '', language)}</code></pre>\n`;
};

export function renderPageMarkdown(text: string): string {
  return md.render(text);
}
