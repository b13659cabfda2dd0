// The three join algorithms, each chosen by the planner on real data, with the numbers
// from EXPLAIN ANALYZE that explain the choice (loops, rows per loop, batches).
// PGlite 0.5.17 also ships pg_stat_statements: it is loaded here to show what it records.
import { pg_stat_statements } from '@electric-sql/pglite/contrib/pg_stat_statements';
import { openDb, showPlan } from './lib/pg.ts';

const ANALYZE = 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF';
const db = await openDb({ pg_stat_statements });
try {
  await db.exec(`
    CREATE EXTENSION pg_stat_statements;
    CREATE TABLE customers (id int PRIMARY KEY, country text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL, total_cents int NOT NULL);
    CREATE TABLE shipments (order_id int PRIMARY KEY, carrier text NOT NULL);
    INSERT INTO customers SELECT g, (ARRAY['DE','FR','US','JP'])[1 + g % 4] FROM generate_series(1, 10000) g;
    INSERT INTO orders SELECT g, 1 + (g * 7919) % 10000, g % 5000 FROM generate_series(1, 100000) g;
    INSERT INTO shipments SELECT g, 'dhl' FROM generate_series(1, 100000) g;
    CREATE INDEX orders_customer ON orders (customer_id);
    ANALYZE;
  `);
  await showPlan(db, 'nested loop: 5 outer rows, one index probe per row (loops=5)',
    'SELECT c.id, o.total_cents FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.id <= 5', ANALYZE);
  await showPlan(db, 'hash join: every order, unsorted, against a small build side',
    'SELECT c.country, sum(o.total_cents) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country', ANALYZE);
  await showPlan(db, 'merge join: both inputs already ordered by the key, output wanted in that order',
    'SELECT o.id, s.carrier FROM orders o JOIN shipments s ON s.order_id = o.id ORDER BY o.id', ANALYZE);
  // Run the hash-join query three more times with different constants, then ask what was recorded.
  for (const country of ['DE', 'FR', 'JP']) {
    await db.query('SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = $1', [country]);
  }
  await db.query(`SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'US'`);
  const recorded = await db.query<{ calls: number; query: string }>(
    `SELECT calls::int, query FROM pg_stat_statements WHERE query LIKE 'SELECT count(*) FROM orders o JOIN%' ORDER BY calls DESC`);
  console.log('pg_stat_statements in PGlite (calls, normalised query):');
  for (const row of recorded.rows) console.log(`   ${row.calls}  ${row.query}`);
} finally {
  await db.close();
}
