// Alternative: integer milli-token accumulation instead of an anchor, and it forgets keys whose state is a new key's (full bucket, empty window) with a sweep from the least recently used end
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Decision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  resetMs: number;
  limit: number;
}

function options(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${name}: options must be an object`);
  return value as Record<string, unknown>;
}

function number(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite`);
  return value;
}

function whole(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = number(name, value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Keys in least-recently-used order, with a sweep that drops keys whose state
 * is a new key's. Each take looks at no more than two keys at the old end, so
 * the sweep is O(1) per take and idle keys drain away over time.
 */
class Store<V> {
  readonly map = new Map<string, V>();
  readonly #maxKeys: number;
  readonly #fresh: (value: V, now: number) => boolean;

  constructor(maxKeys: number, fresh: (value: V, now: number) => boolean) {
    this.#maxKeys = maxKeys;
    this.#fresh = fresh;
  }

  use(key: string, now: number, create: () => V): V {
    let swept = 0;
    for (const [oldKey, value] of this.map) {
      if (oldKey === key) continue; // it is about to be used
      if (swept >= 2 || !this.#fresh(value, now)) break;
      this.map.delete(oldKey);
      swept++;
    }
    let value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
    } else {
      if (this.map.size >= this.#maxKeys) this.map.delete(this.map.keys().next().value as string);
      value = create();
    }
    this.map.set(key, value);
    return value;
  }
}

interface Bucket {
  /** Tokens × 1000 as of `at`. */
  milli: number;
  at: number;
}

export class TokenBucketLimiter {
  readonly #capacity: number;
  readonly #rate: number;
  readonly #store: Store<Bucket>;

  constructor(opts: { capacity: number; refillPerSecond: number; maxKeys?: number }) {
    const o = options(opts, 'TokenBucketLimiter');
    this.#capacity = whole('capacity', o.capacity, 1);
    const rate = number('refillPerSecond', o.refillPerSecond);
    if (!(rate > 0)) throw new RangeError('refillPerSecond must be greater than 0');
    this.#rate = rate;
    const maxKeys = o.maxKeys === undefined ? Infinity : whole('maxKeys', o.maxKeys, 1);
    this.#store = new Store(maxKeys, (bucket, now) => this.#milliAt(bucket, now) >= this.#capacity * 1000);
  }

  get size(): number {
    return this.#store.map.size;
  }

  /** Milli-tokens at `now`: refillPerSecond milli-tokens a millisecond, capped. */
  #milliAt(bucket: Bucket, now: number): number {
    return Math.min(this.#capacity * 1000, bucket.milli + Math.max(0, now - bucket.at) * this.#rate);
  }

  #wait(milli: number, target: number): number {
    return milli >= target ? 0 : Math.ceil((target - milli) / this.#rate);
  }

  take(key: string, cost = 1): Decision {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    whole('cost', cost, 1, this.#capacity);
    const now = Date.now();
    const bucket = this.#store.use(key, now, () => ({ milli: this.#capacity * 1000, at: now }));
    bucket.milli = this.#milliAt(bucket, now);
    bucket.at = Math.max(bucket.at, now);
    const allowed = bucket.milli >= cost * 1000;
    if (allowed) bucket.milli -= cost * 1000;
    return {
      allowed,
      remaining: Math.floor(bucket.milli / 1000),
      retryAfterMs: allowed ? 0 : this.#wait(bucket.milli, cost * 1000),
      resetMs: this.#wait(bucket.milli, this.#capacity * 1000),
      limit: this.#capacity,
    };
  }
}

export class SlidingWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #store: Store<number[]>;

  constructor(opts: { limit: number; windowMs: number; maxKeys?: number }) {
    const o = options(opts, 'SlidingWindowLimiter');
    this.#limit = whole('limit', o.limit, 1);
    this.#windowMs = whole('windowMs', o.windowMs, 1);
    const maxKeys = o.maxKeys === undefined ? Infinity : whole('maxKeys', o.maxKeys, 1);
    this.#store = new Store(maxKeys, (times, now) => times.every((s) => s <= now - this.#windowMs));
  }

  get size(): number {
    return this.#store.map.size;
  }

  take(key: string): Decision {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    const now = Date.now();
    const times = this.#store.use(key, now, () => []);
    while (times.length > 0 && (times[0] as number) <= now - this.#windowMs) times.shift();
    const allowed = times.length < this.#limit;
    if (allowed) times.push(now);
    return {
      allowed,
      remaining: this.#limit - times.length,
      retryAfterMs: allowed ? 0 : (times[0] as number) + this.#windowMs - now,
      resetMs: (times[times.length - 1] as number) + this.#windowMs - now,
      limit: this.#limit,
    };
  }
}

export function rateLimit(
  limiter: { take(key: string): Decision },
  keyOf: (req: IncomingMessage) => string,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  if (limiter === null || (typeof limiter !== 'object' && typeof limiter !== 'function') || typeof limiter.take !== 'function') {
    throw new TypeError('limiter must have a take method');
  }
  if (typeof keyOf !== 'function') throw new TypeError('keyOf must be a function');
  return (req, res, next) => {
    const decision = limiter.take(keyOf(req));
    const seconds = (ms: number) => String(Math.ceil(ms / 1000));
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) {
      res.setHeader('RateLimit-Reset', seconds(decision.resetMs));
      next();
      return;
    }
    res.statusCode = 429;
    res.setHeader('RateLimit-Reset', seconds(decision.retryAfterMs));
    res.setHeader('Retry-After', seconds(decision.retryAfterMs));
    res.end('Too Many Requests\n');
  };
}
