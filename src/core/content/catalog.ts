// Loads and validates the whole content folder. Never throws on bad content: every problem is
// reported with its file and line, and whatever could be read is still returned, so that the
// extension shows the lessons that are fine and says what is wrong with the rest.
import { DEFAULT_SNIPPET_SETTINGS, parseSnippetSettings, type SnippetSettings } from '../snippets/settings.ts';
import { parseBrief } from './briefParser.ts';
import { parseChallenge } from './challengeParser.ts';
import { parseLesson, type LessonLink } from './lessonParser.ts';
import { AREAS, FOCUS_AREAS, LESSON_MINIMUMS, type Brief, type Catalog, type Challenge, type Lesson } from './model.ts';
import type { ContentProblem } from './problems.ts';
import type { ContentSource } from './source.ts';

export interface LoadedCatalog {
  readonly catalog: Catalog;
  /** Settings of every runnable snippet, by path relative to the content folder. */
  readonly snippets: ReadonlyMap<string, SnippetSettings>;
  /** The text of every included snippet, as read while validating: the lesson page shows it without reading the disk again. */
  readonly snippetSources: ReadonlyMap<string, string>;
  readonly problems: readonly ContentProblem[];
}

const CHALLENGE_FILES = ['starter/package.json', 'starter/tsconfig.json', 'solution/NOTES.md'];

/**
 * The starter's `npm test`: the same files the Testing view runs. A bare `node --test` would also
 * run a helper module such as test/harness.ts, which Node's default patterns match under test/,
 * as a passing test of its own.
 */
export const CHALLENGE_TEST_SCRIPT = 'node --test "test/**/*.test.ts"';

export async function loadCatalog(source: ContentSource): Promise<LoadedCatalog> {
  const problems: ContentProblem[] = [];
  const lessons: Lesson[] = [];
  const links: LessonLink[] = [];
  const lessonFiles = new Set<string>();

  // Every file is read at once and then parsed in a fixed order: the reads overlap (about a
  // hundred and fifty of them), and the catalog and its problems come out the same every time.
  const areaEntries = await Promise.all(AREAS.map(async (area) => ({ area, entries: (await source.list(area.id)) ?? [] })));
  const lessonReads = areaEntries.flatMap(({ area, entries }) =>
    entries
      .filter((entry) => entry.kind === 'file' && entry.name.endsWith('.md'))
      .map((entry) => ({ area, file: `${area.id}/${entry.name}`, id: entry.name.replace(/\.md$/, '') })),
  );
  const lessonTexts = await Promise.all(
    lessonReads.map(({ area, file, id }) => (area.outline.includes(id) ? source.readFile(file) : Promise.resolve(undefined))),
  );
  for (const [index, { area, file, id }] of lessonReads.entries()) {
    if (!area.outline.includes(id)) {
      problems.push({ file, line: 1, message: `\`${id}\` is not a lesson of the ${area.title} outline (${area.outline.join(', ')})` });
      continue;
    }
    lessonFiles.add(file);
    const parsed = parseLesson(file, lessonTexts[index] ?? '');
    problems.push(...parsed.problems);
    links.push(...parsed.links.map((link) => ({ ...link, from: file })));
    if (!parsed.lesson) continue;
    lessons.push(parsed.lesson);
    const position = area.outline.indexOf(id) + 1;
    if (parsed.lesson.order !== position) {
      problems.push({ file, line: 1, message: `\`order\` is ${parsed.lesson.order}, but the outline puts \`${id}\` at position ${position}` });
    }
  }

  const challenges: Challenge[] = [];
  const challengeFolders = ((await source.list('challenges')) ?? []).filter((entry) => entry.kind === 'directory').map((entry) => `challenges/${entry.name}`);
  const challengeTexts = await Promise.all(challengeFolders.map((folder) => source.readFile(`${folder}/challenge.md`)));
  const parsedChallenges = challengeFolders.map((folder, index) => {
    const text = challengeTexts[index];
    return text === undefined ? undefined : parseChallenge(`${folder}/challenge.md`, text);
  });
  const folderProblems = await Promise.all(parsedChallenges.map((parsed) => (parsed?.challenge ? checkChallengeFolder(source, parsed.challenge) : Promise.resolve([]))));
  for (const [index, folder] of challengeFolders.entries()) {
    const parsed = parsedChallenges[index];
    if (!parsed) {
      problems.push({ file: `${folder}/challenge.md`, line: 1, message: 'a challenge folder needs a challenge.md' });
      continue;
    }
    problems.push(...parsed.problems);
    if (!parsed.challenge) continue;
    problems.push(...(folderProblems[index] ?? []));
    challenges.push(parsed.challenge);
  }

  const briefs = await loadBriefs(source, problems, links);

  const snippetSources = new Map<string, string>();
  const snippets = await checkSnippets(source, [...lessons, ...briefs], problems, snippetSources);
  checkReferences(lessons, challenges, links, lessonFiles, problems, briefs);

  const outlineIndex = (lesson: Lesson): number => {
    const areaIndex = AREAS.findIndex((area) => area.id === lesson.area);
    return areaIndex * 100 + lesson.order;
  };
  lessons.sort((a, b) => outlineIndex(a) - outlineIndex(b));
  return {
    catalog: {
      areas: AREAS,
      lessons: new Map(lessons.map((lesson) => [lesson.id, lesson])),
      challenges: new Map(challenges.map((challenge) => [challenge.id, challenge])),
      briefs: new Map(briefs.map((brief) => [brief.id, brief])),
    },
    snippets,
    snippetSources,
    problems: problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1)),
  };
}

