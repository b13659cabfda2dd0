// PostgreSQL sessions for the server snippets of this lesson: every wait bounded by the server
// (statement_timeout, lock_timeout) and by the driver (query_timeout, connectionTimeoutMillis).
import pg from 'pg';
import type { Pool } from 'pg';

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw Object.assign(new Error('DATABASE_URL is not set: this snippet needs a PostgreSQL server (the snippet runner starts one)'), { code: 'ENOSERVER' });
  return url;
}

/** A small pool; `name` shows in pg_stat_activity.application_name. */
export function openPool(name: string, max = 2): Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    application_name: name,
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 1_000,
    statement_timeout: 3_000,
    lock_timeout: 2_000,
    query_timeout: 5_000,
  });
  pool.on('error', (error: Error) => console.error(`pool ${name}: ${error.message}`)); // an idle client the server dropped
  return pool;
}

/** Ends a pool within a deadline; a pool that will not end is reported, not waited for forever. */
export async function closePool(pool: Pool | undefined): Promise<void> {
  if (!pool) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.end(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('pool.end(): no answer within 3000 ms'), { code: 'ETIMEDOUT' })), 3_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes every resource; one failing close does not skip the others, and the first failure is rethrown. */
export async function closeEach(closers: readonly (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled(closers.map((close) => close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw new Error('clean-up failed', { cause: failed.reason });
}
