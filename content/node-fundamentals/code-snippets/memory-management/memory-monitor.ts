// Production memory telemetry for one Node.js process (one isolate): GC pauses by kind
// from PerformanceObserver('gc'), heap and off-heap figures from process.memoryUsage()
// and v8.getHeapStatistics(), and a pressure callback when the heap *floor* nears the
// old generation's limit. The floor is what a major GC leaves behind: heapUsed at a random
// moment also counts garbage that the next scavenge frees, so judging on it raises false
// alarms. Everything stops, and nothing keeps the process alive, once `signal` aborts.
// It works on the main thread and in a Worker (it reads the Worker's resourceLimits).
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { totalmem } from 'node:os';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, resourceLimits } from 'node:worker_threads';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

interface GcWindow {
  count: number;
  totalMs: number;
  maxMs: number;
}

interface MemorySample {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  heapLimit: number;
  /** What the floor is judged against: the old generation's limit (see oldSpaceLimit). */
  oldSpaceLimit: number;
  /** Old-generation bytes in use right after the most recent major GC (undefined before one). */
  heapFloor: number | undefined;
  /** Pauses observed since the previous sample, per kind. */
  gc: Record<GcKind, GcWindow>;
  /** Share of wall time spent in GC pauses since the previous sample, 0..1. */
  gcFraction: number;
}

interface MemoryMonitorOptions {
  signal: AbortSignal;
  intervalMs?: number;
  /**
   * The old generation's limit in bytes: what the deployment passes as
   * --max-old-space-size (MiB). Default: read from the process's flags, else (in a Worker)
   * from its resourceLimits, else estimated.
   */
  oldSpaceLimitBytes?: number;
  /**
   * Pressure when the post-major-GC floor exceeds this; default 70% of the old-space limit.
   * It must lie below 80%: V8 aborts the process ("Ineffective mark-compacts near heap
   * limit") after four consecutive mark-compacts that leave the old generation above 80% of
   * its limit while JavaScript got less than 40% of the time.
   */
  heapFloorLimitBytes?: number;
  /** Minimum time between two pressure callbacks. */
  cooldownMs?: number;
  onSample?: (sample: MemorySample) => void;
  onPressure?: (event: PressureEvent) => void;
  /** Where a throwing callback's error goes; the monitor itself keeps running. */
  onError?: (error: unknown) => void;
}

interface PressureEvent {
  at: number;
  heapFloor: number;
  oldSpaceLimit: number;
  threshold: number;
}

interface MemoryMonitor {
  /** Takes a sample now (and resets the GC window). */
  sample(): MemorySample;
}

// For entryType 'gc', Node sets `detail` to { kind, flags } (perf_hooks docs, "Garbage
// Collection ('gc') Details"); @types/node does not declare it on PerformanceEntry.
type GcEntry = PerformanceEntry & { readonly detail: { kind: number; flags: number } };

const KIND_BY_CONSTANT = new Map<number, GcKind>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

const MiB = 2 ** 20;

function emptyWindow(): Record<GcKind, GcWindow> {
  const w = (): GcWindow => ({ count: 0, totalMs: 0, maxMs: 0 });
  return { minor: w(), major: w(), incremental: w(), weakcb: w() };
}

/** The last value of a numeric V8/Node flag: NODE_OPTIONS first, then the command line, which wins. */
function flagValue(name: string): number | undefined {
  const pattern = new RegExp(`^--${name.replaceAll('-', '[-_]')}=(\\d+)$`);
  let value: number | undefined;
  for (const arg of [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]) {
    const match = pattern.exec(arg);
    if (match) value = Number(match[1]);
  }
  return value;
}

