// Alternative: three maps (settled values, requests in flight, the insertion-ordered queue) instead of one cache of shared promises; each request keeps a Set of waiters that it settles directly, and the dispatch is scheduled with queueMicrotask + process.nextTick

export type BatchFn<K, V> = (keys: readonly K[]) => PromiseLike<ReadonlyArray<V | Error>> | ReadonlyArray<V | Error>;

export interface BatchLoaderOptions {
  maxBatchSize?: number;
}

export interface LoadOptions {
  signal?: AbortSignal;
}

interface Waiter<V> {
  resolve: (value: V) => void;
  reject: (reason: unknown) => void;
}

interface Request<K, V> {
  key: K;
  waiters: Set<Waiter<V>>;
}

function assertKey(key: unknown): void {
  if (key === undefined) throw new TypeError('a key must not be undefined');
}

function readSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const signal = (options as LoadOptions).signal;
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  return signal;
}

export class BatchLoader<K, V> {
  readonly #batchFn: BatchFn<K, V>;
  readonly #max: number;
  readonly #values = new Map<K, V>();
  readonly #inflight = new Map<K, Request<K, V>>();
  #queued = new Map<K, Request<K, V>>();
  #pending = false;

  constructor(batchFn: BatchFn<K, V>, options?: BatchLoaderOptions) {
    if (typeof batchFn !== 'function') throw new TypeError('batchFn must be a function');
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('options must be an object');
    const max = options === undefined || options.maxBatchSize === undefined ? Infinity : options.maxBatchSize;
    if (typeof max !== 'number') throw new TypeError('maxBatchSize must be a number');
    if (!(max === Infinity || (Number.isSafeInteger(max) && max >= 1))) throw new RangeError('maxBatchSize must be a whole number >= 1 or Infinity');
    this.#batchFn = batchFn;
    this.#max = max;
  }

  load(key: K, options?: LoadOptions): Promise<V> {
    assertKey(key);
    return this.#wait(key, readSignal(options));
  }

  loadMany(keys: readonly K[], options?: LoadOptions): Promise<unknown[]> {
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
    keys.forEach(assertKey);
    const signal = readSignal(options);
    const all: Promise<unknown>[] = [];
    for (const key of keys) all.push(this.#wait(key, signal).catch((reason: unknown) => reason));
    return Promise.all(all);
  }

  clear(key: K): this {
    this.#values.delete(key);
    this.#inflight.delete(key);
    return this;
  }

  clearAll(): this {
    this.#values.clear();
    this.#inflight.clear();
    return this;
  }

  prime(key: K, value: V): this {
    assertKey(key);
    if (value instanceof Error) throw new TypeError('an Error cannot be primed');
    if (!this.#values.has(key) && !this.#inflight.has(key) && !this.#queued.has(key)) this.#values.set(key, value);
    return this;
  }

  #wait(key: K, signal: AbortSignal | undefined): Promise<V> {
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    if (this.#values.has(key)) return Promise.resolve(this.#values.get(key) as V);
    let request = this.#inflight.get(key) ?? this.#queued.get(key);
    if (request === undefined) {
      request = { key, waiters: new Set() };
      this.#queued.set(key, request);
      if (!this.#pending) {
        this.#pending = true;
        queueMicrotask(() => process.nextTick(() => this.#dispatch()));
      }
    }
    const owner = request;
    return new Promise<V>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (signal && onAbort) signal.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter<V> = {
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (reason) => {
          done();
          reject(reason);
        },
      };
      owner.waiters.add(waiter);
      if (signal) {
        onAbort = () => {
          owner.waiters.delete(waiter);
          done();
          reject(signal.reason);
          if (owner.waiters.size === 0 && this.#queued.get(owner.key) === owner) this.#queued.delete(owner.key);
        };
        signal.addEventListener('abort', onAbort);
      }
    });
  }

  #dispatch(): void {
    this.#pending = false;
    const requests = [...this.#queued.values()];
    this.#queued = new Map();
    for (const request of requests) this.#inflight.set(request.key, request);
    let index = 0;
    while (index < requests.length) {
      const size = Math.min(this.#max, requests.length - index);
      this.#call(requests.slice(index, index + size));
      index += size;
    }
  }

  async #call(requests: Request<K, V>[]): Promise<void> {
    let values: unknown;
    try {
      values = await this.#batchFn(requests.map((request) => request.key));
    } catch (reason) {
      for (const request of requests) this.#settle(request, false, reason);
      return;
    }
    let problem: TypeError | undefined;
    if (!Array.isArray(values)) problem = new TypeError(`batchFn did not return an array (keys: ${requests.length})`);
    else if (values.length !== requests.length) problem = new TypeError(`batchFn returned ${values.length} values for ${requests.length} keys`);
    if (problem) {
      for (const request of requests) this.#settle(request, false, problem);
      return;
    }
    const list = values as unknown[];
    requests.forEach((request, i) => {
      const value = list[i];
      if (value instanceof Error) this.#settle(request, false, value);
      else this.#settle(request, true, value);
    });
  }

  #settle(request: Request<K, V>, ok: boolean, outcome: unknown): void {
    if (this.#inflight.get(request.key) === request) {
      this.#inflight.delete(request.key);
      if (ok) this.#values.set(request.key, outcome as V);
    }
    const waiters = [...request.waiters];
    request.waiters.clear();
    for (const waiter of waiters) {
      if (ok) waiter.resolve(outcome as V);
      else waiter.reject(outcome);
    }
  }
}
