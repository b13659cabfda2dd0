// One embedded PostgreSQL (PGlite) for a snippet: started within a deadline, every statement
// bounded, errors wrapped with their cause (the PostgreSQL SQLSTATE stays on error.cause.code).
import { PGlite } from '@electric-sql/pglite';
import type { Results } from '@electric-sql/pglite';
import { withDeadline } from './deadline.ts';

export interface Db {
  query<T>(sql: string, params?: unknown[], ms?: number): Promise<Results<T>>;
  exec(sql: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openDb(ms = 60_000): Promise<Db> {
  const starting = PGlite.create();
  let pg: PGlite;
  try {
    pg = await withDeadline(starting, ms, 'PGlite start-up');
  } catch (error) {
    starting.then((late) => late.close(), () => undefined).catch(() => undefined); // a late start is closed, not leaked
    throw error;
  }
  const wrap = (error: unknown, sql: string): Error => new Error(`query failed: ${sql.trim().split('\n')[0]}`, { cause: error });
  return {
    async query<T>(sql: string, params: unknown[] = [], timeoutMs = 10_000) {
      try { return await withDeadline(pg.query<T>(sql, params), timeoutMs, 'query'); } catch (e) { throw wrap(e, sql); }
    },
    async exec(sql: string, timeoutMs = 20_000) {
      try { await withDeadline(pg.exec(sql), timeoutMs, 'exec'); } catch (e) { throw wrap(e, sql); }
    },
    close: () => pg.close(),
  };
}
