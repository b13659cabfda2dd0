// Parses one lesson file into a Lesson and checks it against the content guide. Checks that
// need the whole catalog (unique ids across files, references) are the catalog loader's.
import { atLeast, checkSections, scanBody, type DocumentLink } from './documentBody.ts';
import { FieldReader, ID_PATTERN } from './fields.ts';
import { splitFrontMatter } from './frontMatter.ts';
import { AREAS, LESSON_MINIMUMS, LESSON_SECTIONS, LEVELS, type Lesson } from './model.ts';
import type { ContentProblem } from './problems.ts';

/** A relative link from a lesson to another markdown file, checked by the catalog. */
export type LessonLink = DocumentLink;

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

  const { headings, snippets, interviewQuestions, quizCards, links, sections, proseWords } = scanBody(file, split.body, split.bodyLine, id, 'lesson', report);

  checkSections(sections, LESSON_SECTIONS, split.bodyLine, report);
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

export { countWords } from './documentBody.ts';
