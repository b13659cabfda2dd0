// What lessons and focus-area briefs share: one walk over the markdown body that collects
// headings, sections, snippet includes, interview and quiz blocks, links and the prose word
// count, and the checks on them that do not depend on the kind of document.
import { attribute, createMarkdownIt, createSlugger, SNIPPET_TOKEN } from '../markdown/markdownIt.ts';
import { ID_PATTERN } from './fields.ts';
import { LEVELS, type Heading, type InterviewQuestion, type Level, type QuizCard, type SnippetInclude } from './model.ts';
import { resolveContentPath } from './paths.ts';
import { parseYaml } from './yaml.ts';

/** A relative link from a document to another markdown file, checked by the catalog. */
export interface DocumentLink {
  /** Relative to the content folder, without the `#fragment`. */
  readonly target: string;
  readonly line: number;
}

export interface ScannedSection {
  readonly name: string;
  readonly line: number;
  readonly h3: { text: string; line: number; paragraphs: string[] }[];
  links: number;
}

export interface ScannedBody {
  readonly headings: Heading[];
  readonly snippets: SnippetInclude[];
  readonly interviewQuestions: InterviewQuestion[];
  readonly quizCards: QuizCard[];
  readonly links: DocumentLink[];
  readonly sections: ScannedSection[];
  readonly proseWords: number;
}

type Report = (line: number, message: string) => void;

/**
 * @param file the document's path relative to the content folder
 * @param id the document's id: its block ids must start with it
 * @param kind how messages name the document (`lesson`, `brief`)
 */
export function scanBody(file: string, body: string, bodyLine: number, id: string, kind: string, report: Report): ScannedBody {
  const slug = createSlugger();
  const headings: Heading[] = [];
  const snippets: SnippetInclude[] = [];
  const interviewQuestions: InterviewQuestion[] = [];
  const quizCards: QuizCard[] = [];
  const sections: ScannedSection[] = [];
  let proseWords = 0;
  const tokens = createMarkdownIt().parse(body, {});
  const lineOf = (map: [number, number] | null): number => bodyLine + (map?.[0] ?? 0);

  const links: DocumentLink[] = [];

  for (const [index, token] of tokens.entries()) {
    const line = lineOf(token.map);
    if (token.type === 'heading_open') {
      const inline = tokens[index + 1];
      const headingText = inline?.content.trim() ?? '';
      const level = Number(token.tag.slice(1));
      headings.push({ level, text: headingText, slug: slug(headingText), line });
      if (level === 2) sections.push({ name: headingText, line, h3: [], links: 0 });
      if (level === 3) sections.at(-1)?.h3.push({ text: headingText, line, paragraphs: [] });
      if (level === 1) report(line, `a ${kind} has no level-1 heading: its title comes from the front matter`);
    } else if (token.type === 'inline') {
      proseWords += countWords(token.children?.map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : ' ')).join('') ?? '');
      const section = sections.at(-1);
      if (section && tokens[index - 1]?.type === 'paragraph_open') section.h3.at(-1)?.paragraphs.push(token.content);
      for (const child of token.children ?? []) {
        if (child.type !== 'link_open') continue;
        if (section) section.links += 1;
        const href = attribute(child, 'href');
        if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) continue;
        const path = href.split('#')[0] ?? '';
        const target = resolveContentPath(file, path);
        if (target === undefined) report(line, `link \`${href}\` leaves the content folder`);
        else if (target.endsWith('.md')) links.push({ target, line });
      }
    } else if (token.type === SNIPPET_TOKEN) {
      const path = (token.meta as { path: string }).path;
      const resolved = resolveContentPath(file, path);
      if (resolved === undefined) report(line, `snippet include \`${path}\` leaves the content folder`);
      else snippets.push({ path: resolved, line });
    } else if (token.type === 'fence') {
      const info = token.info.trim().split(/\s+/)[0];
      if (info === 'interview') {
        const question = readBlock(token.content, line, ['id', 'level', 'question', 'answer'], report);
        if (question) {
          const level = question.level as Level;
          if (!(LEVELS as readonly string[]).includes(level)) report(line, `interview question \`${question.id}\`: \`level\` must be one of ${LEVELS.join(', ')}`);
          checkBlockId(question.id, id, 'interview question', line, report);
          interviewQuestions.push({ id: question.id, level, question: question.question, answer: question.answer, line });
          proseWords += countWords(`${question.question} ${question.answer}`);
        }
      } else if (info === 'quiz') {
        const card = readBlock(token.content, line, ['id', 'question', 'answer', 'why'], report);
        if (card) {
          checkBlockId(card.id, id, 'quiz card', line, report);
          quizCards.push({ id: card.id, question: card.question, answer: card.answer, why: card.why, line });
          proseWords += countWords(`${card.question} ${card.answer} ${card.why}`);
        }
      }
    }
  }
  return { headings, snippets, interviewQuestions, quizCards, links, sections, proseWords };
}

