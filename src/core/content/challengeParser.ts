import { createMarkdownIt } from '../markdown/markdownIt.ts';
import { FieldReader, ID_PATTERN } from './fields.ts';
import { splitFrontMatter } from './frontMatter.ts';
import { DIFFICULTIES, LESSON_MINIMUMS, LEVELS, type Challenge } from './model.ts';
import type { ContentProblem } from './problems.ts';

const FRONT_MATTER_KEYS = ['id', 'title', 'difficulty', 'level', 'minutes', 'lessons', 'entry', 'hints'];
/** The learner's file: one TypeScript file directly under src/, so it can never point elsewhere. */
const ENTRY_PATTERN = /^src\/[\w-]+(?:\.[\w-]+)*\.ts$/;

/**
 * Parses `challenges/<id>/challenge.md`. Checks of the folder around it (starter, tests,
 * solution) are the catalog loader's, which can list files.
 */
export function parseChallenge(file: string, text: string): { challenge: Challenge | undefined; problems: ContentProblem[] } {
  const split = splitFrontMatter(file, text);
  const problems: ContentProblem[] = [...split.problems];
  if (!split.data) return { challenge: undefined, problems };

  const folder = file.replace(/\/challenge\.md$/, '');
  const fields = new FieldReader(file, split.data, split.keyLines, 1);
  const id = fields.string('id');
  if (id !== undefined && `challenges/${id}` !== folder) fields.problem('id', `\`id\` must be the folder name (\`${folder.replace(/^challenges\//, '')}\`), is \`${id}\``);
  if (id !== undefined && !ID_PATTERN.test(id)) fields.problem('id', '`id` must be lower-case words joined by hyphens');
  const title = fields.string('title');
  const difficulty = fields.oneOf('difficulty', DIFFICULTIES);
  const level = fields.oneOf('level', LEVELS);
  const minutes = fields.integer('minutes', 5, 600);
  const lessons = fields.strings('lessons', { min: 1 });
  const entry = fields.string('entry');
  if (entry !== undefined && !ENTRY_PATTERN.test(entry)) fields.problem('entry', '`entry` must be a TypeScript file directly under src/, such as src/pool.ts');
  const hints = fields.strings('hints', { min: LESSON_MINIMUMS.hints });
  fields.rejectUnknown(FRONT_MATTER_KEYS);
  problems.push(...fields.problems);

  const headings = createMarkdownIt()
    .parse(split.body, {})
    .flatMap((token, index, tokens) => (token.type === 'heading_open' && token.tag === 'h2' ? [tokens[index + 1]?.content.trim() ?? ''] : []));
  if (!headings.includes('Follow-up questions')) {
    problems.push({ file, line: split.bodyLine, message: 'the statement must end with a section "## Follow-up questions"' });
  }

  if (
    id === undefined || title === undefined || difficulty === undefined || level === undefined || minutes === undefined ||
    lessons === undefined || entry === undefined || hints === undefined || !ENTRY_PATTERN.test(entry)
  ) {
    return { challenge: undefined, problems };
  }
  return {
    challenge: { kind: 'challenge', id, title, difficulty, level, minutes, lessons, entry, hints, folder, body: split.body },
    problems,
  };
}
