// A watchdog for a stalled event loop. A monitor that runs on the loop (a timer, a
// histogram) can only report a stall after it is over; this one runs on its own thread.
// The main thread bumps a counter in a SharedArrayBuffer from an unref'd interval; the
// worker reads it with Atomics and, when it has not moved for `stallMs`, writes a log line
// to fd 2 at once, while the loop is still stuck. With `captureStack` on (off by default, at
// most one capture per `captureIntervalMs`) it then asks the main thread's inspector
// (inspector.Session#connectToMainThread) for the running stack and logs it in a second
// line. The report reaches the main thread's callbacks only after the stall.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

/** An error as it crosses from the watchdog's worker: name, code and cause kept. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SerializedError;
}

interface StallReport {
  /** How long the heartbeat had not moved when the stall was detected. */
  stalledMs: number;
  /** Application frames, innermost first ("fn (file:line)"); empty unless a capture succeeded. */
  frames: string[];
  captureMs: number;
  /** Why a capture that was attempted gave no frames (a deadline, the stall ended first, ...). */
  captureError?: Error;
  /** Set when no capture was attempted. */
  captureSkipped?: 'off' | 'rate-limited';
}

interface WatchdogOptions {
  signal: AbortSignal;
  stallMs?: number;
  heartbeatMs?: number;
  /** Pause the stalled main thread to read its stack. Off by default: it lengthens the stall. */
  captureStack?: boolean;
  /** Deadline of each inspector step of a capture. */
  captureTimeoutMs?: number;
  /** At most one capture per this many ms; stalls in between are reported without a stack. */
  captureIntervalMs?: number;
  logToStderr?: boolean;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** Restarts allowed within `restartWindowMs` before the watchdog gives up. */
  maxRestarts?: number;
  restartWindowMs?: number;
  onStall: (report: StallReport) => void;
  onRecover?: (stalledMs: number) => void;
  onError: (error: Error) => void;
}

interface Watchdog {
  /** Stops the heartbeat and the worker (also one still starting); bounded by 2 x stopTimeoutMs. Idempotent. */
  stop(): Promise<void>;
  /** Stalls the worker has finished handling. Read from shared memory: works while the loop is stuck. */
  stallsHandled(): number;
}

const BEATS = 0; // Int32 slots of the shared state, as in lib/loop-watchdog-worker.ts
const HANDLED = 1;

function reviveError(data: SerializedError): Error {
  const error = new Error(data.message, data.cause ? { cause: reviveError(data.cause) } : undefined);
  error.name = data.name;
  if (data.stack) error.stack = data.stack;
  if (data.code) Object.assign(error, { code: data.code });
  return error;
}

