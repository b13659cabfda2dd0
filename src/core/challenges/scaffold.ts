// Plans which files starting a challenge writes, and where, without touching the disk. Every
// path is checked: nothing may land outside the challenge's own folder inside the workspace
// folder the learner chose.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import * as v from 'valibot';
import type { Challenge } from '../content/model.ts';
import { Id, isSafeRelativePath, parseOrUndefined, plainObject, SafeRelativePath } from '../schemas.ts';

export { isSafeRelativePath };

/** The file that marks a folder as a scaffolded challenge. */
export const MARKER_FILE = '.backend-study-challenge.json';
/** The marker's name in a backup that Reset made: kept for the record, never discovered. */
export const BACKUP_MARKER_FILE = '.backend-study-challenge.backup.json';
export const MARKER_FORMAT = 'backend-interview-prep/challenge';
export const DEFAULT_CHALLENGES_FOLDER = 'challenges';

export interface Marker {
  readonly format: typeof MARKER_FORMAT;
  readonly challenge: string;
  /** The extension version whose content the files came from. */
  readonly contentVersion: string;
  readonly entry: string;
  /** sha256 of each file of test/ as scaffolded (helpers too), by path relative to the challenge folder: a run counts only with these unchanged. */
  readonly tests: Readonly<Record<string, string>>;
  readonly scaffoldedAt: string;
}

export interface PlannedFile {
  /** Relative to the challenge folder, `/`-separated. */
  readonly path: string;
  readonly content: string;
}

export interface ScaffoldPlan {
  /** The challenge folder, absolute. */
  readonly target: string;
  readonly files: readonly PlannedFile[];
  readonly marker: Marker;
}

export interface ChallengeSources {
  /** starter/ (src/, package.json, tsconfig.json), by path relative to starter/. */
  readonly starter: Readonly<Record<string, string>>;
  /** tests/, by file name. */
  readonly tests: Readonly<Record<string, string>>;
  /** The declaration file that lets the editor resolve Node's modules without an install. */
  readonly nodeTypes: string;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A path inside a folder: relative, `/`-separated, no `..`, no drive or root. */
/** Whether `child` is `parent` itself or inside it, after resolving `..`. */
export function isInside(parent: string, child: string): boolean {
  const path = relative(resolve(parent), resolve(child));
  return path === '' || (!path.startsWith('..') && !isAbsolute(path) && path.split(sep)[0] !== '..');
}

/** The challenge folder for the `backendStudy.challengesFolder` setting, or why the setting is refused. */
export function challengeFolder(workspaceFolder: string, challengesFolder: string, id: string): { folder: string } | { error: string } {
  const setting = challengesFolder.trim().replace(/\/+$/, '') || DEFAULT_CHALLENGES_FOLDER;
  if (!isSafeRelativePath(setting)) {
    return { error: `backendStudy.challengesFolder must be a folder inside the workspace folder, such as "challenges"; "${challengesFolder}" is not.` };
  }
  const folder = resolve(workspaceFolder, ...setting.split('/'), id);
  if (!isInside(workspaceFolder, folder)) return { error: `"${challengesFolder}" leads outside the workspace folder.` };
  return { folder };
}

/** The learner's tsconfig: the starter's, with Node's types from the bundled declaration instead of @types/node. */
function learnerTsconfig(starter: string | undefined): string {
  let config: { compilerOptions?: Record<string, unknown>; include?: unknown } = {};
  try {
    config = starter === undefined ? {} : (JSON.parse(starter) as typeof config);
  } catch {
    config = {};
  }
  const include = Array.isArray(config.include) ? (config.include as unknown[]).filter((entry): entry is string => typeof entry === 'string') : ['src', 'test'];
  return `${JSON.stringify({ ...config, compilerOptions: { ...config.compilerOptions, types: [] }, include: [...new Set([...include, 'types'])] }, null, 2)}\n`;
}

/**
 * The learner's tsconfig once @types/node is installed: Node's real types instead of the
 * bundled declaration, whose folder leaves the project. Undefined for a file that is not JSON.
 */
export function tsconfigWithInstalledNodeTypes(text: string): string | undefined {
  let config: { compilerOptions?: Record<string, unknown>; include?: unknown };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    return undefined;
  }
  const include = Array.isArray(config.include) ? (config.include as unknown[]).filter((entry) => entry !== 'types') : config.include;
  return `${JSON.stringify({ ...config, compilerOptions: { ...config.compilerOptions, types: ['node'] }, ...(include === undefined ? {} : { include }) }, null, 2)}\n`;
}

