// The transactional outbox: the business row and the message that announces it are written by
// one transaction, so neither exists without the other. Two relay sessions drain the outbox and
// publish to a broker (an in-memory stand-in here, with injected faults). No transaction is open
// while the broker is called: a relay claims a batch with a lease (one short UPDATE using FOR
// UPDATE SKIP LOCKED), publishes with no transaction open, then deletes what it published in a
// second short statement. Delivery is at-least-once, and the consumer deduplicates by message id.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { closeAll, openSession, withDeadline } from './lib/sessions.ts';

const BATCH = 3; // outbox rows per claim
const PUBLISH_DEADLINE_MS = 200; // per message
// A claim lasts this long; a relay that dies leaves its rows to be reclaimed after it. It must be
// well above BATCH x PUBLISH_DEADLINE_MS, and the relay stops publishing a batch whose lease is
// running out. (Short here so that the run is short; seconds to minutes in a service.)
const LEASE_MS = 1_000;
// A publish starts only if its deadline falls this long before the lease ends: room for a broker
// client that can still deliver a little after it was cancelled. Size it from that client.
const LEASE_MARGIN_MS = 200;
const MAX_CONSECUTIVE_FAILURES = 8; // then the relay gives up and lets its supervisor decide
const BACKOFF_BASE_MS = 10;
const BACKOFF_MAX_MS = 500;

interface Message {
  readonly id: string;
  readonly message_id: string;
  readonly topic: string;
  readonly key: string;
  readonly payload: { readonly orderId: number; readonly item: string };
}

/** Stand-in for Kafka/SNS/...: publish() may fail, or succeed and have the caller crash afterwards. */
class Broker {
  readonly delivered: Message[] = [];
  failNextPublishOf = new Set<number>();
  async publish(message: Message, signal: AbortSignal): Promise<void> {
    await sleep(1, undefined, { signal }); // a network round trip
    if (this.failNextPublishOf.delete(message.payload.orderId)) throw Object.assign(new Error('broker unavailable'), { code: 'EBROKER' });
    this.delivered.push(message);
  }
}

/** The write path: one transaction, two inserts. No broker call here. */
async function placeOrder(client: Client, item: string): Promise<number> {
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ id: number }>('INSERT INTO orders (item) VALUES ($1) RETURNING id', [item]);
    const orderId = rows[0]!.id;
    await client.query(`INSERT INTO outbox (topic, key, payload) VALUES ('orders.placed', $1, $2)`, [String(orderId), JSON.stringify({ orderId, item })]);
    await client.query('COMMIT');
    return orderId;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * One short statement (its own transaction): lease a batch that nobody holds or whose lease
 * expired, under a token of this claim's own. Marking done matches the token, so a relay whose
 * lease ran out (and whose rows another relay has claimed since) changes nothing.
 */
async function claim(client: Client, token: string): Promise<Message[]> {
  const { rows } = await client.query<Message>(
    `UPDATE outbox SET claimed_until = clock_timestamp() + $2 * interval '1 millisecond', claim_token = $3
      WHERE id IN (SELECT id FROM outbox WHERE claimed_until IS NULL OR claimed_until < clock_timestamp()
                    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id::text, message_id::text, topic, key, payload`,
    [BATCH, LEASE_MS, token],
  );
  return rows.sort((x, y) => Number(x.id) - Number(y.id));
}

