// When PostgreSQL uses a B-tree index, and the four classic reasons it cannot or will not:
// a function on the column, a leading wildcard, low selectivity and a type mismatch.
// Then composite-index column order. Plans are printed with COSTS OFF, so they are stable.
import { openDb, showPlan } from './lib/pg.ts';

const db = await openDb();
try {
  const info = await db.query<{ version: string; workers: string; backends: number }>(
    `SELECT current_setting('server_version') AS version, current_setting('max_parallel_workers_per_gather') AS workers,
            (SELECT count(*)::int FROM pg_stat_activity) AS backends`);
  const engine = info.rows[0];
  console.log(`PostgreSQL ${engine?.version} (PGlite): max_parallel_workers_per_gather=${engine?.workers}, backends in pg_stat_activity=${engine?.backends}`);
  await db.exec(`
    CREATE TABLE users (
      id         bigint PRIMARY KEY,
      email      text NOT NULL,
      status     text NOT NULL,
      tenant_id  int NOT NULL,
      created_at timestamptz NOT NULL
    );
    INSERT INTO users
    SELECT g,
           'user' || g || '@example.com',
           CASE WHEN g % 100 = 0 THEN 'banned' ELSE 'active' END,   -- 99% active, 1% banned
           g % 500,                                                -- 500 tenants
           timestamptz '2026-01-01' + g * interval '1 minute'
    FROM generate_series(1, 100000) AS g;
    CREATE INDEX users_email ON users (email);
    CREATE INDEX users_status ON users (status);
    CREATE INDEX users_tenant_created ON users (tenant_id, created_at);
    ANALYZE users;
  `);

  await showPlan(db, 'equality on an indexed column', `SELECT * FROM users WHERE email = 'user42@example.com'`);
  await showPlan(db, 'a function on the column hides it from the index', `SELECT * FROM users WHERE lower(email) = 'user42@example.com'`);
  await showPlan(db, 'prefix LIKE (C collation) can use the B-tree', `SELECT * FROM users WHERE email LIKE 'user4200%'`);
  await showPlan(db, 'leading wildcard cannot', `SELECT * FROM users WHERE email LIKE '%4200@example.com'`);
  await showPlan(db, 'low selectivity: 99% of rows match, so a scan is cheaper', `SELECT * FROM users WHERE status = 'active'`);
  await showPlan(db, 'high selectivity on the same index: 1% match', `SELECT * FROM users WHERE status = 'banned'`);
  await showPlan(db, 'type mismatch: bigint column = numeric literal casts the column', `SELECT * FROM users WHERE id = 42.0`);
  await showPlan(db, 'same query with a literal of the column type', `SELECT * FROM users WHERE id = 42`);
  await showPlan(db, 'composite (tenant_id, created_at): leading column + range', `SELECT * FROM users WHERE tenant_id = 7 AND created_at >= '2026-02-01' ORDER BY created_at LIMIT 10`);
  await showPlan(db, 'composite without its leading column (500 tenants)', `SELECT * FROM users WHERE created_at >= '2026-02-01' AND created_at < '2026-02-02'`);
  await db.exec('CREATE INDEX users_status_created ON users (status, created_at); ANALYZE users;');
  await showPlan(db, 'leading column with 2 values: PostgreSQL 18 skip scan', `SELECT * FROM users WHERE created_at >= '2026-02-01' AND created_at < '2026-02-02'`, 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF');

  // The fixes: an expression index for the function, a partial index for the rare value.
  await db.exec('CREATE INDEX users_lower_email ON users (lower(email)); ANALYZE users;');
  await showPlan(db, 'expression index on lower(email)', `SELECT * FROM users WHERE lower(email) = 'user42@example.com'`);
  await db.exec(`CREATE INDEX users_banned ON users (created_at) WHERE status = 'banned';`);
  await showPlan(db, 'partial index: only the 1% of banned rows', `SELECT id FROM users WHERE status = 'banned' AND created_at > '2026-03-01'`);
  // A generic plan (what a prepared statement may switch to after five runs) cannot prove
  // that $1 = 'banned', so it cannot use the partial index; a custom plan for the value can.
  await db.exec(`PREPARE banned_since(text) AS SELECT id FROM users WHERE status = $1 AND created_at > '2026-03-01'`);
  for (const mode of ['force_generic_plan', 'force_custom_plan']) {
    const results = await db.exec(`SET plan_cache_mode = ${mode}; EXPLAIN (COSTS OFF) EXECUTE banned_since('banned');`);
    const result = results.at(-1);
    console.log(`-- prepared statement, plan_cache_mode = ${mode}`);
    for (const row of (result?.rows ?? []) as Array<{ 'QUERY PLAN': string }>) console.log(`   ${row['QUERY PLAN']}`);
  }
  const sizes = await db.query<{ name: string; kib: number }>(
    `SELECT c.relname AS name, pg_relation_size(c.oid) / 1024 AS kib FROM pg_class c
     WHERE c.relname IN ('users_status', 'users_banned') ORDER BY kib DESC`,
  );
  for (const row of sizes.rows) console.log(`size of ${row.name}: ${row.kib} KiB`);
  const collation = await db.query<{ datcollate: string }>('SELECT datcollate FROM pg_database WHERE datname = current_database()');
  console.log(`database collation: ${collation.rows[0]?.datcollate}`);
} finally {
  await db.close();
}
