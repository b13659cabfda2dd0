// Rules for this file (the tests depend on them):
// - Only Node's standard library, no npm packages. Erasable TypeScript only.
// - "The same tick": a batch is dispatched once the microtask queue has drained after the
//   first load that queued a key: later than every promise continuation already runnable,
//   earlier than any timer, I/O or setImmediate callback. No timers.
// - Bad arguments throw synchronously: a TypeError for a wrong type, a RangeError for a
//   number out of range.
// - The statement (README.md) is the full contract; the comments below are a summary.

/** Loads many keys at once. Position i of the result is the value of keys[i], or an Error for it. */
export type BatchFn<K, V> = (keys: readonly K[]) => PromiseLike<ReadonlyArray<V | Error>> | ReadonlyArray<V | Error>;

export interface BatchLoaderOptions {
  /** The most keys one batchFn call receives: a whole number >= 1, or Infinity (the default). */
  maxBatchSize?: number;
}

export interface LoadOptions {
  /** Aborting it rejects this load with signal.reason; a key nobody waits for any more is not sent. */
  signal?: AbortSignal;
}

/**
 * A per-request batching, caching loader.
 *
 * - Every load made in the same tick goes into one batchFn call (several with maxBatchSize),
 *   each key once, in order of first load.
 * - batchFn must return (or resolve to) an array as long as its keys: a value or an Error
 *   per key. Anything else rejects every load of that call with a TypeError naming batchFn.
 * - Values are cached per instance until clear/clearAll; failures are never cached.
 */
export class BatchLoader<K, V> {
  constructor(batchFn: BatchFn<K, V>, options?: BatchLoaderOptions) {
    void batchFn;
    void options;
    throw new Error('Not implemented');
  }

  /** The value of key, from the cache or from the next batch. */
  load(key: K, options?: LoadOptions): Promise<V> {
    void key;
    void options;
    throw new Error('Not implemented');
  }

  /** Like load for each key; position i holds the value of keys[i] or the reason its load rejected. */
  loadMany(keys: readonly K[], options?: LoadOptions): Promise<unknown[]> {
    void keys;
    void options;
    throw new Error('Not implemented');
  }

  /** Forgets a cached value or a request already sent (a key still waiting for dispatch is kept). */
  clear(key: K): this {
    void key;
    throw new Error('Not implemented');
  }

  /** clear for every key. */
  clearAll(): this {
    throw new Error('Not implemented');
  }

  /** Caches value for key unless the key is already cached, in flight or queued. */
  prime(key: K, value: V): this {
    void key;
    void value;
    throw new Error('Not implemented');
  }
}
