// Benchmark: the cost of one "hop" through each scheduling primitive, measured
// as a chain in which every callback schedules the next one. It shows where
// each primitive sits: the microtask-level queues never leave the current
// phase, setImmediate costs one turn of the event loop, and setTimeout(0)
// is clamped to 1 ms.
// BENCH_ITERATIONS = hops per chain (full size: 200000); the setTimeout
// chain runs 1/200 of that, because every hop waits at least 1 ms.
import { nextTick } from 'node:process';

const HOPS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const TIMER_HOPS = Math.max(5, Math.floor(HOPS / 200));

function chain(hops: number, schedule: (next: () => void) => void): Promise<number> {
  return new Promise((resolve) => {
    let left = hops;
    const t0 = process.hrtime.bigint();
    const step = (): void => {
      left -= 1;
      if (left > 0) schedule(step);
      else resolve(Number(process.hrtime.bigint() - t0) / hops);
    };
    schedule(step);
  });
}

async function awaitLoop(hops: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < hops; i++) await null;
  return Number(process.hrtime.bigint() - t0) / hops;
}

const rows: Array<[string, () => Promise<number>]> = [
  ['process.nextTick', () => chain(HOPS, (next) => nextTick(next))],
  ['queueMicrotask', () => chain(HOPS, (next) => queueMicrotask(next))],
  ['promise .then', () => chain(HOPS, (next) => void Promise.resolve().then(next))],
  ['await in a loop', () => awaitLoop(HOPS)],
  ['setImmediate', () => chain(HOPS, (next) => setImmediate(next))],
  ['setTimeout(0)', () => chain(TIMER_HOPS, (next) => setTimeout(next, 0))],
];

console.log(`hops per chain: ${HOPS} (setTimeout: ${TIMER_HOPS}); node ${process.version}`);
// One warm-up pass so that every row runs optimized code, then the measured pass.
for (const [, run] of rows) await run();
for (const [name, run] of rows) {
  const ns = await run();
  const pretty = ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} us` : `${ns.toFixed(0)} ns`;
  console.log(`${name.padEnd(17)} ${pretty.padStart(10)} per hop`);
}
