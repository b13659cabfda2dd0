// Benchmark: what the breaker adds to a call. BENCH_ITERATIONS calls of an async no-op,
// awaited one after another: directly, through a CLOSED breaker, and rejected by an OPEN one
// (which allocates a CallNotPermittedError, stack trace included). Best of 5 runs each.
import { CircuitBreaker } from './lib/breaker.ts';

const N = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const REPEATS = 5;
const noop = async (): Promise<number> => 1;
const make = (): CircuitBreaker =>
  new CircuitBreaker('bench', { slidingWindowSize: 100, minimumNumberOfCalls: 100, failureRateThreshold: 50, waitDurationInOpenStateMs: 3_600_000, permittedNumberOfCallsInHalfOpenState: 10 });
const closed = make();
const open = make();
for (let i = 0; i < 100; i++) await open.execute(() => Promise.reject(new Error('boom'))).catch(() => {});
if (open.state !== 'OPEN') throw new Error('setup: breaker did not open');

const cases: Record<string, () => Promise<unknown>> = {
  'direct call': () => noop(),
  'CLOSED breaker': () => closed.execute(noop),
  'OPEN breaker (rejects)': () => open.execute(noop).catch((e: Error) => e),
};
console.log(`${N} sequential awaited calls per run, best of ${REPEATS}, ${process.version}`);
for (const [label, fn] of Object.entries(cases)) {
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / N);
  }
  console.log(`${label.padEnd(24)} ${best.toFixed(0).padStart(6)} ns/call`);
}
