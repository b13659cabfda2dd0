// A read-path cache for a service: L1 (per process, small, short TTL) in front of L2 (Redis,
// shared), single-flight per key, negative caching, jittered TTLs, a deadline on every Redis
// call, and fills made conditional by a lease (the memcache scheme), so that a reader whose
// load raced an invalidation cannot store the old row. Redis is an optimisation here: when it
// is slow, down or reconnecting, reads fall through to the loader (fail open) and the error is
// counted, not thrown. Give it a client from `connectForService`, which reconnects.
import { randomUUID } from 'node:crypto';
import type { Redis } from './redis.ts';
import { withDeadline } from './redis.ts';
import { SingleFlight } from './single-flight.ts';

export type Loader<T> = (key: string, signal: AbortSignal) => Promise<T | undefined>;

export interface CacheLoaderOptions<T> {
  redis: Redis;
  prefix: string;
  load: Loader<T>;
  ttlSeconds: number; // L2 TTL before jitter
  jitter?: number; // fraction, default 0.1: TTL is spread over ttl * (1 +/- jitter)
  negativeTtlSeconds?: number; // how long "no such row" is remembered, default 30
  l1Entries?: number; // default 1000
  l1TtlMs?: number; // default 1000: bounds how stale a process can be after an invalidation
  redisTimeoutMs?: number; // default 50
  loadTimeoutMs?: number; // default 2000
  now?: () => number;
}

export class LoadError extends Error {
  readonly code = 'ECACHELOAD';
  readonly key: string;
  constructor(key: string, options: ErrorOptions) {
    super(`loading ${key} failed`, options);
    this.name = 'LoadError';
    this.key = key;
  }
}

const CORRUPT = Symbol('corrupt');
const MISSING = '\u0000missing'; // the negative-cache marker stored in Redis

// KEYS[1] value, KEYS[2] lease. A hit returns the value; a miss grants a lease (a fresh token,
// SET NX PX) or, while another reader holds one, says "wait".
const GET_OR_LEASE = `
local v = redis.call('GET', KEYS[1])
if v then return {'hit', v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'lease', ARGV[1]} end
return {'wait', ''}`;
// The fill lands only if the caller's lease is still the stored one: invalidate() deletes the
// lease, and an expired lease is gone too, so a late or timed-out fill is refused, not trusted.
const SET_WITH_LEASE = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]); redis.call('DEL', KEYS[2]); return 1
end
return 0`;

export class CacheLoader<T> {
  readonly stats = { l1: 0, l2: 0, loads: 0, negative: 0, redisErrors: 0, fillsRefused: 0 };
  readonly #o: Required<Omit<CacheLoaderOptions<T>, 'redis' | 'load' | 'prefix'>> & CacheLoaderOptions<T>;
  readonly #l1 = new Map<string, { value: T | undefined; expiresAt: number }>();
  readonly #flight = new SingleFlight<T | undefined>();

  constructor(options: CacheLoaderOptions<T>) {
    this.#o = { jitter: 0.1, negativeTtlSeconds: 30, l1Entries: 1000, l1TtlMs: 1000, redisTimeoutMs: 50, loadTimeoutMs: 2000, now: Date.now, ...options };
  }

  #ttl(seconds: number): number {
    return Math.max(1, Math.round(seconds * (1 + this.#o.jitter * (2 * Math.random() - 1))));
  }

  #remember(key: string, value: T | undefined): void {
    this.#l1.delete(key);
    if (this.#l1.size >= this.#o.l1Entries) this.#l1.delete(this.#l1.keys().next().value!); // LRU order
    this.#l1.set(key, { value, expiresAt: this.#o.now() + this.#o.l1TtlMs });
  }

  async #redis<R>(what: string, call: () => Promise<R>): Promise<R | undefined> {
    if (!this.#o.redis.isReady) { // disconnected or reconnecting: skip Redis rather than wait or queue
      this.stats.redisErrors++;
      return undefined;
    }
    try {
      return await withDeadline(call(), this.#o.redisTimeoutMs, what);
    } catch {
      this.stats.redisErrors++; // a real service logs this at warn, rate-limited, and exports a counter
      return undefined;
    }
  }

  async get(key: string, signal?: AbortSignal): Promise<T | undefined> {
    const local = this.#l1.get(key);
    if (local && local.expiresAt > this.#o.now()) {
      this.#l1.delete(key);
      this.#l1.set(key, local); // refresh LRU position
      this.stats.l1++;
      return local.value;
    }
    return this.#flight.do(key, async () => {
      const keys = [`${this.#o.prefix}${key}`, `${this.#o.prefix}${key}:lease`];
      const leaseMs = this.#o.loadTimeoutMs + 1000; // outlives the load, so an on-time fill is never refused for expiry
      const reply = (await this.#redis('GET', () => this.#o.redis.eval(GET_OR_LEASE, { keys, arguments: [randomUUID(), String(leaseMs)] }))) as [string, string] | undefined;
      let token: string | undefined; // undefined: load, but do not fill (no lease: Redis down, or another reader's lease)
      if (reply?.[0] === 'hit') {
        const value = this.#decode(reply[1]);
        if (value !== CORRUPT) {
          this.stats.l2++;
          if (value === undefined) this.stats.negative++;
          this.#remember(key, value);
          return value;
        }
        await this.#redis('DEL', () => this.#o.redis.del(keys[0])); // a foreign or corrupt value: drop it, load from the database
      } else if (reply?.[0] === 'lease') {
        token = reply[1];
      }
      this.stats.loads++;
      const timeout = AbortSignal.timeout(this.#o.loadTimeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let value: T | undefined;
      try {
        value = await withDeadline(this.#o.load(key, combined), this.#o.loadTimeoutMs, `load ${key}`);
      } catch (error) {
        throw new LoadError(key, { cause: error }); // not cached: the next caller retries
      }
      if (token === undefined) return value; // no lease: the holder fills; not remembered in L1 either
      const ttl = value === undefined ? this.#ttl(this.#o.negativeTtlSeconds) : this.#ttl(this.#o.ttlSeconds);
      const data = value === undefined ? MISSING : JSON.stringify(value);
      const stored = await this.#redis('SET', () => this.#o.redis.eval(SET_WITH_LEASE, { keys, arguments: [token, data, String(ttl)] }));
      if (stored === 0) {
        this.stats.fillsRefused++; // invalidated while we loaded: our value may predate the write
        return value; // the caller's read began before the write; do not keep it in L1
      }
      this.#remember(key, value);
      return value;
    });
  }

  #decode(cached: string): T | undefined | typeof CORRUPT {
    if (cached === MISSING) return undefined;
    try {
      return JSON.parse(cached) as T;
    } catch {
      this.stats.redisErrors++;
      return CORRUPT;
    }
  }

  /**
   * Call after the database commit: drops the value and any outstanding lease, so an in-flight
   * fill is refused; other processes' L1 ages out within l1TtlMs. Best effort: it throws if Redis
   * is slow or down, and nothing retries it here; the TTL bounds a lost delete, and a service that
   * cannot accept that derives deletes from the commit log or an outbox.
   */
  async invalidate(key: string): Promise<void> {
    this.#l1.delete(key);
    const value = `${this.#o.prefix}${key}`;
    await withDeadline(this.#o.redis.del([value, `${value}:lease`]), this.#o.redisTimeoutMs * 4, `DEL ${key}`);
  }
}
