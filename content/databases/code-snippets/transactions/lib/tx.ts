// A transaction runner that retries what PostgreSQL asks to be retried: serialization failures
// (SQLSTATE 40001) and deadlock victims (40P01). Bounded attempts, capped exponential backoff
// with full jitter, abortable, and the last failure kept as `cause`.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, Pool, PoolClient } from 'pg';
import { sqlState } from './sessions.ts';

export type Isolation = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  readonly isolation: Isolation;
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly signal?: AbortSignal;
  /** Called before each retry: for metrics and logs (one line per retry is plenty). */
  readonly onRetry?: (info: { attempt: number; code: string; delayMs: number }) => void;
  /**
   * Opt-in for codes beyond 40001/40P01. A 23505 (unique) or 23P01 (exclusion) can be a lost
   * race too (PostgreSQL docs 13.5), e.g. two sessions inserting the same new key after both
   * checked it was free; only the caller knows whether this transaction's one is.
   */
  readonly isRetryable?: (code: string, error: unknown) => boolean;
}

/** SQLSTATEs that mean "this transaction lost a race; running it again can succeed". */
export const RETRYABLE = new Set(['40001', '40P01']);

export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
  readonly code: string;
  readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(`transaction failed ${attempts} times with a retryable error; giving up`, { cause });
    this.code = sqlState(cause) ?? 'UNKNOWN';
    this.attempts = attempts;
  }
}

/**
 * Runs `work` in a transaction and commits it, retrying the whole of it on 40001/40P01.
 * `work` must be safe to run more than once: database statements only, no e-mails, no HTTP
 * calls (put those in an outbox, written by the same transaction).
 */
export async function inTransaction<T>(client: Client, options: TransactionOptions, work: (client: Client, attempt: number) => Promise<T>): Promise<{ value: T; attempts: number }> {
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    await client.query(`BEGIN ISOLATION LEVEL ${options.isolation}`);
    try {
      const value = await work(client, attempt);
      await client.query('COMMIT'); // SSI may report the conflict only here
      return { value, attempts: attempt };
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The session is unusable (connection lost): do not retry on it. If what failed was
        // the COMMIT itself, its outcome is unknown: the server may have committed before the
        // connection dropped. Rerunning `work` could apply it twice; only an idempotent `work`
        // (or a check on a key it wrote) can tell the caller which happened.
        throw new AggregateError([error, rollbackError], 'transaction failed and so did its ROLLBACK', { cause: error });
      }
      const code = sqlState(error);
      const retryable = code !== undefined && (RETRYABLE.has(code) || options.isRetryable?.(code, error) === true);
      if (!retryable) throw error; // a real error: retrying would repeat it
      if (attempt >= options.maxAttempts) throw new RetriesExhausted(attempt, error);
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(Math.random() * cap); // full jitter: colliding transactions spread out
      options.onRetry?.({ attempt, code, delayMs });
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}

/**
 * The pooled form: one checkout for every attempt (a transaction must never span two
 * checkouts), released in a finally. A client whose connection failed is destroyed, not reused.
 */
export async function inPooledTransaction<T>(pool: Pool, options: TransactionOptions, work: (client: PoolClient, attempt: number) => Promise<T>): Promise<{ value: T; attempts: number }> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client that loses its connection emits 'error'; unhandled, that ends the process.
  const onError = (error: Error): void => void (broken ??= error);
  client.on('error', onError);
  try {
    return await inTransaction(client, options, (tx, attempt) => work(tx as PoolClient, attempt));
  } catch (error) {
    if (error instanceof AggregateError) broken ??= error; // its ROLLBACK failed: the session is gone
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken); // release(error) closes the connection instead of returning it to the pool
  }
}
