// Shared helpers for the circuit-breaker suites: the mocked clock, a count of live timers, a
// dependency whose calls the tests settle by hand, event recording and promise observers. Not a
// test file itself; the tests call node:test's own describe/it.
import { afterEach, beforeEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from '../src/circuit-breaker.ts';
import type { CircuitBreakerOptions, CircuitEvent, CircuitState } from '../src/circuit-breaker.ts';

// A realistic epoch: an implementation must not treat time 0 specially.
export const START = 1_700_000_000_000;

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves the mocked clock (Date and timers), flushing pending work around the tick. */
export async function advance(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

/** Moves the mocked clock to START + ms (it never goes back). */
export async function at(ms: number): Promise<void> {
  await advance(START + ms - Date.now());
}

let liveTimers = new Set<unknown>();

/** Timers armed with setTimeout that have neither fired nor been cleared. */
export function liveTimerCount(): number {
  return liveTimers.size;
}

/**
 * Mocks Date and setTimeout at START before each test of the calling file, counts live timers,
 * and restores everything after.
 */
export function useMockClock(): void {
  beforeEach(() => {
    mock.timers.enable({ apis: ['Date', 'setTimeout'], now: START });
    const set = globalThis.setTimeout;
    const clear = globalThis.clearTimeout;
    const live = new Set<unknown>();
    liveTimers = live;
    mock.method(globalThis, 'setTimeout', (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const handle: unknown = set((...a: unknown[]) => {
        live.delete(handle);
        callback(...a);
      }, ms, ...args);
      live.add(handle);
      return handle;
    });
    mock.method(globalThis, 'clearTimeout', (handle: unknown) => {
      live.delete(handle);
      clear(handle as Parameters<typeof clearTimeout>[0]);
    });
  });
  afterEach(() => {
    mock.restoreAll();
    mock.timers.reset();
  });
}

/** The options most tests use: a window of 4, judged from 4 calls, opening at 50 %, 1 s open. */
export const base: CircuitBreakerOptions = {
  failureRateThreshold: 50,
  slidingWindowSize: 4,
  minimumNumberOfCalls: 4,
  waitDurationInOpenStateMs: 1000,
};

export function breakerOf(options: Partial<CircuitBreakerOptions> = {}): CircuitBreaker {
  return new CircuitBreaker({ ...base, ...options });
}

export interface Call {
  signal: AbortSignal;
  startedAt: number;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** A dependency whose every call waits until the test settles it. */
export function dependency() {
  const calls: Call[] = [];
  const fn = (context: { signal: AbortSignal }): Promise<any> =>
    new Promise((resolve, reject) => {
      calls.push({ signal: context.signal, startedAt: Date.now(), resolve, reject });
    });
  return { calls, fn };
}

/** A function that resolves with value after ms (or rejects with error), and stops when aborted. */
export function after(ms: number, outcome: { value?: unknown; error?: unknown } = { value: 'ok' }) {
  return ({ signal }: { signal: AbortSignal }): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => ('error' in outcome ? reject(outcome.error) : resolve(outcome.value)), ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
}

export const fails = (error: unknown = new Error('boom')) => () => Promise.reject(error);
export const succeeds = (value: unknown = 'ok') => () => Promise.resolve(value);

/** Runs one call that settles at once and returns how it settled. */
export async function run(breaker: CircuitBreaker, fn: (context: { signal: AbortSignal }) => unknown): Promise<Observed<unknown>> {
  const o = observe(breaker.execute(fn));
  await flush();
  assert.ok(o.settled, 'a call to a function that settles at once has settled after a flush');
  return o;
}

/** Observes a promise after one flush: long enough for a call whose function settles at once. */
export async function got<T>(promise: Promise<T>): Promise<Observed<T>> {
  const o = observe(promise);
  await flush();
  return o;
}

/** Runs the outcomes in order, each settling at once: 'S' succeeds, 'F' fails. */
export async function outcomes(breaker: CircuitBreaker, pattern: string): Promise<void> {
  for (const c of pattern) await run(breaker, c === 'F' ? fails() : succeeds());
}

/** Records every event of a breaker. */
export function record(breaker: CircuitBreaker) {
  const events: CircuitEvent[] = [];
  const unsubscribe = breaker.on((event) => events.push(event));
  return {
    events,
    unsubscribe,
    types: () => events.map((e) => (e.type === 'state' ? `${e.from}->${e.to}` : e.type)),
    transitions: () => events.flatMap((e) => (e.type === 'state' ? [`${e.from}->${e.to}`] : [])),
  };
}

/** Opens a fresh breaker (closed → open) with four failures. */
export async function opened(options: Partial<CircuitBreakerOptions> = {}): Promise<CircuitBreaker> {
  const breaker = breakerOf(options);
  await outcomes(breaker, 'FFFF');
  assert.equal(breaker.state, 'open');
  return breaker;
}

/** Opens a fresh breaker and waits until it is half-open. */
export async function halfOpened(options: Partial<CircuitBreakerOptions> = {}): Promise<CircuitBreaker> {
  const breaker = await opened(options);
  await advance(options.waitDurationInOpenStateMs ?? base.waitDurationInOpenStateMs);
  assert.equal(breaker.state, 'half-open' satisfies CircuitState);
  return breaker;
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

export function assertFulfilled<T>(o: Observed<T>, value: T, what: string): void {
  assert.ok(o.settled, `${what}: expected it to have settled`);
  assert.ok(o.fulfilled, `${what}: expected it to fulfil, it rejected with ${String(o.reason)}`);
  assert.equal(o.value, value, what);
}

export function assertRejected(o: Observed<unknown>, check: (reason: any) => boolean, what: string): void {
  assert.ok(o.settled, `${what}: expected it to have settled`);
  assert.ok(o.rejected, `${what}: expected it to reject, it fulfilled with ${String(o.value)}`);
  assert.ok(check(o.reason), `${what}: rejected with ${String(o.reason)}`);
}

export function assertPending(o: Observed<unknown>, what: string): void {
  assert.equal(o.settled, false, `${what}: expected it still to wait, it settled with ${String(o.fulfilled ? o.value : o.reason)}`);
}
