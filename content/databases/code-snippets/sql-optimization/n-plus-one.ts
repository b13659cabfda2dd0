// The N+1 query problem on a real PostgreSQL server over TCP, where every query is a network
// round trip. A lazy-loading repository (what an ORM does by default) issues 1 + N queries;
// batching (WHERE id = ANY($1), what a DataLoader does) issues 2; a JOIN issues 1.
// We count round trips in the client and confirm them in pg_stat_statements.
import net from 'node:net';
import pg from 'pg';
import { withDeadline } from './lib/pg.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: this snippet needs a PostgreSQL server (snippets.json services: ["postgres"])');
const REPEATS = 5;
const PAGE = 100;

type Order = { id: number; customer_id: number; total_cents: number };
type Customer = { id: number; name: string };
type OrderView = { orderId: number; customer: string; totalCents: number };

/**
 * A pg.Client that counts round trips and bounds each one. An error the server reported
 * (pg.DatabaseError) leaves the connection in step with the protocol; any other failure (our
 * deadline or signal, pg's query_timeout, a socket error) leaves a query in flight or the
 * protocol state unknown, so the connection is discarded: later queries would queue behind it.
 * With pg.Pool, the same rule is `client.release(error)`, which destroys the client.
 */
class CountingDb {
  readonly client: pg.Client;
  readonly #discard: () => void;
  #broken: unknown;
  roundTrips = 0;
  constructor(client: pg.Client, discard: () => void) {
    this.client = client;
    this.#discard = discard;
  }
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], signal?: AbortSignal): Promise<R[]> {
    if (this.#broken !== undefined) throw new Error('connection discarded after an earlier failure', { cause: this.#broken });
    this.roundTrips += 1;
    try {
      const result = await withDeadline(this.client.query<R>(text, values), 5_000, 'query', signal);
      return result.rows;
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) {
        this.#broken = error;
        this.#discard();
      }
      throw error;
    }
  }
}

// 1 + N: the shape an ORM produces when a template touches order.customer in a loop.
async function lazy(db: CountingDb, signal: AbortSignal): Promise<OrderView[]> {
  const orders = await db.query<Order>('SELECT id, customer_id, total_cents FROM orders ORDER BY id DESC LIMIT $1', [PAGE], signal);
  const views: OrderView[] = [];
  for (const order of orders) {
    const [customer] = await db.query<Customer>('SELECT id, name FROM customers WHERE id = $1', [order.customer_id], signal);
    views.push({ orderId: order.id, customer: customer?.name ?? '?', totalCents: order.total_cents });
  }
  return views;
}

// 2 queries: collect the keys, fetch them in one round trip, join in memory.
async function batched(db: CountingDb, signal: AbortSignal): Promise<OrderView[]> {
  const orders = await db.query<Order>('SELECT id, customer_id, total_cents FROM orders ORDER BY id DESC LIMIT $1', [PAGE], signal);
  const ids = [...new Set(orders.map((o) => o.customer_id))];
  const customers = await db.query<Customer>('SELECT id, name FROM customers WHERE id = ANY($1::int[])', [ids], signal);
  const byId = new Map(customers.map((c) => [c.id, c.name]));
  return orders.map((o) => ({ orderId: o.id, customer: byId.get(o.customer_id) ?? '?', totalCents: o.total_cents }));
}

// 1 query: let the database join.
async function joined(db: CountingDb, signal: AbortSignal): Promise<OrderView[]> {
  const rows = await db.query<{ id: number; name: string; total_cents: number }>(
    `SELECT o.id, c.name, o.total_cents FROM orders o JOIN customers c ON c.id = o.customer_id
     ORDER BY o.id DESC LIMIT $1`, [PAGE], signal);
  return rows.map((r) => ({ orderId: r.id, customer: r.name, totalCents: r.total_cents }));
}

// We create the socket ourselves (pg's documented `stream` option) so that we can destroy it:
// the last resort when a query or the goodbye does not finish in time.
const socket = new net.Socket();
const client = new pg.Client({
  connectionString: url, stream: () => socket,
  connectionTimeoutMillis: 5_000, statement_timeout: 5_000, query_timeout: 6_000,
});
// The whole error, not just its message: name, code (57P01 is an admin shutdown) and cause.
client.on('error', (error) => console.error('connection error:', error));
const overall = AbortSignal.timeout(30_000);
try {
  try {
    await withDeadline(client.connect(), 6_000, 'connect', overall);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const db = new CountingDb(client, () => socket.destroy());
  const version = await db.query<{ server_version: string }>('SHOW server_version');
  console.log(`PostgreSQL ${version[0]?.server_version.split(' ')[0]} server over TCP (127.0.0.1)`);
  await db.query(`
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, total_cents int NOT NULL);
    INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 5000) g;
    INSERT INTO orders SELECT g, 1 + (g * 7919) % 5000, g % 10000 FROM generate_series(1, 50000) g;
    ANALYZE customers; ANALYZE orders;`);
  // pg_stat_statements is cluster-wide: reset and read only this database's entries.
  await db.query(`SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`);

  const strategies = [['lazy (N+1)', lazy], ['batched (= ANY)', batched], ['JOIN', joined]] as const;
  let reference = '';
  console.log(`strategy          round trips per page   best ms of ${REPEATS}`);
  for (const [name, load] of strategies) {
    let best = Infinity;
    let trips = 0;
    for (let i = 0; i < REPEATS; i++) {
      const before = db.roundTrips;
      const start = performance.now();
      const views = await load(db, overall);
      best = Math.min(best, performance.now() - start);
      trips = db.roundTrips - before;
      const fingerprint = JSON.stringify(views);
      if (reference === '') reference = fingerprint;
      else if (fingerprint !== reference) throw new Error(`${name} returned a different page`);
    }
    console.log(`${name.padEnd(17)} ${String(trips).padStart(20)}   ${best.toFixed(2).padStart(10)}`);
  }
  console.log('all three strategies returned the same 100 rows');

  const top = await db.query<{ calls: string; rows: string; query: string }>(`
    SELECT calls, rows, regexp_replace(query, '\\s+', ' ', 'g') AS query
    FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND (query LIKE '%FROM orders%' OR query LIKE '%FROM customers%') AND query NOT LIKE '%pg_stat_statements%'
    ORDER BY calls DESC, query`);
  console.log('pg_stat_statements (this database): calls, rows, normalised query');
  for (const row of top) console.log(`${row.calls.padStart(6)} ${row.rows.padStart(7)}  ${row.query.slice(0, 90)}`);
} finally {
  try {
    await withDeadline(client.end(), 5_000, 'disconnect');
  } catch (error) {
    console.error('close failed, destroying the socket:', error);
    socket.destroy();
  }
}
