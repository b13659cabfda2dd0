// A per-request batching loader: every load made before the microtask queue drains goes
// into one batchFn call (split by maxBatchSize), keys are de-duplicated and cached per
// instance, errors are never cached, and a load can be cancelled with an AbortSignal.

/** Loads many keys at once. Position i of the result is the value of keys[i], or an Error for it. */
export type BatchFn<K, V> = (keys: readonly K[]) => PromiseLike<ReadonlyArray<V | Error>> | ReadonlyArray<V | Error>;

export interface BatchLoaderOptions {
  /** The most keys one batchFn call receives: a whole number >= 1, or Infinity (the default). */
  maxBatchSize?: number;
}

export interface LoadOptions {
  /** Aborting it rejects this load with signal.reason. */
  signal?: AbortSignal;
}

type State = 'queued' | 'dropped' | 'sent' | 'settled';

/** One request for one key: shared by every load of that key until it settles. */
interface Entry<K, V> {
  key: K;
  state: State;
  /** Loads still waiting for it (aborted ones are not counted). */
  waiters: number;
  promise: Promise<V>;
  resolve: (value: V) => void;
  reject: (reason: unknown) => void;
}

function newEntry<K, V>(key: K, state: State): Entry<K, V> {
  let resolve!: (value: V) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every load gets a promise of its own; the shared one must never count as unhandled
  // (for example when every waiter of a failing key has aborted).
  promise.catch(() => {});
  return { key, state, waiters: 0, promise, resolve, reject };
}

function signalOf(options: LoadOptions | undefined, method: string): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${method}: options must be an object`);
  const { signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${method}: options.signal must be an AbortSignal`);
  return signal;
}

function checkKey(key: unknown, method: string): void {
  if (key === undefined) throw new TypeError(`${method}: the key must not be undefined`);
}

export class BatchLoader<K, V> {
  readonly #batchFn: BatchFn<K, V>;
  readonly #maxBatchSize: number;
  readonly #cache = new Map<K, Entry<K, V>>();
  #queue: Entry<K, V>[] = [];
  #scheduled = false;

  constructor(batchFn: BatchFn<K, V>, options?: BatchLoaderOptions) {
    if (typeof batchFn !== 'function') throw new TypeError('BatchLoader: batchFn must be a function');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('BatchLoader: options must be an object');
    const max = options?.maxBatchSize ?? Infinity;
    if (typeof max !== 'number') throw new TypeError('BatchLoader: maxBatchSize must be a number');
    if (max !== Infinity && (!Number.isInteger(max) || max < 1)) throw new RangeError(`BatchLoader: maxBatchSize must be a whole number >= 1 or Infinity, got ${max}`);
    this.#batchFn = batchFn;
    this.#maxBatchSize = max;
  }

  load(key: K, options?: LoadOptions): Promise<V> {
    checkKey(key, 'load');
    const signal = signalOf(options, 'load');
    return this.#load(key, signal);
  }

  loadMany(keys: readonly K[], options?: LoadOptions): Promise<unknown[]> {
    if (!Array.isArray(keys)) throw new TypeError('loadMany: keys must be an array');
    for (const key of keys) checkKey(key, 'loadMany');
    const signal = signalOf(options, 'loadMany');
    return Promise.all(keys.map((key) => this.#load(key, signal).then((value) => value, (reason: unknown) => reason)));
  }

  clear(key: K): this {
    const entry = this.#cache.get(key);
    // A request still waiting for dispatch has read nothing yet, so it cannot be stale.
    if (entry && entry.state !== 'queued') this.#cache.delete(key);
    return this;
  }

  clearAll(): this {
    for (const [key, entry] of this.#cache) if (entry.state !== 'queued') this.#cache.delete(key);
    return this;
  }

  prime(key: K, value: V): this {
    checkKey(key, 'prime');
    if (value instanceof Error) throw new TypeError('prime: errors are never cached, so an Error cannot be primed');
    if (!this.#cache.has(key)) {
      const entry = newEntry<K, V>(key, 'settled');
      entry.resolve(value);
      this.#cache.set(key, entry);
    }
    return this;
  }

  #load(key: K, signal: AbortSignal | undefined): Promise<V> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let entry = this.#cache.get(key);
    if (!entry) {
      entry = newEntry<K, V>(key, 'queued');
      this.#cache.set(key, entry);
      this.#queue.push(entry);
      this.#schedule();
    }
    const shared = entry;
    shared.waiters++;
    if (!signal) return shared.promise.then((value) => value);
    return new Promise<V>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        this.#abandon(shared);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (reason: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(reason);
        },
      );
    });
  }

  /** A waiter aborted: a queued key nobody waits for any more is not sent. */
  #abandon(entry: Entry<K, V>): void {
    entry.waiters--;
    if (entry.waiters === 0 && entry.state === 'queued') {
      entry.state = 'dropped';
      if (this.#cache.get(entry.key) === entry) this.#cache.delete(entry.key);
    }
  }

  /**
   * Dispatch once the microtask queue has drained: a promise job first (so that it runs
   * after the continuations already queued), then process.nextTick from inside it, which
   * Node runs only after V8 has emptied the microtask queue, before any I/O, timer or
   * setImmediate callback.
   */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    void Promise.resolve().then(() => process.nextTick(() => this.#dispatch()));
  }

  #dispatch(): void {
    this.#scheduled = false;
    const entries = this.#queue.filter((entry) => entry.state === 'queued');
    this.#queue = [];
    for (let start = 0; start < entries.length; start += this.#maxBatchSize) {
      this.#send(entries.slice(start, start + this.#maxBatchSize));
    }
  }

  #send(batch: Entry<K, V>[]): void {
    for (const entry of batch) entry.state = 'sent';
    const keys = batch.map((entry) => entry.key);
    let result: Promise<ReadonlyArray<V | Error>>;
    try {
      result = Promise.resolve(this.#batchFn(keys));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (values) => {
        if (!Array.isArray(values)) {
          this.#failAll(batch, new TypeError(`batchFn must resolve to an array of ${batch.length} values or Errors, got ${values === null ? 'null' : typeof values}`));
          return;
        }
        if (values.length !== batch.length) {
          this.#failAll(batch, new TypeError(`batchFn must resolve to an array of the same length as its keys: expected ${batch.length}, got ${values.length}`));
          return;
        }
        batch.forEach((entry, index) => {
          const value: unknown = values[index];
          if (value instanceof Error) this.#fail(entry, value);
          else {
            entry.state = 'settled';
            entry.resolve(value as V);
          }
        });
      },
      (reason: unknown) => this.#failAll(batch, reason),
    );
  }

  #failAll(batch: Entry<K, V>[], reason: unknown): void {
    for (const entry of batch) this.#fail(entry, reason);
  }

  /** Errors are never cached: forget the entry, unless the key was cleared and re-requested or primed meanwhile. */
  #fail(entry: Entry<K, V>, reason: unknown): void {
    entry.state = 'settled';
    if (this.#cache.get(entry.key) === entry) this.#cache.delete(entry.key);
    entry.reject(reason);
  }
}
