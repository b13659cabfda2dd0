// Document-style storage, with PostgreSQL jsonb in PGlite as a STAND-IN for a document database:
// the access pattern (fetch and filter whole aggregates by their contents) is the same, the engine
// is not (no sharding, no per-document replication, SQL transactions across documents).
import { openDb } from './lib/pglite.ts';
import type { Db } from './lib/pglite.ts';
import { cleanUp } from './lib/deadline.ts';

let db: Db | undefined;
try {
  db = await openDb();
  const { rows: [v] } = await db.query<{ version: string }>('select version()');
  console.log(`engine: ${v!.version.split(' on ')[0]}`);

  // One document per order: the aggregate (order + its items + the shipping address) is read and
  // written as a unit, which is the access pattern a document model serves.
  await db.exec(`
    create table orders (id bigint primary key, doc jsonb not null);
    insert into orders
    select g, jsonb_build_object(
      'customer', 'c' || (g % 2000),
      'status', (array['placed','shipped','delivered','cancelled'])[1 + g % 4],
      'ship', jsonb_build_object('country', (array['DE','FR','US','JP','BR'])[1 + g % 5]),
      'items', jsonb_build_array(
        jsonb_build_object('sku', 'sku-' || (g % 500), 'qty', 1 + g % 3),
        jsonb_build_object('sku', 'sku-' || ((g * 7) % 500), 'qty', 1)))
    from generate_series(1, 20000) g;
    create index orders_doc on orders using gin (doc jsonb_path_ops);
    analyze orders;`);

  // Containment (@>) on a nested path inside an array: served by the GIN index.
  const filter = JSON.stringify({ status: 'shipped', items: [{ sku: 'sku-41' }] });
  const plan = await db.query<{ 'QUERY PLAN': string }>(`explain select id from orders where doc @> $1::jsonb`, [filter]);
  console.log('plan for doc @> {"status":"shipped","items":[{"sku":"sku-41"}]}:');
  for (const r of plan.rows) {
    const line = r['QUERY PLAN'].replace(/\(cost=.*\)/, '').trimEnd();
    if (/Scan|Cond/.test(line)) console.log(`  ${line.trim()}`);
  }
  const hits = await db.query<{ n: number }>(`select count(*)::int n from orders where doc @> $1::jsonb`, [filter]);
  console.log(`matching orders: ${hits.rows[0]!.n}`);

  // A one-field update rewrites the whole jsonb value (a new row version with the full document):
  // documents are cheap to read whole and costly to update in small pieces when they are large.
  const before = await db.query<{ ctid: string }>(`select ctid::text from orders where id = 7`);
  await db.query(`update orders set doc = jsonb_set(doc, '{status}', '"delivered"') where id = 7`);
  const after = await db.query<{ bytes: number; status: string; ctid: string }>(`select pg_column_size(doc)::int bytes, doc->>'status' status, ctid::text from orders where id = 7`);
  const a = after.rows[0]!;
  console.log(`order 7: status -> ${a.status}; row version ${before.rows[0]!.ctid} -> ${a.ctid}, the whole ${a.bytes}-byte document written again`);

  // What the document model gives up: a query across aggregates is a scan of every document
  // unless an index was planned for it. Revenue by SKU has no index here.
  const scan = await db.query<{ 'QUERY PLAN': string }>(`explain select i->>'sku', sum((i->>'qty')::int) from orders, jsonb_array_elements(doc->'items') i group by 1`);
  const scanLine = scan.rows.map((r) => r['QUERY PLAN']).find((l) => /Seq Scan/.test(l))!;
  console.log(`cross-document aggregate: ${scanLine.replace(/\(cost=.*\)/, '').replace(/->/, '').trim()}`);
} finally {
  await cleanUp([['PGlite close', db ? () => db!.close() : undefined]]);
}