function withCode(message: string, code: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

/** Resolves on the `ready` message; rejects on 'error', 'exit', the deadline or an abort. */
function waitUntilReady(worker: Worker, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (message: { type: string }): void => {
      if (message.type === 'ready') done();
    };
    const onError = (error: Error): void => done(withCode('watchdog worker failed to start', 'ERR_WATCHDOG_START', error));
    const onExit = (code: number): void => done(withCode(`watchdog worker exited with code ${code} during start-up`, 'ERR_WATCHDOG_START'));
    const onAbort = (): void => done(withCode('watchdog stopped during start-up', 'ABORT_ERR'));
    const timer = setTimeout(() => done(withCode(`watchdog worker not ready after ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves with the promise's value, or with `fallback` after `ms`; the timer is always cleared. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<F>((resolve) => { timer = setTimeout(resolve, ms, fallback); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asks the worker to stop, then terminates it; every step bounded. */
async function stopWorker(worker: Worker, timeoutMs: number): Promise<void> {
  if (worker.threadId === -1) return; // already gone
  const exited = new Promise<true>((resolve) => worker.once('exit', () => resolve(true)));
  // During shutdown the worker and the waits are ref'd on purpose: they are bounded, and
  // the process must not exit with the worker half-stopped.
  worker.ref();
  try {
    worker.postMessage({ type: 'stop' });
  } catch {
    // the port may already be closed; terminate() below still applies
  }
  if (await within(exited, timeoutMs, false)) return;
  // terminate() can itself hang if the thread is stuck in native code: bound it too.
  await within(worker.terminate(), timeoutMs, undefined);
  if (!(await within(exited, 0, false))) {
    throw withCode(`watchdog worker did not exit within ${2 * timeoutMs} ms`, 'ETIMEDOUT');
  }
}

async function startLoopWatchdog(options: WatchdogOptions): Promise<Watchdog> {
  const {
    signal,
    stallMs = 200,
    heartbeatMs = 20,
    captureStack = false,
    captureTimeoutMs = 1_000,
    captureIntervalMs = 60_000,
    logToStderr = true,
    startTimeoutMs = 5_000,
    stopTimeoutMs = 2_000,
    maxRestarts = 3,
    restartWindowMs = 60_000,
  } = options;
  if (!(stallMs > 2 * heartbeatMs)) throw new RangeError('stallMs must exceed twice heartbeatMs');
  if (!(captureTimeoutMs > 0)) throw new RangeError('captureTimeoutMs must be > 0');
  signal.throwIfAborted();

  const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const state = new Int32Array(shared);
  // Named: the worker recognises a pause that lands in the heartbeat (the loop is running).
  const beat = setInterval(function watchdogHeartbeat() {
    Atomics.add(state, BEATS, 1);
  }, heartbeatMs);
  beat.unref(); // the watchdog must never keep the process alive

  let worker: Worker | undefined;
  let starting: Promise<void> | undefined; // the spawn in flight, if any: stop() waits for it
  const stopping = new AbortController(); // aborted by stop(): cancels a start-up in flight
  let restartTimer: NodeJS.Timeout | undefined;
  const restarts: number[] = [];

  const spawn = async (): Promise<void> => {
    const w = new Worker(new URL('./lib/loop-watchdog-worker.ts', import.meta.url), {
      workerData: { state: shared, stallMs, checkMs: Math.max(1, Math.floor(heartbeatMs / 2)), captureStack, captureTimeoutMs, captureIntervalMs, logToStderr },
      resourceLimits: { maxOldGenerationSizeMb: 32 }, // it holds almost nothing
    });
    w.unref();
    try {
      await waitUntilReady(w, startTimeoutMs, stopping.signal);
    } catch (error) {
      await stopWorker(w, stopTimeoutMs).catch(() => {});
      throw error;
    }
    let lastError: Error | undefined; // becomes the cause of the exit error
    w.on('message', (message: { type: string; report?: Omit<StallReport, 'captureError'> & { captureError?: SerializedError }; stalledMs?: number; error?: SerializedError }) => {
      try {
        if (message.type === 'stall' && message.report) {
          const { captureError, captureSkipped, ...rest } = message.report;
          options.onStall({
            ...rest,
            ...(captureError ? { captureError: reviveError(captureError) } : {}),
            ...(captureSkipped ? { captureSkipped } : {}),
          });
        } else if (message.type === 'recovered' && message.stalledMs !== undefined) {
          options.onRecover?.(message.stalledMs);
        } else if (message.type === 'error' && message.error) {
          options.onError(reviveError(message.error));
        }
      } catch (error) {
        options.onError(withCode('watchdog callback threw', 'ERR_WATCHDOG_CALLBACK', error));
      }
    });
    w.on('error', (error) => {
      lastError = error;
      options.onError(withCode('watchdog worker failed', 'ERR_WATCHDOG_WORKER', error));
    });
    w.once('exit', (code) => {
      if (stopping.signal.aborted) return;
      worker = undefined;
      scheduleRestart(withCode(`watchdog worker exited unexpectedly with code ${code}`, 'ERR_WATCHDOG_EXIT', lastError));
    });
    worker = w;
  };

  const startWorker = (): Promise<void> => {
    const attempt = spawn();
    starting = attempt;
    const clear = (): void => {
      if (starting === attempt) starting = undefined;
    };
    attempt.then(clear, clear);
    return attempt;
  };

  // Restarts back off exponentially and stop after maxRestarts within the window: a worker
  // that dies on start-up every time must not become a busy loop of its own.
  const scheduleRestart = (cause: Error): void => {
    if (stopping.signal.aborted) return;
    const now = Date.now();
    while (now - (restarts[0] ?? now) > restartWindowMs) restarts.shift(); // forget old restarts
    if (restarts.length >= maxRestarts) {
      clearInterval(beat);
      options.onError(withCode(`watchdog gave up after ${maxRestarts} restarts in ${restartWindowMs} ms`, 'ERR_WATCHDOG_CRASH_LOOP', cause));
      return;
    }
    options.onError(cause);
    const delay = Math.min(100 * 2 ** restarts.length, 10_000);
    restarts.push(now);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping.signal.aborted) return;
      startWorker().catch((error: unknown) => scheduleRestart(withCode('watchdog restart failed', 'ERR_WATCHDOG_START', error)));
    }, delay);
    restartTimer.unref();
  };

  try {
    await startWorker();
  } catch (error) {
    clearInterval(beat);
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping.abort(); // also rejects a start-up in flight, which then stops its worker
      signal.removeEventListener('abort', onAbort);
      clearInterval(beat);
      clearTimeout(restartTimer);
      await starting?.catch(() => {});
      if (worker) await stopWorker(worker, stopTimeoutMs);
      worker = undefined;
    })();
    return stopped;
  };
  const onAbort = (): void => {
    stop().catch((error: unknown) => options.onError(withCode('watchdog stop failed', 'ERR_WATCHDOG_STOP', error)));
  };
  // An abort during start-up has already fired: an 'abort' listener added now would never run.
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { stop, stallsHandled: () => Atomics.load(state, HANDLED) };
}

// ---- Demonstration ------------------------------------------------------------------

/**
 * Stands in for a synchronous hot spot (a big JSON.parse, a regex, a sort). It runs until
 * `until()` is true or `maxMs` have passed: the demo keeps its stall going until the
 * watchdog has handled it, so that the output does not depend on how fast a loaded
 * machine captures a stack.
 */
function blockingParse(until: () => boolean, maxMs: number): number {
  const end = performance.now() + maxMs;
  let acc = 0;
  for (let i = 0; ; i++) {
    acc = (acc * 31 + i) | 0;
    if ((i & 0xffff) === 0 && (until() || performance.now() >= end)) return acc;
  }
}

/** Polls `condition` every 10 ms; false if it is still unmet after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

const controller = new AbortController();
const stalls: StallReport[] = [];
const recoveries: number[] = [];
const errors: Error[] = [];
const STALL_MS = 200;

const watchdog = await startLoopWatchdog({
  signal: controller.signal,
  stallMs: STALL_MS,
  heartbeatMs: 20,
  captureStack: true, // off by default; the demo is about it
  captureTimeoutMs: 3_000, // production: about 1 s; a loaded test machine needs more
  logToStderr: false, // the demo prints from the main thread; in production leave it on
  onStall: (report) => stalls.push(report),
  onRecover: (ms) => recoveries.push(ms),
  onError: (error) => errors.push(error),
});

await sleep(300); // a healthy loop: the heartbeat keeps moving
console.log(`healthy loop: ${stalls.length} stall reports`);

// Block until the worker has detected the stall and captured the stack (at most 15 s).
blockingParse(() => watchdog.stallsHandled() >= 1, 15_000);
// The report and the recovery are posted to this thread; they arrive now that it is free.
await waitFor(() => stalls.length >= 1 && recoveries.length >= 1, 5_000);
const [stall] = stalls;
console.log(`stall reports after the block: ${stalls.length}`);
console.log(`detected after at least ${STALL_MS} ms without a heartbeat: ${stall !== undefined && stall.stalledMs >= STALL_MS}`);
// An empty capture says why (captureError); the demo prints it rather than hide it.
console.log(`innermost application frame: ${stall?.frames[0]?.split(' ')[0] ?? `none (${stall?.captureError?.message ?? stall?.captureSkipped})`}`);
console.log(`stack captured in: ${stall?.captureMs.toFixed(0)} ms`);
console.log(`recovery reported: ${recoveries.length === 1}, stall lasted ${recoveries[0]?.toFixed(0)} ms`);

controller.abort();
await watchdog.stop(); // same promise as the abort's stop: bounded, idempotent
console.log(`stopped; errors reported: ${errors.length}`);
