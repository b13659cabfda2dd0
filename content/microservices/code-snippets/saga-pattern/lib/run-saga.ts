// An in-memory saga runner, small on purpose: the order of calls is the point, not durability
// (crash-recovery.ts shows the log). Steps run in order; a step marked `pivot` is the go/no-go
// point: a failure before or at it runs the compensations of the completed steps newest first
// (backward recovery); a failure after it is retried (forward recovery), up to `attempts`, then
// the saga is stuck past its pivot for an operator: the steps after the pivot are retriable by design. Every wait is bounded: each attempt is raced
// against its deadline. That ends the wait, not the work: see withRetries.
import { setTimeout as sleep } from 'node:timers/promises';

export type Kind = 'compensatable' | 'pivot' | 'retriable';
export interface SagaStep {
  readonly name: string;
  readonly kind: Kind;
  readonly run: (signal: AbortSignal) => Promise<void>;
  readonly compensate?: (signal: AbortSignal) => Promise<void>;
}
export interface RetryPolicy {
  readonly attempts: number; // for compensations and retriable steps; then the saga is stuck (thrown) for an operator
  readonly baseMs: number;
  readonly attemptTimeoutMs: number;
}

/** A business "no" (card declined): never retried. Anything else counts as transient. */
export class Rejected extends Error {
  override readonly name = 'Rejected';
  readonly code = 'EREJECTED';
}

export async function withRetries(what: string, work: (signal: AbortSignal) => Promise<void>, policy: RetryPolicy, trace: (line: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const signal = AbortSignal.timeout(policy.attemptTimeoutMs);
      // Race the work against its deadline: the WAIT ends on time, but work that ignores the signal keeps
      // running beside the retry and can land late, which is why every step and compensation is keyed.
      await Promise.race([work(signal), new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }))]);
      trace(`${what}: ok (attempt ${attempt})`);
      return;
    } catch (error) {
      if (error instanceof Rejected || attempt >= policy.attempts) throw error;
      trace(`${what}: ${(error as Error).message}, retrying (attempt ${attempt})`);
      await sleep(policy.baseMs * 2 ** (attempt - 1)); // exponential backoff; add jitter in a real fleet
    }
  }
}

export async function runSaga(steps: readonly SagaStep[], policy: RetryPolicy, trace: (line: string) => void): Promise<'completed' | 'compensated'> {
  const done: SagaStep[] = [];
  const pivotAt = steps.findIndex((s) => s.kind === 'pivot');
  for (const [i, step] of steps.entries()) {
    const forward = pivotAt >= 0 && i > pivotAt; // past the pivot: only forward
    try {
      // Before the pivot a step is tried once here (a real runner would also retry transient errors
      // on an idempotent step); past it, retried with no business "no" possible.
      await withRetries(step.name, step.run, forward ? policy : { ...policy, attempts: 1 }, trace);
      done.push(step);
    } catch (error) {
      // Past the pivot there is no way back: out of attempts, the saga is stuck, not compensated.
      if (forward) throw new Error(`${step.name}: still failing after ${policy.attempts} attempts; saga stuck past its pivot`, { cause: error });
      trace(`${step.name}: failed (${(error as Error).name}: ${(error as Error).message}), compensating`);
      for (const prior of done.reverse()) { // a compensation out of attempts throws: stuck, for an operator
        if (prior.compensate) await withRetries(`undo ${prior.name}`, prior.compensate, policy, trace);
      }
      return 'compensated';
    }
  }
  return 'completed';
}
