import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Collected output; empty for a stream that had a listener in the options (it was handed over as it came). */
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  /** The process could not start (no such executable, permissions). */
  readonly startError?: { readonly code: string | undefined; readonly message: string };
  readonly durationMs: number;
}

export interface ProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to the parent's environment (less NODE_OPTIONS, which must not leak a debugger or loader in). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Aborting it kills the process tree, as the timeout does. */
  readonly signal?: AbortSignal;
  /** Receive output as it comes instead of collecting it. */
  readonly onStdout?: (chunk: string) => void;
  readonly onStderr?: (chunk: string) => void;
  /** Through the shell: only for commands that are scripts on Windows (npm.cmd). */
  readonly shell?: boolean;
}

/**
 * Runs a process to its end. At the timeout, or when the signal aborts, the whole process
 * group is killed, since code under test may start children of its own that would otherwise
 * outlive it. Never rejects: a process that cannot start is a result with `startError`.
 */
export function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const inherited = { ...process.env };
  delete inherited.NODE_OPTIONS;
  const started = performance.now();
  return new Promise<ProcessResult>((resolve) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...inherited, ...options.env },
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: options.shell ?? false,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let cancelled = false;
    let startError: ProcessResult['startError'];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (options.onStdout) options.onStdout(chunk);
      else stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      if (options.onStderr) options.onStderr(chunk);
      else stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killProcessTree(child.pid);
    }, options.timeoutMs);
    const abort = (): void => {
      cancelled = true;
      killProcessTree(child.pid);
    };
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      startError = { code, message: code === 'ENOENT' ? `${options.command} was not found` : error.message };
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      resolve({ exitCode, signal, stdout, stderr, timedOut, cancelled, durationMs: performance.now() - started, ...(startError === undefined ? {} : { startError }) });
    });
  });
}

/** Kills a process started with `detached: true` together with its process group. */
export function killProcessTree(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // It ended on its own meanwhile.
  }
}
