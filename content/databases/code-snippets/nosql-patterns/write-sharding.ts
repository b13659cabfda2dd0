// Hot partitions and write sharding, measured on a skewed workload. A MODEL of a DynamoDB-style
// table: keys hash to 16 partitions, and each partition accepts at most 1,000 writes per second
// (the per-partition write limit in the DynamoDB Developer Guide; real tables also split hot
// partitions and use adaptive capacity, which this model leaves out). Half the traffic goes to one
// partition key, the rest spreads over 10,000 keys. Writes beyond a partition's budget in a
// one-second window are throttled.
//
// BENCH_ITERATIONS = number of writes (default 400,000: 50 simulated seconds at 8,000 writes/s).
const WRITES = Number(process.env.BENCH_ITERATIONS ?? 400_000);
const RATE = 8000; // offered writes per simulated second
const PARTITIONS = 16;
const LIMIT = 1000; // writes per partition per second
const fnv1a = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};
let seed = 42;
const random = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);

// The logical key of each write: 'votes#2026-12-04' for the hot half, a random other key otherwise.
const workload: Array<{ key: string; id: number }> = [];
for (let i = 0; i < WRITES; i++) workload.push({ key: random() < 0.5 ? 'votes#2026-12-04' : `user#${Math.floor(random() * 10_000)}`, id: i });

type Result = { throttled: number; hottest: number; busy: number };
function run(shardKey: (key: string, id: number) => string): Result {
  const used = new Int32Array(PARTITIONS);
  const peak = new Int32Array(PARTITIONS);
  const offered = new Int32Array(PARTITIONS); // in the first second, from the same placement that is throttled
  let throttled = 0;
  for (let i = 0; i < workload.length; i++) {
    if (i % RATE === 0) used.fill(0); // a new one-second window
    const w = workload[i]!;
    const p = fnv1a(shardKey(w.key, w.id)) % PARTITIONS; // one placement per write
    if (i < RATE) offered[p]!++;
    if (used[p]! >= LIMIT) throttled++;
    else { used[p]!++; if (used[p]! > peak[p]!) peak[p] = used[p]!; }
  }
  return { throttled, hottest: Math.max(...offered), busy: peak.filter((x) => x >= LIMIT).length };
}

const HOT = 'votes#2026-12-04';
const strategies: Array<[string, number, (key: string, id: number) => string]> = [
  ['no sharding', 1, (k) => k],
  ['random suffix, 4 shards', 4, (k) => (k === HOT ? `${k}#${Math.floor(random() * 4)}` : k)],
  ['random suffix, 16 shards', 16, (k) => (k === HOT ? `${k}#${Math.floor(random() * 16)}` : k)],
  ['calculated suffix (id % 16)', 16, (k, id) => (k === HOT ? `${k}#${id % 16}` : k)],
];

console.log(`${WRITES} writes at ${RATE}/s offered, ${PARTITIONS} partitions x ${LIMIT}/s (table capacity ${PARTITIONS * LIMIT}/s)`);
console.log('strategy                      | hottest partition, offered/s | partitions at limit | throttled | reads per hot-key read');
for (const [name, shards, f] of strategies) {
  const r = run(f);
  console.log(`${name.padEnd(29)} | ${String(r.hottest).padStart(28)} | ${String(r.busy).padStart(19)} | ${((100 * r.throttled) / WRITES).toFixed(1).padStart(8)}% | ${String(shards).padStart(22)}`);
}
