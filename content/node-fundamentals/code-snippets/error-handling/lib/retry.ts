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
    // NaN would make `tokens < 1` false forever: a budget that never refuses, silently off.
    if (!(Number.isFinite(options.maxTokens) && options.maxTokens >= 1)) throw new RangeError('maxTokens must be a finite number >= 1');
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
  /**
   * When the caller's deadline passes, as a Date.now() timestamp. A retry whose wait would end
   * at or after it is not made: the loop gives up at once instead of sleeping out the budget.
   * The signal still cancels; this is what lets the loop decide before it sleeps.
   */
  readonly deadlineAt?: number;
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
 * of attempts, of budget or of time, or `signal` aborts. Every wait is bounded: by
 * `maxDelayMs`, and by `deadlineAt` when given. A server's Retry-After beyond either ends the
 * retries at once (the AggregateError's cause still carries it) instead of parking the
 * request. The operation receives the attempt number (1-based), for logging and for
 * idempotency keys that must stay the same across attempts.
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepWithSignal(ms, undefined, { signal }));
  // Options often come from configuration, where a missing variable is NaN or undefined: NaN
  // attempts never stop (`attempt >= NaN` is false) and a NaN delay is a 1 ms timer (no backoff).
  if (!(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) throw new RangeError('maxAttempts must be an integer >= 1');
  if (!(Number.isFinite(options.baseDelayMs) && options.baseDelayMs >= 0)) throw new RangeError('baseDelayMs must be a finite number >= 0');
  if (!(options.maxDelayMs >= 0 && options.maxDelayMs <= 2 ** 31 - 1)) throw new RangeError('maxDelayMs must be in [0, 2^31 - 1]');
  if (options.deadlineAt !== undefined && !Number.isFinite(options.deadlineAt)) throw new RangeError('deadlineAt must be a finite timestamp');
  const errors: unknown[] = [];
  const giveUp = (error: unknown, why: string): AggregateError =>
    new AggregateError(errors, `${why}; gave up after ${errors.length} attempt(s)`, { cause: error });
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
      // Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))), then at least Retry-After,
      // but never more than the cap: a server that asks for longer gets no retry from us.
      const serverDelayMs = retryAfterMs(error);
      if (serverDelayMs !== undefined && serverDelayMs > options.maxDelayMs) {
        throw giveUp(error, `server asked to retry after ${serverDelayMs} ms, more than maxDelayMs ${options.maxDelayMs}`);
      }
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(Math.floor(random() * ceiling), serverDelayMs ?? 0);
      // The next attempt must start before the deadline, or it is not made (and costs no token).
      if (options.deadlineAt !== undefined && Date.now() + delayMs >= options.deadlineAt) {
        throw giveUp(error, `a retry in ${delayMs} ms would start after the deadline`);
      }
      if (options.budget !== undefined && !options.budget.tryTakeRetry()) {
        throw giveUp(error, 'retry budget exhausted');
      }
      options.onRetry?.({ attempt, delayMs, error });
      try {
        await sleep(delayMs, options.signal);
      } catch (sleepError) {
        throw options.signal?.aborted ? options.signal.reason : sleepError;
      }
    }
  }
}
