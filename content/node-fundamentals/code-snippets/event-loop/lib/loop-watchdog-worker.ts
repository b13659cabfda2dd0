// The watchdog's thread. It never runs JavaScript on the main thread's behalf: it only
// reads the heartbeat counter the main thread bumps, and when the counter stops moving it
// logs the stall at once and then (if enabled and not rate-limited) asks the main thread's
// inspector for a stack. See ../loop-watchdog.ts.
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { SerializedError } from '../loop-watchdog.ts';

interface WatchdogWorkerData {
  /** Int32 slots: [BEATS] bumped by the main thread, [HANDLED] bumped here per handled stall. */
  state: SharedArrayBuffer;
  stallMs: number;
  checkMs: number;
  captureStack: boolean;
  captureTimeoutMs: number;
  captureIntervalMs: number;
  logToStderr: boolean;
}

const BEATS = 0;
const HANDLED = 1;
const HEARTBEAT_FN = 'watchdogHeartbeat'; // the name of the main thread's heartbeat callback

// Structured clone keeps an Error's message and stack but not every own property, so the
// fields that matter travel explicitly, `cause` included.
function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code } = error as { code?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    ...(error.cause !== undefined ? { cause: serializeError(error.cause) } : {}),
  };
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

const port = parentPort;
if (!port) throw new Error('loop-watchdog-worker must run as a worker thread');
const config = workerData as WatchdogWorkerData;
const state = new Int32Array(config.state);

// The main thread cannot log while it is stuck, and a worker's console output is relayed
// through the main thread, so the worker writes its own lines straight to fd 2.
function logLine(fields: Record<string, unknown>): void {
  if (config.logToStderr) writeSync(2, `${JSON.stringify({ level: 'error', ...fields })}\n`);
}

const session = new Session();
session.connectToMainThread(); // in-process: no --inspect flag, no port opened

// Every inspector call is bounded: if the main thread never services it, we give up.
function post(method: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(withCode(`${method} timed out after ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
    session.post(method, (error, result) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result);
    });
  });
}

interface CallFrame {
  functionName: string;
  location: { scriptId: string; lineNumber: number };
}

// Debugger.enable announces every loaded script once; call frames refer to them by id.
const scriptUrls = new Map<string, string>();
session.on('Debugger.scriptParsed', (message: { params: { scriptId: string; url: string } }) => {
  scriptUrls.set(message.params.scriptId, message.params.url);
});

/**
 * Pauses the main thread, returns its application frames and resumes it. Rejects, with a
 * reason, when the heartbeat moved before the pause landed (the stall was over, the stack is
 * of later code) and when the paused stack has no application frame at all. It cannot tell
 * the blocking callback from one that ran after it but before the next timers phase (the
 * heartbeat moves only there): the frames are a lead, to confirm with a CPU profile.
 */
async function captureMainStack(beatAtStall: number): Promise<string[]> {
  const deadline = config.captureTimeoutMs;
  let onPaused: ((message: { params: { callFrames: CallFrame[] } }) => void) | undefined;
  // The main thread stays paused until Debugger.resume, so the heartbeat read here is the
  // one it had when it paused.
  const paused = new Promise<{ callFrames: CallFrame[]; beat: number }>((resolve) => {
    onPaused = (message) => resolve({ callFrames: message.params.callFrames, beat: Atomics.load(state, BEATS) });
    session.once('Debugger.paused', onPaused);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await post('Debugger.enable', deadline);
    await post('Debugger.pause', deadline);
    const { callFrames, beat } = await Promise.race([
      paused,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(withCode(`main thread did not pause within ${deadline} ms`, 'ETIMEDOUT')), deadline);
      }),
    ]);
    // A moved heartbeat, or a pause inside the heartbeat itself, means the loop was running
    // again: the stack is not the stall's.
    if (beat !== beatAtStall || callFrames.some((frame) => frame.functionName === HEARTBEAT_FN)) {
      throw withCode('stall ended before the main thread paused: no stack of the stall', 'ERR_WATCHDOG_STALL_ENDED');
    }
    const frames = callFrames
      .map((frame) => ({ frame, url: scriptUrls.get(frame.location.scriptId) ?? '' }))
      .filter(({ url }) => url !== '' && !url.startsWith('node:')) // application frames only
      .slice(0, 8)
      .map(({ frame, url }) => `${frame.functionName || '(anonymous)'} (${basename(url)}:${frame.location.lineNumber + 1})`);
    if (frames.length === 0) {
      throw withCode('main thread paused in Node.js internals (the stall may just have ended): no application frame', 'ERR_WATCHDOG_NO_APP_FRAME');
    }
    return frames;
  } finally {
    clearTimeout(timer);
    if (onPaused) session.off('Debugger.paused', onPaused);
    // Resume and disable on every path, each on its own (a failed resume must not leave the
    // debugger enabled on the main thread) and under one shared deadline.
    await Promise.allSettled([post('Debugger.resume', deadline), post('Debugger.disable', deadline)]);
    scriptUrls.clear();
  }
}

let lastBeat = Atomics.load(state, BEATS);
let lastChange = performance.now();
let stalled = false;
let checking = false;
let lastCaptureAt = -Infinity;

async function check(): Promise<void> {
  const beat = Atomics.load(state, BEATS);
  const now = performance.now();
  if (beat !== lastBeat) {
    if (stalled) port!.postMessage({ type: 'recovered', stalledMs: now - lastChange });
    lastBeat = beat;
    lastChange = now;
    stalled = false;
    return;
  }
  if (stalled || now - lastChange < config.stallMs) return;
  stalled = true; // one report per stall
  const stalledMs = now - lastChange;
  // First line at once, while the loop is still stuck: a liveness probe may kill the
  // process before the capture below finishes.
  logLine({ msg: 'event loop stalled', stalledMs });

  let frames: string[] = [];
  let captureError: SerializedError | undefined;
  let captureSkipped: 'off' | 'rate-limited' | undefined;
  const started = performance.now();
  if (!config.captureStack) captureSkipped = 'off';
  else if (started - lastCaptureAt < config.captureIntervalMs) captureSkipped = 'rate-limited';
  else {
    lastCaptureAt = started;
    try {
      frames = await captureMainStack(beat);
    } catch (error) {
      captureError = serializeError(error);
    }
  }
  const captureMs = performance.now() - started;
  if (captureSkipped === undefined) {
    logLine({ msg: 'event loop stall: main thread stack', frames, captureMs, ...(captureError ? { captureError: captureError.message } : {}) });
  }
  port!.postMessage({ type: 'stall', report: { stalledMs, frames, captureMs, captureError, captureSkipped } });
  // Readable by the main thread even while its loop is stuck (the demo waits on it).
  Atomics.add(state, HANDLED, 1);
}

const timer = setInterval(() => {
  if (checking) return; // a capture in progress must not overlap the next check
  checking = true;
  check()
    .catch((error: unknown) => port!.postMessage({ type: 'error', error: serializeError(error) }))
    .finally(() => {
      checking = false;
    });
}, config.checkMs);

port.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  clearInterval(timer);
  try {
    session.disconnect();
  } finally {
    port!.close(); // nothing left on this thread's loop: the worker exits on its own
  }
});

port.postMessage({ type: 'ready' });
