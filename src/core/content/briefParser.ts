// Parses one focus-area brief and checks it against the content guide: the front matter, the
// six sections in order, at least three interview questions and three quiz cards, and the
// prose its depth asks for. References to lessons and challenges are the catalog's checks.
import { atLeast, checkSections, scanBody, type DocumentLink } from './documentBody.ts';
import { FieldReader, ID_PATTERN } from './fields.ts';
import { splitFrontMatter } from './frontMatter.ts';
import { BRIEF_DEPTHS, BRIEF_MINIMUMS, BRIEF_SECTIONS, FOCUS_AREAS, LEVELS, type Brief } from './model.ts';
import type { ContentProblem } from './problems.ts';

export interface ParsedBrief {
  readonly brief: Brief | undefined;
  readonly links: readonly DocumentLink[];
  readonly problems: readonly ContentProblem[];
}

const FRONT_MATTER_KEYS = ['id', 'title', 'focus', 'order', 'level', 'depth', 'minutes', 'lessons', 'challenges', 'tags'];

/** @param file the brief's path relative to the content folder: `focus-areas/<focus>/<id>.md` */
export function parseBrief(file: string, text: string): ParsedBrief {
  const problems: ContentProblem[] = [];
  const report = (line: number, message: string): void => {
    problems.push({ file, line, message });
  };
  const split = splitFrontMatter(file, text);
  problems.push(...split.problems);
  const meta = split.data ? readMeta(file, split.data, split.keyLines, problems) : undefined;
  const id = meta?.id ?? file.replace(/^.*\//, '').replace(/\.md$/, '');
  const body = scanBody(file, split.body, split.bodyLine, id, 'brief', report);

  checkSections(body.sections, BRIEF_SECTIONS, split.bodyLine, report);
  const section = (name: string) => body.sections.find((candidate) => candidate.name === name);
  const interview = section('Interview questions');
  if (interview) atLeast(body.interviewQuestions.length, BRIEF_MINIMUMS.interviewQuestions, 'interview questions', interview.line, report);
  const quiz = section('Check your understanding');
  if (quiz) atLeast(body.quizCards.length, BRIEF_MINIMUMS.quizCards, 'quiz cards', quiz.line, report);
  const reading = section('Further reading');
  if (reading) atLeast(reading.links, BRIEF_MINIMUMS.furtherReadingLinks, 'links under "Further reading"', reading.line, report);
  if (meta) atLeast(body.proseWords, BRIEF_MINIMUMS.proseWords[meta.depth], `words of prose for a brief of depth \`${meta.depth}\` (code not counted)`, split.bodyLine, report);

  const brief: Brief | undefined = meta && {
    kind: 'brief',
    ...meta,
    file,
    body: split.body,
    bodyLine: split.bodyLine,
    headings: body.headings,
    snippets: body.snippets,
    interviewQuestions: body.interviewQuestions,
    quizCards: body.quizCards,
    proseWords: body.proseWords,
  };
  return { brief, links: body.links, problems };
}

type BriefMeta = Pick<Brief, 'id' | 'title' | 'focus' | 'order' | 'level' | 'depth' | 'minutes' | 'lessons' | 'challenges' | 'tags'>;

function readMeta(file: string, data: Record<string, unknown>, keyLines: ReadonlyMap<string, number>, problems: ContentProblem[]): BriefMeta | undefined {
  const fields = new FieldReader(file, data, keyLines, 1);
  const [, folder, name] = file.split('/');
  const id = fields.string('id');
  if (id !== undefined && id !== name?.replace(/\.md$/, '')) fields.problem('id', `\`id\` must be the file name without .md (\`${name?.replace(/\.md$/, '') ?? ''}\`), is \`${id}\``);
  if (id !== undefined && !ID_PATTERN.test(id)) fields.problem('id', '`id` must be lower-case words joined by hyphens');
  const title = fields.string('title');
  const focus = fields.oneOf('focus', FOCUS_AREAS.map((candidate) => candidate.id));
  if (focus !== undefined && focus !== folder) fields.problem('focus', `\`focus\` must be the folder the brief is in (\`${folder ?? ''}\`), is \`${focus}\``);
  const order = fields.integer('order', 1, 4);
  const level = fields.oneOf('level', LEVELS);
  const depth = fields.oneOf('depth', BRIEF_DEPTHS);
  const minutes = fields.integer('minutes', 5, 300);
  const lessons = fields.strings('lessons', { optional: true });
  const challenges = fields.strings('challenges', { optional: true });
  const tags = fields.strings('tags', { min: 1 });
  fields.rejectUnknown(FRONT_MATTER_KEYS);
  problems.push(...fields.problems);
  if (id === undefined || title === undefined || focus === undefined || order === undefined || level === undefined || depth === undefined || minutes === undefined || lessons === undefined || challenges === undefined || tags === undefined) {
    return undefined;
  }
  return { id, title, focus, order, level, depth, minutes, lessons, challenges, tags };
}
