// Expand and contract (parallel change) on a live table with node:sqlite: replace
// orders.total (REAL, dollars) by orders.total_cents (INTEGER) while old and new
// application versions run side by side. Every step is backwards compatible with the
// versions still deployed; the one destructive step comes last.
import { DatabaseSync } from 'node:sqlite';

// A busy timeout, so a batch waits (boundedly) for concurrent writers instead of failing
// at once with SQLITE_BUSY; the default is 0.
const db = new DatabaseSync('orders.db', { timeout: 5_000 }); // in the cwd, a temporary folder
try {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL NOT NULL)');

  // The application versions, as the SQL each one runs.
  const appV1 = { write: (customer: string, cents: number) => db.prepare('INSERT INTO orders (customer, total) VALUES (?, ?)').run(customer, cents / 100) };
  const appV2 = { // dual write; still reads the old column
    write: (customer: string, cents: number) => db.prepare('INSERT INTO orders (customer, total, total_cents) VALUES (?, ?, ?)').run(customer, cents / 100, cents),
  };
  const appV3 = { // dual write; reads the new column
    write: appV2.write,
    read: (id: number | bigint) => db.prepare('SELECT total_cents FROM orders WHERE id = ?').get(id) as { total_cents: number },
  };
  const appV4 = { write: (customer: string, cents: number) => db.prepare('INSERT INTO orders (customer, total_cents) VALUES (?, ?)').run(customer, cents) };

  const count = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);

  appV1.write('ada', 1250);
  appV1.write('bob', 1999);

  // 1. Expand: a nullable column, so v1's INSERTs that do not name it keep working.
  db.exec('ALTER TABLE orders ADD COLUMN total_cents INTEGER');
  console.log('1 expand: added nullable total_cents');

  // 2. Roll out v2 (dual write). During the rollout v1 instances are still writing.
  appV2.write('cy', 500);
  appV1.write('dee', 42); // an old instance, mid-rollout: total_cents stays NULL
  console.log(`2 dual write: rows without total_cents = ${count('SELECT count(*) AS n FROM orders WHERE total_cents IS NULL')}`);

  // 3. Backfill, after the last v1 instance is gone: small batches in keyset order, each its
  //    own transaction, so locks are short and a crash resumes where it stopped.
  const batch = db.prepare(`UPDATE orders SET total_cents = CAST(round(total * 100) AS INTEGER)
    WHERE id IN (SELECT id FROM orders WHERE id > ? AND total_cents IS NULL ORDER BY id LIMIT ?) RETURNING id`);
  let lastId = 0;
  let batches = 0;
  const SQLITE_BUSY = 5;
  function runBatch(): number[] {
    for (let attempt = 1; ; attempt++) {
      try {
        db.exec('BEGIN IMMEDIATE'); // waits up to the busy timeout for the write lock
      } catch (err) {
        // Still locked after the timeout: retry a bounded number of times, then give up (resumable).
        if ((err as { errcode?: number }).errcode === SQLITE_BUSY && attempt < 3) continue;
        throw err;
      }
      try {
        const ids = (batch.all(lastId, 2) as { id: number }[]).map((r) => r.id);
        db.exec('COMMIT');
        return ids;
      } catch (err) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw err;
      }
    }
  }
  for (;;) {
    const ids = runBatch();
    if (ids.length === 0) break;
    batches += 1;
    lastId = Math.max(...ids);
  }
  console.log(`3 backfill: ${batches} batches, rows without total_cents = ${count('SELECT count(*) AS n FROM orders WHERE total_cents IS NULL')}`);

  // 4. Verify before switching reads: the two columns must agree on every row.
  const mismatches = count('SELECT count(*) AS n FROM orders WHERE total_cents IS NOT CAST(round(total * 100) AS INTEGER)');
  console.log(`4 verify: mismatched rows = ${mismatches}`);
  if (mismatches !== 0) throw new Error('backfill incomplete: do not switch reads');

  // 5. Roll out v3: reads the new column, still writes both (so a rollback to v2 is safe).
  const id = appV3.write('eve', 7300).lastInsertRowid;
  console.log(`5 switch reads: order ${id} total_cents = ${appV3.read(id).total_cents}`);

  // 6. Stop writing the old column. With total NOT NULL, v4 cannot deploy yet:
  try {
    appV4.write('fay', 100);
  } catch (err) {
    console.log(`6 v4 too early: ${(err as Error).message}`);
  }

  // 7. Contract: drop the old column (SQLite 3.35+), only when nothing reads or writes it.
  db.exec('ALTER TABLE orders DROP COLUMN total');
  appV4.write('fay', 100);
  console.log(`7 contract: dropped total; v4 wrote order ${count('SELECT max(id) AS n FROM orders')}`);
  try {
    appV1.write('gus', 1);
  } catch (err) {
    console.log(`  a forgotten v1 instance now fails: ${(err as Error).message}`);
  }
  console.log(`final columns: ${(db.prepare('PRAGMA table_info(orders)').all() as { name: string }[]).map((c) => c.name).join(', ')}`);
} finally {
  db.close();
}
