// Tail latency of a scatter-gather read and of a two-phase commit, as the fan-out grows.
// Each shard's latency is drawn from one distribution: log-normal around 2 ms, plus a 0.5% chance
// of a 50 ms stall (a GC pause, a cold cache, a busy replica). A query that waits for all k shards
// takes the slowest of k draws. Seeded, so runs repeat; the sample count is BENCH_ITERATIONS.
import { prng } from './lib/hash.ts';

const SAMPLES = Number(process.env.BENCH_ITERATIONS ?? 200_000);
if (!Number.isInteger(SAMPLES) || SAMPLES < 1000) throw new RangeError(`BENCH_ITERATIONS must be an integer >= 1000, got ${process.env.BENCH_ITERATIONS}`);
const STALL_P = 0.005;
const STALL_MS = 50;
const random = prng(42);

/** One shard's response time in ms: log-normal (median 2 ms, sigma 0.5) plus a rare stall. */
function shardLatency(): number {
  const u = 1 - random(); // (0, 1]
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v); // Box-Muller
  return 2 * Math.exp(0.5 * normal) + (random() < STALL_P ? STALL_MS : 0);
}

function percentiles(values: Float64Array): { p50: number; p99: number; p999: number } {
  values.sort();
  const at = (q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999) };
}

function run(k: number, request: () => number): { p50: number; p99: number; p999: number } {
  const out = new Float64Array(SAMPLES);
  for (let s = 0; s < SAMPLES; s++) out[s] = request();
  return percentiles(out);
}

const slowest = (k: number, one: () => number): number => {
  let worst = 0;
  for (let i = 0; i < k; i++) worst = Math.max(worst, one());
  return worst;
};

// A hedged shard read: if the first replica has not answered by HEDGE_MS, ask a second one too
// and take whichever answers first (at most one extra request per slow shard).
const HEDGE_MS = 8;
const hedged = (): number => {
  const first = shardLatency();
  return first <= HEDGE_MS ? first : Math.min(first, HEDGE_MS + shardLatency());
};

const fmt = (ms: number): string => ms.toFixed(1).padStart(6);
console.log(`${SAMPLES} requests per row; per-shard latency: log-normal median 2 ms, ${STALL_P * 100}% stalls of +${STALL_MS} ms`);
console.log('fan-out  P(request hits a stall)  plain p50/p99/p99.9 ms      hedged at 8 ms p50/p99/p99.9 ms');
for (const k of [1, 4, 16, 64]) {
  const plain = run(k, () => slowest(k, shardLatency));
  const withHedge = run(k, () => slowest(k, hedged));
  const hit = 1 - (1 - STALL_P) ** k;
  console.log(`${String(k).padStart(7)}  ${(100 * hit).toFixed(1).padStart(22)}%  ${fmt(plain.p50)} ${fmt(plain.p99)} ${fmt(plain.p999)}        ${fmt(withHedge.p50)} ${fmt(withHedge.p99)} ${fmt(withHedge.p999)}`);
}

// Two-phase commit over k shards: a PREPARE round (each participant writes and flushes its
// prepare record) and then a COMMIT PREPARED round, each waiting for the slowest participant.
// A single-shard commit is one round. The coordinator's own decision log write is left out.
console.log('commit over k shards     p50 ms   p99 ms   p99.9 ms');
for (const k of [1, 2, 4, 8]) {
  const label = k === 1 ? '1 shard, local commit' : `${k} shards, 2PC`;
  const result = run(k, () => (k === 1 ? shardLatency() : slowest(k, shardLatency) + slowest(k, shardLatency)));
  console.log(`${label.padEnd(22)} ${fmt(result.p50)}   ${fmt(result.p99)}   ${fmt(result.p999)}`);
}
