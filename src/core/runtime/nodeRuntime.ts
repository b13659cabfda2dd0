// Finds a Node that runs TypeScript directly (type stripping, Node 22.18 or later), in order:
// the learner's `backendStudy.nodePath` setting, `node` on PATH, the editor's own runtime.
import { runProcess } from '../process/runProcess.ts';

export type RuntimeSource = 'setting' | 'path' | 'editor';

export interface RuntimeCandidate {
  readonly source: RuntimeSource;
  readonly command: string;
  /** Added to the environment whenever this runtime runs (the editor's needs ELECTRON_RUN_AS_NODE). */
  readonly env: Readonly<Record<string, string>>;
}

export interface NodeRuntime extends RuntimeCandidate {
  /** The absolute executable, as the probe reported it. */
  readonly executable: string;
  readonly version: string;
}

export interface ProbeReport {
  readonly executable: string;
  readonly version: string;
  /** `process.features.typescript`: 'strip', 'transform', or false/undefined where types cannot run. */
  readonly typescript: unknown;
}

export type Probe = (candidate: RuntimeCandidate) => Promise<ProbeReport | { readonly error: string }>;

export type Resolution =
  | { readonly ok: true; readonly runtime: NodeRuntime }
  | { readonly ok: false; readonly message: string; readonly tried: readonly string[] };

export const MINIMUM_NODE = [22, 18, 0] as const;

export function candidates(options: { settingPath: string | undefined; editorExecutable: string }): RuntimeCandidate[] {
  const list: RuntimeCandidate[] = [];
  const setting = options.settingPath?.trim();
  if (setting) list.push({ source: 'setting', command: setting, env: {} });
  list.push({ source: 'path', command: 'node', env: {} });
  list.push({ source: 'editor', command: options.editorExecutable, env: { ELECTRON_RUN_AS_NODE: '1' } });
  return list;
}

export function meetsMinimum(version: string): boolean {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  if (!parts) return false;
  for (let index = 0; index < MINIMUM_NODE.length; index += 1) {
    const have = parts[index] ?? 0;
    const need = MINIMUM_NODE[index] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

const SOURCE_WORDS: Record<RuntimeSource, string> = {
  setting: 'the backendStudy.nodePath setting',
  path: '`node` on PATH',
  editor: "the editor's own runtime",
};

/** The first candidate that can run TypeScript directly, or a message that says what to install. */
export async function resolveNodeRuntime(list: readonly RuntimeCandidate[], probe: Probe): Promise<Resolution> {
  const tried: string[] = [];
  for (const candidate of list) {
    const report = await probe(candidate);
    if ('error' in report) {
      tried.push(`${SOURCE_WORDS[candidate.source]} (${candidate.command}): ${report.error}`);
      continue;
    }
    if (!meetsMinimum(report.version) || (report.typescript !== 'strip' && report.typescript !== 'transform')) {
      tried.push(`${SOURCE_WORDS[candidate.source]} (${report.executable}): Node ${report.version} cannot run TypeScript directly`);
      continue;
    }
    return { ok: true, runtime: { ...candidate, executable: report.executable, version: report.version } };
  }
  return {
    ok: false,
    message: `No Node.js that runs TypeScript directly was found. Install Node.js 22.18 or later (Node 24 LTS recommended), or set backendStudy.nodePath to its executable.`,
    tried,
  };
}

const PROBE_SCRIPT = 'process.stdout.write(JSON.stringify({executable: process.execPath, version: process.version, typescript: process.features && process.features.typescript}))';

/** Asks a candidate about itself by running it. */
export const probeByRunning: Probe = async (candidate) => {
  const result = await runProcess({ command: candidate.command, args: ['-e', PROBE_SCRIPT], cwd: process.cwd(), env: candidate.env, timeoutMs: 10_000 });
  if (result.startError) return { error: result.startError.code === 'ENOENT' ? 'not found' : result.startError.message };
  if (result.timedOut) return { error: 'did not answer within 10 s' };
  if (result.exitCode !== 0) return { error: `exited with ${result.exitCode ?? result.signal ?? '?'}` };
  try {
    const report = JSON.parse(result.stdout) as Partial<ProbeReport>;
    if (typeof report.executable !== 'string' || typeof report.version !== 'string') return { error: 'did not report a version' };
    return { executable: report.executable, version: report.version, typescript: report.typescript };
  } catch {
    return { error: 'did not report a version' };
  }
};
