// Offset pagination against keyset (cursor) pagination while the data changes underneath.
// A feed sorted newest first; between page 1 and page 2 a new row is inserted at the head
// and an old one is deleted. OFFSET counts positions, so rows shift across the page boundary:
// a duplicate and a row never seen. A keyset cursor remembers the last row's sort key, so the
// next page starts after it, wherever it has moved.
import { DatabaseSync } from 'node:sqlite';

const db = new DatabaseSync(':memory:');
db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL);
         CREATE INDEX events_created_id ON events (created_at, id);`);
const insert = db.prepare('INSERT INTO events (id, created_at, body) VALUES (?, ?, ?)');
// Ten events; events 4 and 5 share a timestamp, so the sort key must include the id as tie-breaker.
for (let id = 1; id <= 10; id++) insert.run(id, id === 5 ? 1_000 + 4 * 10 : 1_000 + id * 10, `event ${id}`);

interface Row {
  readonly id: number;
  readonly created_at: number;
}
const PAGE = 4;

const byOffset = db.prepare('SELECT id, created_at FROM events ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?');
const firstKeyset = db.prepare('SELECT id, created_at FROM events ORDER BY created_at DESC, id DESC LIMIT ?');
// Row-value comparison (SQLite 3.15+): "strictly after (created_at, id) in this order".
const nextKeyset = db.prepare('SELECT id, created_at FROM events WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?');

/** The cursor is opaque to clients: versioned, base64url JSON. Validate it like any input. */
function encodeCursor(row: Row): string {
  return Buffer.from(JSON.stringify({ v: 1, t: row.created_at, id: row.id })).toString('base64url');
}
function decodeCursor(cursor: string): { t: number; id: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (err) {
    throw new RangeError('invalid cursor', { cause: err });
  }
  const c = parsed as { v?: unknown; t?: unknown; id?: unknown };
  if (c.v !== 1 || !Number.isSafeInteger(c.t) || !Number.isSafeInteger(c.id)) throw new RangeError('invalid cursor');
  return { t: c.t as number, id: c.id as number };
}

function keysetPage(cursor: string | undefined): { rows: Row[]; next: string | undefined } {
  const rows = (cursor === undefined ? firstKeyset.all(PAGE) : nextKeyset.all(decodeCursor(cursor).t, decodeCursor(cursor).id, PAGE)) as unknown as Row[];
  return { rows, next: rows.length === PAGE ? encodeCursor(rows[rows.length - 1]!) : undefined };
}

const ids = (rows: readonly Row[]): string => rows.map((r) => r.id).join(',');

function reset(): void {
  db.exec('DELETE FROM events');
  for (let id = 1; id <= 10; id++) insert.run(id, id === 5 ? 1_000 + 4 * 10 : 1_000 + id * 10, `event ${id}`);
}
const changes = {
  'insert at the head': () => insert.run(11, 2_000, 'event 11'),
  'delete from page 1': () => db.prepare('DELETE FROM events WHERE id = ?').run(9),
} as const;

/** Reads every page; `afterFirst` changes the data once, between page 1 and page 2. */
function walk(kind: 'offset' | 'keyset', afterFirst: () => void): { pages: string[]; repeated: number[]; missed: number[] } {
  reset();
  const before = new Set((byOffset.all(100, 0) as unknown as Row[]).map((r) => r.id));
  const pages: string[] = [];
  const seenIds: number[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 10; n++) {
    const rows = kind === 'offset' ? (byOffset.all(PAGE, n * PAGE) as unknown as Row[]) : keysetPage(cursor).rows;
    if (kind === 'keyset') cursor = rows.length === PAGE ? encodeCursor(rows[rows.length - 1]!) : undefined;
    if (rows.length > 0) pages.push(ids(rows));
    seenIds.push(...rows.map((r) => r.id));
    if (n === 0) afterFirst();
    if (rows.length < PAGE || (kind === 'keyset' && cursor === undefined)) break;
  }
  const after = new Set((byOffset.all(100, 0) as unknown as Row[]).map((r) => r.id));
  const repeated = seenIds.filter((id, i) => seenIds.indexOf(id) !== i);
  // Rows present from start to end of the walk that the walk never returned.
  const missed = [...before].filter((id) => after.has(id) && !seenIds.includes(id));
  return { pages, repeated, missed };
}

for (const [change, apply] of Object.entries(changes)) {
  for (const kind of ['offset', 'keyset'] as const) {
    const w = walk(kind, apply);
    console.log(`${change}, ${kind}: pages ${w.pages.join(' / ')}; repeated ${JSON.stringify(w.repeated)}, missed ${JSON.stringify(w.missed)}`);
  }
}
const k1 = (reset(), keysetPage(undefined));
console.log(`cursor for page 2: ${k1.next}`);
for (const bad of ['not-base64-json', Buffer.from('{"v":1,"t":"1 OR 1=1","id":1}').toString('base64url')]) {
  try {
    keysetPage(bad);
  } catch (err) {
    console.log(`tampered cursor -> ${(err as Error).name}: ${(err as Error).message} (answer 400)`);
  }
}
// Both shapes use the index; neither sorts in a temporary B-tree.
for (const [label, sql] of [
  ['offset', 'SELECT id FROM events ORDER BY created_at DESC, id DESC LIMIT 4 OFFSET 4'],
  ['keyset', 'SELECT id FROM events WHERE (created_at, id) < (1060, 6) ORDER BY created_at DESC, id DESC LIMIT 4'],
] as const) {
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as unknown as { detail: string }[];
  console.log(`plan ${label}: ${plan.map((p) => p.detail).join(' | ')}`);
}
db.close();
