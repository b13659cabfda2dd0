// Benchmark: hit ratio of LRU, LFU, LRU with TinyLFU admission and W-TinyLFU on a skewed trace.
// Trace: Zipf(0.9) over 100,000 keys, then a scan of never-repeated keys (a batch job, a
// crawler), then Zipf again with the popularity permuted (yesterday's hot keys go cold).
// Cache: 1,000 entries (1% of the keys). BENCH_ITERATIONS is the trace length.
import { mulberry32, zipf } from './lib/random.ts';
import { Lfu, Lru, TinyLfuLru, WTinyLfu, type Policy } from './lib/policies.ts';

const length = Number(process.env.BENCH_ITERATIONS ?? 2_000_000);
const keys = 100_000;
const capacity = 1_000;
const random = mulberry32(42);
const rank = zipf(random, keys, 0.9);
const shuffled = (seed: number): Int32Array => {
  const r = mulberry32(seed);
  const perm = Int32Array.from({ length: keys }, (_, i) => i);
  for (let i = keys - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [perm[i], perm[j]] = [perm[j]!, perm[i]!]; }
  return perm;
};
const before = shuffled(1);
const after = shuffled(2);
const phase1 = Math.floor(length * 0.45);
const scanEnd = phase1 + Math.floor(length * 0.1);
const trace = new Int32Array(length);
for (let i = 0; i < length; i++) {
  if (i < phase1) trace[i] = before[rank()]!;
  else if (i < scanEnd) trace[i] = keys + (i - phase1); // unique keys, each seen once
  else trace[i] = after[rank()]!;
}

const policies: Policy[] = [new Lru(capacity), new Lfu(capacity), new TinyLfuLru(capacity), new WTinyLfu(capacity)];
const pct = (hits: number, total: number): string => `${((100 * hits) / Math.max(total, 1)).toFixed(1)}%`.padStart(7);
console.log(`trace: ${length} accesses (Zipf 0.9 over ${keys} keys | scan ${scanEnd - phase1} unique keys | Zipf, popularity permuted); cache ${capacity} entries`);
console.log('| policy                           |  before | 10% after scan | 2nd phase | overall |');
const timings: string[] = [];
for (const policy of policies) {
  let hits1 = 0;
  let hitsRecovery = 0;
  let hits2 = 0;
  const recoveryEnd = scanEnd + Math.floor((length - scanEnd) * 0.1);
  const started = performance.now();
  for (let i = 0; i < length; i++) {
    const hit = policy.access(trace[i]!);
    if (!hit) continue;
    if (i < phase1) hits1++;
    else if (i >= scanEnd) { hits2++; if (i < recoveryEnd) hitsRecovery++; }
  }
  const ms = performance.now() - started;
  const total = hits1 + hits2;
  console.log(`| ${policy.name.padEnd(32)} | ${pct(hits1, phase1)} | ${pct(hitsRecovery, recoveryEnd - scanEnd).padStart(14)} | ${pct(hits2, length - scanEnd).padStart(9)} | ${pct(total, length)} |`);
  timings.push(`${policy.name}: ${((length / ms) * 1000 / 1e6).toFixed(2)} M accesses/s`);
}
for (const line of timings) console.log(line);
