// MVCC bloat: every UPDATE writes a new row version and leaves a dead one behind.
// pg_stat_user_tables counts them (n_dead_tup); VACUUM makes the space reusable but does not
// return it to the operating system; VACUUM FULL rewrites the table (under an exclusive lock).
import { openDb } from './lib/pg.ts';
import type { PGlite } from '@electric-sql/pglite';

const db = await openDb();

type Stats = { live: number; dead: number; mib: number; vacuums: number; autovacuums: number };
async function stats(database: PGlite): Promise<Stats> {
  // Statistics are flushed by the backend lazily; force it so the numbers are current.
  await database.query('SELECT pg_stat_force_next_flush()');
  await database.query('SELECT 1');
  await database.query('SELECT pg_stat_clear_snapshot()');
  const r = await database.query<Stats>(`
    SELECT n_live_tup::int AS live, n_dead_tup::int AS dead, vacuum_count::int AS vacuums, autovacuum_count::int AS autovacuums,
           round(pg_relation_size('accounts') / 1048576.0, 1)::float8 AS mib
    FROM pg_stat_user_tables WHERE relname = 'accounts'`);
  const row = r.rows[0];
  if (!row) throw new Error('no statistics for accounts');
  return row;
}
const show = async (label: string): Promise<void> => {
  const s = await stats(db);
  console.log(`${label.padEnd(38)} live=${String(s.live).padEnd(6)} dead=${String(s.dead).padEnd(7)} heap=${String(s.mib).padEnd(5)} MiB vacuums=${s.vacuums} autovacuums=${s.autovacuums}`);
};

try {
  await db.exec(`
    CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL, note text NOT NULL);
    INSERT INTO accounts SELECT g, 0, repeat('n', 60) FROM generate_series(1, 50000) g;
  `);
  await show('after INSERT of 50,000 rows');
  await db.exec('UPDATE accounts SET balance = balance + 1');
  await show('after 1 UPDATE of every row');
  for (let i = 0; i < 3; i++) await db.exec('UPDATE accounts SET balance = balance + 1');
  await show('after 3 more UPDATEs');
  const threshold = await db.query<{ t: number }>(
    `SELECT (current_setting('autovacuum_vacuum_threshold')::int
             + current_setting('autovacuum_vacuum_scale_factor')::float8 * 50000)::int AS t`);
  console.log(`autovacuum would trigger above ${threshold.rows[0]?.t} dead rows (threshold + scale_factor x reltuples)`);
  await db.exec('VACUUM accounts');
  await show('after VACUUM');
  await db.exec('UPDATE accounts SET balance = balance + 1');
  await show('UPDATE again: reuses the freed space');
  await db.exec('VACUUM FULL accounts');
  await show('after VACUUM FULL (table rewritten)');
} finally {
  await db.close();
}
