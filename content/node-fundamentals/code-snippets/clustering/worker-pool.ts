// A worker_threads pool under failure: task errors, a bounded queue,
// cancellation while queued and while running, and a crashing thread.
import { WorkerPool, PoolError } from './lib/worker-pool.ts';
import type { Job } from './lib/pool-task.ts';

function describe(err: unknown): string {
  if (err instanceof PoolError) return `${err.name} ${err.code}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

const pool = new WorkerPool<Job, number>({
  filename: new URL('./lib/pool-task.ts', import.meta.url),
  size: 2,
  maxQueue: 2,
  resourceLimits: { maxOldGenerationSizeMb: 64 },
});

// 1. Four CPU-bound tasks on two threads: two run, two wait in the queue.
const fibs = await Promise.all([25, 26, 27, 28].map((n) => pool.run({ op: 'fib', n })));
console.log(`1. fib(25..28) = ${fibs.join(', ')}`);

// 2. A task that throws is an ordinary rejection; the thread survives.
try {
  await pool.run({ op: 'fail', message: 'n must be >= 0' });
} catch (err) {
  console.log(`2. task error -> ${describe(err)} (threads spawned so far: ${pool.stats.spawned})`);
}

// 3. Backpressure: both threads busy, two tasks queued, the next is refused at once.
const busy = [pool.run({ op: 'spin', ms: 150 }), pool.run({ op: 'spin', ms: 150 })];
const queued = pool.run({ op: 'fib', n: 20 });
const controller = new AbortController();
const cancellable = pool.run({ op: 'fib', n: 21 }, { signal: controller.signal });
try {
  await pool.run({ op: 'fib', n: 22 });
} catch (err) {
  console.log(`3. fifth task while 2 run and 2 wait -> ${describe(err)}`);
}
controller.abort();
try {
  await cancellable;
} catch (err) {
  console.log(`4. aborted while queued -> ${describe(err)}`);
}
await Promise.all(busy);
console.log(`5. the other queued task still ran -> fib(20) = ${await queued}`);

// 4. A deadline on a task that is already running: terminate() is the only
//    way to stop synchronous JavaScript on another thread.
const started = performance.now();
try {
  await pool.run({ op: 'spin', ms: 5_000 }, { signal: AbortSignal.timeout(100) });
} catch (err) {
  const ms = Math.round(performance.now() - started);
  console.log(`6. 5 s task with a 100 ms deadline -> ${describe(err)} after ${ms} ms`);
}

// 5. A thread that dies (uncaught exception) fails its task and is replaced.
try {
  await pool.run({ op: 'crash' });
} catch (err) {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '?';
  console.log(`7. crash -> ${describe(err)}; cause: ${cause}`);
}

console.log(`8. after all that, fib(23) = ${await pool.run({ op: 'fib', n: 23 })}`);
await pool.close();
try {
  await pool.run({ op: 'fib', n: 1 });
} catch (err) {
  console.log(`9. after close() -> ${describe(err)}`);
}
console.log(`stats ${JSON.stringify(pool.stats)}`);
