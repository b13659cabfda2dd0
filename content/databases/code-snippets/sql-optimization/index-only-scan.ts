// Covering indexes and index-only scans. An index-only scan still visits the heap for every
// row on a page that the visibility map does not mark all-visible; VACUUM sets those bits.
import { pg_visibility } from '@electric-sql/pglite/contrib/pg_visibility';
import { openDb, showPlan } from './lib/pg.ts';

const ANALYZE = 'ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF';
const db = await openDb({ pg_visibility });
try {
  await db.exec(`
    CREATE EXTENSION pg_visibility;
    CREATE TABLE orders (
      id          bigint PRIMARY KEY,
      customer_id int NOT NULL,
      total_cents int NOT NULL,
      note        text NOT NULL
    ) WITH (autovacuum_enabled = off);   -- so that only our VACUUM sets visibility bits
    INSERT INTO orders
    SELECT g, g % 2000, (g * 7919) % 100000, repeat('x', 80) FROM generate_series(1, 200000) AS g;
    CREATE INDEX orders_customer ON orders (customer_id);
    CREATE INDEX orders_customer_cov ON orders (customer_id) INCLUDE (total_cents);
    ANALYZE orders;
  `);
  const summary = async (label: string): Promise<void> => {
    const r = await db.query<{ all_visible: number; pages: number }>(
      `SELECT all_visible, (SELECT relpages FROM pg_class WHERE relname = 'orders') AS pages
       FROM pg_visibility_map_summary('orders')`,
    );
    console.log(`visibility map ${label}: ${r.rows[0]?.all_visible} of ${r.rows[0]?.pages} pages all-visible`);
  };
  const q = 'SELECT customer_id, sum(total_cents) FROM orders WHERE customer_id BETWEEN 100 AND 119 GROUP BY customer_id';
  await summary('after INSERT');
  await showPlan(db, 'fresh table, no all-visible pages: the planner skips the covering index', q, ANALYZE);
  await db.exec('VACUUM orders');
  await summary('after VACUUM');
  await showPlan(db, 'after VACUUM: Heap Fetches: 0', q, ANALYZE);
  await db.exec('UPDATE orders SET note = note WHERE id % 50 = 0');   // 2% of rows, spread over every page
  await summary('after UPDATE of 2% of rows');
  await showPlan(db, 'after the UPDATE: heap fetches are back', q, ANALYZE);
  await db.exec('DROP INDEX orders_customer_cov');
  await showPlan(db, 'without INCLUDE: total_cents must come from the heap', q, ANALYZE);
} finally {
  await db.close();
}
