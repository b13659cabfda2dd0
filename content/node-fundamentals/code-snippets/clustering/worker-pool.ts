// A worker_threads pool under failure: task errors that keep name, code and
// cause, a bounded queue, cancellation while queued and while running, a
// crashing thread, poison inputs that must not break the pool, a bad start-up
// that does break it until a probe thread loads again, and close() with a deadline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerPool, PoolError } from './lib/worker-pool.ts';
import type { Job } from './lib/pool-task.ts';

function describe(err: unknown): string {
  if (err instanceof PoolError) return `${err.name} ${err.code}`;
  if (err instanceof Error) {
    const code: unknown = (err as { code?: unknown }).code; // DOMException's legacy numeric code is left out
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`;
  }
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

// 2. A task that throws is an ordinary rejection; the thread survives, and the
//    error arrives with its name, code and cause (plain structured clone would deliver
//    this custom InputError as 'Error', without its code).
try {
  await pool.run({ op: 'fail', message: 'n must be >= 0' });
} catch (err) {
  const cause = err instanceof Error ? describe(err.cause) : '?';
  console.log(`2. task error -> ${describe(err)}; cause ${cause} (threads spawned so far: ${pool.stats.spawned})`);
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

// 6b. Poison inputs: seven tasks in a row, each of which makes its thread exceed its heap
//     limit (a user's oversized upload). Each fails alone and its thread is replaced; they
//     are more than maxCrashes (5), but crashes during a task do not trip the breaker.
const poison = new Map<string, number>();
for (let i = 0; i < 7; i++) {
  try {
    await pool.run({ op: 'inflate', mb: 1_000 });
  } catch (err) {
    const key = `${describe(err)} (cause ${(err as Error).cause instanceof Error ? describe((err as Error).cause).replace(/:.*/, '') : '?'})`;
    poison.set(key, (poison.get(key) ?? 0) + 1);
  }
}
console.log(`8b. 7 poison inputs -> ${[...poison].map(([k, n]) => `${n} x ${k}`).join(', ')}`);
console.log(`    broken: ${pool.broken}; the next task -> fib(20) = ${await pool.run({ op: 'fib', n: 20 })}`);

// 6. close() has a deadline: a task still running when it passes is failed, the threads
//    are terminated, and close() itself rejects, so shutdown knows it was not clean.
const straggler = pool.run({ op: 'spin', ms: 5_000 });
const closeStarted = performance.now();
const [closed, task] = await Promise.allSettled([pool.close({ timeoutMs: 200 }), straggler]);
const closeMs = Math.round(performance.now() - closeStarted);
console.log(`9. close({ timeoutMs: 200 }) with a 5 s task running -> ${closed.status === 'rejected' ? describe(closed.reason) : 'resolved'} ` +
  `after ${closeMs} ms; the task -> ${task.status === 'rejected' ? describe(task.reason) : 'resolved'}`);
try {
  await pool.run({ op: 'fib', n: 1 });
} catch (err) {
  console.log(`10. after close() -> ${describe(err)}`);
}
// (spawned is left out: whether the crashed thread's replacement started before close()
// depends on timing, and close() cancels a pending respawn.)
const { spawned: _spawned, ...stats } = pool.stats;
console.log(`stats ${JSON.stringify(stats)}`);

// 7. A bad start-up: the task module throws while loading, because a file it needs is not
//    there yet. Each replacement waits twice as long as the last (25, 50, 100, 200, 400 ms);
//    after more than 5 start-up crashes in the window the pool stops respawning and refuses
//    work at once. Every probeIntervalMs it starts one probe thread.
const modelDir = mkdtempSync(join(tmpdir(), 'pool-demo-'));
process.env.POOL_DEMO_MODEL_FILE = join(modelDir, 'model.bin'); // a new Worker copies process.env
const poisoned = new WorkerPool<Job, number>({
  filename: new URL('./lib/poison-task.ts', import.meta.url),
  size: 1,
  maxQueue: 1,
  respawnDelayMs: 25,
  maxCrashes: 5,
  crashWindowMs: 60_000,
  probeIntervalMs: 200,
});
const poisonStarted = performance.now();
const failures = new Map<string, number>();
let firstCause = '';
for (let attempt = 0; attempt < 20; attempt++) {
  try {
    await poisoned.run({ op: 'fib', n: 1 });
  } catch (err) {
    const key = describe(err);
    failures.set(key, (failures.get(key) ?? 0) + 1);
    if (firstCause === '' && err instanceof Error) firstCause = describe(err.cause);
    if (err instanceof PoolError && err.code === 'ERR_POOL_CRASH_LOOP') break;
  }
}
console.log(`11. module that throws at load -> ${[...failures].map(([k, n]) => `${n} x ${k}`).join(', ')}`);
console.log(`    cause: ${firstCause}; threads started: ${poisoned.stats.spawned} in ` +
  `${Math.round(performance.now() - poisonStarted)} ms; broken: ${poisoned.broken}`);

/** Polls a condition every 10 ms; gives up after `ms`. */
async function until(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) {
    if (condition()) return true;
  }
  return condition();
}
// 12. A probe while the file is still missing fails, and the pool stays broken. Once the file
//     appears, the next probe thread loads, the breaker closes and the pool serves again.
const probed = await until(() => poisoned.stats.crashedAtStart >= 7, 3_000);
console.log(`12. probe thread while the file is missing -> crashed: ${probed}; broken: ${poisoned.broken}`);
writeFileSync(process.env.POOL_DEMO_MODEL_FILE, 'weights');
const recovered = await until(() => !poisoned.broken, 3_000);
console.log(`    file in place -> a probe thread loaded: ${recovered}; broken: ${poisoned.broken}; ` +
  `next task -> ${await poisoned.run({ op: 'fib', n: 1 })}`);
await poisoned.close();
rmSync(modelDir, { recursive: true, force: true });

// 13. A release that fails just after loading: the module says it is ready, then its
//     asynchronous connect fails 10 ms later and kills the thread while its first task waits
//     for the connection. No thread has answered anything, so these are start-up crashes
//     too: the same backoff and breaker as step 11, not a respawn every 100 ms for ever.
const lateCrash = new WorkerPool<Job, number>({
  filename: new URL('./lib/late-crash-task.ts', import.meta.url),
  size: 1,
  maxQueue: 1,
  respawnDelayMs: 25,
  maxCrashes: 5,
  crashWindowMs: 60_000,
  probeIntervalMs: 60_000,
});
const lateFailures = new Map<string, number>();
let lateCause = '';
for (let attempt = 0; attempt < 20; attempt++) {
  try {
    await lateCrash.run({ op: 'fib', n: 1 });
  } catch (err) {
    const key = describe(err);
    lateFailures.set(key, (lateFailures.get(key) ?? 0) + 1);
    if (lateCause === '' && err instanceof Error) lateCause = describe(err.cause);
    if (err instanceof PoolError && err.code === 'ERR_POOL_CRASH_LOOP') break;
  }
}
console.log(`13. module that fails 10 ms after its ready message -> ${[...lateFailures].map(([k, n]) => `${n} x ${k}`).join(', ')}`);
console.log(`    cause: ${lateCause}; crashedAtStart: ${lateCrash.stats.crashedAtStart}; broken: ${lateCrash.broken}`);
await lateCrash.close();
