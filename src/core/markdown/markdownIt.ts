import markdownIt, { type MarkdownIt, type StateBlock } from 'markdown-it';

/** `@[snippet](path)` on a line of its own: includes a snippet file (path relative to the lesson). */
export const SNIPPET_INCLUDE = /^@\[snippet\]\(([^()\s]+)\)\s*$/;
export const SNIPPET_TOKEN = 'snippet_include';

/**
 * The one markdown-it configuration that both the validator and the renderer parse with, so
 * they agree on what is a heading, a code block or an include. Raw HTML is off: lesson text
 * is never trusted to inject markup into the webview.
 */
export function createMarkdownIt(): MarkdownIt {
  const md = markdownIt({ html: false, linkify: false, typographer: false });
  md.block.ruler.before('paragraph', SNIPPET_TOKEN, snippetIncludeRule, { alt: ['paragraph'] });
  return md;
}

function snippetIncludeRule(state: StateBlock, startLine: number, _endLine: number, silent: boolean): boolean {
  const start = (state.bMarks[startLine] ?? 0) + (state.tShift[startLine] ?? 0);
  const end = state.eMarks[startLine] ?? start;
  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false;
  const match = SNIPPET_INCLUDE.exec(state.src.slice(start, end));
  if (!match) return false;
  if (silent) return true;
  const token = state.push(SNIPPET_TOKEN, '', 0);
  token.meta = { path: match[1] };
  token.map = [startLine, startLine + 1];
  token.block = true;
  state.line = startLine + 1;
  return true;
}

/** GitHub-style heading anchors: lower case, punctuation dropped, spaces to hyphens; repeats get `-1`, `-2`. */
export function createSlugger(): (text: string) => string {
  const seen = new Map<string, number>();
  return (text) => {
    const base =
      text
        .toLowerCase()
        .trim()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-') || 'section';
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  };
}

/** A token attribute as a string ('' when absent); markdown-it types attributes loosely. */
export function attribute(token: { attrGet(name: string): unknown }, name: string): string {
  const value = token.attrGet(name);
  return typeof value === 'string' ? value : '';
}
