// Benchmark: loading an aggregate from all of its events versus from a snapshot plus the
// tail written after it, on PGlite (one embedded session is enough: this is about rows
// read and folded, not about concurrency). BENCH_ITERATIONS is the stream length; each
// case is loaded 15 times and the median and the spread (min-max) are printed.
// The snapshot stores the folded state and the version it was taken at; a load reads it,
// then only the events with a higher version. Not handled: snapshot schema changes (a
// snapshot of an old shape must be discarded and rebuilt, not upcast).
import { PGlite } from '@electric-sql/pglite';

const N = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const TAIL = 20;
const RUNS = 15;

interface Account { version: number; balance: number; operations: number }
const fold = (state: Account, row: { version: number; type: string; amount: number }): Account => ({
  version: row.version,
  balance: state.balance + (row.type === 'Deposited' ? row.amount : -row.amount),
  operations: state.operations + 1,
});

const db = await PGlite.create();
try {
  await db.exec(`
    CREATE TABLE events (stream_id text, version int, type text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (stream_id, version));
    CREATE TABLE snapshots (stream_id text PRIMARY KEY, version int NOT NULL, state jsonb NOT NULL);`);
  await db.query(`INSERT INTO events SELECT 'acct-1', i, CASE WHEN i % 3 = 0 THEN 'Withdrawn' ELSE 'Deposited' END,
    jsonb_build_object('amount', i % 97, 'note', repeat('x', 100)) FROM generate_series(1, $1) AS i`, [N]);
  await db.exec('ANALYZE events');

  async function loadFrom(after: number, start: Account): Promise<Account> {
    const { rows } = await db.query<{ version: number; type: string; amount: number }>(
      `SELECT version, type, (data->>'amount')::int AS amount FROM events WHERE stream_id = 'acct-1' AND version > $1 ORDER BY version`, [after]);
    return rows.reduce(fold, start);
  }
  const full = await loadFrom(0, { version: 0, balance: 0, operations: 0 });
  // Take a snapshot TAIL events before the end, as a snapshotter running behind would.
  const atSnapshot = await db.query<{ version: number; type: string; amount: number }>(
    `SELECT version, type, (data->>'amount')::int AS amount FROM events WHERE stream_id = 'acct-1' AND version <= $1 ORDER BY version`, [N - TAIL]);
  const snap = atSnapshot.rows.reduce(fold, { version: 0, balance: 0, operations: 0 });
  await db.query('INSERT INTO snapshots VALUES ($1, $2, $3)', ['acct-1', snap.version, JSON.stringify(snap)]);

  async function loadWithSnapshot(): Promise<Account> {
    const { rows: [s] } = await db.query<{ version: number; state: Account }>(`SELECT version, state FROM snapshots WHERE stream_id = 'acct-1'`);
    return s ? loadFrom(s.version, s.state) : loadFrom(0, { version: 0, balance: 0, operations: 0 });
  }
  const viaSnapshot = await loadWithSnapshot();
  console.log(`stream of ${N} events; snapshot at version ${snap.version}, tail of ${TAIL}`);
  console.log(`same state both ways: ${JSON.stringify(full) === JSON.stringify(viaSnapshot)} (version ${full.version})`);

  async function time(load: () => Promise<Account>): Promise<number[]> {
    await load(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const started = performance.now();
      await load();
      samples.push(performance.now() - started);
    }
    return samples.sort((a, b) => a - b);
  }
  const fmt = (ms: number[]): string => `median ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms (min ${ms[0]!.toFixed(2)}, max ${ms.at(-1)!.toFixed(2)})`;
  const replay = await time(() => loadFrom(0, { version: 0, balance: 0, operations: 0 }));
  const snapshot = await time(loadWithSnapshot);
  console.log(`rows read: replay ${N}, snapshot + tail ${TAIL} + 1`);
  console.log(`replay all events:  ${fmt(replay)}`);
  console.log(`snapshot + tail:    ${fmt(snapshot)}`);
  console.log(`ratio of medians: ${(replay[RUNS >> 1]! / snapshot[RUNS >> 1]!).toFixed(0)}x`);
} finally {
  await db.close();
}
