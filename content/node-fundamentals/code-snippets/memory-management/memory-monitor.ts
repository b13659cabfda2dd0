// Production memory telemetry for one Node.js process (one isolate): GC pauses by kind
// from PerformanceObserver('gc'), heap and off-heap figures from process.memoryUsage()
// and v8.getHeapStatistics(), and a pressure callback when the heap nears its limit.
// Everything stops, and nothing keeps the process alive, once `signal` aborts.
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics } from 'node:v8';

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
  /** Pauses observed since the previous sample, per kind. */
  gc: Record<GcKind, GcWindow>;
  /** Share of wall time spent in GC pauses since the previous sample, 0..1. */
  gcFraction: number;
}

interface MemoryMonitorOptions {
  signal: AbortSignal;
  intervalMs?: number;
  /** Pressure when heapUsed exceeds this; default 85% of the V8 heap limit. */
  heapUsedLimitBytes?: number;
  /** Minimum time between two pressure callbacks. */
  cooldownMs?: number;
  onSample?: (sample: MemorySample) => void;
  onPressure?: (sample: MemorySample) => void;
  /** Where a throwing callback's error goes; the monitor itself keeps running. */
  onError?: (error: unknown) => void;
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

function emptyWindow(): Record<GcKind, GcWindow> {
  const w = (): GcWindow => ({ count: 0, totalMs: 0, maxMs: 0 });
  return { minor: w(), major: w(), incremental: w(), weakcb: w() };
}

function startMemoryMonitor(options: MemoryMonitorOptions): MemoryMonitor {
  const { signal, intervalMs = 10_000, cooldownMs = 60_000, onSample, onPressure } = options;
  const onError = options.onError ?? ((error: unknown) => process.emitWarning(String(error), 'MemoryMonitorWarning'));
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  signal.throwIfAborted();

  const heapLimit = getHeapStatistics().heap_size_limit;
  const threshold = options.heapUsedLimitBytes ?? 0.85 * heapLimit;
  let window = emptyWindow();
  let windowStart = performance.now();
  let lastPressure = -Infinity;

  const record = (entries: PerformanceEntry[]): void => {
    for (const entry of entries) {
      const kind = KIND_BY_CONSTANT.get((entry as GcEntry).detail.kind);
      if (kind === undefined) continue;
      const w = window[kind];
      w.count++;
      w.totalMs += entry.duration;
      w.maxMs = Math.max(w.maxMs, entry.duration);
    }
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
    return { at: Date.now(), ...usage, heapLimit, gc, gcFraction: Math.min(gcMs / elapsed, 1) };
  };

  const tick = (): void => {
    try {
      const s = sample();
      onSample?.(s);
      if (s.heapUsed > threshold && s.at - lastPressure >= cooldownMs) {
        lastPressure = s.at;
        onPressure?.(s);
      }
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
// The memory monitor at work: GC pauses by kind, the GC share of wall time, and a
// pressure callback that fires once (cooldown) when heapUsed crosses a threshold.
// --expose-gc (snippets.json) is used only to force one major GC for the demonstration.

declare const gc: () => void;

const MiB = 2 ** 20;
const controller = new AbortController();
const samples: MemorySample[] = [];
const pressure: MemorySample[] = [];

gc();
const baseline = process.memoryUsage().heapUsed;
const monitor = startMemoryMonitor({
  signal: controller.signal,
  intervalMs: 20,
  heapUsedLimitBytes: baseline + 16 * MiB, // in production: leave the default, 85% of the limit
  cooldownMs: 60_000,
  onSample: (s) => samples.push(s),
  onPressure: (s) => pressure.push(s), // in production: log, shed load, alert
});

// Traffic: short-lived garbage (minor GCs) plus a retained set of about 50 MiB.
interface Item {
  i: number;
  tags: string[];
}
const retained: Item[] = [];
for (let round = 0; round < 8; round++) {
  for (let i = 0; i < 100_000; i++) {
    const item: Item = { i, tags: [`t${i}`] };
    if (i % 2 === 0) retained.push(item); // half of them live on, the rest die young
  }
  await sleep(25); // let the monitor's interval run between rounds
}
gc(); // one forced full GC, so that a 'major' entry is certain to appear
await new Promise((resolve) => setImmediate(resolve)); // Node creates 'gc' entries in an immediate

const last = monitor.sample();
const all = [...samples, last];
const total = (kind: 'minor' | 'major'): number => all.reduce((n, s) => n + s.gc[kind].count, 0);
console.log(`samples taken: ${all.length >= 5 ? 'at least 5' : all.length}`);
console.log(`minor GCs observed: ${total('minor') > 0}`);
console.log(`major GCs observed: ${total('major') > 0}`);
console.log(`GC pauses: minor ${total('minor')}, major ${total('major')}, worst ${Math.max(...all.map((s) => Math.max(s.gc.minor.maxMs, s.gc.major.maxMs))).toFixed(2)} ms`);
console.log(`highest GC share of wall time in one interval: ${(100 * Math.max(...all.map((s) => s.gcFraction))).toFixed(1)}%`);
console.log(`pressure callbacks: ${pressure.length} (threshold crossed, then cooldown)`);
console.log(`heapUsed at pressure exceeded threshold: ${pressure.every((s) => s.heapUsed > baseline + 16 * MiB)}`);
console.log(`heap limit: ${(last.heapLimit / MiB).toFixed(0)} MiB, retained items: ${retained.length}`);

controller.abort(); // clears the interval and disconnects the observer
