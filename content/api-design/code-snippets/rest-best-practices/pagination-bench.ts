// Benchmark: the cost of one page at increasing depth, OFFSET against keyset, on an indexed
// SQLite table (node:sqlite, in memory). BENCH_ITERATIONS is the number of rows (default
// 200,000). OFFSET n must step over n index entries before it returns anything; a keyset
// query seeks to the cursor in O(log n) and reads one page. Each cell is the median of
// REPEATS runs, with the spread (min to max) beside it; CPU time of this process is also
// reported because wall time on a shared machine includes waiting for a core.
import { DatabaseSync } from 'node:sqlite';

const ROWS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const PAGE = 50;
const REPEATS = 15;
const db = new DatabaseSync(':memory:');
db.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, created_at INTEGER NOT NULL, total_cents INTEGER NOT NULL, note TEXT NOT NULL);
         CREATE INDEX orders_created_id ON orders (created_at, id);`);
const insert = db.prepare('INSERT INTO orders (id, customer_id, created_at, total_cents, note) VALUES (?, ?, ?, ?, ?)');
db.exec('BEGIN');
for (let id = 1; id <= ROWS; id++) insert.run(id, id % 997, 1_700_000_000 + Math.floor(id / 3), (id * 7919) % 100_000, 'x'.repeat(40));
db.exec('COMMIT');

const offsetPage = db.prepare('SELECT * FROM orders ORDER BY created_at, id LIMIT ? OFFSET ?');
const keysetPage = db.prepare('SELECT * FROM orders WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?');
const rowAt = db.prepare('SELECT created_at, id FROM orders ORDER BY created_at, id LIMIT 1 OFFSET ?');

interface Cell {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly cpu: number;
}
function time(fn: () => unknown[]): Cell {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const rows = fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(cpu0);
    cpus.push((c.user + c.system) / 1000);
    if (rows.length !== PAGE) throw new Error(`expected ${PAGE} rows, got ${rows.length}`);
  }
  walls.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return { median: walls[REPEATS >> 1]!, min: walls[0]!, max: walls[REPEATS - 1]!, cpu: cpus[REPEATS >> 1]! };
}
const fmt = (c: Cell): string => `${c.median.toFixed(3)} (${c.min.toFixed(3)}-${c.max.toFixed(3)}) cpu ${c.cpu.toFixed(3)}`;

console.log(`${ROWS} rows, page of ${PAGE}, median of ${REPEATS} (min-max), ms, ${process.version}`);
console.log('depth     offset                                  keyset                                  same rows');
for (const fraction of [0, 0.1, 0.5, 0.9, 0.999]) {
  const depth = Math.min(Math.floor(ROWS * fraction), ROWS - PAGE - 1);
  // The cursor a client would hold at this depth: the sort key of the row just before it.
  const cursor = depth === 0 ? { created_at: 0, id: 0 } : (rowAt.get(depth - 1) as { created_at: number; id: number });
  const o = time(() => offsetPage.all(PAGE, depth));
  const k = time(() => keysetPage.all(cursor.created_at, cursor.id, PAGE));
  const same = JSON.stringify(offsetPage.all(PAGE, depth)) === JSON.stringify(keysetPage.all(cursor.created_at, cursor.id, PAGE));
  console.log(`${String(Math.round(fraction * 1000) / 10).padStart(5)}%    ${fmt(o).padEnd(40)}${fmt(k).padEnd(40)}${same}`);
}
db.close();