async function checkChallengeFolder(source: ContentSource, challenge: Challenge): Promise<ContentProblem[]> {
  const problems: ContentProblem[] = [];
  const file = `${challenge.folder}/challenge.md`;
  const required = [...CHALLENGE_FILES, `starter/${challenge.entry}`, `solution/${challenge.entry}`];
  const [texts, listed] = await Promise.all([
    Promise.all(required.map((path) => source.readFile(`${challenge.folder}/${path}`))),
    source.list(`${challenge.folder}/tests`),
  ]);
  for (const [index, path] of required.entries()) {
    if (texts[index] === undefined) problems.push({ file, line: 1, message: `the challenge folder lacks ${path}` });
  }
  const script = testScriptOf(texts[0]);
  if (texts[0] !== undefined && script !== CHALLENGE_TEST_SCRIPT) {
    problems.push({ file: `${challenge.folder}/starter/package.json`, line: 1, message: `its test script is ${JSON.stringify(script ?? null)}; it must be ${JSON.stringify(CHALLENGE_TEST_SCRIPT)}, the files the Testing view runs` });
  }
  const tests = (listed ?? []).filter((entry) => entry.kind === 'file' && entry.name.endsWith('.test.ts'));
  if (tests.length === 0) problems.push({ file, line: 1, message: 'the challenge folder has no tests/*.test.ts' });
  return problems;
}

function testScriptOf(packageJson: string | undefined): string | undefined {
  try {
    const script = (JSON.parse(packageJson ?? 'null') as { scripts?: { test?: unknown } } | null)?.scripts?.test;
    return typeof script === 'string' ? script : undefined;
  } catch {
    return undefined;
  }
}

/** The focus-area briefs, each folder listed and every brief read at once, in outline order. */
async function loadBriefs(source: ContentSource, problems: ContentProblem[], links: (LessonLink & { from?: string })[]): Promise<Brief[]> {
  const listed = await Promise.all(FOCUS_AREAS.map(async (focus) => ({ focus, entries: (await source.list(`focus-areas/${focus.id}`)) ?? [] })));
  const reads = listed.flatMap(({ focus, entries }) =>
    entries.filter((entry) => entry.kind === 'file' && entry.name.endsWith('.md')).map((entry) => ({ focus, file: `focus-areas/${focus.id}/${entry.name}`, id: entry.name.replace(/\.md$/, '') })),
  );
  const texts = await Promise.all(reads.map(({ focus, file, id }) => (focus.outline.includes(id) ? source.readFile(file) : Promise.resolve(undefined))));
  const briefs: Brief[] = [];
  for (const [index, { focus, file, id }] of reads.entries()) {
    if (!focus.outline.includes(id)) {
      problems.push({ file, line: 1, message: `\`${id}\` is not a topic of the ${focus.title} focus area (${focus.outline.join(', ')})` });
      continue;
    }
    const parsed = parseBrief(file, texts[index] ?? '');
    problems.push(...parsed.problems);
    links.push(...parsed.links.map((link) => ({ ...link, from: file })));
    if (!parsed.brief) continue;
    const position = focus.outline.indexOf(id) + 1;
    if (parsed.brief.order !== position) problems.push({ file, line: 1, message: `\`order\` is ${parsed.brief.order}, but the focus area puts \`${id}\` at position ${position}` });
    briefs.push(parsed.brief);
  }
  const rank = (brief: Brief): number => FOCUS_AREAS.findIndex((focus) => focus.id === brief.focus) * 10 + brief.order;
  return briefs.sort((a, b) => rank(a) - rank(b));
}

