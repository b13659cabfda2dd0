// A work queue on a Redis stream with a consumer group: delivery to one consumer, the pending
// entries list (PEL) for unacknowledged messages, XPENDING to find a stuck consumer's messages,
// XCLAIM to take them over, and a dead-letter stream for a message that keeps failing.
// Every Redis command has a client-side deadline: node-redis 6.4.0's default command timeout
// covers only the wait before a command is sent, not the wait for its reply.
import { connect, close } from './lib/redis.ts';
import type { Redis } from './lib/redis.ts';
import { withDeadline } from './lib/deadline.ts';

const STREAM = 'jobs';
const DEAD = `${STREAM}:dead`; // on a Redis Cluster, name both {jobs} and {jobs}:dead so the script's keys share a slot
const GROUP = 'workers';
const MIN_IDLE_MS = 100; // a message unacknowledged this long is presumed stuck (a real value: several times the p99 job time)
const MAX_DELIVERIES = 3;
const COMMAND_MS = 1000; // a deadline for one command; a blocking read gets BLOCK plus this

// Start-up in every worker: create the group, and treat "it already exists" as success.
async function ensureGroup(r: Redis): Promise<'created' | 'exists'> {
  try {
    await withDeadline(r.xGroupCreate(STREAM, GROUP, '0', { MKSTREAM: true }), COMMAND_MS, 'XGROUP CREATE');
    return 'created';
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('BUSYGROUP')) return 'exists';
    throw error;
  }
}

// Dead-lettering in one script: copy the entry to the dead-letter stream and XACK it, only if this
// consumer still owns it. Atomic, so a crash cannot leave it copied but pending (and copied again
// on the next claim), and a second reaper that claimed it meanwhile cannot dead-letter it twice.
const DEAD_LETTER = `
  local owned = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3])
  if #owned == 0 then return 0 end
  redis.call('XADD', KEYS[2], '*', 'job', ARGV[4], 'id', ARGV[2], 'deliveries', ARGV[5])
  return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])`;

