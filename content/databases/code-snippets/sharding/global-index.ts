// Local versus global secondary indexes on two PGlite shards. Users are partitioned by id; a
// lookup by email through the local indexes must ask every shard. A global index (partitioned by
// email) answers from one shard, but it is maintained asynchronously from a per-shard outbox, so
// it lags, and it finds a duplicate email only after both rows have committed.
import { hash32 } from './lib/hash.ts';
import { closeAll, openShards, withDeadline } from './lib/pglite.ts';
import type { Shard } from './lib/pglite.ts';
import { closeSessions, openSession } from './lib/pg.ts';
import type { Client } from 'pg';

const USERS = 2_000;
let shards: Shard[] = [];
let queries = 0;
const q = async <T>(shard: Shard, sql: string, params: unknown[] = []): Promise<T[]> => { queries++; return (await shard.query<T>(sql, params)).rows; };
const byId = (id: number): Shard => shards[hash32(`user:${id}`) % shards.length]!;
const byEmail = (email: string): Shard => shards[hash32(email) % shards.length]!;

/**
 * The user row and its outbox entry commit together, so no index update is lost between the row
 * and the outbox; the maintainer below must then delete exactly the entries it applied.
 */
async function createUser(id: number, email: string): Promise<void> {
  const shard = byId(id);
  queries++;
  // PGlite's transaction() rolls back if the callback throws; the deadline bounds our wait for it.
  await withDeadline(shard.db.transaction(async (tx) => {
    await tx.query('INSERT INTO users (id, email) VALUES ($1, $2)', [id, email]);
    await tx.query('INSERT INTO index_outbox (email, user_id) VALUES ($1, $2)', [email, id]);
  }), 10_000, `${shard.name}: create user ${id}`);
}

interface OutboxEntry { seq: string; email: string; user_id: number }
type Rows = <T>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * One batch of an outbox: read it, apply it, then delete exactly the entries applied. A bigserial
 * value is taken when the INSERT runs, not when its transaction commits, so an entry with a lower
 * seq can become visible after a higher one was read: `DELETE ... WHERE seq <= <last seq read>`
 * would delete it unread (that is safe only with a single writer). Applying is idempotent, so a
 * crash between apply and delete only repeats a batch.
 */
async function drainBatch(outbox: Rows, apply: (batch: OutboxEntry[]) => Promise<void>, limit = 500): Promise<number> {
  const pending = await outbox<OutboxEntry>('SELECT seq::text AS seq, email, user_id FROM index_outbox ORDER BY seq LIMIT $1', [limit]);
  if (pending.length === 0) return 0;
  await apply(pending);
  await outbox('DELETE FROM index_outbox WHERE seq = ANY($1::bigint[])', [pending.map((entry) => entry.seq)]);
  return pending.length;
}

/** One pass of the index maintainer: moves every shard's outbox into the email-partitioned index. */
async function maintainIndex(): Promise<{ applied: number; conflicts: string[] }> {
  let applied = 0;
  const conflicts: string[] = [];
  for (const shard of shards) {
    const outbox: Rows = (sql, params) => q(shard, sql, params);
    while (await drainBatch(outbox, async (pending) => {
      for (const target of shards) {
        // One entry per email (the latest): ON CONFLICT DO UPDATE cannot touch one row twice in a
        // statement, and one shard can hold two entries for an email (a delete and re-create, an
        // email change; this snippet only inserts, the maintainer must not stop on it).
        const batch = [...new Map(pending.filter((entry) => byEmail(entry.email) === target).map((entry) => [entry.email, entry])).values()];
        if (batch.length === 0) continue;
        // Insert, or keep the existing entry; RETURNING says which user holds each email now.
        const kept = await q<{ email: string; user_id: number }>(target,
          `INSERT INTO email_index (email, user_id) SELECT email, user_id FROM json_to_recordset($1::json) AS r(email text, user_id int)
             ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING email, user_id`, [JSON.stringify(batch)]);
        const holder = new Map(kept.map((row) => [row.email, row.user_id]));
        for (const entry of batch) if (holder.get(entry.email) !== entry.user_id) conflicts.push(`${entry.email} is user ${holder.get(entry.email)} and user ${entry.user_id}`);
      }
      applied += pending.length;
    }) > 0);
  }
  return { applied, conflicts };
}

async function findLocal(email: string): Promise<number[]> {
  const rows = await Promise.all(shards.map((shard) => q<{ id: number }>(shard, 'SELECT id FROM users WHERE email = $1', [email])));
  return rows.flat().map((row) => row.id);
}

/** The global index is covering for this query (it stores user_id), so one shard answers. */
async function findGlobal(email: string): Promise<number[]> {
  const rows = await q<{ user_id: number }>(byEmail(email), 'SELECT user_id FROM email_index WHERE email = $1', [email]);
  return rows.map((row) => row.user_id);
}

const counted = async (what: () => Promise<number[]>): Promise<string> => {
  const before = queries;
  const ids = await what();
  return `${ids.length === 0 ? 'not found' : `user ${ids.join(', ')}`} (${queries - before} ${queries - before === 1 ? 'query' : 'queries'})`;
};

