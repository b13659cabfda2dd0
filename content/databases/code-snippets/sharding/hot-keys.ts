// A write-hot key on a 16-shard, Redis-Cluster-style layout: detect it from a sample with the
// Space-Saving top-k algorithm, split it into salted subkeys, and measure what that costs on a
// real Redis 7.0: every read of the key becomes a scatter-gather over its subkeys.
import { prng } from './lib/hash.ts';
import { closeRedis, connectRedis, keySlot } from './lib/redis.ts';
import type { Redis } from './lib/redis.ts';
import { withDeadline } from './lib/pglite.ts';

const SHARDS = 16;
const SALTS = 8;
const shardOf = (key: string): number => Math.floor((keySlot(key) * SHARDS) / 16384); // contiguous slot ranges per shard
const random = prng(2024);

// 200,000 writes over 100,000 post counters, Zipf-distributed (s = 1): post 1 is the viral one.
const POSTS = 100_000;
const cdf = new Float64Array(POSTS);
let total = 0;
for (let i = 0; i < POSTS; i++) cdf[i] = total += 1 / (i + 1);
const zipf = (): number => {
  const u = random() * total;
  let lo = 0;
  let hi = POSTS - 1;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (cdf[mid]! < u) lo = mid + 1; else hi = mid; }
  return lo + 1;
};
const writes = Array.from({ length: 200_000 }, () => `likes:post:${zipf()}`);

// Detection: Space-Saving (Metwally et al., 2005) with 64 counters over a 1-in-10 sample.
const counters = new Map<string, number>();
for (let i = 0; i < writes.length; i += 10) {
  const key = writes[i]!;
  if (counters.has(key) || counters.size < 64) counters.set(key, (counters.get(key) ?? 0) + 1);
  else {
    let minKey = '';
    let min = Infinity;
    for (const [k, c] of counters) if (c < min) { min = c; minKey = k; }
    counters.delete(minKey);
    counters.set(key, min + 1); // the newcomer inherits the evicted count: an overestimate of its count in the sample (scaled up, the share can still come out low)
  }
}
const truth = new Map<string, number>();
for (const key of writes) truth.set(key, (truth.get(key) ?? 0) + 1);
const top = [...counters.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
console.log('top keys from a 1-in-10 sample (estimated share / true share of writes):');
for (const [key, count] of top) console.log(`  ${key.padEnd(14)} ${((100 * count * 10) / writes.length).toFixed(1)}% / ${((100 * truth.get(key)!) / writes.length).toFixed(1)}%`);

// Split every key the sample puts above 2% of writes (a shard's fair share here is 1/16 = 6.25%).
const hotKeys = [...counters.entries()].filter(([, count]) => (count * 10) / writes.length > 0.02).sort((x, y) => y[1] - x[1]).map(([key]) => key);
const naiveSalts = (key: string): string[] => Array.from({ length: SALTS }, (_, s) => `${key}#${s}`);
const load = (split?: (key: string) => string[]): string => {
  const plan = new Map(split ? hotKeys.map((key) => [key, split(key)]) : []);
  const perShard = new Array<number>(SHARDS).fill(0);
  for (const key of writes) {
    const subkeys = plan.get(key);
    perShard[shardOf(subkeys ? subkeys[Math.floor(random() * subkeys.length)]! : key)]!++;
  }
  return (Math.max(...perShard) / (writes.length / SHARDS)).toFixed(2);
};
const hotKey = hotKeys[0]!;
const naive = naiveSalts(hotKey);
console.log(`write load over ${SHARDS} shards, hottest / mean: ${load()} as is`);
console.log(`  ${hotKeys.length} keys above 2% each split into ${SALTS} salted subkeys: ${load(naiveSalts)}`);
// CRC16 is linear over GF(2): suffixes that differ in a few bits land in structured slots.
console.log(`${hotKey}#0..#7 land on ${new Set(naive.map(shardOf)).size} of ${SHARDS} shards: slots ${naive.map(keySlot).join(', ')}`);
const subkeys = naive;

// On a real Redis: salted writes, and the reads that now have to gather.
const READS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
if (!Number.isInteger(READS) || READS < 100) throw new RangeError(`BENCH_ITERATIONS must be an integer >= 100, got ${process.env.BENCH_ITERATIONS}`);
let redis: Redis | undefined;
try {
  redis = await connectRedis();
  const r = redis;
  const info = await withDeadline(r.info('server'), 2_000, 'INFO');
  console.log(`redis ${/redis_version:(\S+)/.exec(info)?.[1]}`);
  await withDeadline(r.del([hotKey, ...subkeys]), 2_000, 'DEL');
  const increments = 10_000;
  await withDeadline(Promise.all(Array.from({ length: increments }, () => Promise.all([
    r.incr(hotKey),
    r.incr(subkeys[Math.floor(random() * SALTS)]!),
  ]))), 10_000, 'INCR');
  const sum = async (): Promise<number> => (await Promise.all(subkeys.map((k) => r.get(k)))).reduce((acc, v) => acc + Number(v ?? 0), 0);
  console.log(`after ${increments} increments: one key reads ${await withDeadline(r.get(hotKey), 2_000, 'GET')}, the salted subkeys sum to ${await withDeadline(sum(), 2_000, 'gather')}`);

  const time = async (what: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < READS; i += 100) await withDeadline(Promise.all(Array.from({ length: 100 }, what)), 10_000, 'reads'); // 100 concurrent readers
    return ((performance.now() - started) * 1000) / READS;
  };
  const plain = await time(() => r.get(hotKey));
  const gathered = await time(sum);
  console.log(`${READS} reads: one GET ${plain.toFixed(1)} us/read, ${SALTS} GETs summed ${gathered.toFixed(1)} us/read (x${(gathered / plain).toFixed(1)})`);
  await withDeadline(r.del([hotKey, ...subkeys]), 2_000, 'DEL');
} finally {
  await closeRedis(redis);
}
