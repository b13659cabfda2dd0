// Per-key ordering. 3 orders x 5 events each (created, paid, packed, shipped, delivered),
// consumed by 4 workers with seeded random processing times. (In one process: the point
// is scheduling, not the broker; a Kafka partition or a Redis stream per partition feeds
// workers the same way.)
//   1. competing consumers: any free worker takes the next event -> a later event of an
//      order can finish before an earlier one
//   2. partitioned by key: hash(orderId) % 4 picks the worker, each worker one event at a
//      time -> per-key order holds, and different orders still run in parallel.
// Not handled: repartitioning (changing the worker count moves keys between workers, and
// events in flight on the old worker can overtake), retries that re-enqueue at the back.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

type Event = { orderId: string; seq: number };
const WORKERS = 4;
const STEPS = ['created', 'paid', 'packed', 'shipped', 'delivered'];

function mulberry32(seed: number): () => number { // small seeded PRNG: same delays every run
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const events: Event[] = [];
for (let seq = 1; seq <= STEPS.length; seq++) for (const orderId of ['order-A', 'order-B', 'order-C']) events.push({ orderId, seq });

function makeApplier(): { apply: (e: Event) => Promise<void>; violations: () => number } {
  const rand = mulberry32(5);
  const delays = new Map(events.map((e) => [`${e.orderId}/${e.seq}`, 1 + Math.floor(rand() * 50)]));
  const lastSeq = new Map<string, number>();
  let violations = 0;
  return {
    async apply(e) {
      await sleep(delays.get(`${e.orderId}/${e.seq}`) ?? 1); // the work
      if ((lastSeq.get(e.orderId) ?? 0) > e.seq) violations += 1; // e.g. 'paid' after 'shipped'
      lastSeq.set(e.orderId, Math.max(lastSeq.get(e.orderId) ?? 0, e.seq));
    },
    violations: () => violations,
  };
}

async function competing(): Promise<number> {
  const { apply, violations } = makeApplier();
  const queue = [...events];
  await Promise.all(Array.from({ length: WORKERS }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) await apply(e);
  }));
  return violations();
}

const partitionOf = (key: string): number => createHash('sha256').update(key).digest().readUInt32BE(0) % WORKERS;

async function partitioned(): Promise<{ violations: number; used: number }> {
  const { apply, violations } = makeApplier();
  const partitions = Array.from({ length: WORKERS }, () => [] as Event[]);
  for (const e of events) partitions[partitionOf(e.orderId)].push(e); // order within a partition = publish order
  await Promise.all(partitions.map(async (p) => { for (const e of p) await apply(e); }));
  return { violations: violations(), used: partitions.filter((p) => p.length > 0).length };
}

const c = await competing();
console.log(`competing consumers (${WORKERS} workers, one queue): per-key order violations ${c > 0 ? '> 0' : '0'} (this run: [${c}])`);
const p = await partitioned();
console.log(`partitioned by orderId (${WORKERS} workers): per-key order violations ${p.violations}; partitions in use ${p.used} of ${WORKERS}`);
