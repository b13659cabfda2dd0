// The gap problem on a real PostgreSQL server, with two writer sessions and a projection.
// An identity (sequence) value is taken when the row is inserted, but the row becomes
// visible when its transaction commits, so ids become visible out of order. A projection
// that remembers "the last id I saw" and asks for id > last skips a late committer forever.
// The fixed reader orders by the writing transaction's id (xid8) and reads only rows
// whose transaction is older than every transaction still running:
// xid < pg_snapshot_xmin(pg_current_snapshot()). It sorts by the typed xid8 column: the
// text copy it returns for the checkpoint is named xid_text, because an ORDER BY name that
// matches an output column sorts by that column, and as text '1000' < '999'.
// Not handled here: a long transaction that holds an xid anywhere in the cluster holds the
// horizon back and stalls the reader (that is the price); xid8 values do not survive a
// logical dump/restore into a new cluster (restored rows keep their old, larger xids), so
// a restore needs an epoch column that leads the order, or the restored xids rewritten.
import type { Client } from 'pg';
import { closeAll, openSession } from './lib/pg.ts';

interface Row { id: string; xid_text: string; type: string }

let admin: Client | undefined;
let writerA: Client | undefined;
let writerB: Client | undefined;
let reader: Client | undefined;
try {
  admin = await openSession('admin');
  writerA = await openSession('writer-a');
  writerB = await openSession('writer-b');
  reader = await openSession('projection');
  const { rows: [engine] } = await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  console.log(`engine: PostgreSQL ${engine!.v.split(' ')[0]!.split('.')[0]} server, 4 sessions`);
  await admin.query(`
    CREATE TABLE events (
      id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      xid  xid8   NOT NULL DEFAULT pg_current_xact_id(),
      type text   NOT NULL
    );
    CREATE INDEX events_xid_id ON events (xid, id)`); // the fixed reader's order and filter

  // Naive projection: the checkpoint is the highest id seen.
  let naiveLast = 0n;
  const naiveSeen: string[] = [];
  async function naivePoll(): Promise<void> {
    const { rows } = await reader!.query<Row>('SELECT id, type FROM events WHERE id > $1 ORDER BY id', [naiveLast.toString()]);
    for (const row of rows) { naiveSeen.push(`${row.type}#${row.id}`); naiveLast = BigInt(row.id); }
  }
  // Fixed projection: the checkpoint is (xid, id), and only settled transactions are read,
  // one batch of at most `batch` events per poll.
  let fixedLast = { xid: '0', id: '0' };
  let fixedSeen: string[] = [];
  async function fixedPoll(batch = 100): Promise<number> {
    const { rows } = await reader!.query<Row>(`
      SELECT id, xid::text AS xid_text, type FROM events
       WHERE (xid, id) > ($1::xid8, $2::bigint)
         AND xid < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY events.xid, events.id
       LIMIT $3`, [fixedLast.xid, fixedLast.id, batch]);
    for (const row of rows) { fixedSeen.push(`${row.type}#${row.id}`); fixedLast = { xid: row.xid_text, id: row.id }; }
    return rows.length;
  }

  await writerA.query('BEGIN');
  await writerA.query(`INSERT INTO events (type) VALUES ('OrderPlaced')`); // takes id 1, not committed
  await writerB.query(`INSERT INTO events (type) VALUES ('OrderShipped')`); // takes id 2, commits at once (autocommit)
  console.log('A inserted id 1 and has not committed; B inserted id 2 and committed');

  await naivePoll();
  await fixedPoll();
  console.log(`poll 1: naive sees [${naiveSeen.join(', ')}], checkpoint id ${naiveLast}`);
  console.log(`poll 1: fixed sees [${fixedSeen.join(', ')}] (A is still running, so the horizon is below it)`);

  await writerA.query('COMMIT');
  console.log('A commits');
  await naivePoll();
  await fixedPoll();
  console.log(`poll 2: naive sees [${naiveSeen.join(', ')}], checkpoint id ${naiveLast}`);
  console.log(`poll 2: fixed sees [${fixedSeen.join(', ')}]`);

  const { rows: [count] } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM events');
  console.log(`table has ${count!.n} events; naive projected ${naiveSeen.length}, fixed projected ${fixedSeen.length}`);

  // Regression check for the sort: two settled events whose xids cross a change in the number
  // of digits (9 and 10, written explicitly, as a restore would), read from zero one at a time.
  // Sorted as text, '10' comes first and the checkpoint then skips xid 9 forever.
  await admin.query('TRUNCATE events');
  await admin.query(`INSERT INTO events (xid, type) VALUES ('10', 'AtXid10'), ('9', 'AtXid9')`);
  fixedLast = { xid: '0', id: '0' };
  fixedSeen = [];
  for (let poll = 0; poll < 5; poll++) if ((await fixedPoll(1)) === 0) break; // bounded: 2 events
  console.log(`xids 9 and 10, batches of 1: fixed sees [${fixedSeen.map((e) => e.split('#')[0]).join(', ')}]`);
  await admin.query('DROP TABLE events');
} finally {
  if (writerA) await writerA.query('ROLLBACK').catch(() => undefined); // harmless when nothing is open
  await closeAll([admin, writerA, writerB, reader]);
}
