// When does a worker pool pay off? The same CPU-bound work, inline on the main
// thread versus a 2-thread pool, for coarse tasks and for tiny ones.
import { availableParallelism, loadavg } from 'node:os';
import { WorkerPool } from './lib/worker-pool.ts';
import type { Job } from './lib/pool-task.ts';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const SIZES = [
  ['coarse', { n: 27, tasks: ITERATIONS }], // milliseconds per task
  ['medium', { n: 20, tasks: ITERATIONS * 10 }], // tens of microseconds per task
  ['fine  ', { n: 12, tasks: ITERATIONS * 50 }], // about a microsecond per task
] as const;

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function inline(n: number, tasks: number): number {
  let sum = 0;
  for (let i = 0; i < tasks; i++) sum += fib(n);
  return sum;
}

async function pooled(pool: WorkerPool<Job, number>, n: number, tasks: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: tasks }, () => pool.run({ op: 'fib', n })));
  return results.reduce((a, b) => a + b, 0);
}

const pool = new WorkerPool<Job, number>({
  filename: new URL('./lib/pool-task.ts', import.meta.url),
  size: 2,
  maxQueue: ITERATIONS * 50,
});
console.log(`pool of 2 threads on node ${process.version}, availableParallelism() = ${availableParallelism()}`);
// Other processes competing for the cores change everything: say how busy the machine was.
console.log(`1-minute load average at start: ${loadavg()[0]!.toFixed(2)}`);
for (const [, { n }] of SIZES) { // warm up the JIT on both sides before measuring
  inline(n, 50);
  await pooled(pool, n, 50);
}

// Interleave inline and pooled runs and keep the best of ROUNDS for each: on a
// shared machine the minimum is the run least disturbed by other processes.
const ROUNDS = 5;
for (const [label, { n, tasks }] of SIZES) {
  let inlineBest = Infinity;
  let poolBest = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = performance.now();
    const a = inline(n, tasks);
    inlineBest = Math.min(inlineBest, performance.now() - t0);
    t0 = performance.now();
    const b = await pooled(pool, n, tasks);
    poolBest = Math.min(poolBest, performance.now() - t0);
    if (a !== b) throw new Error(`results differ: ${a} vs ${b}`);
  }
  const perTask = (ms: number) => ((ms * 1000) / tasks).toFixed(1).padStart(7);
  console.log(`${label} fib(${n}) x ${tasks}: inline ${perTask(inlineBest)} µs/task, pool ${perTask(poolBest)} µs/task, speed-up ${(inlineBest / poolBest).toFixed(2)}x`);
}
await pool.close();
