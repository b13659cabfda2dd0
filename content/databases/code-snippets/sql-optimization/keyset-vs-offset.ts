// Benchmark: OFFSET pagination against keyset (seek) pagination, at increasing depth.
// BENCH_ITERATIONS is the number of rows in the table (default 200,000). For each depth we
// report the best of REPEATS wall-clock times and the buffers one page touches (from
// EXPLAIN (ANALYZE, BUFFERS)), which do not depend on machine load.
import { openDb, withDeadline } from './lib/pg.ts';
import type { PGlite } from '@electric-sql/pglite';

const ROWS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const PAGE = 50;
const REPEATS = 5;
const db = await openDb();

async function bestMs(sql: string, params: unknown[]): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    await withDeadline(db.query(sql, params), 30_000, 'page query');
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function buffers(database: PGlite, sql: string, params: unknown[]): Promise<number> {
  const r = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) ${sql}`, params);
  const first = r.rows.map((row) => row['QUERY PLAN']).find((line) => line.includes('Buffers:')) ?? '';
  return [...first.matchAll(/(?:hit|read)=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

try {
  await db.exec(`
    CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, payload text NOT NULL);
    INSERT INTO events SELECT g, timestamptz '2026-01-01' + g * interval '1 second', md5(g::text)
    FROM generate_series(1, ${ROWS}) g;
    CREATE INDEX events_created_id ON events (created_at, id);
  `);
  await db.exec('VACUUM ANALYZE events'); // VACUUM cannot run inside the implicit transaction of a multi-statement exec
  const offsetSql = `SELECT id, created_at, payload FROM events ORDER BY created_at, id LIMIT ${PAGE} OFFSET $1`;
  // The keyset query continues after the last row of the previous page: a row comparison on
  // the same columns as the ORDER BY and the index, so it is one index descent.
  const keysetSql = `SELECT id, created_at, payload FROM events WHERE (created_at, id) > ($1, $2) ORDER BY created_at, id LIMIT ${PAGE}`;
  console.log(`${ROWS} rows, ${PAGE} rows per page, best of ${REPEATS}, ${process.version}`);
  console.log('depth (rows skipped)   OFFSET ms   keyset ms   OFFSET buffers   keyset buffers');
  for (const fraction of [0, 0.1, 0.5, 0.99]) {
    const skip = Math.floor(ROWS * fraction);
    // The keyset cursor for this page is the last row of the previous one.
    const cursor = await db.query<{ created_at: Date; id: string }>('SELECT created_at, id FROM events ORDER BY created_at, id LIMIT 1 OFFSET $1', [Math.max(skip - 1, 0)]);
    const row = cursor.rows[0];
    if (!row) throw new Error(`no row at offset ${skip}`);
    const keysetParams = skip === 0 ? ['-infinity', 0] : [row.created_at, row.id];
    const a = await db.query<{ id: string }>(offsetSql, [skip]);
    const b = await db.query<{ id: string }>(keysetSql, keysetParams);
    if (a.rows.map((r) => r.id).join() !== b.rows.map((r) => r.id).join()) throw new Error(`pages differ at depth ${skip}`);
    const offsetMs = await bestMs(offsetSql, [skip]);
    const keysetMs = await bestMs(keysetSql, keysetParams);
    const offsetBuf = await buffers(db, offsetSql, [skip]);
    const keysetBuf = await buffers(db, keysetSql, keysetParams);
    console.log(`${String(skip).padStart(20)} ${offsetMs.toFixed(2).padStart(11)} ${keysetMs.toFixed(2).padStart(11)} ${String(offsetBuf).padStart(16)} ${String(keysetBuf).padStart(16)}`);
  }
  console.log('both methods returned identical pages at every depth');
} finally {
  await db.close();
}
