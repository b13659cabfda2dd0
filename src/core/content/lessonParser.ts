// Parses one lesson file into a Lesson and checks it against the content guide. Checks that
// need the whole catalog (unique ids across files, references) are the catalog loader's.
import { parseYaml } from './yaml.ts';
import { attribute, createMarkdownIt, createSlugger, SNIPPET_TOKEN } from '../markdown/markdownIt.ts';
import { FieldReader, ID_PATTERN } from './fields.ts';
import { splitFrontMatter } from './frontMatter.ts';
import {
  AREAS,
  LESSON_MINIMUMS,
  LESSON_SECTIONS,
  LEVELS,
  type Heading,
  type InterviewQuestion,
  type Lesson,
  type Level,
  type QuizCard,
  type SnippetInclude,
} from './model.ts';
import { resolveContentPath } from './paths.ts';
import type { ContentProblem } from './problems.ts';

/** A relative link from a lesson to another markdown file, checked by the catalog. */
export interface LessonLink {
  /** Relative to the content folder, without the `#fragment`. */
  readonly target: string;
  readonly line: number;
}

export interface ParsedLesson {
  /** Undefined when the front matter is too broken to identify the lesson. */
  readonly lesson: Lesson | undefined;
  readonly links: readonly LessonLink[];
  readonly problems: readonly ContentProblem[];
}

const FRONT_MATTER_KEYS = ['id', 'title', 'area', 'order', 'level', 'week', 'minutes', 'objectives', 'prerequisites', 'tags', 'challenges'];
/** Words an objective may not start with: it must start with a verb ("Explain", "Measure"). */
const NOT_VERBS = new Set(['the', 'a', 'an', 'this', 'that', 'these', 'those', 'how', 'what', 'why', 'when', 'where', 'which', 'who', 'you', 'your', 'we', 'our', 'it', 'its', 'understanding', 'learning', 'knowing', 'to']);
const PITFALL_PARTS = ['Symptom', 'Cause', 'Fix'] as const;

/**
 * @param file the lesson's path relative to the content folder: `<area>/<id>.md`
 */