try {
  shards = await openShards(['shard-0', 'shard-1']);
  for (const shard of shards) {
    await shard.exec(`CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
      CREATE UNIQUE INDEX users_email_local ON users (email); -- unique per shard only
      CREATE TABLE index_outbox (seq bigserial PRIMARY KEY, email text NOT NULL, user_id int NOT NULL);
      CREATE TABLE email_index (email text PRIMARY KEY, user_id int NOT NULL)`);
  }
  // Bulk load: the same rows createUser would write (user and outbox entry), one statement per shard.
  for (const shard of shards) {
    const mine = Array.from({ length: USERS }, (_, i) => i + 1).filter((id) => byId(id) === shard).map((id) => ({ id, email: `user${id}@example.com` }));
    await shard.query(`WITH r AS (SELECT * FROM json_to_recordset($1::json) AS r(id int, email text)),
      u AS (INSERT INTO users SELECT id, email FROM r) INSERT INTO index_outbox (email, user_id) SELECT email, id FROM r ORDER BY id`, [JSON.stringify(mine)]);
  }
  const first = await maintainIndex();
  for (const shard of shards) await shard.exec('ANALYZE');
  console.log(`${USERS} users on 2 shards (${(await Promise.all(shards.map((s) => q<{ n: number }>(s, 'SELECT count(*)::int AS n FROM users')))).map((r) => r[0]!.n).join(' + ')}); index maintainer applied ${first.applied} entries`);
  const plan = await q<{ 'QUERY PLAN': string }>(shards[0]!, "EXPLAIN (COSTS OFF) SELECT id FROM users WHERE email = 'user7@example.com'");
  console.log(`each shard's plan for the local lookup: ${plan.map((row) => row['QUERY PLAN'].trim()).join(' / ')}`);
  console.log(`lookup user7 by email, local indexes (scatter-gather): ${await counted(() => findLocal('user7@example.com'))}`);
  console.log(`lookup user7 by email, global index: ${await counted(() => findGlobal('user7@example.com'))}`);

  await createUser(5001, 'new@example.com');
  console.log('created user 5001 with new@example.com; before the maintainer runs:');
  console.log(`  global index: ${await counted(() => findGlobal('new@example.com'))}   <- stale: read-your-writes broken`);
  console.log(`  local indexes: ${await counted(() => findLocal('new@example.com'))}`);
  await maintainIndex();
  console.log(`after one maintainer pass: global index: ${await counted(() => findGlobal('new@example.com'))}`);

  // Two users with one email on different shards: each shard's unique index is satisfied.
  let a = 6000;
  while (byId(a) === byId(6001)) a++;
  await createUser(a, 'dup@example.com');
  await createUser(6001, 'dup@example.com');
  console.log(`users ${a} and 6001 both committed with dup@example.com (different shards, each unique index satisfied)`);
  const pass = await maintainIndex();
  console.log(`the maintainer finds it after the fact: ${pass.conflicts.join('; ') || 'no conflict'}`);
} finally {
  await closeAll(shards);
}

// Why the maintainer deletes exactly what it applied, on a real PostgreSQL server (PGlite has
// one session, so two transactions cannot be open at once there): two writer sessions and the
// maintainer, on the same drainBatch as above.
const schema = `sharding_outbox_${process.pid}`;
let sessions: Client[] = [];
try {
  const opened = await Promise.allSettled(['writer-a', 'writer-b', 'maintainer'].map((name) => openSession(name)));
  sessions = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (sessions.length < opened.length) throw new AggregateError(opened.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : [])), 'a session did not open');
  const [a, b, maintainer] = sessions as [Client, Client, Client];
  await maintainer.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};
    CREATE TABLE index_outbox (seq bigserial PRIMARY KEY, email text NOT NULL, user_id int NOT NULL);
    CREATE TABLE email_index (email text PRIMARY KEY, user_id int NOT NULL)`);
  for (const writer of [a, b]) await writer.query(`SET search_path TO ${schema}`);
  const outbox: Rows = async (sql, params) => (await maintainer.query(sql, params)).rows;
  const apply = async (batch: OutboxEntry[]): Promise<void> => {
    await outbox(`INSERT INTO email_index (email, user_id) SELECT email, user_id FROM json_to_recordset($1::json) AS r(email text, user_id int)
      ON CONFLICT (email) DO NOTHING`, [JSON.stringify(batch)]);
  };

  await a.query('BEGIN');
  const seqA = (await a.query<{ seq: string }>(`INSERT INTO index_outbox (email, user_id) VALUES ('a@example.com', 1) RETURNING seq::text AS seq`)).rows[0]!.seq;
  const seqB = (await b.query<{ seq: string }>(`INSERT INTO index_outbox (email, user_id) VALUES ('b@example.com', 2) RETURNING seq::text AS seq`)).rows[0]!.seq;
  console.log(`PostgreSQL, 3 sessions: A inserted a@example.com as seq ${seqA} (not committed); B inserted b@example.com as seq ${seqB} and committed`);
  let lastRead = '';
  await drainBatch(outbox, async (batch) => {
    lastRead = batch.at(-1)!.seq;
    console.log(`  maintainer read seq ${batch.map((entry) => entry.seq).join(', ')}; while it applies the batch, A commits seq ${seqA}`);
    await apply(batch);
    await a.query('COMMIT');
  });
  const unread = await outbox<OutboxEntry>('SELECT seq::text AS seq, email FROM index_outbox WHERE seq <= $1', [lastRead]);
  console.log(`  after the delete of the seqs applied, the outbox still holds ${unread.map((entry) => `seq ${entry.seq} (${entry.email})`).join(', ') || 'nothing'}: "DELETE ... WHERE seq <= ${lastRead}" would have deleted it unread`);
  while (await drainBatch(outbox, apply) > 0);
  const indexed = await outbox<{ email: string }>('SELECT email FROM email_index ORDER BY email');
  console.log(`  next pass: the index holds ${indexed.map((row) => row.email).join(', ')}; outbox entries left: ${(await outbox<{ n: number }>('SELECT count(*)::int AS n FROM index_outbox'))[0]!.n}`);
} finally {
  const [a, , maintainer] = sessions;
  await a?.query('ROLLBACK').catch(() => undefined); // a no-op unless we failed with A's transaction open
  await maintainer?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch((error: unknown) => console.error('dropping the demo schema failed:', error));
  await closeSessions(sessions);
}
