// Renders a lesson's markdown to the HTML of the lesson webview. The output is a fragment with
// no scripts, no inline styles and no remote resources; interactive parts carry `data-*`
// attributes that the webview's own script turns into messages to the extension.
import type { RendererRule } from 'markdown-it';
import { parseYaml } from '../content/yaml.ts';
import type { Lesson } from '../content/model.ts';
import { resolveContentPath } from '../content/paths.ts';
import { attribute, createMarkdownIt, createSlugger, SNIPPET_TOKEN } from './markdownIt.ts';
import { escapeHtml, highlight, languageOf } from './highlight.ts';

export interface RenderContext {
  /** A snippet's source by its path relative to the content folder; undefined when it cannot be read. */
  readonly snippetSource: (path: string) => string | undefined;
  /** The lesson id a content-relative `.md` path belongs to, if it is a lesson. */
  readonly lessonIdOfFile: (path: string) => string | undefined;
}

const EXTERNAL = /^(https?:|mailto:)/i;

/** A code block whose highlighting was left for later: its language and its raw text. */
export interface CodeBlock {
  readonly language: string | undefined;
  readonly code: string;
}

/** A page whose code is plain escaped text; `code[i]` belongs to the element `code[data-code="i"]`. */
export interface RenderedLesson {
  readonly html: string;
  readonly code: readonly CodeBlock[];
}

/**
 * The lesson with its code as plain escaped text, and the blocks to colour afterwards
 * (highlightCode). Highlighting is most of a render (a large lesson carries 60 KB of
 * TypeScript), so the page is shown first and coloured when the webview is ready for it.
 */
export function renderLesson(lesson: Pick<Lesson, 'file' | 'body'>, context: RenderContext): RenderedLesson {
  const code: CodeBlock[] = [];
  /** The attribute that numbers a block to colour later; none for a block never highlighted (a diagram). */
  const numbered = (text: string, language: string | undefined): string => {
    if (language === undefined) return '';
    code.push({ language, code: text });
    return ` data-code="${code.length - 1}"`;
  };
  const md = createMarkdownIt();
  const slug = createSlugger();
  const defaultLinkOpen: RendererRule = (tokens, index, options, _env, self) => self.renderToken(tokens, index, options);

  md.renderer.rules.heading_open = (tokens, index, options, _env, self) => {
    tokens[index]?.attrSet('id', slug(tokens[index + 1]?.content.trim() ?? ''));
    return self.renderToken(tokens, index, options);
  };

  md.renderer.rules.link_open = (tokens, index, options, env, self) => {
    const token = tokens[index];
    const href = token ? attribute(token, 'href') : '';
    if (token && EXTERNAL.test(href)) {
      token.attrSet('data-external', '');
      token.attrSet('title', href);
    } else if (token && !href.startsWith('#')) {
      const [path = '', anchor] = href.split('#');
      const target = resolveContentPath(lesson.file, path);
      const lessonId = target === undefined ? undefined : context.lessonIdOfFile(target);
      if (lessonId) {
        token.attrSet('href', `#${anchor ?? ''}`);
        token.attrSet('data-lesson', lessonId);
        if (anchor) token.attrSet('data-anchor', anchor);
      } else {
        // Neither external nor a lesson: render as text rather than a link that goes nowhere.
        token.attrSet('href', '#');
        token.attrSet('data-broken-link', href);
      }
    }
    return defaultLinkOpen(tokens, index, options, env, self);
  };

  // Images would be remote or local resources the CSP forbids: show their description instead.
  md.renderer.rules.image = (tokens, index) => `<span class="image-alt">[${escapeHtml(tokens[index]?.content ?? 'image')}]</span>`;

  md.renderer.rules[SNIPPET_TOKEN] = (tokens, index) => {
    const relative = (tokens[index]?.meta as { path: string } | undefined)?.path ?? '';
    const path = resolveContentPath(lesson.file, relative);
    const source = path === undefined ? undefined : context.snippetSource(path);
    if (path === undefined || source === undefined) {
      return `<div class="snippet snippet-missing" role="note">Snippet <code>${escapeHtml(relative)}</code> could not be read.</div>\n`;
    }
    const name = path.replace(/^.*\//, '');
    return [
      `<figure class="snippet" data-snippet="${escapeHtml(path)}">`,
      `<figcaption><span class="snippet-file">${escapeHtml(name)}</span>`,
      '<span class="snippet-actions">',
      '<button type="button" data-action="open-snippet">Open in editor</button>',
      '<button type="button" data-action="run-snippet">Run in terminal</button>',
      '</span></figcaption>',
      `<pre><code class="hljs language-${languageOf(name) ?? 'text'}"${numbered(source, languageOf(name))}>${escapeHtml(source)}</code></pre>`,
      '</figure>\n',
    ].join('');
  };

  md.renderer.rules.fence = (tokens, index) => {
    const token = tokens[index];
    const info = token?.info.trim().split(/\s+/)[0] ?? '';
    const content = token?.content ?? '';
    if (info === 'quiz') return renderQuiz(content, md.render.bind(md));
    if (info === 'interview') return renderInterview(content, md.render.bind(md));
    const language = languageOf(info);
    return `<pre class="code-block${info === 'text' ? ' diagram' : ''}"><code class="hljs language-${escapeHtml(language ?? (info || 'text'))}"${numbered(content, language)}>${escapeHtml(content)}</code></pre>\n`;
  };

  return { html: md.render(lesson.body), code };
}

/** The highlighted HTML of each block renderLesson left plain, in order. */
export function highlightCode(blocks: readonly CodeBlock[]): string[] {
  return blocks.map((block) => highlight(block.code, block.language));
}

function renderQuiz(yamlText: string, render: (markdown: string) => string): string {
  const card = readRecord(yamlText);
  const id = escapeHtml(card.id ?? '');
  return [
    `<div class="quiz-card" id="${id}" data-quiz-id="${id}">`,
    `<div class="quiz-question">${render(card.question ?? '')}</div>`,
    '<button type="button" data-action="reveal-answer" aria-expanded="false">Show answer</button>',
    `<div class="quiz-answer" hidden>${render(`**Answer.** ${card.answer ?? ''}`)}${render(`**Why.** ${card.why ?? ''}`)}</div>`,
    '</div>\n',
  ].join('');
}

function renderInterview(yamlText: string, render: (markdown: string) => string): string {
  const question = readRecord(yamlText);
  const id = escapeHtml(question.id ?? '');
  return [
    `<details class="interview-question" id="${id}" data-question-id="${id}">`,
    `<summary><span class="question">${escapeHtml(question.question ?? '')}</span> <span class="level level-${escapeHtml(question.level ?? '')}">${escapeHtml(question.level ?? '')}</span></summary>`,
    `<div class="model-answer">${render(question.answer ?? '')}</div>`,
    '</details>\n',
  ].join('');
}

/** The validator has checked these blocks; rendering still never throws on one it has not seen. */
function readRecord(yamlText: string): Partial<Record<string, string>> {
  try {
    const value: unknown = parseYaml(yamlText);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}
