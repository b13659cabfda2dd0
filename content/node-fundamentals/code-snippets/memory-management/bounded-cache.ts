// A bounded LRU cache: the fix for the most common Node.js "leak", a Map used as a cache
// that is keyed by something unbounded (user ids, URLs, tenant ids) and never evicts.
// The demonstration at the end runs an unbounded Map and the LRU on the same skewed
// traffic. It needs --expose-gc (set in snippets.json) so that heapUsed is measured after
// a full GC: what is left is what the cache retains, not garbage waiting to be collected.
//
// Bounds: a maximum number of entries AND a maximum number of bytes (as estimated by the
// caller's sizeOf, because JavaScript cannot measure an object graph cheaply), plus an
// optional time to live. A Map iterates in insertion order, so "delete then set" moves a
// key to the most-recently-used end and the first key is always the least recently used:
// every operation is O(1). Expired entries are dropped when read or when capacity evicts
// them; memory stays bounded by maxEntries and maxBytes either way.

type EvictReason = 'capacity' | 'expired' | 'replaced' | 'deleted';

interface LruCacheOptions<V> {
  maxEntries: number;
  /** Upper bound on the sum of sizeOf(value); Infinity to bound by entries only. */
  maxBytes?: number;
  sizeOf?: (value: V) => number;
  /** Entries older than this are treated as missing; omit for no expiry. */
  ttlMs?: number;
  /** Injected clock for tests; defaults to Date.now. */
  now?: () => number;
  onEvict?: (key: string, value: V, reason: EvictReason) => void;
  /**
   * Where an error thrown by onEvict goes; defaults to a process warning. The cache never
   * rethrows it: a flaky metrics or clean-up hook must not fail the request that happened
   * to evict, let alone crash the process.
   */
  onError?: (error: unknown) => void;
}

interface Entry<V> {
  value: V;
  bytes: number;
  expiresAt: number;
}

class LruCache<V> {
  readonly #map = new Map<string, Entry<V>>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #onEvict: LruCacheOptions<V>['onEvict'];
  readonly #onError: (error: unknown) => void;
  #bytes = 0;
  #evictions = 0;

