// Benchmark: what v8.writeHeapSnapshot() costs a process whose heap holds many small
// objects: how long it blocks the event loop, how big the file is, and how far it raises
// the process's peak RSS. Each size runs in a fresh child process, so that the peak RSS
// before the snapshot is that heap's own and not a previous run's.
//
// Run:  node snapshot-cost.ts          (full size: 1,000,000 and 3,000,000 objects; the
//                                       larger child peaks at about 4 GiB of RSS)
//       BENCH_ITERATIONS=30000 node snapshot-cost.ts   (small and fast)
// The snapshot is written to the working directory and deleted right after.
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';

interface RunResult {
  objects: number;
  heapUsedMiB: number;
  blockedMs: number;
  fileMiB: number;
  peakRssBeforeMiB: number;
  peakRssAfterMiB: number;
}

const MiB = 2 ** 20;

function child(objects: number): void {
  // The live set: one-field objects held by an array, the shape of a large cache or index.
  const keep = Array.from({ length: objects }, (_, i) => ({ i }));
  const heapUsedMiB = process.memoryUsage().heapUsed / MiB;
  const peakRssBeforeMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const started = performance.now();
  const file = writeHeapSnapshot(`cost-${process.pid}.heapsnapshot`); // synchronous
  const blockedMs = performance.now() - started;
  try {
    const result: RunResult = {
      objects: keep.length,
      heapUsedMiB,
      blockedMs,
      fileMiB: statSync(file).size / MiB,
      peakRssBeforeMiB,
      peakRssAfterMiB: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(file, { force: true });
  }
}

function runChild(objects: number): RunResult {
  const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', String(objects)], {
    encoding: 'utf8',
    timeout: 180_000, // a bounded wait: a 3 M-object snapshot took about 20 s on a 2-core VM
  });
  if (out.error) throw out.error;
  if (out.status !== 0) throw new Error(`child exited with ${out.status ?? out.signal}: ${out.stderr}`);
  return JSON.parse(out.stdout) as RunResult;
}

const iterations = Number(process.env.BENCH_ITERATIONS ?? 3_000_000);
if (!Number.isInteger(iterations) || iterations < 3) {
  throw new RangeError(`BENCH_ITERATIONS must be an integer >= 3, got ${process.env.BENCH_ITERATIONS}`);
}

if (process.argv[2] === 'child') {
  child(Number(process.argv[3]));
} else {
  console.log(`node ${process.version}, writeHeapSnapshot() of a heap of small objects, one child per row`);
  const cell = (value: string, width: number): string => value.padStart(width);
  console.log(['objects', 'heapUsed MiB', 'blocked ms', 'file MiB', 'peak RSS before', 'peak RSS after', 'growth/heap'].map((h) => cell(h, 16)).join(''));
  for (const objects of [Math.round(iterations / 3), iterations]) {
    const r = runChild(objects);
    const growth = (r.peakRssAfterMiB - r.peakRssBeforeMiB) / r.heapUsedMiB;
    console.log(
      [String(r.objects), r.heapUsedMiB.toFixed(0), r.blockedMs.toFixed(0), r.fileMiB.toFixed(0), r.peakRssBeforeMiB.toFixed(0), r.peakRssAfterMiB.toFixed(0), `${growth.toFixed(1)}x`]
        .map((v) => cell(v, 16))
        .join(''),
    );
  }
}