async function checkSnippets(source: ContentSource, lessons: readonly (Lesson | Brief)[], problems: ContentProblem[], sources: Map<string, string>): Promise<Map<string, SnippetSettings>> {
  const runnable = new Map<string, SnippetSettings>();
  const folderOf = (path: string): string => path.replace(/\/[^/]*$/, '');
  const included = new Set(lessons.flatMap((lesson) => lesson.snippets.map((include) => include.path)));
  const folders = [...new Set([...included].map(folderOf))];
  const isRunnable = (path: string): boolean => path.endsWith('.ts') && !path.includes('/lib/');

  // All at once: every snippet's text, every snippet folder's listing (which also says whether
  // an expected output exists), and the settings of every runnable snippet.
  const [texts, listings, settings] = await Promise.all([
    Promise.all([...included].map(async (path) => [path, sources.get(path) ?? (await source.readFile(path))] as const)).then((entries) => new Map(entries)),
    Promise.all(folders.map(async (folder) => [folder, (await source.list(folder)) ?? []] as const)).then((entries) => new Map(entries)),
    Promise.all([...included].filter(isRunnable).map(async (path) => [path, await settingsOf(source, path, problems)] as const)).then((entries) => new Map(entries)),
  ]);
  const exists = (path: string): boolean => (listings.get(folderOf(path)) ?? []).some((entry) => entry.kind === 'file' && entry.name === path.slice(folderOf(path).length + 1));

  for (const lesson of lessons) {
    let benchmarks = 0;
    for (const include of lesson.snippets) {
      const text = texts.get(include.path);
      if (text === undefined) {
        problems.push({ file: lesson.file, line: include.line, message: `snippet include \`${include.path}\` does not exist` });
        continue;
      }
      sources.set(include.path, text);
      const snippetSettings = settings.get(include.path);
      if (!isRunnable(include.path) || !snippetSettings) continue;
      runnable.set(include.path, snippetSettings);
      if (snippetSettings.benchmark) benchmarks += 1;
      const expected = include.path.replace(/\.ts$/, '.expected.txt');
      if (!exists(expected)) {
        problems.push({ file: lesson.file, line: include.line, message: `snippet \`${include.path}\` has no expected output \`${expected}\`` });
      }
    }
    // A brief's snippets are optional, and none has to be a benchmark.
    if (lesson.kind === 'lesson' && benchmarks < LESSON_MINIMUMS.benchmarks) {
      const section = lesson.headings.find((heading) => heading.text === 'Performance benchmarks');
      problems.push({ file: lesson.file, line: section?.line ?? lesson.bodyLine, message: `needs at least ${LESSON_MINIMUMS.benchmarks} benchmark snippet (marked "benchmark": true in snippets.json), has ${benchmarks}` });
    }
  }

  // A runnable file no lesson shows is drift waiting to happen: the text and the code it
  // claims to run would no longer be the same.
  for (const folder of folders) {
    for (const entry of listings.get(folder) ?? []) {
      const path = `${folder}/${entry.name}`;
      if (entry.kind === 'file' && entry.name.endsWith('.ts') && !included.has(path)) {
        problems.push({ file: path, line: 1, message: 'snippet is not included by any lesson (helpers that are imported, not run, go in lib/)' });
      }
    }
  }
  return runnable;
}

const settingsCache = new WeakMap<ContentSource, Map<string, Promise<Map<string, SnippetSettings>>>>();