  constructor(options: LruCacheOptions<V>) {
    const { maxEntries, maxBytes = Infinity, sizeOf = () => 0, ttlMs = Infinity } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be > 0, got ${maxBytes}`);
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
    // Without sizeOf every entry weighs 0 bytes, and maxBytes would silently bound nothing.
    if (Number.isFinite(maxBytes) && options.sizeOf === undefined) throw new TypeError('maxBytes needs sizeOf');
    this.#maxEntries = maxEntries;
    this.#maxBytes = maxBytes;
    this.#sizeOf = sizeOf;
    this.#ttlMs = ttlMs;
    this.#now = options.now ?? Date.now;
    this.#onEvict = options.onEvict;
    this.#onError =
      options.onError ??
      ((error) => {
        // A warning that keeps the original error (name, code, stack) as its cause.
        const warning = new Error(`onEvict threw: ${String(error)}`, { cause: error });
        warning.name = 'LruCacheWarning';
        process.emitWarning(warning);
      });
  }

  get size(): number {
    return this.#map.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get evictions(): number {
    return this.#evictions;
  }

  get(key: string): V | undefined {
    const entry = this.#map.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(key, entry, 'expired');
      return undefined;
    }
    this.#map.delete(key); // move to the most-recently-used end
    this.#map.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    const bytes = this.#sizeOf(value);
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`sizeOf returned ${bytes}`);
    const previous = this.#map.get(key);
    if (previous !== undefined) this.#remove(key, previous, 'replaced'); // never serve a stale value
    if (bytes > this.#maxBytes) return; // never cache what would evict everything else
    this.#map.set(key, { value, bytes, expiresAt: this.#now() + this.#ttlMs });
    this.#bytes += bytes;
    while (this.#map.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const [oldestKey, oldest] = this.#map.entries().next().value as [string, Entry<V>];
      this.#remove(oldestKey, oldest, 'capacity');
      this.#evictions++;
    }
  }

  delete(key: string): boolean {
    const entry = this.#map.get(key);
    if (entry === undefined) return false;
    this.#remove(key, entry, 'deleted');
    return true;
  }

  clear(): void {
    for (const [key, entry] of this.#map) this.#remove(key, entry, 'deleted');
  }

  #remove(key: string, entry: Entry<V>, reason: EvictReason): void {
    this.#map.delete(key);
    this.#bytes -= entry.bytes;
    // A throwing callback must not leave the cache half-updated: the entry is already out,
    // the operation carries on, and the error goes to onError. Rethrowing it (even later,
    // from a microtask) would make it an uncaught exception that exits the process with
    // every other request in flight.
    try {
      this.#onEvict?.(key, entry.value, reason);
    } catch (error) {
      try {
        this.#onError(error);
      } catch {
        // onError itself failed: nothing is left to report to; the cache stays consistent.
      }
    }
  }
}

// ---- Demonstration ------------------------------------------------------------------

declare const gc: () => void;

const MiB = 2 ** 20;
const KEYS = 100_000;
const REQUESTS = 300_000;

interface Profile {
  id: string;
  name: string;
  roles: string[];
}

function loadProfile(id: string): Profile {
  return { id, name: `user ${id}`, roles: ['reader', `team-${id.length}`] };
}

// Deterministic pseudo-random numbers (mulberry32), so the output is the same every run.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Skewed traffic, as real traffic is: with u uniform in [0, 1), u⁶ crowds the requests
// onto low-numbered keys, so that the hottest 1% of keys gets almost half of them.
function* traffic(): Generator<string> {
  const next = random(42);
  for (let i = 0; i < REQUESTS; i++) {
    const u = next();
    const u3 = u * u * u;
    yield `user-${Math.floor(KEYS * u3 * u3)}`;
  }
}

function heapUsedAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

// 1. The leak: a Map that only ever grows.
let base = heapUsedAfterGc();
const unbounded = new Map<string, Profile>();
let hot = 0;
for (const key of traffic()) {
  if (Number(key.slice(5)) < KEYS / 100) hot++;
  if (!unbounded.has(key)) unbounded.set(key, loadProfile(key));
}
console.log(`traffic: ${REQUESTS} requests, ${((100 * hot) / REQUESTS).toFixed(1)}% of them for the hottest 1% of keys`);
console.log(`unbounded Map: ${unbounded.size} entries, retains ${((heapUsedAfterGc() - base) / MiB).toFixed(1)} MiB`);
unbounded.clear();

// 2. The fix: the same traffic through an LRU bounded to 1% of the key space.
base = heapUsedAfterGc();
const cache = new LruCache<Profile>({ maxEntries: 1_000 });
let hits = 0;
for (const key of traffic()) {
  if (cache.get(key) !== undefined) hits++;
  else cache.set(key, loadProfile(key));
}
console.log(`LRU cache: ${cache.size} entries, retains ${((heapUsedAfterGc() - base) / MiB).toFixed(1)} MiB`);
console.log(`LRU cache: ${cache.evictions} evictions, hit rate ${((100 * hits) / REQUESTS).toFixed(1)}%`);

// 3. A byte budget: values of very different sizes, bounded by what they hold.
const blobs = new LruCache<Buffer>({ maxEntries: 10_000, maxBytes: 1 * MiB, sizeOf: (b) => b.byteLength });
for (let i = 0; i < 100; i++) blobs.set(`blob-${i}`, Buffer.alloc(((i % 7) + 1) * 16 * 1024));
console.log(`byte-bounded cache: ${blobs.size} entries, ${blobs.bytes} bytes, within 1 MiB: ${blobs.bytes <= MiB}`);

// 4. Time to live, with an injected clock so that the demonstration does not sleep.
let now = 0;
const expired: string[] = [];
const sessions = new LruCache<string>({
  maxEntries: 10,
  ttlMs: 30_000,
  now: () => now,
  onEvict: (key, _value, reason) => expired.push(`${key}:${reason}`),
});
sessions.set('s1', 'alice');
now = 29_999;
console.log(`at 29.999 s: ${sessions.get('s1') ?? 'missing'}`);
now = 30_000;
console.log(`at 30.000 s: ${sessions.get('s1') ?? 'missing'} (evicted ${expired.join(', ')})`);

// 5. An eviction hook that throws (a metrics client that is down) fails neither the call
// that evicted nor the process: the error goes to onError, and the bounds still hold.
const hookErrors: string[] = [];
const guarded = new LruCache<number>({
  maxEntries: 2,
  onEvict: () => {
    throw new Error('metrics down');
  },
  onError: (error) => hookErrors.push((error as Error).message), // in production: log it
});
for (let i = 0; i < 5; i++) guarded.set(`k${i}`, i);
console.log(`throwing onEvict: ${hookErrors.length} errors to onError (${hookErrors[0]}), ${guarded.size} entries, newest kept: ${guarded.get('k4') === 4}`);
try {
  new LruCache<Buffer>({ maxEntries: 10, maxBytes: MiB });
} catch (error) {
  console.log(`maxBytes without sizeOf: ${(error as Error).name}: ${(error as Error).message}`);
}
