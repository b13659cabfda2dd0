// Alternative: DataLoader's shape: a cache of promises (identity of the promise decides every cache update), a current-batch object that collects keys until its dispatch, scheduled by an async function that awaits once and then calls process.nextTick, and abort handled by racing each load against its signal

export type BatchFn<K, V> = (keys: readonly K[]) => PromiseLike<ReadonlyArray<V | Error>> | ReadonlyArray<V | Error>;

export interface BatchLoaderOptions {
  maxBatchSize?: number;
}

export interface LoadOptions {
  signal?: AbortSignal;
}

interface Slot<V> {
  promise: Promise<V>;
  resolve: (value: V) => void;
  reject: (reason: unknown) => void;
  live: number;
}

interface Batch<K, V> {
  slots: Map<K, Slot<V>>;
  dispatched: boolean;
}

function optionsSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { signal } = options as LoadOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  return signal;
}

function raceSignal<V>(promise: Promise<V>, signal: AbortSignal, onAbort: () => void): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    const abort = (): void => {
      reject(signal.reason);
      onAbort();
    };
    signal.addEventListener('abort', abort, { once: true });
    const settle = (): void => signal.removeEventListener('abort', abort);
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (reason: unknown) => {
        settle();
        reject(reason);
      },
    );
  });
}

export class BatchLoader<K, V> {
  #batchFn: BatchFn<K, V>;
  #maxBatchSize: number;
  #cache = new Map<K, Promise<V>>();
  #batch: Batch<K, V> | undefined;

  constructor(batchFn: BatchFn<K, V>, options?: BatchLoaderOptions) {
    if (typeof batchFn !== 'function') throw new TypeError('batchFn must be a function');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('options must be an object');
    const size = options?.maxBatchSize;
    if (size !== undefined && typeof size !== 'number') throw new TypeError('maxBatchSize must be a number');
    if (size !== undefined && size !== Infinity && !(Number.isInteger(size) && size > 0)) throw new RangeError(`maxBatchSize must be a positive whole number, got ${size}`);
    this.#batchFn = batchFn;
    this.#maxBatchSize = size ?? Infinity;
  }

  load(key: K, options?: LoadOptions): Promise<V> {
    if (key === undefined) throw new TypeError('load: key is undefined');
    return this.#load(key, optionsSignal(options));
  }

  loadMany(keys: readonly K[], options?: LoadOptions): Promise<unknown[]> {
    if (!Array.isArray(keys)) throw new TypeError('loadMany: keys must be an array');
    if (keys.some((key) => key === undefined)) throw new TypeError('loadMany: a key is undefined');
    const signal = optionsSignal(options);
    return Promise.all(keys.map((key) => this.#load(key, signal).catch((reason: unknown) => reason)));
  }

  clear(key: K): this {
    if (!this.#isQueued(key)) this.#cache.delete(key);
    return this;
  }

  clearAll(): this {
    for (const key of [...this.#cache.keys()]) this.clear(key);
    return this;
  }

  prime(key: K, value: V): this {
    if (key === undefined) throw new TypeError('prime: key is undefined');
    if (value instanceof Error) throw new TypeError('prime: an Error is never cached');
    if (!this.#cache.has(key)) this.#cache.set(key, Promise.resolve(value));
    return this;
  }

  #isQueued(key: K): boolean {
    const batch = this.#batch;
    return batch !== undefined && !batch.dispatched && batch.slots.has(key);
  }

  #load(key: K, signal: AbortSignal | undefined): Promise<V> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const cached = this.#cache.get(key);
    if (cached) {
      const slot = this.#isQueued(key) ? this.#batch?.slots.get(key) : undefined;
      if (slot) slot.live++;
      if (!signal) return cached.then((value) => value);
      return raceSignal(cached, signal, () => this.#abandon(key, slot));
    }
    const batch = this.#currentBatch();
    let resolve!: (value: V) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<V>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    const slot: Slot<V> = { promise, resolve, reject, live: 1 };
    batch.slots.set(key, slot);
    this.#cache.set(key, promise);
    if (!signal) return promise.then((value) => value);
    return raceSignal(promise, signal, () => this.#abandon(key, slot));
  }

  #abandon(key: K, slot: Slot<V> | undefined): void {
    const batch = this.#batch;
    if (!slot || !batch || batch.dispatched || batch.slots.get(key) !== slot) return;
    slot.live--;
    if (slot.live > 0) return;
    batch.slots.delete(key);
    if (this.#cache.get(key) === slot.promise) this.#cache.delete(key);
  }

  #currentBatch(): Batch<K, V> {
    const existing = this.#batch;
    if (existing && !existing.dispatched) return existing;
    const batch: Batch<K, V> = { slots: new Map(), dispatched: false };
    this.#batch = batch;
    void (async () => {
      await undefined;
      process.nextTick(() => this.#dispatch(batch));
    })();
    return batch;
  }

  #dispatch(batch: Batch<K, V>): void {
    batch.dispatched = true;
    const entries = [...batch.slots];
    for (let i = 0; i < entries.length; i += this.#maxBatchSize) this.#run(entries.slice(i, i + this.#maxBatchSize));
  }

  #run(entries: [K, Slot<V>][]): void {
    const forget = (key: K, slot: Slot<V>, reason: unknown): void => {
      if (this.#cache.get(key) === slot.promise) this.#cache.delete(key);
      slot.reject(reason);
    };
    const failAll = (reason: unknown): void => {
      for (const [key, slot] of entries) forget(key, slot, reason);
    };
    let answer: PromiseLike<ReadonlyArray<V | Error>> | ReadonlyArray<V | Error>;
    try {
      answer = this.#batchFn(entries.map(([key]) => key));
    } catch (error) {
      failAll(error);
      return;
    }
    Promise.resolve(answer).then((values) => {
      if (!Array.isArray(values)) return failAll(new TypeError('batchFn must return an array'));
      if (values.length !== entries.length) return failAll(new TypeError(`batchFn returned ${values.length} results for ${entries.length} keys`));
      entries.forEach(([key, slot], i) => {
        const value: unknown = values[i];
        if (value instanceof Error) forget(key, slot, value);
        else slot.resolve(value as V);
      });
    }, failAll);
  }
}