async function settingsOf(source: ContentSource, snippet: string, problems: ContentProblem[]): Promise<SnippetSettings> {
  const folder = snippet.replace(/\/[^/]*$/, '');
  let byFolder = settingsCache.get(source);
  if (!byFolder) {
    byFolder = new Map();
    settingsCache.set(source, byFolder);
  }
  let pending = byFolder.get(folder);
  if (!pending) {
    pending = source.readFile(`${folder}/snippets.json`).then((text) => {
      if (text === undefined) return new Map<string, SnippetSettings>();
      const parsed = parseSnippetSettings(`${folder}/snippets.json`, text);
      problems.push(...parsed.problems);
      return parsed.settings;
    });
    byFolder.set(folder, pending);
  }
  return (await pending).get(snippet.slice(folder.length + 1)) ?? DEFAULT_SNIPPET_SETTINGS;
}

function checkReferences(
  lessons: readonly Lesson[],
  challenges: readonly Challenge[],
  links: readonly (LessonLink & { from?: string })[],
  lessonFiles: ReadonlySet<string>,
  problems: ContentProblem[],
  briefs: readonly Brief[] = [],
): void {
  const lessonIds = new Set<string>();
  const blockIds = new Map<string, string>();
  const challengeIds = new Set(challenges.map((challenge) => challenge.id));
  const outline = new Set(AREAS.flatMap((area) => area.outline));

  const documentIds = new Map<string, string>();
  for (const lesson of [...lessons, ...briefs]) {
    const first = documentIds.get(lesson.id);
    if (first !== undefined) problems.push({ file: lesson.file, line: 1, message: `${lesson.kind} id \`${lesson.id}\` is already used by ${first}` });
    else documentIds.set(lesson.id, lesson.file);
    if (lesson.kind === 'lesson') lessonIds.add(lesson.id);
    for (const block of [...lesson.interviewQuestions, ...lesson.quizCards]) {
      const first = blockIds.get(block.id);
      if (first !== undefined) problems.push({ file: lesson.file, line: block.line, message: `id \`${block.id}\` is already used at ${first}` });
      else blockIds.set(block.id, `${lesson.file}:${block.line}`);
    }
  }
  for (const lesson of lessons) {
    for (const prerequisite of lesson.prerequisites) {
      // Like a challenge's lessons, a prerequisite may be a lesson of the outline not written yet
      // (lessons land one at a time); anything else is a mistake.
      if (!lessonIds.has(prerequisite) && !outline.has(prerequisite)) problems.push({ file: lesson.file, line: 1, message: `prerequisite \`${prerequisite}\` is not a lesson of the study outline` });
      if (prerequisite === lesson.id) problems.push({ file: lesson.file, line: 1, message: 'a lesson cannot be its own prerequisite' });
    }
    for (const challenge of lesson.challenges) {
      if (!challengeIds.has(challenge)) problems.push({ file: lesson.file, line: 1, message: `challenge \`${challenge}\` does not exist under challenges/` });
    }
  }
  for (const challenge of challenges) {
    for (const lesson of challenge.lessons) {
      // A challenge may point at a lesson of the outline that is not written yet.
      if (!outline.has(lesson)) problems.push({ file: `${challenge.folder}/challenge.md`, line: 1, message: `lesson \`${lesson}\` is not in the study outline` });
    }
  }
  for (const brief of briefs) {
    for (const lesson of brief.lessons) {
      if (!outline.has(lesson)) problems.push({ file: brief.file, line: 1, message: `lesson \`${lesson}\` is not in the study outline` });
    }
    for (const challenge of brief.challenges) {
      if (!challengeIds.has(challenge)) problems.push({ file: brief.file, line: 1, message: `challenge \`${challenge}\` does not exist under challenges/` });
    }
  }
  // Like a prerequisite, a link may point at a lesson of the outline not written yet: content
  // lands one piece at a time, and the page shows such a link as text until the lesson exists.
  const outlineFiles = new Set(AREAS.flatMap((area) => area.outline.map((id) => `${area.id}/${id}.md`)));
  for (const link of links) {
    if (!lessonFiles.has(link.target) && !outlineFiles.has(link.target)) problems.push({ file: link.from ?? link.target, line: link.line, message: `link to \`${link.target}\`, which is not a lesson` });
  }
}
