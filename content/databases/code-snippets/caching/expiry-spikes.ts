// Two simulations with a seeded clock (no real waiting):
// 1. TTL jitter: 10,000 keys warmed at t = 0 with the same TTL expire together; each key is read
//    about once a second, so the first read after the expiry is a miss that goes to the DB.
// 2. XFetch (Vattani, Chierichetti, Lowenstein, VLDB 2015) for one hot key read 200 times a
//    second whose recomputation takes 500 ms: how many recomputations overlap at each expiry.
import { exponential, mulberry32 } from './lib/random.ts';

function jitterRun(keys: number, ttlS: number, jitter: number, horizonS: number, seed: number): { peak: number; peakAt: number; busySeconds: number } {
  const random = mulberry32(seed);
  const missesPerSecond = new Uint32Array(horizonS);
  for (let k = 0; k < keys; k++) {
    let expiresAt = ttlS * (1 + jitter * (2 * random() - 1)); // warmed at t = 0
    for (;;) {
      const missAt = expiresAt + exponential(random, 1); // the next read after the expiry (memoryless)
      if (missAt >= horizonS) break;
      missesPerSecond[Math.floor(missAt)]!++;
      expiresAt = missAt + ttlS * (1 + jitter * (2 * random() - 1));
    }
  }
  let peak = 0;
  let peakAt = 0;
  missesPerSecond.forEach((count, second) => { if (count > peak) { peak = count; peakAt = second; } });
  const busySeconds = missesPerSecond.filter((count) => count > 100).length;
  return { peak, peakAt, busySeconds };
}

console.log('1. 10,000 keys, TTL 300 s, warmed together, each read ~1/s; DB loads in the worst second (0-1200 s)');
console.log('  | TTL                 | worst second | at t = | seconds over 100 loads |');
for (const jitter of [0, 0.05, 0.1, 0.2]) {
  const { peak, peakAt, busySeconds } = jitterRun(10_000, 300, jitter, 1200, 7);
  const label = jitter === 0 ? '300 s exactly' : `300 s +/- ${jitter * 100}%`;
  console.log(`  | ${label.padEnd(19)} | ${String(peak).padStart(12)} | ${String(peakAt).padStart(6)} | ${String(busySeconds).padStart(22)} |`);
}

type XFetchResult = { expiries: number; recomputes: number; maxOverlap: number; meanOverlap: number; earlyS: number };

/** beta = 0 is plain expiry: every read that finds the value expired recomputes (no lock). */
function xfetchRun(beta: number, seed: number): XFetchResult {
  const random = mulberry32(seed);
  const rate = 200; // reads per second
  const delta = 0.5; // recomputation time, seconds (XFetch stores it with the value)
  const ttl = 60;
  const horizon = 3600;
  let expiry = ttl;
  let inFlight: number[] = []; // finish times of recomputations under way
  let recomputes = 0;
  let expiries = 0;
  let overlapSum = 0;
  let maxOverlap = 0;
  let earlySum = 0;
  let current = 0; // recomputations started for the current value
  for (let now = 0; now < horizon; now += exponential(random, 1 / rate)) {
    const finished = inFlight.filter((t) => t <= now);
    if (finished.length > 0) {
      expiry = Math.max(...finished) + ttl;
      inFlight = inFlight.filter((t) => t > now);
      if (current > 0) { overlapSum += current; maxOverlap = Math.max(maxOverlap, current); expiries++; }
      current = 0;
    }
    const expired = now >= expiry;
    // XFetch: recompute early with probability that rises as the expiry nears: now - delta*beta*ln(rand) >= expiry.
    const early = beta > 0 && now - delta * beta * Math.log(random()) >= expiry;
    if (expired || early) {
      if (!expired && current === 0) earlySum += expiry - now;
      inFlight.push(now + delta);
      recomputes++;
      current++;
    }
  }
  return { expiries, recomputes, maxOverlap, meanOverlap: overlapSum / Math.max(expiries, 1), earlyS: earlySum / Math.max(expiries, 1) };
}

console.log('2. One hot key: 200 reads/s, recompute 500 ms, TTL 60 s, one hour; recomputations per refresh');
console.log('  | policy          | refreshes | recomputes | mean per refresh | max | first starts early by |');
for (const beta of [0, 1, 2]) {
  const r = xfetchRun(beta, 11);
  const label = beta === 0 ? 'expire, no lock' : `XFetch beta=${beta}`;
  console.log(`  | ${label.padEnd(15)} | ${String(r.expiries).padStart(9)} | ${String(r.recomputes).padStart(10)} | ${r.meanOverlap.toFixed(1).padStart(16)} | ${String(r.maxOverlap).padStart(3)} | ${(r.earlyS.toFixed(1) + ' s').padStart(21)} |`);
}
