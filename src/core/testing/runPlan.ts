// Which processes a test run request starts, and how the tests it never heard from settle:
// decided from plain descriptions of the requested items, without the editor.

/** A requested item of the Testing view, as the plan sees it (paths are absolute). */
export type PlanTarget =
  | { readonly kind: 'challenge'; readonly challenge: string }
  | { readonly kind: 'file'; readonly challenge: string; readonly file: string }
  | { readonly kind: 'test'; readonly challenge: string; readonly file: string; readonly path: readonly string[] };

/** One `node --test` invocation for one challenge folder. */
export interface ChallengePlan {
  readonly challenge: string;
  /** The test files to pass, or every test file of the challenge. */
  readonly files: readonly string[] | 'all';
  readonly excludeFiles: readonly string[];
  /** `--test-name-pattern` values: empty runs every test of the files. */
  readonly namePatterns: readonly string[];
  /** `--test-skip-pattern` values, for excluded tests. */
  readonly skipPatterns: readonly string[];
  /** The whole challenge runs, nothing excluded: such a run can complete the challenge. */
  readonly whole: boolean;
}

/**
 * Groups a request by challenge. A test alone runs only its file, filtered to it by an
 * anchored name pattern; a file or a challenge runs whole. When one challenge mixes whole
 * files and single tests, its files run whole: a name pattern would filter every file of the
 * process, and the extra results are real results.
 */
export function planRun(include: readonly PlanTarget[], exclude: readonly PlanTarget[] = []): ChallengePlan[] {
  interface Draft { whole: boolean; files: Set<string>; tests: PlanTarget[]; wholeFiles: boolean }
  const drafts = new Map<string, Draft>();
  for (const target of include) {
    const draft = drafts.get(target.challenge) ?? { whole: false, files: new Set<string>(), tests: [], wholeFiles: false };
    drafts.set(target.challenge, draft);
    if (target.kind === 'challenge') draft.whole = true;
    else {
      draft.files.add(target.file);
      if (target.kind === 'test') draft.tests.push(target);
      else draft.wholeFiles = true;
    }
  }
  const plans: ChallengePlan[] = [];
  for (const [challenge, draft] of drafts) {
    const excluded = exclude.filter((target) => target.challenge === challenge);
    if (excluded.some((target) => target.kind === 'challenge')) continue;
    const excludeFiles = excluded.flatMap((target) => (target.kind === 'file' ? [target.file] : []));
    const skipPatterns = excluded.flatMap((target) => (target.kind === 'test' ? [testNamePattern(target.path)] : []));
    const files = draft.whole ? 'all' : [...draft.files].filter((file) => !excludeFiles.includes(file)).sort();
    if (files !== 'all' && files.length === 0) continue;
    const namePatterns = draft.whole || draft.wholeFiles ? [] : draft.tests.flatMap((target) => (target.kind === 'test' ? [testNamePattern(target.path)] : []));
    plans.push({ challenge, files, excludeFiles, namePatterns, skipPatterns, whole: draft.whole && excluded.length === 0 });
  }
  return plans;
}

/** node:test matches a pattern against a test's name preceded by its suites' names, joined by spaces. */
export function testNamePattern(path: readonly string[]): string {
  return `^${escapeRegExp(path.join(' '))}$`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** How a run ended, as far as the tests that never reported are concerned. */
export interface RunEnding {
  readonly timedOut?: boolean;
  readonly cancelled?: boolean;
  /** The tests that were running when the run was stopped, by key; unknown when empty. */
  readonly running?: ReadonlySet<string>;
}

export type Settlement = { readonly key: string; readonly outcome: 'errored' | 'skipped'; readonly reason: 'stopped-here' | 'not-run' | 'cancelled' };

/**
 * The tests that were queued and never reported. A stop (time limit) errors the test that was
 * running and leaves the others not run; a cancel errors every unfinished one; otherwise they
 * did not run (their file did not load, or a name pattern left them out), which is a skip.
 */
export function settleUnreported(queued: Iterable<string>, reported: ReadonlySet<string>, ending: RunEnding): Settlement[] {
  const settled: Settlement[] = [];
  for (const key of queued) {
    if (reported.has(key)) continue;
    if (ending.cancelled) settled.push({ key, outcome: 'errored', reason: 'cancelled' });
    else if (ending.timedOut && (ending.running === undefined || ending.running.size === 0 || ending.running.has(key))) settled.push({ key, outcome: 'errored', reason: 'stopped-here' });
    else settled.push({ key, outcome: 'skipped', reason: 'not-run' });
  }
  return settled;
}
