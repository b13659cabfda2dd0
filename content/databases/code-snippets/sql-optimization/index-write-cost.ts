// Benchmark: what each secondary index costs on INSERT. The same rows are inserted into
// tables with 0, 1, 2, 4 and 6 B-tree indexes (plus the primary key), best of REPEATS.
// BENCH_ITERATIONS is the number of rows (default 100,000), inserted with INSERT ... SELECT
// in batches of 1,000 so that the engine's own work dominates, not parameter marshalling.
// PGlite runs in this process, so process.cpuUsage() measures the engine's CPU time, which
// a loaded machine disturbs far less than wall-clock time.
import { openDb, withDeadline } from './lib/pg.ts';

const ROWS = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const BATCH = 1000;
const REPEATS = 3;
const INDEXED = ['customer_id', 'sku', 'created_at', 'status', 'email', 'amount_cents'];
const db = await openDb();

async function insertAll(): Promise<{ wallMs: number; cpuMs: number }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let first = 1; first <= ROWS; first += BATCH) {
    const last = Math.min(first + BATCH - 1, ROWS);
    await withDeadline(db.query(`
      INSERT INTO t
      SELECT g, (g * 7919) % 50000, 'sku-' || (g * 104729) % 9973, timestamptz '2026-01-01' + g * interval '1 second',
             CASE WHEN g % 10 = 0 THEN 'refunded' ELSE 'paid' END, 'u' || (g * 31) % 40000 || '@example.com', (g * 13) % 100000
      FROM generate_series($1::bigint, $2::bigint) g`, [first, last]), 30_000, 'INSERT batch');
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

try {
  console.log(`${ROWS} rows, INSERT ... SELECT in batches of ${BATCH}, best of ${REPEATS}, ${process.version}`);
  console.log('secondary indexes   wall ms    CPU ms   CPU µs/row   CPU vs 0   table+indexes MiB');
  let baseline = 0;
  for (const count of [0, 1, 2, 4, 6]) {
    let wall = Infinity;
    let cpu = Infinity;
    let mib = 0;
    for (let r = 0; r < REPEATS; r++) {
      await db.exec(`DROP TABLE IF EXISTS t;
        CREATE TABLE t (id int PRIMARY KEY, customer_id int, sku text, created_at timestamptz, status text, email text, amount_cents int);
        ${INDEXED.slice(0, count).map((column) => `CREATE INDEX ON t (${column});`).join('\n')}`);
      const run = await insertAll();
      wall = Math.min(wall, run.wallMs);
      cpu = Math.min(cpu, run.cpuMs);
      const size = await db.query<{ bytes: number }>(`SELECT pg_total_relation_size('t')::float8 AS bytes`);
      mib = (size.rows[0]?.bytes ?? 0) / 1024 / 1024;
    }
    if (count === 0) baseline = cpu;
    console.log(`${String(count).padStart(17)} ${wall.toFixed(0).padStart(9)} ${cpu.toFixed(0).padStart(9)} ${((cpu * 1000) / ROWS).toFixed(2).padStart(12)} ${(cpu / baseline).toFixed(2).padStart(9)}x ${mib.toFixed(1).padStart(19)}`);
  }
} finally {
  await db.close();
}
