// Retries with capped exponential backoff and full jitter, a retry budget shared by all
// calls to one dependency, Retry-After, and cancellation. Time is injectable (sleep), and so
// is randomness, so that tests and simulations are deterministic.
import { setTimeout as sleepWithSignal } from 'node:timers/promises';

/**
 * A token bucket that bounds retries to a fraction of requests: every first attempt
 * deposits `ratio` tokens (up to `maxTokens`), every retry needs a whole token. With
 * ratio 0.1 a dependency sees at most about 10 % extra load from retries however long it
 * is down, instead of `maxAttempts` times its normal load.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #maxTokens: number;
  #tokens: number;

  constructor(options: { ratio: number; maxTokens: number }) {
    if (!(options.ratio > 0 && options.ratio <= 1)) throw new RangeError('ratio must be in (0, 1]');
    this.#ratio = options.ratio;
    this.#maxTokens = options.maxTokens;
    this.#tokens = options.maxTokens;
  }

  recordRequest(): void {
    this.#tokens = Math.min(this.#maxTokens, this.#tokens + this.#ratio);
  }

  tryTakeRetry(): boolean {
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export interface RetryOptions {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly isRetryable: (error: unknown) => boolean;
  readonly signal?: AbortSignal;
  readonly budget?: RetryBudget;
  /** Returns a number in [0, 1). Default Math.random. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** A server's Retry-After, when the error carries one (429 or 503 responses). */
function retryAfterMs(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/**
 * Calls `operation` until it succeeds, fails with an error that is not retryable, runs out
 * of attempts or of budget, or `signal` aborts. The operation receives the attempt number
 * (1-based), for logging and for idempotency keys that must stay the same across attempts.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepWithSignal(ms, undefined, { signal }));
  const errors: unknown[] = [];
  options.budget?.recordRequest();
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      errors.push(error);
      if (options.signal?.aborted) throw options.signal.reason;
      if (!options.isRetryable(error)) throw error;
      if (attempt >= options.maxAttempts) {
        throw new AggregateError(errors, `all ${attempt} attempts failed`, { cause: error });
      }
      if (options.budget !== undefined && !options.budget.tryTakeRetry()) {
        throw new AggregateError(errors, `retry budget exhausted after ${attempt} attempt(s)`, { cause: error });
      }
      // Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))), then at least Retry-After.
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(Math.floor(random() * ceiling), retryAfterMs(error) ?? 0);
      options.onRetry?.({ attempt, delayMs, error });
      try {
        await sleep(delayMs, options.signal);
      } catch (sleepError) {
        throw options.signal?.aborted ? options.signal.reason : sleepError;
      }
    }
  }
}