export function parseLesson(file: string, text: string): ParsedLesson {
  const problems: ContentProblem[] = [];
  const report = (line: number, message: string): void => {
    problems.push({ file, line, message });
  };
  const split = splitFrontMatter(file, text);
  problems.push(...split.problems);
  const meta = split.data ? readMeta(file, split.data, split.keyLines, problems) : undefined;
  const id = meta?.id ?? file.replace(/^.*\//, '').replace(/\.md$/, '');

  const tokens = createMarkdownIt().parse(split.body, {});
  const lineOf = (map: [number, number] | null): number => split.bodyLine + (map?.[0] ?? 0);
  const slug = createSlugger();

  const headings: Heading[] = [];
  const snippets: SnippetInclude[] = [];
  const interviewQuestions: InterviewQuestion[] = [];
  const quizCards: QuizCard[] = [];
  const links: LessonLink[] = [];
  const sections: { name: string; line: number; h3: { text: string; line: number; paragraphs: string[] }[]; links: number }[] = [];
  let proseWords = 0;

  for (const [index, token] of tokens.entries()) {
    const line = lineOf(token.map);
    if (token.type === 'heading_open') {
      const inline = tokens[index + 1];
      const headingText = inline?.content.trim() ?? '';
      const level = Number(token.tag.slice(1));
      headings.push({ level, text: headingText, slug: slug(headingText), line });
      if (level === 2) sections.push({ name: headingText, line, h3: [], links: 0 });
      if (level === 3) sections.at(-1)?.h3.push({ text: headingText, line, paragraphs: [] });
      if (level === 1) report(line, 'a lesson has no level-1 heading: its title comes from the front matter');
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

  checkSections(sections, split.bodyLine, report);
  const section = (name: string) => sections.find((candidate) => candidate.name === name);
  const pitfalls = section('Common pitfalls');
  if (pitfalls) {
    atLeast(pitfalls.h3.length, LESSON_MINIMUMS.pitfalls, 'pitfalls (level-3 headings under "Common pitfalls")', pitfalls.line, report);
    for (const pitfall of pitfalls.h3) {
      const missing = PITFALL_PARTS.filter((part) => !pitfall.paragraphs.some((paragraph) => paragraph.startsWith(`**${part}.**`)));
      if (missing.length > 0) report(pitfall.line, `pitfall "${pitfall.text}" lacks ${missing.map((part) => `**${part}.**`).join(', ')}`);
    }
  }
  const practices = section('Best practices');
  if (practices) atLeast(practices.h3.length, LESSON_MINIMUMS.bestPractices, 'best practices (level-3 headings)', practices.line, report);
  const interview = section('Interview questions');
  if (interview) atLeast(interviewQuestions.length, LESSON_MINIMUMS.interviewQuestions, 'interview questions', interview.line, report);
  const quiz = section('Check your understanding');
  if (quiz) atLeast(quizCards.length, LESSON_MINIMUMS.quizCards, 'quiz cards', quiz.line, report);
  const reading = section('Further reading');
  if (reading) atLeast(reading.links, LESSON_MINIMUMS.furtherReadingLinks, 'links under "Further reading"', reading.line, report);
  atLeast(snippets.length, LESSON_MINIMUMS.snippets, 'snippet includes', split.bodyLine, report);
  atLeast(proseWords, LESSON_MINIMUMS.proseWords, 'words of prose (code not counted)', split.bodyLine, report);

  const lesson: Lesson | undefined = meta && {
    kind: 'lesson',
    ...meta,
    file,
    body: split.body,
    bodyLine: split.bodyLine,
    headings,
    snippets,
    interviewQuestions,
    quizCards,
    proseWords,
  };
  return { lesson, links, problems };
}

type LessonMeta = Pick<Lesson, 'id' | 'title' | 'area' | 'order' | 'level' | 'week' | 'minutes' | 'objectives' | 'prerequisites' | 'tags' | 'challenges'>;

function readMeta(file: string, data: Record<string, unknown>, keyLines: ReadonlyMap<string, number>, problems: ContentProblem[]): LessonMeta | undefined {
  const fields = new FieldReader(file, data, keyLines, 1);
  const [folder, name] = file.split('/');
  const id = fields.string('id');
  if (id !== undefined && id !== name?.replace(/\.md$/, '')) fields.problem('id', `\`id\` must be the file name without .md (\`${name?.replace(/\.md$/, '') ?? ''}\`), is \`${id}\``);
  if (id !== undefined && !ID_PATTERN.test(id)) fields.problem('id', '`id` must be lower-case words joined by hyphens');
  const title = fields.string('title');
  const area = fields.oneOf('area', AREAS.map((candidate) => candidate.id));
  if (area !== undefined && area !== folder) fields.problem('area', `\`area\` must be the folder the lesson is in (\`${folder ?? ''}\`), is \`${area}\``);
  const order = fields.integer('order', 1, 5);
  const level = fields.oneOf('level', LEVELS);
  const week = fields.integer('week', 1, 4);
  const minutes = fields.integer('minutes', 5, 600);
  const objectives = fields.strings('objectives', LESSON_MINIMUMS.objectives);
  for (const objective of objectives ?? []) {
    const first = objective.split(/\s+/)[0] ?? '';
    if (!/^[A-Z]/.test(first) || NOT_VERBS.has(first.toLowerCase()) || !/[.]$/.test(objective)) {
      fields.problem('objectives', `objective "${objective}" must be a sentence that starts with a verb and ends with a period`);
    }
  }
  const prerequisites = fields.strings('prerequisites', { optional: true });
  const tags = fields.strings('tags', { min: 1 });
  const challenges = fields.strings('challenges', { optional: true });
  fields.rejectUnknown(FRONT_MATTER_KEYS);
  problems.push(...fields.problems);
  if (
    id === undefined || title === undefined || area === undefined || order === undefined || level === undefined || week === undefined ||
    minutes === undefined || objectives === undefined || prerequisites === undefined || tags === undefined || challenges === undefined
  ) {
    return undefined;
  }
  return { id, title, area, order, level, week, minutes, objectives, prerequisites, tags, challenges };
}

function checkSections(sections: readonly { name: string; line: number }[], bodyLine: number, report: (line: number, message: string) => void): void {
  const names = sections.map((section) => section.name);
  for (const section of sections) {
    if (!(LESSON_SECTIONS as readonly string[]).includes(section.name)) {
      report(section.line, `unknown section "## ${section.name}": the sections are, in order: ${LESSON_SECTIONS.join('; ')}`);
    }
  }
  LESSON_SECTIONS.forEach((name, expectedIndex) => {
    const found = names.indexOf(name);
    if (found === -1) {
      const next = sections.find((section) => (LESSON_SECTIONS as readonly string[]).indexOf(section.name) > expectedIndex);
      report(next?.line ?? sections.at(-1)?.line ?? bodyLine, `missing section "## ${name}" (section ${expectedIndex + 1} of ${LESSON_SECTIONS.length})`);
    } else {
      const repeat = sections.filter((section) => section.name === name)[1];
      if (repeat) report(repeat.line, `section "## ${name}" appears twice`);
    }
  });
  const rank = (name: string): number => (LESSON_SECTIONS as readonly string[]).indexOf(name);
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

function checkBlockId(blockId: string, lessonId: string, what: string, line: number, report: (line: number, message: string) => void): void {
  if (!ID_PATTERN.test(blockId) || !blockId.startsWith(`${lessonId}-`)) {
    report(line, `${what} id \`${blockId}\` must be lower-case words joined by hyphens, starting with \`${lessonId}-\``);
  }
}

function atLeast(actual: number, minimum: number, what: string, line: number, report: (line: number, message: string) => void): void {
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