type Entry = { id: string; message: Record<string, string> };
let c1: Redis | undefined;
let c2: Redis | undefined;
try {
  c1 = await connect('worker-1');
  c2 = await connect('worker-2');
  const w1 = c1;
  const w2 = c2;
  console.log(`group: worker-1 ${await ensureGroup(w1)}, worker-2 ${await ensureGroup(w2)}`);
  for (const job of ['resize:1', 'poison:2', 'resize:3', 'resize:4', 'resize:5']) {
    await withDeadline(w1.xAdd(STREAM, '*', { job }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 10_000 } }), COMMAND_MS, 'XADD');
  }

  // worker-1 takes three messages, acknowledges one, then dies without acknowledging the others.
  const got1 = await withDeadline(w1.xReadGroup(GROUP, 'worker-1', { key: STREAM, id: '>' }, { COUNT: 3 }), COMMAND_MS, 'XREADGROUP');
  const mine = (got1 as Array<{ messages: Entry[] }>)[0]!.messages;
  console.log(`worker-1 got: ${mine.map((m) => m.message.job).join(', ')}`);
  await withDeadline(w1.xAck(STREAM, GROUP, mine[0]!.id), COMMAND_MS, 'XACK');
  await close(c1);
  c1 = undefined;
  console.log('worker-1 acked resize:1 and crashed');

  // worker-2 reads new messages ('>'): it never sees worker-1's pending ones that way.
  const got2 = await withDeadline(w2.xReadGroup(GROUP, 'worker-2', { key: STREAM, id: '>' }, { COUNT: 10 }), COMMAND_MS, 'XREADGROUP');
  const theirs = (got2 as Array<{ messages: Entry[] }>)[0]!.messages;
  for (const m of theirs) await withDeadline(w2.xAck(STREAM, GROUP, m.id), COMMAND_MS, 'XACK');
  console.log(`worker-2 got and acked: ${theirs.map((m) => m.message.job).join(', ')}`);
  const empty = await withDeadline(w2.xReadGroup(GROUP, 'worker-2', { key: STREAM, id: '>' }, { COUNT: 10, BLOCK: 200 }), 200 + COMMAND_MS, 'XREADGROUP BLOCK');
  console.log(`worker-2 blocking read (BLOCK 200 ms) on an empty stream: ${empty === null ? 'null' : 'messages'}`);

  const summary = await withDeadline(w2.xPending(STREAM, GROUP), COMMAND_MS, 'XPENDING'); // node-redis names the per-consumer count deliveriesCounter: it is that consumer's pending count
  console.log(`XPENDING: ${summary.pending} pending, pending per consumer: ${summary.consumers?.map((c) => `${c.name}=${c.deliveriesCounter}`).join(', ')}`);

  // The reaper: after MIN_IDLE_MS, claim what is idle; XCLAIM checks the idle time again, so two
  // reapers racing for one message cannot both get it. XCLAIM's reply has no delivery count, so
  // the same MULTI reads it with XPENDING right after the claim: nothing can run in between.
  await new Promise((resolve) => setTimeout(resolve, MIN_IDLE_MS + 50));
  for (let round = 1; round <= 3; round++) {
    const stuck = await withDeadline(w2.xPendingRange(STREAM, GROUP, '-', '+', 10, { IDLE: MIN_IDLE_MS }), COMMAND_MS, 'XPENDING IDLE');
    if (stuck.length === 0) break;
    // One exact XPENDING per claimed id (start = end = id, count 1): a range over all of
    // worker-2's entries would stop at its first 10 and could leave a claimed one out.
    const transaction = w2.multi().xClaim(STREAM, GROUP, 'worker-2', MIN_IDLE_MS, stuck.map((p) => p.id));
    for (const p of stuck) transaction.xPendingRange(STREAM, GROUP, p.id, p.id, 1, { consumer: 'worker-2' });
    const [claimedReply, ...ownedReplies] = await withDeadline(transaction.exec(), COMMAND_MS, 'MULTI XCLAIM XPENDING');
    const claimed = claimedReply as unknown as Array<Entry | null>;
    const deliveries = new Map(ownedReplies.flatMap((reply) => (reply as unknown as Array<{ id: string; deliveriesCounter: number }>).map((p) => [p.id, p.deliveriesCounter] as const)));
    for (const m of claimed) {
      if (!m) continue; // deleted from the stream meanwhile
      const job = m.message.job!;
      const count = deliveries.get(m.id);
      if (count === undefined) throw new Error(`no delivery count for claimed entry ${m.id}`);
      if (job.startsWith('poison')) {
        if (count >= MAX_DELIVERIES) {
          const acked = await withDeadline(w2.eval(DEAD_LETTER, { keys: [STREAM, DEAD], arguments: [GROUP, m.id, 'worker-2', job, String(count)] }), COMMAND_MS, 'dead-letter');
          console.log(`round ${round}: ${job} delivered ${count} times -> dead-letter stream (acked: ${acked})`);
        } else console.log(`round ${round}: ${job} claimed (delivery ${count}), fails again, not acked`);
        continue;
      }
      await withDeadline(w2.xAck(STREAM, GROUP, m.id), COMMAND_MS, 'XACK');
      console.log(`round ${round}: ${job} claimed from ${stuck.find((p) => p.id === m.id)!.consumer} (delivery ${count}), processed, acked`);
    }
    await new Promise((resolve) => setTimeout(resolve, MIN_IDLE_MS + 50));
  }
  const after = await withDeadline(w2.xPending(STREAM, GROUP), COMMAND_MS, 'XPENDING');
  const deadLen = await withDeadline(w2.xLen(DEAD), COMMAND_MS, 'XLEN');
  const streamLen = await withDeadline(w2.xLen(STREAM), COMMAND_MS, 'XLEN');
  console.log(`XPENDING now: ${after.pending}; dead letters: ${deadLen}; stream length: ${streamLen} (acked entries stay until trimmed)`);
} finally {
  await Promise.allSettled([close(c1), close(c2)]);
}
