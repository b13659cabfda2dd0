import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessResult } from '../process/runProcess.ts';
import type { SnippetSettings } from './settings.ts';

export interface RunSnippetOptions {
  /** The Node executable. */
  readonly node: string;
  /** The snippet's absolute path. */
  readonly file: string;
  readonly settings: SnippetSettings;
  /** 'test' runs benchmarks at their small `benchIterations`; 'full' at the snippet's own default. */
  readonly mode: 'test' | 'full';
  /** Overrides `settings.timeoutMs`. */
  readonly timeoutMs?: number;
  /** More environment, such as the URLs of the servers it asked for (DATABASE_URL, REDIS_URL). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The command line and environment additions that run a snippet with its settings. */
export function snippetCommand(options: Pick<RunSnippetOptions, 'file' | 'settings' | 'mode'>): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = { ...options.settings.env };
  if (options.mode === 'test' && options.settings.benchmark && options.settings.benchIterations !== undefined) {
    env.BENCH_ITERATIONS = String(options.settings.benchIterations);
  }
  return { args: [...options.settings.nodeOptions, options.file], env };
}

/**
 * Runs one snippet in a fresh temporary working folder, which is removed afterwards, so a
 * snippet that writes files leaves nothing behind; one still running at its timeout is
 * killed with the children it started.
 */
export async function runSnippet(options: RunSnippetOptions): Promise<ProcessResult> {
  const cwd = await mkdtemp(join(tmpdir(), 'snippet-'));
  const { args, env } = snippetCommand(options);
  try {
    return await runProcess({ command: options.node, args, cwd, env: { ...options.env, ...env }, timeoutMs: options.timeoutMs ?? options.settings.timeoutMs });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
