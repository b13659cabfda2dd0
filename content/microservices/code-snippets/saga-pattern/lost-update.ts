// A lost update between two sagas, and a semantic lock that prevents it. Richardson's example
// (Microservices Patterns, ch. 4): Create Order creates the order, Cancel Order cancels it while
// Create Order is still running, then Create Order's last step approves it, overwriting the cancel.
// Every step below is its own committed local transaction, so no database isolation level helps:
// the anomaly lives BETWEEN transactions. That is also why one embedded session (PGlite) can show
// it. 100 pairs of sagas run with a seeded random interleaving of their steps.
import { PGlite } from '@electric-sql/pglite';

type Mode = 'no lock' | 'semantic lock';
const PAIRS = 100;

function rng(seed: number): () => number { // mulberry32: deterministic interleavings
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = () => Promise<void>;

function createOrder(db: PGlite, id: number, mode: Mode): Step[] {
  return [
    async () => { await db.query(`INSERT INTO orders (id, status) VALUES ($1, $2)`, [id, mode === 'no lock' ? 'CREATED' : 'APPROVAL_PENDING']); },
    async () => { /* authorize the card in another service */ },
    mode === 'no lock'
      ? async () => { await db.query(`UPDATE orders SET status = 'APPROVED' WHERE id = $1`, [id]); }
      // The lock is released by the same saga that took it; the WHERE makes the update a compare-and-set.
      : async () => { await db.query(`UPDATE orders SET status = 'APPROVED' WHERE id = $1 AND status = 'APPROVAL_PENDING'`, [id]); },
  ];
}

function cancelOrder(db: PGlite, id: number, mode: Mode, outcome: { cancelled: boolean }): Step[] {
  return [
    async () => {
      // No lock: cancel whatever exists. Semantic lock: refuse an order another saga holds
      // (*_PENDING); the caller retries later or reports "try again" (Richardson lists both).
      const sql = mode === 'no lock' ? `UPDATE orders SET status = 'CANCELLED' WHERE id = $1` : `UPDATE orders SET status = 'CANCELLED' WHERE id = $1 AND status = 'APPROVED'`;
      outcome.cancelled = ((await db.query(sql, [id])).affectedRows ?? 0) === 1;
    },
    async () => { if (outcome.cancelled) await db.query(`INSERT INTO refunds (order_id) VALUES ($1)`, [id]); }, // pay the customer back
  ];
}

async function run(db: PGlite, mode: Mode, seed: number): Promise<void> {
  await db.exec('TRUNCATE orders, refunds');
  const random = rng(seed);
  const refused = { n: 0 };
  for (let id = 1; id <= PAIRS; id += 1) {
    const outcome = { cancelled: false };
    const a = createOrder(db, id, mode);
    const b = cancelOrder(db, id, mode, outcome);
    await a.shift()!(); // the order exists before anyone can cancel it
    while (a.length > 0 || b.length > 0) { // interleave the remaining steps at random
      const next = b.length === 0 || (a.length > 0 && random() < 0.5) ? a.shift()! : b.shift()!;
      await next();
    }
    if (!outcome.cancelled) refused.n += 1;
  }
  const { rows } = await db.query<{ anomalies: number; approved: number; cancelled: number }>(
    `SELECT count(*) FILTER (WHERE o.status = 'APPROVED' AND r.order_id IS NOT NULL)::int AS anomalies,
            count(*) FILTER (WHERE o.status = 'APPROVED')::int AS approved, count(*) FILTER (WHERE o.status = 'CANCELLED')::int AS cancelled
       FROM orders o LEFT JOIN refunds r ON r.order_id = o.id`,
  );
  const r = rows[0]!;
  console.log(`${mode.padEnd(13)}  pairs ${PAIRS}  approved ${String(r.approved).padStart(3)}  cancelled ${String(r.cancelled).padStart(3)}  cancel refused ${String(refused.n).padStart(3)}  approved AND refunded ${r.anomalies}`);
}

const db = new PGlite();
try {
  const { rows } = await db.query<{ v: string }>(`SELECT split_part(version(), ' ', 2) AS v`);
  console.log(`PGlite, PostgreSQL ${rows[0]!.v}`);
  await db.exec(`CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL); CREATE TABLE refunds (order_id int PRIMARY KEY);`);
  await run(db, 'no lock', 42);
  await run(db, 'semantic lock', 42);
} finally {
  await db.close();
}
