// What the planner knows about a column (pg_stats), how it multiplies selectivities of
// independent predicates, and how extended statistics fix correlated columns.
import { openDb, showPlan } from './lib/pg.ts';

const ANALYZE = 'ANALYZE, COSTS ON, TIMING OFF, SUMMARY OFF, BUFFERS OFF';
const db = await openDb();
try {
  await db.exec(`
    CREATE TABLE addresses (
      id       bigint PRIMARY KEY,
      zip      int NOT NULL,     -- 1,000 zip codes
      city     int NOT NULL,     -- 100 cities: the zip determines the city
      shuffled int NOT NULL      -- a value unrelated to the physical order
    );
    INSERT INTO addresses
    SELECT g, g % 1000, (g % 1000) / 10, (g * 7919) % 100000 FROM generate_series(1, 100000) AS g;
  `);
  const q = 'SELECT * FROM addresses WHERE city = 42 AND zip = 421';
  await showPlan(db, 'before ANALYZE: the planner guesses', q, ANALYZE);
  await db.exec('ANALYZE addresses');
  const stats = await db.query<{ attname: string; n_distinct: number; correlation: number | null; mcv: number }>(
    `SELECT attname, n_distinct, round(correlation::numeric, 3)::float8 AS correlation,
            coalesce(array_length(most_common_vals::text::text[], 1), 0) AS mcv
     FROM pg_stats WHERE tablename = 'addresses' ORDER BY attname`,
  );
  console.log('pg_stats after ANALYZE:');
  for (const s of stats.rows) console.log(`   ${s.attname.padEnd(9)} n_distinct=${String(s.n_distinct).padEnd(6)} correlation=${String(s.correlation).padEnd(7)} mcv entries=${s.mcv}`);
  await showPlan(db, 'after ANALYZE: each predicate is right, the product is 100x too low', q, ANALYZE);
  await showPlan(db, 'GROUP BY both columns: the planner multiplies n_distinct too', 'SELECT city, zip, count(*) FROM addresses GROUP BY city, zip', ANALYZE);
  await db.exec('CREATE STATISTICS addresses_city_zip (dependencies, ndistinct) ON city, zip FROM addresses; ANALYZE addresses;');
  const dep = await db.query<{ dependencies: string }>(`SELECT dependencies::text FROM pg_stats_ext WHERE statistics_name = 'addresses_city_zip'`);
  console.log(`functional dependencies: ${dep.rows[0]?.dependencies}`);
  await showPlan(db, 'with CREATE STATISTICS (dependencies): estimate matches', q, ANALYZE);
  await showPlan(db, 'GROUP BY both columns, with ndistinct statistics', 'SELECT city, zip, count(*) FROM addresses GROUP BY city, zip', ANALYZE);
} finally {
  await db.close();
}