/** Old-generation bytes in use: every space but the young generation's two. */
function oldGenerationUsed(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space')
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

/**
 * The old generation's limit, which is what the floor must stay under. heap_size_limit is
 * larger: it also reserves three semi-spaces for the young generation (on Node 24 on a
 * large host, 3 x 64 MiB whatever --max-old-space-size says), so 85% of it can lie above
 * the old-space limit, where a floor never gets before the process dies.
 * `largestSemiSpace` is the biggest semi-space seen so far (new_space's size / 2).
 */
function oldSpaceLimit(largestSemiSpace: number): number {
  const mib = flagValue('max-old-space-size');
  if (mib !== undefined) return mib * MiB;
  const percent = flagValue('max-old-space-size-percentage'); // Node 24.6 and later
  if (percent !== undefined) {
    const constrained = process.constrainedMemory?.() || Infinity;
    return Math.floor((percent / 100) * Math.min(totalmem(), constrained));
  }
  // A Worker's heap is sized by its resourceLimits (the flags above, inherited from the
  // main thread, override them). Node fills in maxYoungGenerationSizeMb, the whole young
  // reservation, even when the Worker's creator set only maxOldGenerationSizeMb.
  if (!isMainThread && resourceLimits.maxYoungGenerationSizeMb) {
    return getHeapStatistics().heap_size_limit - resourceLimits.maxYoungGenerationSizeMb * MiB;
  }
  // V8's own default: take the young reservation off the limit. Without the flag, the
  // semi-space seen so far is a lower bound on its maximum (new_space starts at 1 MiB), so
  // this errs high by up to three times the difference: almost 48 MiB on Node 22.18 and
  // almost 192 MiB on Node 24.22.3. That is small next to a main thread's default old space
  // (about 4 GiB on this VM), and would swamp a small limit, hence the branches above.
  const semiMiB = flagValue('max-semi-space-size');
  const semi = semiMiB !== undefined ? semiMiB * MiB : largestSemiSpace;
  return getHeapStatistics().heap_size_limit - 3 * semi;
}

function startMemoryMonitor(options: MemoryMonitorOptions): MemoryMonitor {
  const { signal, intervalMs = 10_000, cooldownMs = 60_000, onSample, onPressure } = options;
  const warn = (error: unknown): void => {
    const warning = new Error('a memory monitor callback threw', { cause: error }); // keeps stack, code, cause
    warning.name = 'MemoryMonitorWarning';
    process.emitWarning(warning);
  };
  const onError = (error: unknown): void => {
    try {
      (options.onError ?? warn)(error);
    } catch (secondError) {
      warn(secondError); // a throwing onError must not take the process down
    }
  };
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  if (options.oldSpaceLimitBytes !== undefined && !(options.oldSpaceLimitBytes > 0)) {
    throw new RangeError(`oldSpaceLimitBytes must be > 0, got ${options.oldSpaceLimitBytes}`);
  }
  signal.throwIfAborted();

  const heapLimit = getHeapStatistics().heap_size_limit;
  let largestSemiSpace = 0;
  const limits = (): { oldSpaceLimit: number; threshold: number } => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    largestSemiSpace = Math.max(largestSemiSpace, (newSpace?.space_size ?? 0) / 2);
    const limit = options.oldSpaceLimitBytes ?? oldSpaceLimit(largestSemiSpace);
    return { oldSpaceLimit: limit, threshold: options.heapFloorLimitBytes ?? 0.7 * limit };
  };
  let window = emptyWindow();
  let windowStart = performance.now();
  let lastPressure = -Infinity; // performance.now(): monotonic, unlike Date.now()
  let heapFloor: number | undefined;

  // Node delivers 'gc' entries a turn or two after the collection, and JavaScript may have
  // allocated since. New objects go to the young generation, so the old generation's
  // used bytes, read now, are a close and slightly high estimate of what the major GC
  // left (scavenges since then can only have promoted survivors into it).
  const judgeFloor = (): void => {
    heapFloor = oldGenerationUsed();
    const { oldSpaceLimit: limit, threshold } = limits();
    const now = performance.now();
    if (heapFloor > threshold && now - lastPressure >= cooldownMs) {
      lastPressure = now;
      try {
        onPressure?.({ at: Date.now(), heapFloor, oldSpaceLimit: limit, threshold });
      } catch (error) {
        onError(error);
      }
    }
  };

  const record = (entries: PerformanceEntry[]): void => {
    let sawMajor = false;
    for (const entry of entries) {
      const kind = KIND_BY_CONSTANT.get((entry as GcEntry).detail.kind);
      if (kind === undefined) continue;
      const w = window[kind];
      w.count++;
      w.totalMs += entry.duration;
      w.maxMs = Math.max(w.maxMs, entry.duration);
      if (kind === 'major') sawMajor = true;
    }
    if (sawMajor) judgeFloor();
  };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });

  const sample = (): MemorySample => {
    record(observer.takeRecords()); // entries buffered but not yet delivered
    const now = performance.now();
    const usage = process.memoryUsage();
    const gc = window;
    const gcMs = gc.minor.totalMs + gc.major.totalMs + gc.incremental.totalMs + gc.weakcb.totalMs;
    const elapsed = Math.max(now - windowStart, 1);
    window = emptyWindow();
    windowStart = now;
    const { oldSpaceLimit: limit } = limits();
    return { at: Date.now(), ...usage, heapLimit, oldSpaceLimit: limit, heapFloor, gc, gcFraction: Math.min(gcMs / elapsed, 1) };
  };

  const tick = (): void => {
    try {
      onSample?.(sample());
    } catch (error) {
      onError(error);
    }
  };

  const timer = setInterval(tick, intervalMs);
  timer.unref(); // telemetry must never be the reason a process stays up
  signal.addEventListener(
    'abort',
    () => {
      clearInterval(timer);
      observer.disconnect();
    },
    { once: true },
  );
  return { sample };
}

