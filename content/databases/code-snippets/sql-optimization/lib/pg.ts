// Shared helpers for the snippets: open an in-memory PGlite, print plans, bound every wait.
import { PGlite } from '@electric-sql/pglite';
import type { Extensions } from '@electric-sql/pglite';

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  readonly code = 'ETIMEDOUT';
}

/**
 * Resolves with `work`, or rejects when `ms` pass or `signal` aborts, whichever comes first.
 * PGlite's query() takes no AbortSignal, so the deadline bounds our wait, not the engine's work.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  const deadline = AbortSignal.timeout(ms);
  const any = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      const reason: unknown = any.reason;
      reject(deadline.aborted ? new DeadlineExceeded(`${what}: no answer within ${ms} ms`, { cause: reason }) : reason);
    };
    if (any.aborted) onAbort();
    else any.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) any.removeEventListener('abort', onAbort);
  }
}

/**
 * An in-memory PostgreSQL (PGlite), ready within `ms`. The start-up goes on after the deadline
 * rejects, so an instance that arrives late is closed (with its own deadline), not leaked.
 */
export async function openDb(extensions: Extensions = {}, ms = 60_000): Promise<PGlite> {
  const starting = PGlite.create({ extensions });
  try {
    return await withDeadline(starting, ms, 'PGlite start-up');
  } catch (error) {
    starting
      .then((late) => withDeadline(late.close(), 10_000, 'closing a late PGlite'), () => undefined)
      .catch((closeError: unknown) => console.error('closing a late PGlite failed:', closeError));
    throw error;
  }
}

/** The plan lines of EXPLAIN (<options>) <sql>. */
export async function explain(db: PGlite, sql: string, options = 'COSTS OFF', params: unknown[] = []): Promise<string[]> {
  const result = await withDeadline(db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (${options}) ${sql}`, params), 30_000, 'EXPLAIN');
  return result.rows.map((row) => row['QUERY PLAN']);
}

/** Prints a title and the plan, indented. */
export async function showPlan(db: PGlite, title: string, sql: string, options = 'COSTS OFF', params: unknown[] = []): Promise<string[]> {
  const lines = await explain(db, sql, options, params);
  console.log(`-- ${title}`);
  for (const line of lines) console.log(`   ${line}`);
  return lines;
}
