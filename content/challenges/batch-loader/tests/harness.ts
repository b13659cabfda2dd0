// Shared helpers for the suites (not a test file itself).
import { mock } from 'node:test';
import assert from 'node:assert/strict';

/**
 * The options of every top-level describe: a safety net only, so that a hung test fails its
 * suite instead of stalling the run (within() fails a stuck await after a few loop turns).
 * Tests call node:test's own `it`, so the editor finds each one before it has run.
 */
export const SUITE = { timeout: 10_000 };

/** Lets every pending callback of the current loop turn run: microtasks, process.nextTick, then one setImmediate. */
export const flush = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether a promise has settled after the current turn of the loop (without changing it). */
export async function stateOf(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  let state: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  promise.then(
    () => {
      state = 'fulfilled';
    },
    () => {
      state = 'rejected';
    },
  );
  await flush();
  return state;
}

/** The promise itself, once settled; fails if it is still pending after 10 turns of the event loop. */
export async function within<T>(promise: Promise<T>, what = 'the load'): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  for (let turn = 0; turn < 10 && !done; turn++) await flush();
  assert.ok(done, `${what} is still pending after 10 turns of the event loop`);
  return tracked;
}

/** The reason a promise rejected with (fails if it fulfils or stays pending). */
export async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await within(promise);
  } catch (reason) {
    return reason;
  }
  throw new Error(`expected a rejection, got the value ${String(value)}`);
}

export interface Call<K, V> {
  /** A copy of the keys, taken when batchFn was called. */
  keys: K[];
  /** The very array batchFn received. */
  received: readonly K[];
  resolve(values: ReadonlyArray<V | Error> | unknown): void;
  reject(reason: unknown): void;
}

/** A batchFn whose calls the test settles by hand. */
export function manualBatchFn<K, V>(): {
  calls: Call<K, V>[];
  /** Call number i (from 0); fails if batchFn has not been called that often. */
  call(i: number): Call<K, V>;
  batchFn: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>;
} {
  const calls: Call<K, V>[] = [];
  const call = (i: number): Call<K, V> => {
    const made = calls[i];
    assert.ok(made, `batchFn was called ${calls.length} times, expected a call number ${i + 1}`);
    return made;
  };
  const batchFn = (keys: readonly K[]): Promise<ReadonlyArray<V | Error>> =>
    new Promise((resolve, reject) => {
      calls.push({ keys: [...keys], received: keys, resolve: resolve as Call<K, V>['resolve'], reject });
    });
  return { calls, call, batchFn };
}

/** A batchFn that answers `value(key)` for each key, asynchronously, and records the keys of every call. */
export function autoBatchFn<K, V>(value: (key: K) => V | Error): { calls: K[][]; batchFn: (keys: readonly K[]) => Promise<Array<V | Error>> } {
  const calls: K[][] = [];
  const batchFn = async (keys: readonly K[]): Promise<Array<V | Error>> => {
    calls.push([...keys]);
    await flush(); // a round trip to the store
    return keys.map(value);
  };
  return { calls, batchFn };
}

/** Counts the abort listeners currently registered on a signal, by wrapping its methods. */
export function watchListeners(signal: AbortSignal): { active(): number } {
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  mock.method(signal, 'addEventListener', (type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean) => {
    if (type === 'abort') live.add(listener);
    add(type, listener, options);
  });
  mock.method(signal, 'removeEventListener', (type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean) => {
    if (type === 'abort') live.delete(listener);
    remove(type, listener, options);
  });
  return { active: () => live.size };
}
