// Single-table design, DynamoDB style, MODELLED on SQLite: a table whose primary key is
// (pk, sk) and WITHOUT ROWID, so rows are stored clustered in (pk, sk) order like the items of
// one DynamoDB partition. This is a model of the idea, not DynamoDB: the real semantics
// (Query, key conditions, GSI projection and consistency) are in the DynamoDB Developer Guide.
//
// Access patterns, written down before the keys:
//   AP1 get a customer's profile                     GetItem  PK=CUST#id, SK=PROFILE
//   AP2 a customer's orders, newest first            Query    PK=CUST#id, SK begins_with ORDER#
//   AP3 an order with all its items                  Query    PK=ORDER#id
//   AP4 open orders of any customer, oldest first    Query    GSI1: GSI1PK=STATUS#placed, sort by GSI1SK (date)
//   AP5 orders that contain a given product          Query    GSI2: GSI2PK=SKU#id
import { DatabaseSync } from 'node:sqlite';

type Item = { pk: string; sk: string; gsi1pk?: string; gsi1sk?: string; gsi2pk?: string; gsi2sk?: string; data: Record<string, unknown> };

const db = new DatabaseSync(':memory:');
try {
  db.exec(`
    create table t (pk text not null, sk text not null, gsi1pk text, gsi1sk text, gsi2pk text, gsi2sk text,
                    data text not null, primary key (pk, sk)) without rowid;
    -- a GSI is its own key space: in DynamoDB it is a separate, asynchronously maintained table
    create index gsi1 on t (gsi1pk, gsi1sk) where gsi1pk is not null;
    create index gsi2 on t (gsi2pk, gsi2sk) where gsi2pk is not null;`);
  const put = db.prepare(`insert or replace into t values (?, ?, ?, ?, ?, ?, ?)`);
  const write = (i: Item): void => {
    put.run(i.pk, i.sk, i.gsi1pk ?? null, i.gsi1sk ?? null, i.gsi2pk ?? null, i.gsi2sk ?? null, JSON.stringify(i.data));
  };

  write({ pk: 'CUST#ann', sk: 'PROFILE', data: { name: 'Ann', tier: 'gold' } });
  write({ pk: 'CUST#bob', sk: 'PROFILE', data: { name: 'Bob', tier: 'basic' } });
  const orders = [
    { id: 'o1', cust: 'ann', at: '2026-03-01', status: 'delivered', items: [['sku-7', 2], ['sku-9', 1]] },
    { id: 'o2', cust: 'ann', at: '2026-04-11', status: 'placed', items: [['sku-7', 1]] },
    { id: 'o3', cust: 'bob', at: '2026-04-02', status: 'placed', items: [['sku-3', 5]] },
    { id: 'o4', cust: 'ann', at: '2026-05-20', status: 'shipped', items: [['sku-9', 1]] },
  ] as const;
  db.exec('begin'); // one transaction here; in DynamoDB a multi-item write is TransactWriteItems (up to 100 items)
  for (const o of orders) {
    // The order summary is written twice on purpose: under the customer (AP2) and as the head of
    // its own item collection (AP3). Denormalisation is the price of one-request reads.
    write({ pk: `CUST#${o.cust}`, sk: `ORDER#${o.at}#${o.id}`, gsi1pk: `STATUS#${o.status}`, gsi1sk: `${o.at}#${o.id}`, data: { id: o.id, status: o.status } });
    write({ pk: `ORDER#${o.id}`, sk: 'A#SUMMARY', data: { customer: o.cust, at: o.at, status: o.status } });
    for (const [sku, qty] of o.items) write({ pk: `ORDER#${o.id}`, sk: `ITEM#${sku}`, gsi2pk: `SKU#${sku}`, gsi2sk: o.at, data: { qty } });
  }
  db.exec('commit');

  const show = (label: string, rows: unknown[]): void => {
    console.log(label);
    for (const r of rows as Array<Record<string, string>>) console.log(`  ${Object.values(r).join('  ')}`);
  };
  // begins_with(sk, :p) is a range on the sort key: sk >= p and sk < p', where p' is p with its
  // last character's code point raised by one. SQLite compares text as UTF-8 bytes, which is
  // code-point order, so exactly the strings that start with p fall in [p, p'). (Appending
  // U+FFFF instead misses keys whose next character is U+FFFF or outside the BMP.)
  const beginsWith = (p: string): [string, string] => {
    const last = [...p].at(-1) ?? '';
    return [p, `${p.slice(0, p.length - last.length)}${String.fromCodePoint((last.codePointAt(0) ?? 0) + 1)}`];
  };

  // Each access pattern's SQL is kept once, so the plans below are the plans of the queries run.
  const patterns = [
    ['AP1', 'AP1 GetItem CUST#ann / PROFILE', `select pk, sk, data from t where pk = ? and sk = ?`, ['CUST#ann', 'PROFILE']],
    ['AP2', 'AP2 Query CUST#ann, begins_with(SK, "ORDER#"), ScanIndexForward=false', `select sk, data from t where pk = ? and sk >= ? and sk < ? order by sk desc`, ['CUST#ann', ...beginsWith('ORDER#')]],
    ['AP3', 'AP3 Query ORDER#o1 (summary and items in one request)', `select sk, data from t where pk = ? order by sk`, ['ORDER#o1']],
    ['AP4', 'AP4 Query GSI1 STATUS#placed', `select gsi1sk, pk from t where gsi1pk = ? order by gsi1sk`, ['STATUS#placed']],
    ['AP5', 'AP5 Query GSI2 SKU#sku-9', `select pk, gsi2sk from t where gsi2pk = ? order by gsi2sk`, ['SKU#sku-9']],
  ] as const;
  for (const [, label, sql, args] of patterns) show(label, db.prepare(sql).all(...args));

  // Every access pattern is a key lookup or a range on one partition key: no join, no scan.
  for (const [name, , sql, args] of patterns) {
    const plan = db.prepare(`explain query plan ${sql}`).all(...args) as Array<{ detail: string }>;
    console.log(`${name} plan: ${plan.map((p) => p.detail).join('; ')}`);
  }
  // The pattern nobody wrote down: "orders over 3 items in April" has no key; it is a Scan.
  const plan = db.prepare(`explain query plan select * from t where json_extract(data, '$.qty') > 3`).all() as Array<{ detail: string }>;
  console.log(`unplanned pattern: ${plan.map((p) => p.detail).join('; ')}`);
} finally {
  db.close();
}
