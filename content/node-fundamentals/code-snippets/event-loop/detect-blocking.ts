// A loop-health monitor for a service: event-loop lag percentiles per window
// plus event-loop utilization (ELU), with an alert threshold. Stops on an
// AbortSignal and never keeps the process alive on its own.
//
// Why not simply monitorEventLoopDelay() + reset() per window? That histogram
// records the time between two ticks of its timer, and reset() also forgets
// the last tick (Node's Histogram::Reset sets prev_ to 0). A stall that begins
// after a reset and before the next tick is then never recorded. Part 1 of the
// demo shows it; the monitor below owns its tick timestamp instead.
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, RecordableHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export type LoopHealth = {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Share of the window the loop spent running code rather than waiting in the poll phase, 0..1. */
  utilization: number;
};

export type LoopMonitorOptions = {
  /** How often to report, in ms. 0 disables the periodic report; call sample() yourself. */
  intervalMs?: number;
  /** Lag sampling period in ms: the detection floor. Each period costs one timer callback. */
  resolutionMs?: number;
  /** A window whose p99 lag reaches this many ms triggers onAlert. */
  alertP99Ms?: number;
  onSample?: (health: LoopHealth) => void;
  onAlert?: (health: LoopHealth) => void;
  signal?: AbortSignal;
};

const NS_PER_MS = 1e6;

export class LoopMonitor {
  #options: LoopMonitorOptions;
  #resolutionMs: number;
  #histogram: RecordableHistogram = createHistogram();
  #lastTick = 0;
  #lastElu: EventLoopUtilization;
  #sampler: NodeJS.Timeout | undefined;
  #reporter: NodeJS.Timeout | undefined;
  #onAbort = (): void => this.stop();

  constructor(options: LoopMonitorOptions = {}) {
    this.#options = options;
    this.#resolutionMs = options.resolutionMs ?? 10;
    if (!(this.#resolutionMs >= 1)) throw new RangeError('resolutionMs must be >= 1');
    this.#lastElu = performance.eventLoopUtilization();
  }

  /** Starts sampling; on a monitor that is already running it does nothing. */
  start(): this {
    if (this.#sampler) return this; // a second start() must not leak the first timers
    const { signal, intervalMs = 0 } = this.#options;
    signal?.throwIfAborted();
    this.#lastTick = performance.now();
    this.#lastElu = performance.eventLoopUtilization();
    // The sampler is an ordinary timer: a busy loop delays it by exactly the time it
    // was busy, and the lateness is the lag. Recorded in ns; the histogram's minimum is 1.
    this.#sampler = setInterval(() => {
      const now = performance.now();
      const lagMs = now - this.#lastTick - this.#resolutionMs;
      this.#lastTick = now;
      this.#histogram.record(Math.max(1, Math.round(lagMs * NS_PER_MS)));
    }, this.#resolutionMs);
    this.#sampler.unref(); // monitoring must never be the reason the process stays up
    if (intervalMs > 0) {
      this.#reporter = setInterval(() => this.#report(), intervalMs);
      this.#reporter.unref();
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    return this;
  }

  /** Health since the previous sample (or since start), then starts a new window. */
  sample(): LoopHealth {
    const h = this.#histogram;
    const elu = performance.eventLoopUtilization(this.#lastElu);
    this.#lastElu = performance.eventLoopUtilization();
    const ms = (ns: number): number => (h.count === 0 ? 0 : ns / NS_PER_MS);
    const health: LoopHealth = {
      p50Ms: ms(h.percentile(50)),
      p99Ms: ms(h.percentile(99)),
      maxMs: ms(h.max),
      utilization: elu.utilization,
    };
    h.reset(); // clears the distribution only: #lastTick survives, so no stall is lost
    return health;
  }

  stop(): void {
    if (this.#sampler) clearInterval(this.#sampler);
    if (this.#reporter) clearInterval(this.#reporter);
    this.#sampler = undefined;
    this.#reporter = undefined;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
  }

  #report(): void {
    const health = this.sample();
    try {
      this.#options.onSample?.(health);
      const limit = this.#options.alertP99Ms;
      if (limit !== undefined && health.p99Ms >= limit) this.#options.onAlert?.(health);
    } catch (err) {
      // A broken metrics sink must not take the service down with it.
      process.emitWarning(`LoopMonitor callback failed: ${String(err)}`);
    }
  }
}

// --- demo -------------------------------------------------------------------

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Busy-wait: stands in for JSON.parse of a huge body, a sync crypto call, a regex...
  }
}

const fmt = (h: LoopHealth): string =>
  `p50 ${h.p50Ms.toFixed(1)} ms, p99 ${h.p99Ms.toFixed(1)} ms, max ${h.maxMs.toFixed(1)} ms, ELU ${h.utilization.toFixed(2)}`;

// 1. Window boundary right before a 300 ms stall: the built-in histogram loses it.
{
  const builtIn = monitorEventLoopDelay({ resolution: 10 });
  builtIn.enable();
  const own = new LoopMonitor({ resolutionMs: 10 }).start();
  await sleep(40);
  builtIn.reset(); // a new reporting window starts...
  own.sample();
  blockFor(300); // ...and the loop stalls before either timer ticks again
  await sleep(40);
  builtIn.disable();
  const ownMax = own.sample().maxMs;
  own.stop();
  console.log(`monitorEventLoopDelay, reset() then a 300 ms stall: stall recorded: ${builtIn.max / NS_PER_MS >= 250}`);
  console.log(`LoopMonitor, new window then a 300 ms stall: stall recorded: ${ownMax >= 250}`);
}

// 2. Manual windows: an idle one, then one in which a callback blocks for 150 ms.
const manual = new LoopMonitor({ resolutionMs: 10 }).start();
await sleep(60);
const idle = manual.sample();
console.log(`idle window:    ${fmt(idle)}`);
blockFor(150);
await sleep(30); // the sampler's next tick fires ~150 ms late and records it
const blocked = manual.sample();
manual.stop();
console.log(`blocked window: ${fmt(blocked)}`);
console.log(`  max lag reflects the 150 ms block (>= 100 ms): ${blocked.maxMs >= 100}`);
console.log(`  ELU of the blocked window is above 0.5: ${blocked.utilization > 0.5}`);

// 3. Periodic reports with an alert, stopped by an AbortSignal.
const controller = new AbortController();
let alerts = 0;
new LoopMonitor({
  intervalMs: 50,
  alertP99Ms: 80,
  signal: controller.signal,
  onAlert: (h) => {
    alerts += 1;
    if (alerts === 1) console.log(`alert: loop lag p99 ${h.p99Ms.toFixed(1)} ms`);
  },
}).start();
await sleep(60);
blockFor(120);
await sleep(120);
controller.abort();
console.log(`at least one alert was raised for the 120 ms block: ${alerts >= 1}`);
