// Per-snippet settings from a snippet folder's `snippets.json` (format: content/README.md).
import * as v from 'valibot';
import type { ContentProblem } from '../content/problems.ts';
import { PlainObject, plainObject } from '../schemas.ts';

/** Real servers a snippet can ask for, and the environment variable that carries each one's URL. */
export const SNIPPET_SERVICES = { postgres: 'DATABASE_URL', redis: 'REDIS_URL' } as const;
export type SnippetService = keyof typeof SNIPPET_SERVICES;

export interface SnippetSettings {
  /** Node flags, applied whenever the snippet runs (tests and the learner's terminal). */
  readonly nodeOptions: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly benchmark: boolean;
  /** For benchmarks: the `BENCH_ITERATIONS` the test run uses, small so that it stays fast. */
  readonly benchIterations: number | undefined;
  /**
   * Servers it needs (a PostgreSQL where one embedded session cannot show it, a Redis): the
   * snippet runner starts a throwaway instance of each and passes its URL (SNIPPET_SERVICES).
   */
  readonly services: readonly SnippetService[];
}

export const DEFAULT_SNIPPET_SETTINGS: SnippetSettings = {
  nodeOptions: [],
  env: {},
  timeoutMs: 10_000,
  benchmark: false,
  benchIterations: undefined,
  services: [],
};

/** A single flag such as `--expose-gc` or `--max-old-space-size=64`: no spaces, nothing a shell would read. */
const NODE_FLAG = /^--[a-z0-9-]+(?:=[A-Za-z0-9_.,:/-]+)?$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

/** One entry (content/README.md has the format); SETTING_MESSAGES says what is wrong with each setting. */
const EntrySchema = v.pipe(
  plainObject(v.strictObject({
    nodeOptions: v.optional(v.array(v.pipe(v.string(), v.regex(NODE_FLAG))), []),
    env: v.optional(v.record(v.pipe(v.string(), v.regex(ENV_NAME)), v.string()), {}),
    timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(120_000)), DEFAULT_SNIPPET_SETTINGS.timeoutMs),
    benchmark: v.optional(v.boolean(), false),
    benchIterations: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    services: v.optional(v.pipe(v.array(v.picklist(Object.keys(SNIPPET_SERVICES) as SnippetService[])), v.check((list) => new Set(list).size === list.length)), []),
  })),
  v.check((entry) => !entry.benchmark || entry.benchIterations !== undefined, 'a benchmark needs `benchIterations`, a whole number of at least 1, for the test run'),
  v.check((entry) => entry.benchmark || entry.benchIterations === undefined, '`benchIterations` applies only to benchmarks'),
);

/** What each setting's own check says when the schema gives no message of its own. */
const SETTING_MESSAGES: Record<string, string> = {
  nodeOptions: '`nodeOptions` must be a list of single Node flags such as "--expose-gc"',
  env: '`env` must map upper-case variable names to strings',
  timeoutMs: '`timeoutMs` must be a whole number from 100 to 120000',
  benchmark: '`benchmark` must be true or false',
  benchIterations: 'a benchmark needs `benchIterations`, a whole number of at least 1, for the test run',
  services: `\`services\` must list each of ${Object.keys(SNIPPET_SERVICES).map((name) => `"${name}"`).join(', ')} at most once`,
};

function messagesOf(issues: readonly v.BaseIssue<unknown>[]): string[] {
  const messages = issues.map((issue) => {
    const setting = issue.path?.[0]?.key;
    if (issue.type === 'strict_object') return `unknown setting \`${String(setting)}\` (known: ${Object.keys(SETTING_MESSAGES).join(', ')})`;
    return typeof setting === 'string' && SETTING_MESSAGES[setting] ? SETTING_MESSAGES[setting] : issue.message;
  });
  return [...new Set(messages)];
}

/**
 * @param file the snippets.json path relative to the content folder, for messages
 * @returns settings by snippet file name; entries with problems are left out
 */
export function parseSnippetSettings(file: string, text: string): { settings: Map<string, SnippetSettings>; problems: ContentProblem[] } {
  const problems: ContentProblem[] = [];
  const settings = new Map<string, SnippetSettings>();
  const lines = text.split('\n');
  const lineOf = (name: string): number => {
    const index = lines.findIndex((line) => line.includes(`"${name}"`));
    return index === -1 ? 1 : index + 1;
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    problems.push({ file, line: 1, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    return { settings, problems };
  }
  const entries = v.safeParse(PlainObject, data);
  if (!entries.success) {
    problems.push({ file, line: 1, message: 'must be an object keyed by snippet file name' });
    return { settings, problems };
  }
  for (const [name, raw] of Object.entries(entries.output)) {
    const line = lineOf(name);
    const found: string[] = [];
    if (!/^[\w.-]+\.ts$/.test(name)) found.push('keys must be snippet file names ending in .ts');
    const entry = v.safeParse(EntrySchema, raw, { abortPipeEarly: false });
    if (!entry.success) found.push(...(v.is(PlainObject, raw) ? messagesOf(entry.issues) : ['settings must be an object']));
    for (const message of found) problems.push({ file, line, message: `${name}: ${message}` });
    if (found.length === 0 && entry.success) settings.set(name, { ...entry.output, benchIterations: entry.output.benchIterations });
  }
  return { settings, problems };
}