// ---- Demonstration ------------------------------------------------------------------
// Phase 1 allocates only garbage, though each round's items stay reachable until the
// round ends: heapUsed climbs past the threshold, yet every major GC leaves the floor
// below it, so there is no pressure. Phase 2 retains about 50 MiB: the floor after a
// major GC crosses the threshold and the callback fires once (cooldown). Phase 3 runs a
// child with --max-old-space-size=256 and the monitor's defaults, leaking until it dies.
// Phase 4 runs the same leak in a Worker with resourceLimits.maxOldGenerationSizeMb: 64.
// --expose-gc (snippets.json) is used only to force a major GC at the end of phases 1 and 2.

declare const gc: () => void;

interface Item {
  i: number;
  tags: string[];
}

// Phase 3, in the child: leak the way a service does. Each turn of the event loop (the
// monitor, like any JavaScript, runs only between turns) handles a batch of 200 requests
// of 1 KiB; the last 50 batches are still in flight, and a bug keeps one request in four
// forever. The heap grows smoothly; one large allocation (a Map or an array doubling its
// backing store, a big JSON.parse) could jump from below the threshold to the limit
// between two GCs that the monitor gets to see.
async function leakUntilOutOfMemory(): Promise<void> {
  const controller = new AbortController();
  const print = (line: string): void =>
    parentPort ? parentPort.postMessage(line) : void writeSync(1, `${line}\n`); // synchronous: the crash loses nothing
  const monitor = startMemoryMonitor({
    signal: controller.signal,
    onPressure: (event) =>
      print(`pressure ${(event.heapFloor / MiB).toFixed(0)} ${(event.threshold / MiB).toFixed(0)} ${(event.oldSpaceLimit / MiB).toFixed(0)}`),
  });
  const first = monitor.sample();
  print(`limits ${(first.oldSpaceLimit / MiB).toFixed(0)} ${(first.heapLimit / MiB).toFixed(0)}`);
  const inFlight: string[][] = [];
  const leaked: string[][] = [];
  for (let turn = 0; ; turn++) {
    const batch: string[] = [];
    for (let i = 0; i < 200; i++) batch.push(`${turn}:${i}:`.padEnd(1024, '.'));
    inFlight.push(batch);
    if (inFlight.length > 50) inFlight.shift(); // done: garbage, after a while in the heap
    leaked.push(batch.filter((_, i) => i % 4 === 0)); // the bug
    await nextTurn();
  }
}

// Phase 3, in the parent: every wait is bounded (the child is killed after 45 s).
async function runLeakingChild(): Promise<void> {
  const child = spawn(process.execPath, ['--max-old-space-size=256', fileURLToPath(import.meta.url), 'leak'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 45_000,
    env: { ...process.env, NODE_OPTIONS: '' }, // only the flag above sizes the heap
  });
  let stdout = '';
  let stderr = '';
  let pressureAt: number | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (pressureAt === undefined && stdout.includes('pressure ')) pressureAt = performance.now();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (...args) => resolve(args));
  })) as [number | null, NodeJS.Signals | null];
  const diedAt = performance.now();

  const limits = /^limits (\d+) (\d+)$/m.exec(stdout);
  const alert = /^pressure (\d+) (\d+) (\d+)$/m.exec(stdout);
  if (!limits) throw new Error(`child printed no limits (exit ${code ?? signal}):\n${stderr}`);
  const [oldLimit, heapLimit] = [Number(limits[1]), Number(limits[2])];
  console.log(`--max-old-space-size=256: old-space limit ${oldLimit} MiB, heap_size_limit ${heapLimit} MiB`);
  console.log(`  a threshold at 85% of heap_size_limit (${(0.85 * heapLimit).toFixed(0)} MiB) is above the old-space limit itself: ${0.85 * heapLimit > oldLimit}`);
  console.log(`  pressure callback before the crash: ${alert !== null}${alert ? `, floor ${alert[1]} MiB > threshold ${alert[2]} MiB` : ''}`);
  console.log(`  then: ${stderr.includes('JavaScript heap out of memory') ? 'JavaScript heap out of memory' : `exit ${code ?? signal}`}, ${pressureAt ? (diedAt - pressureAt).toFixed(0) : '?'} ms after the alert`);
}