export function checkSections(sections: readonly { name: string; line: number }[], expected: readonly string[], bodyLine: number, report: (line: number, message: string) => void): void {
  const names = sections.map((section) => section.name);
  for (const section of sections) {
    if (!expected.includes(section.name)) {
      report(section.line, `unknown section "## ${section.name}": the sections are, in order: ${expected.join('; ')}`);
    }
  }
  expected.forEach((name, expectedIndex) => {
    const found = names.indexOf(name);
    if (found === -1) {
      const next = sections.find((section) => expected.indexOf(section.name) > expectedIndex);
      report(next?.line ?? sections.at(-1)?.line ?? bodyLine, `missing section "## ${name}" (section ${expectedIndex + 1} of ${expected.length})`);
    } else {
      const repeat = sections.filter((section) => section.name === name)[1];
      if (repeat) report(repeat.line, `section "## ${name}" appears twice`);
    }
  });
  const rank = (name: string): number => expected.indexOf(name);
  let previous: { name: string; line: number } | undefined;
  for (const current of sections.filter((section) => rank(section.name) !== -1)) {
    if (previous && rank(current.name) < rank(previous.name)) {
      report(current.line, `section "## ${current.name}" is out of order: it belongs before "## ${previous.name}"`);
    }
    previous = current;
  }
}

function readBlock<K extends string>(
  yamlText: string,
  line: number,
  keys: readonly K[],
  report: (line: number, message: string) => void,
): Record<K, string> | undefined {
  let value: unknown;
  try {
    value = parseYaml(yamlText);
  } catch (error) {
    report(line, `block is not valid YAML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''}`);
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report(line, `block must be a YAML mapping with ${keys.join(', ')}`);
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const result: Partial<Record<K, string>> = {};
  let ok = true;
  for (const key of keys) {
    const field = record[key];
    if (typeof field !== 'string' || field.trim() === '') {
      report(line, `block lacks a non-empty \`${key}\``);
      ok = false;
    } else {
      result[key] = field.trim();
    }
  }
  for (const key of Object.keys(record)) if (!(keys as readonly string[]).includes(key)) report(line, `block has an unknown field \`${key}\``);
  return ok ? (result as Record<K, string>) : undefined;
}

function checkBlockId(blockId: string, documentId: string, what: string, line: number, report: (line: number, message: string) => void): void {
  if (!ID_PATTERN.test(blockId) || !blockId.startsWith(`${documentId}-`)) {
    report(line, `${what} id \`${blockId}\` must be lower-case words joined by hyphens, starting with \`${documentId}-\``);
  }
}

export function atLeast(actual: number, minimum: number, what: string, line: number, report: (line: number, message: string) => void): void {
  if (actual < minimum) report(line, `needs at least ${minimum} ${what}, has ${actual}`);
}

/**
 * Words of prose: maximal runs of letters, digits and `'’._-` that hold at least one letter
 * (figures in tables and inline numbers are not prose). The same count as
 * `/[\p{L}\p{N}'’._-]*\p{L}[\p{L}\p{N}'’._-]*\/gu`, in one pass: that expression was the
 * largest single cost of loading the catalog.
 */
export function countWords(text: string): number {
  let words = 0;
  let hasLetter = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    let kind: 'other' | 'word' | 'letter';
    if (code < 128) kind = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) ? 'letter' : (code >= 48 && code <= 57) || code === 39 || code === 46 || code === 95 || code === 45 ? 'word' : 'other';
    else if (code === 0x2019) kind = 'word';
    else {
      const point = text.codePointAt(index) ?? code;
      if (point > 0xffff) index += 1;
      const char = String.fromCodePoint(point);
      kind = LETTER.test(char) ? 'letter' : NUMBER.test(char) ? 'word' : 'other';
    }
    if (kind === 'other') {
      if (hasLetter) words += 1;
      hasLetter = false;
    } else if (kind === 'letter') hasLetter = true;
  }
  return hasLetter ? words + 1 : words;
}
const LETTER = /^\p{L}$/u;
const NUMBER = /^\p{N}$/u;
