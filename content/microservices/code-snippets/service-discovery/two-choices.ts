// Balls into bins (seeded): n requests onto n servers, choosing 1, 2 or 3 servers at random
// and taking the least loaded. With one choice the fullest server holds about
// ln n / ln ln n; with d >= 2 about ln ln n / ln d (Azar, Broder, Karlin, Upfal 1994;
// Mitzenmacher 2001). Static allocation only: no departures, no stale load information.
import { mulberry32 } from './lib/rng.ts';

function maxLoad(n: number, d: number, seed: number): number {
  const rand = mulberry32(seed);
  const bins = new Uint32Array(n);
  for (let ball = 0; ball < n; ball++) {
    let best = Math.floor(rand() * n);
    for (let c = 1; c < d; c++) {
      const other = Math.floor(rand() * n);
      if (bins[other]! < bins[best]!) best = other;
    }
    bins[best]! += 1;
  }
  return bins.reduce((a, b) => Math.max(a, b), 0);
}

console.log('n          d=1  d=2  d=3   (max load, worst of 3 seeds)');
for (const n of [1_000, 30_000, 300_000]) {
  const row = [1, 2, 3].map((d) => Math.max(...[1, 2, 3].map((s) => maxLoad(n, d, s))));
  console.log(`${String(n).padEnd(9)} ${row.map((x) => String(x).padStart(4)).join(' ')}`);
}