export function readme(challenge: Challenge): string {
  const statement = challenge.body.trim().replace(/^# .*\n+/, '');
  return [
    `# ${challenge.title}`,
    '',
    `*${challenge.difficulty} · about ${challenge.minutes} minutes · ${challenge.level} level* — edit \`${challenge.entry}\` until the tests in \`test/\` pass.`,
    '',
    'Run the tests from the **Testing** view (the beaker in the activity bar), or with `npm test` (`node --test` on `test/**/*.test.ts`, Node.js 22.18 or later, nothing to install). Hints: **Backend Study: Show Next Hint**.',
    '',
    statement,
    '',
  ].join('\n');
}

export function planScaffold(input: {
  readonly challenge: Challenge;
  readonly sources: ChallengeSources;
  readonly folder: string;
  readonly contentVersion: string;
  readonly now: Date;
}): { plan: ScaffoldPlan } | { error: string } {
  const { challenge, sources } = input;
  const files: PlannedFile[] = [{ path: 'README.md', content: readme(challenge) }];
  for (const [path, content] of Object.entries(sources.starter)) {
    if (path === 'tsconfig.json' || path === 'README.md') continue;
    files.push({ path, content });
  }
  files.push({ path: 'tsconfig.json', content: learnerTsconfig(sources.starter['tsconfig.json']) });
  files.push({ path: 'types/node.d.ts', content: sources.nodeTypes });
  const tests: Record<string, string> = {};
  for (const [name, content] of Object.entries(sources.tests)) {
    const path = `test/${name}`;
    files.push({ path, content });
    tests[path] = sha256(content);
  }
  for (const file of files) {
    if (!isSafeRelativePath(file.path) || !isInside(input.folder, resolve(input.folder, ...file.path.split('/')))) {
      return { error: `refusing to write "${file.path}": it would land outside ${input.folder}` };
    }
  }
  if (!files.some((file) => file.path === challenge.entry)) return { error: `the starter has no ${challenge.entry}` };
  const marker: Marker = {
    format: MARKER_FORMAT,
    challenge: challenge.id,
    contentVersion: input.contentVersion,
    entry: challenge.entry,
    tests,
    scaffoldedAt: input.now.toISOString(),
  };
  files.push({ path: MARKER_FILE, content: `${JSON.stringify(marker, null, 2)}\n` });
  return { plan: { target: input.folder, files, marker } };
}

const MarkerSchema = plainObject(v.object({
  format: v.literal(MARKER_FORMAT),
  challenge: Id,
  contentVersion: v.fallback(v.string(), 'unknown'),
  entry: SafeRelativePath,
  tests: plainObject(v.record(SafeRelativePath, v.string())),
  scaffoldedAt: v.fallback(v.string(), new Date(0).toISOString()),
}));

/** A challenge folder's marker, or undefined when it is not one this version can trust. */
export function parseMarker(text: string): Marker | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  return parseOrUndefined(MarkerSchema, raw);
}

/** The test files whose content differs from the marker's hashes (or that are gone). */
export function changedTests(marker: Marker, current: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(marker.tests)
    .filter(([path, hash]) => {
      const content = current[path];
      return content === undefined || sha256(content) !== hash;
    })
    .map(([path]) => path);
}

/** The name a backup of an existing challenge folder gets: beside it, timestamped. */
export function backupName(id: string, now: Date): string {
  return `${id}.backup-${now.toISOString().replace(/[:.]/g, '-')}`;
}
