// Embedded PostgreSQL (PGlite) shards for the sharding snippets: every wait bounded, every
// instance closed on its own, errors keep their name, code and cause.
import { PGlite } from '@electric-sql/pglite';
import type { Results } from '@electric-sql/pglite';

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  readonly code = 'ETIMEDOUT';
}

/**
 * Resolves with `work`, or rejects when `ms` pass or `signal` aborts. PGlite's query() takes no
 * AbortSignal, so the deadline bounds our wait, not the engine's work.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  const deadline = AbortSignal.timeout(ms);
  const any = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(deadline.aborted ? new DeadlineExceeded(`${what}: no answer within ${ms} ms`) : any.reason);
    if (any.aborted) onAbort();
    else any.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) any.removeEventListener('abort', onAbort);
  }
}

export interface Shard {
  readonly name: string;
  readonly db: PGlite;
  /** One statement, bounded by `ms` (default 10 s); a failure names the shard and keeps the cause. */
  query<T>(sql: string, params?: unknown[], ms?: number): Promise<Results<T>>;
  /** Several statements without parameters (db.exec), bounded the same way. */
  exec(sql: string, ms?: number): Promise<void>;
}

/** Opens an in-memory PGlite as a named shard, within `ms`; a late start-up is closed, not leaked. */
export async function openShard(name: string, ms = 60_000): Promise<Shard> {
  const starting = PGlite.create();
  let db: PGlite;
  try {
    db = await withDeadline(starting, ms, `${name}: PGlite start-up`);
  } catch (error) {
    starting
      .then((late) => withDeadline(late.close(), 10_000, `${name}: closing a late PGlite`), () => undefined)
      .catch((closeError: unknown) => console.error(`${name}: closing a late PGlite failed:`, closeError));
    throw error;
  }
  return {
    name,
    db,
    async query<T>(sql: string, params: unknown[] = [], timeoutMs = 10_000): Promise<Results<T>> {
      try {
        return await withDeadline(db.query<T>(sql, params), timeoutMs, `${name}: query`);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
      }
    },
    async exec(sql: string, timeoutMs = 10_000): Promise<void> {
      try {
        await withDeadline(db.exec(sql), timeoutMs, `${name}: exec`);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}

/** Opens several shards at once; if any fails to start, the ones that did are closed before the error is thrown. */
export async function openShards(names: readonly string[]): Promise<Shard[]> {
  const results = await Promise.allSettled(names.map((name) => openShard(name)));
  const opened = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failed.length > 0) {
    await closeAll(opened).catch((error: unknown) => console.error('closing the shards that did start failed:', error));
    throw new AggregateError(failed, `${failed.length} of ${names.length} shard(s) did not start`);
  }
  return opened;
}

/** Closes every shard; one failing close does not skip the others. */
export async function closeAll(shards: readonly (Shard | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(shards.map((shard) => (shard ? withDeadline(shard.db.close(), 10_000, `${shard.name}: close`) : undefined)));
  const failures = results.filter((result) => result.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason), `${failures.length} shard(s) did not close cleanly`);
}
