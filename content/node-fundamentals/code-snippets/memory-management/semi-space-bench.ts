// Benchmark: how object lifetime and --max-semi-space-size decide what the GC costs.
//
// The same loop allocates one small record per iteration (an object, a 2-element array
// and a string: 144 bytes when retained). What changes is how long each record lives:
//   window 1       every record is garbage before the next one is made (dies young)
//   window 100000  each record is kept in a ring until 100,000 newer ones replace it
//                  (lives "a little while", like a request's data across a few ms of I/O)
// Each configuration runs in a fresh child process, because heap flags can only be set
// at start-up; "default" passes no flag (the maximum then depends on the Node version and
// on the memory the machine or container has). The child counts GC events with a
// PerformanceObserver on 'gc'; the parent prints, per configuration, the median of each
// metric over its runs.
//
// Run:  node semi-space-bench.ts          (full size: 5,000,000 records, 5 runs per row)
//       BENCH_ITERATIONS=200000 node semi-space-bench.ts   (1 run per row)
import { spawnSync } from 'node:child_process';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

interface RunResult {
  ms: number;
  minor: number;
  major: number;
  gcMs: number;
  maxPauseMs: number;
  maxRssMiB: number;
}

// For entryType 'gc', Node sets `detail` to { kind, flags }; @types/node does not declare it.
type GcEntry = PerformanceEntry & { readonly detail: { kind: number; flags: number } };

interface Row {
  semiMiB: number | 'default';
  window: number;
  result: RunResult;
}

async function child(window: number, iterations: number): Promise<void> {
  const stats = { minor: 0, major: 0, gcMs: 0, maxPauseMs: 0 };
  const record = (entries: PerformanceEntry[]): void => {
    for (const entry of entries) {
      const { kind } = (entry as GcEntry).detail;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) stats.minor++;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) stats.major++;
      stats.gcMs += entry.duration;
      stats.maxPauseMs = Math.max(stats.maxPauseMs, entry.duration);
    }
  };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });

  interface Rec {
    id: number;
    tags: number[];
    name: string;
  }
  const ring: (Rec | undefined)[] = new Array<Rec | undefined>(window);
  let checksum = 0;
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const rec: Rec = { id: i, tags: [i, i + 1], name: `r${i}` };
    ring[i % window] = rec;
    checksum += rec.tags.length;
  }
  const ms = performance.now() - start;

  // Node creates 'gc' entries from a native immediate after each collection; one turn
  // of the loop lets them be created, takeRecords() then hands over what is buffered.
  await new Promise((resolve) => setImmediate(resolve));
  record(observer.takeRecords());
  observer.disconnect();
  if (checksum !== iterations * 2) throw new Error('checksum mismatch');

  const result: RunResult = {
    ms,
    ...stats,
    maxRssMiB: process.resourceUsage().maxRSS / 1024, // maxRSS is in KiB
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(semiMiB: number | 'default', window: number, iterations: number): RunResult {
  const flags = semiMiB === 'default' ? [] : [`--max-semi-space-size=${semiMiB}`];
  const out = spawnSync(
    process.execPath,
    [...flags, fileURLToPath(import.meta.url), 'child', String(window)],
    { env: { ...process.env, BENCH_ITERATIONS: String(iterations) }, encoding: 'utf8', timeout: 60_000 },
  );
  if (out.error) throw out.error;
  if (out.status !== 0) throw new Error(`child exited with ${out.status}: ${out.stderr}`);
  return JSON.parse(out.stdout) as RunResult;
}

// The median of each metric on its own: one noisy run (a shared machine, a GC heuristic
// that went the other way) moves no figure by much.
function median(results: RunResult[]): RunResult {
  const mid = (pick: (r: RunResult) => number): number => {
    const values = results.map(pick).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  return {
    ms: mid((r) => r.ms),
    minor: mid((r) => r.minor),
    major: mid((r) => r.major),
    gcMs: mid((r) => r.gcMs),
    maxPauseMs: mid((r) => r.maxPauseMs),
    maxRssMiB: mid((r) => r.maxRssMiB),
  };
}

const iterations = Number(process.env.BENCH_ITERATIONS ?? 5_000_000);
if (!Number.isInteger(iterations) || iterations < 1) {
  throw new RangeError(`BENCH_ITERATIONS must be a positive integer, got ${process.env.BENCH_ITERATIONS}`);
}

if (process.argv[2] === 'child') {
  await child(Number(process.argv[3]), iterations);
} else {
  const repeats = iterations >= 1_000_000 ? 5 : 1;
  console.log(`node ${process.version}, ${iterations} records per run, median of ${repeats} run(s)`);
  const rows: Row[] = [];
  for (const window of [1, 100_000]) {
    for (const semiMiB of ['default', 1, 16, 64] as const) {
      const results: RunResult[] = [];
      for (let r = 0; r < repeats; r++) results.push(runChild(semiMiB, window, iterations));
      rows.push({ semiMiB, window, result: median(results) });
    }
  }
  const cell = (value: string, width: number): string => value.padStart(width);
  console.log(
    ['semi MiB', 'window', 'wall ms', 'minor GCs', 'major GCs', 'GC ms', 'max pause ms', 'peak RSS MiB']
      .map((h) => cell(h, 14))
      .join(''),
  );
  for (const { semiMiB, window, result } of rows) {
    console.log(
      [
        String(semiMiB),
        String(window),
        result.ms.toFixed(0),
        String(result.minor),
        String(result.major),
        result.gcMs.toFixed(1),
        result.maxPauseMs.toFixed(2),
        result.maxRssMiB.toFixed(0),
      ]
        .map((v) => cell(v, 14))
        .join(''),
    );
  }
}
