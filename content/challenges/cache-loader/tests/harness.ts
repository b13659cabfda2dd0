// Shared helpers for the cache-loader suites: the mocked clock, a slow store the tests settle
// by hand, and promise observers. Not a test file itself (node --test still loads it and
// reports it as one passing file); the tests call node:test's own describe/it.
import { afterEach, beforeEach, mock } from 'node:test';
import assert from 'node:assert/strict';

// A realistic epoch: an implementation must not treat time 0 specially.
export const START = 1_700_000_000_000;

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves the mocked clock (Date and timers), flushing pending work around the tick. */
export async function advance(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

/** Moves the mocked clock to START + at (it never goes back). */
export async function at(ms: number): Promise<void> {
  await advance(START + ms - Date.now());
}

export interface Call {
  key: string;
  signal: AbortSignal;
  startedAt: number;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** A slow store whose every load waits until the test settles it. */
export function slowStore() {
  const calls: Call[] = [];
  const load = (key: string, context: { signal: AbortSignal }): Promise<any> =>
    new Promise((resolve, reject) => {
      calls.push({ key, signal: context.signal, startedAt: Date.now(), resolve, reject });
    });
  return { calls, load, keys: () => calls.map((call) => call.key) };
}

export interface Observed<T> {
  settled: boolean;
  fulfilled: boolean;
  rejected: boolean;
  value: T | undefined;
  reason: unknown;
}

/** Records how a promise settles, without ever leaving a rejection unhandled. */
export function observe<T>(promise: Promise<T>): Observed<T> {
  const o: Observed<T> = { settled: false, fulfilled: false, rejected: false, value: undefined, reason: undefined };
  promise.then(
    (value) => Object.assign(o, { settled: true, fulfilled: true, value }),
    (reason: unknown) => Object.assign(o, { settled: true, rejected: true, reason }),
  );
  return o;
}

/** Observes a promise after one flush: long enough for anything that needs no load. */
export async function got<T>(promise: Promise<T>): Promise<Observed<T>> {
  const o = observe(promise);
  await flush();
  return o;
}

export function assertFulfilled<T>(o: Observed<T>, value: T, what: string): void {
  assert.ok(o.settled, `${what}: expected it to have settled`);
  assert.ok(o.fulfilled, `${what}: expected it to fulfil, it rejected with ${String(o.reason)}`);
  assert.equal(o.value, value, what);
}

export function assertPending(o: Observed<unknown>, what: string): void {
  assert.equal(o.settled, false, `${what}: expected it still to wait, it settled with ${String(o.fulfilled ? o.value : o.reason)}`);
}

/** Mocks Date and timers at START before each test of the calling file, and restores them after. */
export function useMockClock(): void {
  beforeEach(() => {
    mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: START });
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });
}
