// Benchmark: how UV_THREADPOOL_SIZE changes the wall time of CPU-bound pool
// work (8 concurrent crypto.pbkdf2 calls) and the latency of an unrelated
// fs.stat queued behind them. The pool size is read once, when libuv creates
// the pool, so each size runs in a fresh child process.
// BENCH_ITERATIONS = PBKDF2 iterations per call (full size: 100000).
import { execFile } from 'node:child_process';
import { pbkdf2 } from 'node:crypto';
import { stat } from 'node:fs';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const TASKS = 8;
const SIZES = [1, 2, 4, 8, 16];
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 100_000);
// Each row is the median of 3 child processes; a smoke-test size (the test suite runs
// this with tiny iteration counts) needs no median, so it runs each size once.
const REPEATS = ITERATIONS >= 10_000 ? 3 : 1;

type ChildResult = { allDoneMs: number; meanTaskMs: number; statMs: number };

// Child: queue TASKS pbkdf2 calls, then one fs.stat, and time them.
async function child(): Promise<ChildResult> {
  const t0 = performance.now();
  const tasks = Array.from(
    { length: TASKS },
    () =>
      new Promise<number>((resolve, reject) =>
        pbkdf2('password', 'salt', ITERATIONS, 64, 'sha512', (err) =>
          err ? reject(err) : resolve(performance.now() - t0),
        ),
      ),
  );
  const statDone = new Promise<number>((resolve, reject) =>
    stat('.', (err) => (err ? reject(err) : resolve(performance.now() - t0))),
  );
  const [latencies, statMs] = await Promise.all([Promise.all(tasks), statDone]);
  return {
    allDoneMs: Math.max(...latencies),
    meanTaskMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    statMs,
  };
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child()));
} else {
  const run = promisify(execFile);
  console.log(
    `${TASKS} concurrent pbkdf2 (sha512, ${ITERATIONS} iterations each), then 1 fs.stat; ` +
      `${availableParallelism()} CPUs; node ${process.version}; median of ${REPEATS} run(s) per row`,
  );
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  for (const size of SIZES) {
    const runs: ChildResult[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const { stdout } = await run(
        process.execPath,
        [...process.execArgv, import.meta.filename, '--child'],
        { env: { ...process.env, UV_THREADPOOL_SIZE: String(size) }, timeout: 60_000 },
      );
      runs.push(JSON.parse(stdout) as ChildResult);
    }
    const col = (pick: (r: ChildResult) => number): string => median(runs.map(pick)).toFixed(1).padStart(7);
    console.log(
      `UV_THREADPOOL_SIZE=${String(size).padEnd(2)}  all pbkdf2 done ${col((r) => r.allDoneMs)} ms` +
        `  mean pbkdf2 latency ${col((r) => r.meanTaskMs)} ms  fs.stat ${col((r) => r.statMs)} ms`,
    );
  }
}
