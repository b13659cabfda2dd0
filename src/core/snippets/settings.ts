// Per-snippet settings from a snippet folder's `snippets.json` (format: content/README.md).
import type { ContentProblem } from '../content/problems.ts';

export interface SnippetSettings {
  /** Node flags, applied whenever the snippet runs (tests and the learner's terminal). */
  readonly nodeOptions: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly benchmark: boolean;
  /** For benchmarks: the `BENCH_ITERATIONS` the test run uses, small so that it stays fast. */
  readonly benchIterations: number | undefined;
}

export const DEFAULT_SNIPPET_SETTINGS: SnippetSettings = {
  nodeOptions: [],
  env: {},
  timeoutMs: 10_000,
  benchmark: false,
  benchIterations: undefined,
};

const KEYS = ['nodeOptions', 'env', 'timeoutMs', 'benchmark', 'benchIterations'];
/** A single flag such as `--expose-gc` or `--max-old-space-size=64`: no spaces, nothing a shell would read. */
const NODE_FLAG = /^--[a-z0-9-]+(?:=[A-Za-z0-9_.,:/-]+)?$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;

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
  if (!isRecord(data)) {
    problems.push({ file, line: 1, message: 'must be an object keyed by snippet file name' });
    return { settings, problems };
  }
  for (const [name, entry] of Object.entries(data)) {
    const line = lineOf(name);
    const problem = (message: string): void => {
      problems.push({ file, line, message: `${name}: ${message}` });
    };
    const before = problems.length;
    if (!/^[\w.-]+\.ts$/.test(name)) problem('keys must be snippet file names ending in .ts');
    if (!isRecord(entry)) {
      problem('settings must be an object');
      continue;
    }
    for (const key of Object.keys(entry)) if (!KEYS.includes(key)) problem(`unknown setting \`${key}\` (known: ${KEYS.join(', ')})`);
    const nodeOptions = entry.nodeOptions ?? [];
    if (!Array.isArray(nodeOptions) || !nodeOptions.every((flag): flag is string => typeof flag === 'string' && NODE_FLAG.test(flag))) {
      problem('`nodeOptions` must be a list of single Node flags such as "--expose-gc"');
    }
    const env = entry.env ?? {};
    if (!isRecord(env) || !Object.entries(env).every(([key, value]) => ENV_NAME.test(key) && typeof value === 'string')) {
      problem('`env` must map upper-case variable names to strings');
    }
    const timeoutMs = entry.timeoutMs ?? DEFAULT_SNIPPET_SETTINGS.timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
      problem('`timeoutMs` must be a whole number from 100 to 120000');
    }
    const benchmark = entry.benchmark ?? false;
    if (typeof benchmark !== 'boolean') problem('`benchmark` must be true or false');
    const benchIterations = entry.benchIterations;
    if (benchmark === true && (typeof benchIterations !== 'number' || !Number.isInteger(benchIterations) || benchIterations < 1)) {
      problem('a benchmark needs `benchIterations`, a whole number of at least 1, for the test run');
    }
    if (benchmark !== true && benchIterations !== undefined) problem('`benchIterations` applies only to benchmarks');
    if (problems.length > before) continue;
    settings.set(name, {
      nodeOptions: nodeOptions as string[],
      env: env as Record<string, string>,
      timeoutMs: timeoutMs as number,
      benchmark: benchmark as boolean,
      benchIterations: benchIterations as number | undefined,
    });
  }
  return { settings, problems };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