// Phase 4, in the main thread: the Worker is terminated after 45 s if it has not died.
async function runLeakingWorker(): Promise<void> {
  const worker = new Worker(new URL(import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 64 } });
  const lines: string[] = [];
  let pressureAt: number | undefined;
  worker.on('message', (line: string) => {
    lines.push(line);
    if (pressureAt === undefined && line.startsWith('pressure ')) pressureAt = performance.now();
  });
  const timer = setTimeout(() => void worker.terminate(), 45_000);
  const error = await new Promise<unknown>((resolve) => {
    worker.once('error', resolve);
    worker.once('exit', () => resolve(undefined));
  });
  const diedAt = performance.now();
  clearTimeout(timer);
  const limits = lines.map((line) => /^limits (\d+) (\d+)$/.exec(line)).find(Boolean);
  const alert = lines.map((line) => /^pressure (\d+) (\d+) (\d+)$/.exec(line)).find(Boolean);
  if (!limits) throw new Error(`worker sent no limits (${String(error)})`);
  console.log(`Worker, maxOldGenerationSizeMb 64: old-space limit ${limits[1]} MiB, heap_size_limit ${limits[2]} MiB`);
  console.log(`  pressure callback before the crash: ${alert != null}${alert ? `, floor ${alert[1]} MiB > threshold ${alert[2]} MiB` : ''}`);
  const code = (error as { code?: string } | undefined)?.code;
  console.log(`  then: ${code ?? 'no error'}, ${pressureAt ? (diedAt - pressureAt).toFixed(0) : '?'} ms after the alert`);
}

if (!isMainThread || process.argv[2] === 'leak') {
  await leakUntilOutOfMemory();
} else {
  const controller = new AbortController();
  const samples: MemorySample[] = [];
  const pressure: PressureEvent[] = [];

  gc();
  const threshold = oldGenerationUsed() + 12 * MiB; // in production: leave the default
  const monitor = startMemoryMonitor({
    signal: controller.signal,
    intervalMs: 20,
    heapFloorLimitBytes: threshold,
    cooldownMs: 60_000,
    onSample: (s) => samples.push(s),
    onPressure: (event) => pressure.push(event), // in production: log, shed load, alert
  });

  const retained: Item[] = [];
  let peakHeapUsed = 0; // what a naive check on heapUsed, read often, would have seen
  const traffic = async (keep: boolean): Promise<void> => {
    for (let round = 0; round < 32; round++) {
      const inFlight: Item[] = []; // the round's working set (about 4 MiB), garbage once it ends
      for (let i = 0; i < 25_000; i++) {
        const item: Item = { i, tags: [`t${i}`] };
        inFlight.push(item);
        if (keep && i % 2 === 0) retained.push(item); // half of them live on
        if (i % 1_000 === 0) peakHeapUsed = Math.max(peakHeapUsed, getHeapStatistics().used_heap_size);
      }
      await sleep(25); // let the monitor's interval and the observer run between rounds
    }
    gc(); // one forced full GC, so that a 'major' entry is certain to appear
    for (let turn = 0; turn < 3; turn++) await nextTurn(); // entries arrive via immediates
    monitor.sample(); // also drains entries not yet delivered
  };

  await traffic(false);
  console.log(`garbage only: heapUsed exceeded the threshold: ${peakHeapUsed > threshold}, pressure callbacks ${pressure.length}`);

  await traffic(true);
  const last = monitor.sample();
  const all = [...samples, last];
  const total = (kind: 'minor' | 'major'): number => all.reduce((n, s) => n + s.gc[kind].count, 0);
  console.log(`samples taken: ${all.length >= 5 ? 'at least 5' : all.length}`);
  console.log(`minor GCs observed: ${total('minor') > 0}`);
  console.log(`major GCs observed: ${total('major') > 0}`);
  console.log(`GC pauses: minor ${total('minor')}, major ${total('major')}, worst ${Math.max(...all.map((s) => Math.max(s.gc.minor.maxMs, s.gc.major.maxMs))).toFixed(2)} ms`);
  console.log(`highest GC share of wall time in one interval: ${(100 * Math.max(...all.map((s) => s.gcFraction))).toFixed(1)}%`);
  console.log(`retained 50 MiB: pressure callbacks ${pressure.length} (floor crossed the threshold, then cooldown), retained items: ${retained.length}`);
  controller.abort(); // clears the interval and disconnects the observer

  await runLeakingChild();
  await runLeakingWorker();
}
