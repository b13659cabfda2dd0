// At-least-once delivery with a Redis Streams consumer group, and an idempotent consumer.
// consumer-1 (a child process) applies a payment, commits, and exits before XACK: the entry
// stays in the group's pending entries list (PEL). consumer-2 (this process) takes it over
// with XAUTOCLAIM once it has been idle for MIN_IDLE_MS, and processes it again. The naive
// consumer credits the account twice. The idempotent one records the message id in a dedup
// table IN THE SAME TRANSACTION as the credit, so the second delivery only acknowledges.
// Not handled: a poison message that fails every time (count deliveries, park it in a
// dead-letter stream), pruning the dedup table, effects outside the database (an e-mail).
import { createClient } from 'redis';
import pg from 'pg';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { apply, dbTimeouts, parse } from './lib/payments.ts';
import type { Entry } from './lib/payments.ts';

const MIN_IDLE_MS = 100;
const { REDIS_URL, DATABASE_URL } = process.env;
if (!REDIS_URL || !DATABASE_URL) throw new Error('REDIS_URL and DATABASE_URL must be set (this snippet needs Redis and PostgreSQL)');
const redis = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, socketTimeout: 10_000, reconnectStrategy: false } });
redis.on('error', (err: Error) => console.error('redis client error:', err.message));
const db = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, ...dbTimeouts });

async function crashingConsumer(stream: string, idempotent: boolean): Promise<void> {
  const child = fork(new URL('./lib/crashing-consumer.ts', import.meta.url), {
    env: { ...process.env, STREAM: stream, IDEMPOTENT: idempotent ? '1' : '0' },
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000); // a hung child must not hang us
  try {
    const [code] = await once(child, 'exit');
    if (code !== 42) throw new Error(`consumer-1 exited with ${code}, expected the simulated crash (42)`);
  } finally {
    clearTimeout(timer);
  }
}

// consumer-2 acks an entry only once it is applied (or a duplicate). One that fails, such as a
// payment to an unknown account, stays pending; after a few deliveries (the PEL counts them)
// a real consumer parks it in a dead-letter stream. Other errors propagate.
async function consume(stream: string, entry: Entry, idempotent: boolean): Promise<string> {
  try {
    const outcome = await apply(db, parse(entry), idempotent);
    await redis.xAck(stream, 'ledger', entry.id);
    return outcome;
  } catch (err) {
    if ((err as { code?: string }).code !== 'EACCOUNT') throw err;
    return `left pending (${(err as Error).message})`;
  }
}

async function run(idempotent: boolean): Promise<void> {
  const stream = `payments:${idempotent ? 'idempotent' : 'naive'}`;
  await db.query(`DROP TABLE IF EXISTS balances, processed;
    CREATE TABLE balances (account text PRIMARY KEY, cents bigint NOT NULL);
    CREATE TABLE processed (message_id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
    INSERT INTO balances VALUES ('acc-1', 0);`);
  await redis.xGroupCreate(stream, 'ledger', '0', { MKSTREAM: true });
  // The producer sets its own message id: a producer that retries XADD creates a second
  // entry with a NEW stream id, so dedup must key on the id the producer chose.
  for (const [i, cents] of [1000, 2000, 3000].entries()) {
    await redis.xAdd(stream, '*', { msgId: `pay-${i + 1}`, account: 'acc-1', cents: String(cents) });
  }

  await crashingConsumer(stream, idempotent);
  const before = await redis.xPendingRange(stream, 'ledger', '-', '+', 10);
  console.log(`${idempotent ? 'idempotent' : 'naive'} consumer: consumer-1 applied 3 entries and exited (code 42) before acking the last`);
  console.log(`  pending after the crash: ${before.length} (owner ${before[0]?.consumer}, deliveries ${before[0]?.deliveriesCounter})`);

  await new Promise((r) => setTimeout(r, MIN_IDLE_MS + 20));
  const claimed = await redis.xAutoClaim(stream, 'ledger', 'consumer-2', MIN_IDLE_MS, '0-0', { COUNT: 10 });
  const after = await redis.xPendingRange(stream, 'ledger', '-', '+', 10);
  console.log(`  after XAUTOCLAIM: owner ${after[0]?.consumer}, deliveries ${after[0]?.deliveriesCounter}`);
  for (const entry of claimed.messages) {
    if (entry === null) continue; // deleted from the stream while pending
    console.log(`  consumer-2 claimed ${entry.message.msgId} (redelivery): ${await consume(stream, entry as Entry, idempotent)}`);
  }
  if (idempotent) { // a payment to an account that does not exist
    await redis.xAdd(stream, '*', { msgId: 'pay-4', account: 'acc-404', cents: '500' });
    const batch = await redis.xReadGroup('ledger', 'consumer-2', { key: stream, id: '>' }, { COUNT: 1 });
    const entry = (batch as Array<{ messages: Entry[] }> | null)?.[0]?.messages[0];
    if (!entry) throw new Error('pay-4 was not delivered');
    const outcome = await consume(stream, entry, true);
    const dedup = await db.query("SELECT 1 FROM processed WHERE message_id = 'pay-4'");
    console.log(`  consumer-2 read pay-4 (account acc-404): ${outcome}; dedup rows for it: ${dedup.rowCount}`);
  }
  const pending = await redis.xPendingRange(stream, 'ledger', '-', '+', 10);
  const { rows } = await db.query<{ cents: string }>("SELECT cents::text FROM balances WHERE account = 'acc-1'");
  console.log(`  pending at the end: ${pending.length}; balance ${rows[0]?.cents} cents (sent 6000)`);
}

try {
  await Promise.all([redis.connect(), db.connect()]);
  await run(false);
  await run(true);
} finally {
  await Promise.allSettled([redis.quit(), db.end()]); // each closed on its own
}
