// Graph traversal the RELATIONAL way: an edge table and a recursive CTE in PGlite (PostgreSQL),
// against an in-memory adjacency map that stands in for a graph database's index-free adjacency
// (each vertex holds its neighbours, so a hop is a pointer chase rather than an index lookup).
// Neither is a graph database; the point is the access pattern "k hops from a vertex".
import { openDb } from './lib/pglite.ts';
import type { Db } from './lib/pglite.ts';
import { cleanUp } from './lib/deadline.ts';

const PEOPLE = 5000;
const FOLLOWS = 5; // out-degree
let seed = 7;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const edges: Array<[number, number]> = [];
for (let a = 1; a <= PEOPLE; a++) {
  const seen = new Set<number>();
  while (seen.size < FOLLOWS) {
    const b = 1 + Math.floor(random() * PEOPLE);
    if (b !== a) seen.add(b);
  }
  for (const b of seen) edges.push([a, b]);
}

let db: Db | undefined;
try {
  db = await openDb();
  await db.exec(`create table follows (src int not null, dst int not null, primary key (src, dst));`);
  for (let i = 0; i < edges.length; i += 5000) {
    const chunk = edges.slice(i, i + 5000);
    await db.query(`insert into follows select * from unnest($1::int[], $2::int[])`, [chunk.map((e) => e[0]), chunk.map((e) => e[1])]);
  }
  await db.exec('analyze follows');

  // Who is reachable from person 1 within 3 hops, and at what distance? The CYCLE clause
  // (PostgreSQL 14+) carries each row's path and stops a path that revisits a vertex; because the
  // path is part of the row, the CTE enumerates PATHS, not vertices, so the depth bound is what
  // keeps it finite and the outer GROUP BY reduces paths to shortest distances.
  const sql = `
    with recursive reach(v, depth) as (
      select 1, 0
      union
      select f.dst, r.depth + 1 from reach r join follows f on f.src = r.v where r.depth < $1
    ) cycle v set is_cycle using path
    select depth, count(*)::int as n from (
      select v, min(depth) as depth from reach where not is_cycle group by v) t
    group by 1 order by 1`;
  const { rows } = await db.query<{ depth: number; n: number }>(sql, [3]);
  console.log('recursive CTE, reachable from person 1 by hop count:');
  for (const r of rows) console.log(`  ${r.depth} hops: ${r.n} people`);

  // The same query as a breadth-first search over adjacency lists.
  const adj = new Map<number, number[]>();
  for (const [a, b] of edges) (adj.get(a) ?? adj.set(a, []).get(a)!).push(b);
  const dist = new Map<number, number>([[1, 0]]);
  let frontier = [1];
  for (let d = 1; d <= 3; d++) {
    const next: number[] = [];
    for (const v of frontier) for (const w of adj.get(v) ?? []) if (!dist.has(w)) { dist.set(w, d); next.push(w); }
    frontier = next;
  }
  const byDepth = [0, 1, 2, 3].map((d) => [...dist.values()].filter((x) => x === d).length);
  console.log(`adjacency-map BFS agrees: ${byDepth.every((n, d) => n === rows[d]?.n)}`);

  // Why depth is the cost driver: each extra hop multiplies the rows the CTE joins by the degree.
  const plan = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off, timing off, summary off) ${sql}`, [3]);
  const cte = plan.rows.map((r) => r['QUERY PLAN']).find((l) => /Recursive Union/.test(l))!;
  console.log(`recursive union rows produced: ${cte.match(/rows=(\d+)/)![1]} for ${dist.size} distinct people`);
} finally {
  await cleanUp([['PGlite close', db ? () => db!.close() : undefined]]);
}
