// Why per-instance p99s cannot be averaged, and why histogram buckets can be
// summed. Seeded data, so the output is the same on every run.

// Deterministic PRNG (mulberry32) and a log-normal sampler (Box-Muller).
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function logNormal(rand: () => number, medianS: number, sigma: number): number {
  const u = 1 - rand();
  const v = rand();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianS * Math.exp(sigma * z);
}

// Nearest-rank quantile of raw samples: the ceil(q * n)-th smallest value.
function quantile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

// A classic histogram with the Prometheus Go client's default buckets (seconds).
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
function histogram(samples: number[]): number[] {
  const counts = BOUNDS.map(() => 0); // cumulative, like the le="..." series
  for (const x of samples) for (let i = 0; i < BOUNDS.length; i++) if (x <= BOUNDS[i]) counts[i]++;
  return counts;
}
// histogram_quantile's estimate: find the bucket holding rank q * total and
// interpolate linearly inside it (lower bound 0 for the first bucket).
function histogramQuantile(q: number, cum: number[]): number {
  const rank = q * cum[cum.length - 1];
  let i = cum.findIndex((c) => c >= rank);
  if (BOUNDS[i] === Infinity) return BOUNDS[i - 1]; // falls in +Inf: top finite bound
  const lo = i === 0 ? 0 : BOUNDS[i - 1];
  const below = i === 0 ? 0 : cum[i - 1];
  return lo + (BOUNDS[i] - lo) * ((rank - below) / (cum[i] - below));
}

type Instance = { name: string; n: number; median: number; sigma: number };
const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`.padStart(8);

function scenario(title: string, instances: Instance[], seed: number): void {
  console.log(`== ${title} ==`);
  const rand = rng(seed);
  const all: number[] = [];
  const p99s: number[] = [];
  let merged = BOUNDS.map(() => 0);
  for (const inst of instances) {
    const xs = Array.from({ length: inst.n }, () => logNormal(rand, inst.median, inst.sigma));
    const p99 = quantile(xs, 0.99);
    p99s.push(p99);
    all.push(...xs);
    const h = histogram(xs);
    merged = merged.map((c, i) => c + h[i]); // sum by (le): buckets add up
    console.log(`${inst.name.padEnd(10)} ${String(inst.n).padStart(6)} requests  p99 ${ms(p99)}`);
  }
  const avg = p99s.reduce((a, b) => a + b, 0) / p99s.length;
  const truth = quantile(all, 0.99);
  console.log(`avg of the p99s               ${ms(avg)}   <- what avg(quantile="0.99") reports`);
  console.log(`p99 of all requests           ${ms(truth)}   <- what users got`);
  const est = histogramQuantile(0.99, merged);
  const b = BOUNDS.findIndex((u) => truth <= u);
  console.log(`histogram_quantile estimate   ${ms(est)}   <- summed buckets; truth is in (${ms(b === 0 ? 0 : BOUNDS[b - 1]).trim()}, ${ms(BOUNDS[b]).trim()}]\n`);
}

// One idle instance with a bad tail: averaging gives it a quarter of the vote.
scenario('A. three busy healthy instances, one quiet slow one', [
  { name: 'api-1', n: 30_000, median: 0.04, sigma: 0.5 },
  { name: 'api-2', n: 30_000, median: 0.04, sigma: 0.5 },
  { name: 'api-3', n: 30_000, median: 0.04, sigma: 0.5 },
  { name: 'api-4', n: 1_000, median: 0.3, sigma: 0.8 },
], 7);

// The slow instance takes most of the traffic: averaging hides it.
scenario('B. one hot instance with a slow tail takes 70% of traffic', [
  { name: 'api-1', n: 70_000, median: 0.08, sigma: 0.9 },
  { name: 'api-2', n: 10_000, median: 0.04, sigma: 0.4 },
  { name: 'api-3', n: 10_000, median: 0.04, sigma: 0.4 },
  { name: 'api-4', n: 10_000, median: 0.04, sigma: 0.4 },
], 11);

// Nearest-rank p99s cannot put the merged p99 outside [min, max] of the
// instances' (the merged CDF is a weighted mix of theirs), so no check here.
// Interpolated quantiles can: two instances, each with one 10 ms and one 1 s request.
function interpolated(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * (s[Math.min(lo + 1, s.length - 1)] - s[lo]);
}
const pod = [0.01, 1];
const podP99 = interpolated(pod, 0.99);
const fleetP99 = interpolated([...pod, ...pod], 0.99);
console.log('== C. interpolated quantiles escape the [min, max] bound ==');
console.log(`pod p99s ${ms(podP99).trim()} and ${ms(podP99).trim()}; merged p99 ${ms(fleetP99).trim()}; within [min, max]: ${fleetP99 >= podP99 && fleetP99 <= podP99}`);
