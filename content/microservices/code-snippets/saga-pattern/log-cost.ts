// Benchmark: what the saga log costs per step. Each step is one HTTP call to a participant (a
// node:http server in this process that answers at once), plus 0, 1 or 2 saga-log INSERTs, each its
// own transaction, on the real PostgreSQL 15 server (an fsync is the cost in question, and PGlite
// runs in memory). BENCH_ITERATIONS steps per variant (default 2000), after 50 warm-up steps.
// Read the numbers with the server's settings, which this prints: the snippet runner's server runs
// with fsync=off, so here a commit never waits for the disk; on a real one each commit with
// synchronous_commit=on waits for a WAL flush.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { closeEach, databaseUrl } from './lib/db.ts';

const STEPS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const WARMUP = 50;
const TABLE = `saga_log_bench_${process.pid}`; // its own table, dropped at the end (not TEMP: those skip the WAL being measured)
interface Variant { readonly name: string; readonly writes: 0 | 1 | 2; readonly syncCommit: 'on' | 'off' }
const VARIANTS: readonly Variant[] = [
  { name: 'call only', writes: 0, syncCommit: 'off' },
  { name: 'done record', writes: 1, syncCommit: 'off' },
  { name: 'done record', writes: 1, syncCommit: 'on' },
  { name: 'started + done', writes: 2, syncCommit: 'on' },
];

const server = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"outcome":"ok"}')); });
const client = new pg.Client({ connectionString: databaseUrl(), statement_timeout: 3_000, query_timeout: 5_000, connectionTimeoutMillis: 3_000 });
try {
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/step`;
  await client.connect();
  const settings = await client.query<{ name: string; setting: string }>(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method') ORDER BY name`);
  console.log(`server ${(await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v}: ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ')}`);
  await client.query(`CREATE TABLE ${TABLE} (seq bigserial PRIMARY KEY, saga text NOT NULL, event text NOT NULL, step int NOT NULL)`);
  console.log(`${STEPS} steps per variant, microseconds per step (one process, one connection)`);
  console.log('variant          writes  synchronous_commit    p50      p99');
  for (const v of VARIANTS) {
    await client.query(`SET synchronous_commit = ${v.syncCommit}`);
    const took: number[] = [];
    for (let i = 0; i < WARMUP + STEPS; i += 1) {
      const start = performance.now();
      if (v.writes === 2) await client.query(`INSERT INTO ${TABLE} (saga, event, step) VALUES ('s', 'started', $1)`, [i]);
      const res = await fetch(url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1_000) });
      await res.text();
      if (v.writes >= 1) await client.query(`INSERT INTO ${TABLE} (saga, event, step) VALUES ('s', 'done', $1)`, [i]);
      if (i >= WARMUP) took.push((performance.now() - start) * 1_000);
    }
    took.sort((a, b) => a - b);
    const q = (p: number): string => String(Math.round(took[Math.min(took.length - 1, Math.floor(p * took.length))]!)).padStart(7);
    console.log(`${v.name.padEnd(16)} ${String(v.writes).padStart(6)}  ${v.syncCommit.padEnd(18)} ${q(0.5)}  ${q(0.99)}`);
  }
} finally {
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`).catch((error: unknown) => console.error(`could not drop ${TABLE}: ${String(error)}`));
  await closeEach([() => client.end(), () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); })]);
}
