// When a run of a challenge's tests completes the challenge, and what it does to its progress.
import { challengeProgress, updateChallenge, type Progress } from './progress.ts';

export interface ChallengeRunFacts {
  /** Every test file of the challenge ran, nothing excluded, no name filter. */
  readonly wholeChallenge: boolean;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly passed: number;
  readonly failed: number;
  readonly fileErrors: number;
  /** Test files that differ from the scaffolded ones. */
  readonly changedTests: readonly string[];
}

export interface ChallengeRunVerdict {
  /** Every test of the whole challenge passed. */
  readonly complete: boolean;
  /** ...with the test files as scaffolded, so it counts as solving it. */
  readonly counted: boolean;
}

export function challengeRunVerdict(facts: ChallengeRunFacts): ChallengeRunVerdict {
  const complete = facts.wholeChallenge && !facts.timedOut && !facts.cancelled && facts.failed === 0 && facts.passed > 0 && facts.fileErrors === 0;
  return { complete, counted: complete && facts.changedTests.length === 0 };
}

/** A run counts one more run; a counted completion marks it done, and done stays done. */
export function recordChallengeRun(progress: Progress, id: string, verdict: ChallengeRunVerdict, now: Date): Progress {
  const before = challengeProgress(progress, id);
  const state = verdict.counted || before.state === 'done' ? 'done' : 'in-progress';
  return updateChallenge(progress, id, { state, runs: before.runs + 1 }, now);
}
