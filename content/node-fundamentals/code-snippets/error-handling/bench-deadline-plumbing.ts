// Benchmark: what the cancellation plumbing of one request costs, in time and in heap that
// stays reachable after the request is gone. Each simulated request builds its deadline
// (30 s) and its link to a process-wide shutdown signal, hands the signal to "an API" that
// adds and removes an 'abort' listener, and finishes early, dropping every reference.
// Requests run in batches of 100 with a macrotask in between, as real requests arrive in
// separate callbacks. Every row runs in a fresh child process.
//
// Run:  node --expose-gc bench-deadline-plumbing.ts           (full size: 100,000 per row)
//       BENCH_ITERATIONS=2000 node --expose-gc bench-deadline-plumbing.ts
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setImmediate as nextMacrotask, setTimeout as sleep } from 'node:timers/promises';

const N = Number(process.env.BENCH_ITERATIONS ?? 100_000);
const DEADLINE_MS = 30_000;
const BATCH = 100;

type Kind = 'controller' | 'registry' | 'timeout' | 'any-controller' | 'any-timeout';

const ROWS: ReadonlyArray<[Kind, string]> = [
  ['controller', 'AbortController + clearTimeout'],
  ['registry', 'same + Set of in-flight controllers'],
  ['timeout', 'AbortSignal.timeout(30 s)'],
  ['any-controller', 'any([shutdown, controller])'],
  ['any-timeout', 'any([shutdown, timeout(30 s)])'],
];

const onAbort = (): void => {};

// What any API that accepts a signal does while the operation runs.
function useSignal(signal: AbortSignal): void {
  signal.addEventListener('abort', onAbort, { once: true });
  signal.removeEventListener('abort', onAbort);
}

function request(kind: Kind, shutdown: AbortSignal, inFlight: Set<AbortController>): void {
  switch (kind) {
    case 'controller':
    case 'registry': {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new DOMException('deadline', 'TimeoutError')), DEADLINE_MS);
      if (kind === 'registry') inFlight.add(controller); // shutdown aborts every member
      try {
        useSignal(controller.signal);
      } finally {
        clearTimeout(timer);
        inFlight.delete(controller);
      }
      return;
    }
    case 'timeout':
      useSignal(AbortSignal.timeout(DEADLINE_MS));
      return;
    case 'any-controller': {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new DOMException('deadline', 'TimeoutError')), DEADLINE_MS);
      try {
        useSignal(AbortSignal.any([shutdown, controller.signal]));
      } finally {
        clearTimeout(timer);
      }
      return;
    }
    case 'any-timeout':
      useSignal(AbortSignal.any([shutdown, AbortSignal.timeout(DEADLINE_MS)]));
      return;
  }
}

async function requests(kind: Kind, count: number, shutdown: AbortSignal, inFlight: Set<AbortController>): Promise<void> {
  for (let i = 0; i < count; i++) {
    request(kind, shutdown, inFlight);
    if (i % BATCH === BATCH - 1) await nextMacrotask();
  }
}

async function child(kind: Kind): Promise<void> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const shutdown = new AbortController(); // lives as long as the process
  const inFlight = new Set<AbortController>();
  await requests(kind, Math.min(N, 1000), shutdown.signal, inFlight); // warm-up
  await sleep(10);
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  await requests(kind, N, shutdown.signal, inFlight);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  for (let i = 0; i < 3; i++) {
    await sleep(10); // let FinalizationRegistry clean-up callbacks run between collections
    gc();
  }
  const retained = Math.max(0, (process.memoryUsage().heapUsed - before) / N);
  process.stdout.write(JSON.stringify({ ns, retained }));
  // The 30 s timers of AbortSignal.timeout are unref'd: they do not keep the process alive.
}

const mode = process.argv[2] as Kind | undefined;
if (mode !== undefined) {
  await child(mode);
} else {
  const self = fileURLToPath(import.meta.url);
  console.log(`requests per row: ${N}; node ${process.version}; load average ${(loadavg()[0] ?? 0).toFixed(1)}`);
  console.log(`${'per-request set-up'.padEnd(36)} ${'time'.padStart(10)} ${'heap kept'.padStart(10)}`);
  for (const [kind, label] of ROWS) {
    const run = spawnSync(process.execPath, [...process.execArgv, self, kind], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_ITERATIONS: String(N) },
      timeout: 300_000,
    });
    if (run.status !== 0) throw new Error(`child ${kind} failed (${run.status ?? run.signal}): ${run.stderr}`);
    const { ns, retained } = JSON.parse(run.stdout) as { ns: number; retained: number };
    const time = ns >= 1000 ? `${(ns / 1000).toFixed(1)} us` : `${ns.toFixed(0)} ns`;
    console.log(`${label.padEnd(36)} ${time.padStart(10)} ${`${retained.toFixed(0)} B`.padStart(10)}`);
  }
}
