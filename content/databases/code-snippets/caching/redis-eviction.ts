// Benchmark on a real Redis 7.0: hit ratio under maxmemory for several maxmemory-policy settings,
// with the same skewed trace as eviction-hit-ratio.ts (Zipf, scan, shifted Zipf) replayed as
// cache-aside (GET; on a miss SET). Redis's LRU and LFU are approximations: on each eviction
// it samples maxmemory-samples keys and evicts the best candidate of the sample (and a pool).
// BENCH_ITERATIONS is the trace length.
import { mulberry32, zipf } from './lib/random.ts';
import { closeAll, connect, withDeadline, type Redis } from './lib/redis.ts';

const length = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const keys = 20_000;
const value = 'x'.repeat(200);
const random = mulberry32(42);
const rank = zipf(random, keys, 0.9);
const phase1 = Math.floor(length * 0.45);
const scanEnd = phase1 + Math.floor(length * 0.1);
const trace = Array.from({ length }, (_, i) => (i < phase1 ? `k:${rank()}` : i < scanEnd ? `scan:${i}` : `k:${(rank() * 7919) % keys}`));

const info = async (redis: Redis, field: string): Promise<string> => {
  const line = (await redis.info()).split('\r\n').find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1) ?? '?';
};

let redis: Redis | undefined;
try {
  redis = await connect('eviction-bench');
  const r = redis;
  console.log(`Redis ${await info(r, 'redis_version')}; trace ${length} GETs over ${keys} keys of ${value.length} bytes; maxmemory = empty + 1 MB`);
  console.log('| maxmemory-policy | samples | hit ratio | evicted_keys | keys at end |');
  const runs: Array<[string, number]> = [['allkeys-lru', 1], ['allkeys-lru', 5], ['allkeys-lru', 10], ['allkeys-lfu', 5], ['allkeys-random', 5]];
  for (const [policy, samples] of runs) {
    await r.configSet({ maxmemory: '0', 'maxmemory-policy': policy, 'maxmemory-samples': String(samples) });
    await r.flushAll();
    await r.configResetStat();
    const baseline = Number(await info(r, 'used_memory'));
    await r.configSet('maxmemory', String(baseline + 1024 * 1024));
    let hits = 0;
    const batch = 50; // 50 GETs in flight: node-redis pipelines concurrent commands on one connection
    await withDeadline((async () => {
      for (let i = 0; i < length; i += batch) {
        const slice = trace.slice(i, i + batch);
        const got = await Promise.all(slice.map((key) => r.get(key)));
        const misses = slice.filter((_, j) => got[j] === null);
        hits += slice.length - misses.length;
        await Promise.all(misses.map((key) => r.set(key, value)));
      }
    })(), 60_000, `replay under ${policy}`);
    console.log(`| ${policy.padEnd(16)} | ${String(samples).padStart(7)} | ${((100 * hits) / length).toFixed(1).padStart(8)}% | ${(await info(r, 'evicted_keys')).padStart(12)} | ${String(await r.dbSize()).padStart(11)} |`);
  }
  for (const policy of ['noeviction', 'volatile-lru']) {
    console.log(`${policy}, keys without a TTL: at the limit writes fail, reads still work`);
    await r.configSet({ maxmemory: '0', 'maxmemory-policy': policy });
    await r.flushAll();
    await r.configSet('maxmemory', String(Number(await info(r, 'used_memory')) + 64 * 1024));
    let stored = 0;
    try {
      for (; stored < 10_000; stored++) await r.set(`k:${stored}`, value);
      console.log('  no error?!');
    } catch (error) {
      console.log(`  a SET failed once the limit was reached: ${(error as Error).constructor.name}: ${(error as Error).message}`);
    }
    console.log(`  GET k:0 still answers: ${(await r.get('k:0')) === value}`);
  }
  await r.configSet({ maxmemory: '0', 'maxmemory-policy': 'noeviction', 'maxmemory-samples': '5' });
  await r.flushAll();
} finally {
  await closeAll([redis]);
}
