// Alternative: memcache-style leases (a token per key, revoked by delete) instead of flight identity, one shared promise per load with per-waiter wrappers, and an explicit doubly linked LRU list; size counts without sweeping.

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

interface Node<K, V> {
  key: K;
  value: V | undefined;
  freshUntil: number;
  overAt: number;
  prev: Node<K, V> | undefined;
  next: Node<K, V> | undefined;
}

interface Load<V> {
  lease: object;
  background: boolean;
  waiting: number;
  controller: AbortController;
  promise: Promise<V | undefined>;
}

export class CacheLoader<K, V> {
  #options: Required<Omit<CacheLoaderOptions<K, V>, 'load' | 'random'>> & { load: LoadFn<K, V>; random: () => number };
  #nodes = new Map<K, Node<K, V>>();
  #head: Node<K, V> | undefined; // least recently used
  #tail: Node<K, V> | undefined;
  #leases = new Map<K, object>(); // the lease of the load whose outcome may be stored
  #loads = new Map<object, Load<V>>();

  constructor(options: CacheLoaderOptions<K, V>) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const o = options as unknown as Record<string, unknown>;
    if (typeof o.load !== 'function') throw new TypeError('load must be a function');
    const read = (name: string, fallback: number | undefined, ok: (n: number) => boolean): number => {
      const v = o[name] === undefined ? fallback : o[name];
      if (typeof v !== 'number') throw new TypeError(`${name} must be a number`);
      if (!ok(v)) throw new RangeError(`${name} is out of range`);
      return v;
    };
    const finite = Number.isFinite;
    if (o.random !== undefined && typeof o.random !== 'function') throw new TypeError('random must be a function');
    this.#options = {
      load: options.load,
      ttlMs: read('ttlMs', undefined, (n) => finite(n) && n > 0),
      jitter: read('jitter', 0, (n) => n >= 0 && n < 1),
      staleMs: read('staleMs', 0, (n) => finite(n) && n >= 0),
      negativeTtlMs: read('negativeTtlMs', 0, (n) => finite(n) && n >= 0),
      maxEntries: read('maxEntries', Infinity, (n) => n === Infinity || (Number.isInteger(n) && n >= 1)),
      random: options.random ?? Math.random,
    };
  }

  get size(): number {
    const now = Date.now();
    let live = 0;
    for (let node = this.#head; node; node = node.next) if (now < node.overAt) live++;
    return live;
  }

  async get(key: K, options?: GetOptions): Promise<V | undefined> {
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('options must be an object');
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
    if (signal?.aborted) throw signal.reason;
    const now = Date.now();
    const node = this.#nodes.get(key);
    if (node && now < node.overAt) {
      this.#unlink(node);
      this.#append(node);
      if (now >= node.freshUntil && !this.#leases.has(key)) this.#begin(key, true);
      return node.value;
    }
    if (node) this.#remove(node);
    const lease = this.#leases.get(key);
    const load = (lease && this.#loads.get(lease)) || this.#begin(key, false);
    return this.#wait(load, signal);
  }

  delete(key: K): void {
    const node = this.#nodes.get(key);
    if (node) this.#remove(node);
    this.#leases.delete(key); // revoke: the load in flight may no longer write
  }

  clear(): void {
    this.#nodes.clear();
    this.#head = this.#tail = undefined;
    this.#leases.clear();
  }

  #begin(key: K, background: boolean): Load<V> {
    const lease = {};
    const startedAt = Date.now();
    const controller = new AbortController();
    this.#leases.set(key, lease);
    let raw: Promise<V | undefined>;
    try {
      raw = Promise.resolve(this.#options.load(key, { signal: controller.signal }));
    } catch (error) {
      raw = Promise.reject(error);
    }
    const promise = raw
      .catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      })
      .then(
        (value) => {
          this.#finish(key, lease);
          if (this.#stillHeld(lease)) this.#write(key, value, startedAt);
          return value;
        },
        (error: unknown) => {
          this.#finish(key, lease);
          throw error;
        },
      );
    promise.catch(() => {});
    const load: Load<V> = { lease, background, waiting: 0, controller, promise };
    this.#loads.set(lease, load);
    return load;
  }

  /** Releases the lease if it is still the key's; remembers for the write whether it was. */
  #held = new WeakSet<object>();
  #finish(key: K, lease: object): void {
    this.#loads.delete(lease);
    if (this.#leases.get(key) === lease) {
      this.#leases.delete(key);
      this.#held.add(lease);
    }
  }
  #stillHeld(lease: object): boolean {
    return this.#held.has(lease);
  }

  #wait(load: Load<V>, signal: AbortSignal | undefined): Promise<V | undefined> {
    load.waiting++;
    return new Promise<V | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        signal!.removeEventListener('abort', onAbort);
        reject(signal!.reason);
        load.waiting--;
        if (load.waiting === 0 && !load.background) {
          for (const [key, lease] of this.#leases) if (lease === load.lease) this.#leases.delete(key);
          this.#loads.delete(load.lease);
          load.controller.abort();
        }
      };
      signal?.addEventListener('abort', onAbort);
      load.promise.then(
        (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  #write(key: K, value: V | undefined, startedAt: number): void {
    const existing = this.#nodes.get(key);
    if (existing) this.#remove(existing);
    const { ttlMs, jitter, staleMs, negativeTtlMs, maxEntries } = this.#options;
    let freshUntil: number;
    let overAt: number;
    if (value === undefined) {
      if (negativeTtlMs === 0) return;
      freshUntil = overAt = startedAt + negativeTtlMs;
    } else {
      freshUntil = startedAt + ttlMs * (1 - jitter * this.#options.random());
      overAt = freshUntil + staleMs;
    }
    const now = Date.now();
    if (now >= overAt) return;
    if (this.#nodes.size >= maxEntries) {
      for (let node = this.#head; node; ) {
        const next = node.next;
        if (now >= node.overAt) this.#remove(node);
        node = next;
      }
      if (this.#nodes.size >= maxEntries && this.#head) this.#remove(this.#head);
    }
    const node: Node<K, V> = { key, value, freshUntil, overAt, prev: undefined, next: undefined };
    this.#nodes.set(key, node);
    this.#append(node);
  }

  #append(node: Node<K, V>): void {
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
  }

  #unlink(node: Node<K, V>): void {
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = undefined;
  }

  #remove(node: Node<K, V>): void {
    this.#unlink(node);
    this.#nodes.delete(node.key);
  }
}
