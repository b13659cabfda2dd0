// A read-through cache in front of a slow store: single-flight loads, TTL with jitter,
// stale-while-revalidate, negative caching, an LRU bound, invalidation that an in-flight
// load cannot undo, and per-waiter cancellation. No timers: every expiry is computed
// from Date.now() when someone asks.

/** Thrown (or rejected with) by a load to say "the key does not exist": cached like `undefined`. */
export class NotFoundError extends Error {
  constructor(message = 'not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export type LoadFn<K, V> = (key: K, context: { signal: AbortSignal }) => Promise<V | undefined>;

export interface CacheLoaderOptions<K, V> {
  load: LoadFn<K, V>;
  ttlMs: number;
  jitter?: number;
  staleMs?: number;
  negativeTtlMs?: number;
  maxEntries?: number;
  random?: () => number;
}

export interface GetOptions {
  signal?: AbortSignal;
}

interface Entry<V> {
  value: V | undefined; // undefined: a negative entry
  freshUntil: number;
  staleUntil: number; // === freshUntil for a negative entry
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

interface Flight<K, V> {
  key: K;
  startedAt: number;
  background: boolean;
  controller: AbortController;
  waiters: Set<Waiter<V>>;
}

type Outcome<V> = { ok: true; value: V | undefined } | { ok: false; error: unknown };

function number(options: Record<string, unknown>, name: string, fallback?: number): number {
  const value = options[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (Number.isNaN(value)) throw new RangeError(`${name} must not be NaN`);
  return value;
}

export class CacheLoader<K, V> {
  readonly #load: LoadFn<K, V>;
  readonly #ttlMs: number;
  readonly #jitter: number;
  readonly #staleMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxEntries: number;
  readonly #random: () => number;
  /** Stored entries, least recently used first. */
  readonly #entries = new Map<K, Entry<V>>();
  /** The one load per key whose outcome may still be stored. Never counted, never evicted. */
  readonly #flights = new Map<K, Flight<K, V>>();

  constructor(options: CacheLoaderOptions<K, V>) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const raw = options as unknown as Record<string, unknown>;
    if (typeof raw.load !== 'function') throw new TypeError('load must be a function');
    const ttlMs = number(raw, 'ttlMs');
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a finite number > 0');
    const jitter = number(raw, 'jitter', 0);
    if (!(jitter >= 0 && jitter < 1)) throw new RangeError('jitter must be >= 0 and < 1');
    const staleMs = number(raw, 'staleMs', 0);
    if (!Number.isFinite(staleMs) || staleMs < 0) throw new RangeError('staleMs must be a finite number >= 0');
    const negativeTtlMs = number(raw, 'negativeTtlMs', 0);
    if (!Number.isFinite(negativeTtlMs) || negativeTtlMs < 0) throw new RangeError('negativeTtlMs must be a finite number >= 0');
    const maxEntries = number(raw, 'maxEntries', Infinity);
    if (maxEntries !== Infinity && (!Number.isInteger(maxEntries) || maxEntries < 1)) {
      throw new RangeError('maxEntries must be a whole number >= 1, or Infinity');
    }
    if (raw.random !== undefined && typeof raw.random !== 'function') throw new TypeError('random must be a function');
    this.#load = options.load;
    this.#ttlMs = ttlMs;
    this.#jitter = jitter;
    this.#staleMs = staleMs;
    this.#negativeTtlMs = negativeTtlMs;
    this.#maxEntries = maxEntries;
    this.#random = options.random ?? Math.random;
  }

  /** Entries that can still be served (fresh, stale or negative). */
  get size(): number {
    this.#sweep(Date.now());
    return this.#entries.size;
  }

  get(key: K, options?: GetOptions): Promise<V | undefined> {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      return Promise.reject(new TypeError('options must be an object'));
    }
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      return Promise.reject(new TypeError('signal must be an AbortSignal'));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = Date.now();
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (now < entry.staleUntil) {
        this.#entries.delete(key); // most recently used: to the end
        this.#entries.set(key, entry);
        if (now >= entry.freshUntil && !this.#flights.has(key)) this.#start(key, true);
        return Promise.resolve(entry.value);
      }
      this.#entries.delete(key);
    }
    const flight = this.#flights.get(key) ?? this.#start(key, false);
    return this.#join(flight, signal);
  }

  delete(key: K): void {
    this.#entries.delete(key);
    // Detach the load in flight: its waiters still get its outcome, the cache never stores it.
    this.#flights.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#flights.clear();
  }

  #start(key: K, background: boolean): Flight<K, V> {
    const flight: Flight<K, V> = {
      key,
      startedAt: Date.now(),
      background,
      controller: new AbortController(),
      waiters: new Set(),
    };
    this.#flights.set(key, flight);
    let promise: Promise<V | undefined>;
    try {
      promise = Promise.resolve(this.#load(key, { signal: flight.controller.signal }));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => this.#settle(flight, { ok: true, value }),
      (error: unknown) => this.#settle(flight, error instanceof NotFoundError ? { ok: true, value: undefined } : { ok: false, error }),
    );
    return flight;
  }

  #join(flight: Flight<K, V>, signal: AbortSignal | undefined): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      const waiter: Waiter<V> = { resolve, reject, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          flight.waiters.delete(waiter);
          reject(signal.reason);
          if (flight.waiters.size === 0 && !flight.background) {
            if (this.#flights.get(flight.key) === flight) this.#flights.delete(flight.key);
            flight.controller.abort();
          }
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      flight.waiters.add(waiter);
    });
  }

  #settle(flight: Flight<K, V>, outcome: Outcome<V>): void {
    if (this.#flights.get(flight.key) === flight) {
      this.#flights.delete(flight.key);
      if (outcome.ok) this.#store(flight.key, flight.startedAt, outcome.value);
      // A failed load stores nothing: a stale entry keeps being served until its end.
    }
    const waiters = [...flight.waiters];
    flight.waiters.clear();
    for (const waiter of waiters) {
      if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      if (outcome.ok) waiter.resolve(outcome.value);
      else waiter.reject(outcome.error);
    }
  }

  #store(key: K, startedAt: number, value: V | undefined): void {
    this.#entries.delete(key);
    let freshUntil: number;
    let staleUntil: number;
    if (value === undefined) {
      if (this.#negativeTtlMs === 0) return;
      freshUntil = startedAt + this.#negativeTtlMs;
      staleUntil = freshUntil;
    } else {
      freshUntil = startedAt + this.#ttlMs * (1 - this.#jitter * this.#random());
      staleUntil = freshUntil + this.#staleMs;
    }
    const now = Date.now();
    if (staleUntil <= now) return; // it arrived too late to be served
    if (this.#entries.size >= this.#maxEntries) {
      this.#sweep(now);
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
    }
    this.#entries.set(key, { value, freshUntil, staleUntil });
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) if (now >= entry.staleUntil) this.#entries.delete(key);
  }
}