/** One relay pass: claim, publish with no transaction open, mark done. Returns how many it published. */
async function relayOnce(client: Client, broker: Broker, crashAfterPublishOf: Set<number>, signal: AbortSignal): Promise<number> {
  const token = randomUUID();
  const claimedAt = performance.now(); // before the claim is sent, so the lease is counted from no later than the server's
  const batch = await claim(client, token);
  const published: string[] = [];
  // On any failure or early stop, nothing is handed back: every row not published stays leased
  // until the lease runs out. A publish that failed may still be on its way, and the rows after it
  // must not overtake it (one relay keeps per-key order only if a failed row goes out first).
  let failure: unknown;
  for (const message of batch) {
    // Start a publish only if it ends (by its deadline) a margin before the lease does.
    if (performance.now() - claimedAt > LEASE_MS - PUBLISH_DEADLINE_MS - LEASE_MARGIN_MS) break;
    // The attempt itself is cancelled at the deadline too, not only no longer awaited.
    const attempt = AbortSignal.any([signal, AbortSignal.timeout(PUBLISH_DEADLINE_MS)]);
    try {
      await withDeadline(broker.publish(message, attempt), PUBLISH_DEADLINE_MS, `publishing ${message.id}`);
    } catch (error) {
      // Failed, or timed out and so possibly delivered: republished later either way. A publish
      // cancelled by its own deadline reports the deadline, with the abort as its cause.
      failure = error;
      if (attempt.aborted && !signal.aborted) {
        failure = Object.assign(new Error(`publishing ${message.id}: no answer within ${PUBLISH_DEADLINE_MS} ms`, { cause: error }), { name: 'TimeoutError', code: 'ETIMEDOUT' });
      }
      break;
    }
    published.push(message.id);
    // A simulated process crash: nothing below runs, the batch stays leased until LEASE_MS passes.
    if (crashAfterPublishOf.delete(message.payload.orderId)) throw Object.assign(new Error('relay crashed after publishing, before marking it done'), { code: 'ECRASH' });
  }
  // Mark done, one short statement that touches only rows still under this claim's token.
  if (published.length > 0) await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[]) AND claim_token = $2', [published, token]);
  if (failure !== undefined) throw failure;
  return published.length;
}

const sessions: Client[] = [];
try {
  for (const name of ['app', 'relay-1', 'relay-2']) sessions.push(await openSession({ name }));
  const [app, ...relays] = sessions as [Client, Client, Client];
  await app.query(`DROP TABLE IF EXISTS orders, outbox;
    CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item text NOT NULL);
    CREATE TABLE outbox (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, message_id uuid NOT NULL DEFAULT gen_random_uuid(),
                         topic text NOT NULL, key text NOT NULL, payload jsonb NOT NULL,
                         claimed_until timestamptz, claim_token uuid)`);

  for (let i = 1; i <= 10; i += 1) await placeOrder(app, `item-${i}`);
  console.log(`orders ${(await app.query('SELECT count(*) AS n FROM orders')).rows[0].n}, outbox rows ${(await app.query('SELECT count(*) AS n FROM outbox')).rows[0].n}`);

  const broker = new Broker();
  broker.failNextPublishOf.add(3); // the first publish of order 3 fails
  const crashAfterPublishOf = new Set([5]); // the relay holding order 5 "crashes" after publishing it
  const signal = AbortSignal.timeout(8_000);
  const errors: string[] = [];
  await Promise.all(relays.map(async (relay, index) => {
    for (let failures = 0; ; ) {
      let published = 0;
      try {
        published = await relayOnce(relay, broker, crashAfterPublishOf, signal);
        failures = 0;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'EBROKER' && code !== 'ECRASH' && code !== 'ETIMEDOUT') throw error;
        errors.push((error as Error).message);
        failures += 1;
        if (failures >= MAX_CONSECUTIVE_FAILURES) throw new Error(`relay-${index + 1}: ${failures} failures in a row; giving up`, { cause: error });
        // Capped exponential backoff with full jitter, as in lib/tx.ts.
        await sleep(Math.round(Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1))), undefined, { signal });
        continue;
      }
      if (published > 0) continue;
      // Nothing claimable: done if the outbox is empty, else rows are leased by someone (maybe a dead relay).
      if (Number((await relay.query('SELECT count(*) AS n FROM outbox')).rows[0].n) === 0) return;
      await sleep(50, undefined, { signal }); // a service would also wait on LISTEN/NOTIFY here
    }
  }));
  console.log(`relay errors: ${errors.sort().join('; ')}`);

  // The consumer: processes each message id once, whatever the broker delivers.
  const seen = new Set<string>();
  let duplicates = 0;
  for (const message of broker.delivered) {
    if (seen.has(message.message_id)) duplicates += 1;
    else seen.add(message.message_id);
  }
  const orderIds = [...new Set(broker.delivered.map((m) => m.payload.orderId))].sort((x, y) => x - y);
  // How many duplicates depends on where the faults fall in the two relays' batches: at least one.
  console.log(`distinct messages ${seen.size}; duplicates dropped by the consumer: ${duplicates >= 1 ? 'at least one' : 'none'} (${duplicates} of ${broker.delivered.length} deliveries)`);
  console.log(`orders announced: ${orderIds.join(',')}; outbox rows left ${(await app.query('SELECT count(*) AS n FROM outbox')).rows[0].n}`);
  await app.query('DROP TABLE orders, outbox');
} finally {
  await closeAll(sessions);
}
