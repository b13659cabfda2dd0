// Wrong: the old reference brought to the new contract (resetMs, RateLimit-Reset, whole windowMs) with its bug kept: it sums fractional tokens as floats, which drift
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The outcome of one `take`. */
export interface Decision {
  /** Whether the request may proceed. */
  allowed: boolean;
  /** Whole requests still allowed now for this key (>= 0). */
  remaining: number;
  /** 0 when allowed; else how long until this same request would be allowed. */
  retryAfterMs: number;
  /** How long until this key holds its whole quota again, as a new key does; 0 if it already does. */
  resetMs: number;
  /** The configured capacity (token bucket) or limit (sliding window). */
  limit: number;
}

// ---------------------------------------------------------------------------
// Argument checks. The contract: a wrong type is a TypeError; a number that is
// not finite, not whole where a whole number is needed, or out of range is a
// RangeError. Checking the type first keeps `'5'` a TypeError rather than
// letting it coerce into something that passes a range check.
// ---------------------------------------------------------------------------

function requireOptions(options: unknown, className: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${className}: options must be an object`);
  }
  return options as Record<string, unknown>;
}

function requireNumber(name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a number, got ${typeof value}`);
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name} must be finite, got ${value}`);
  }
  return value;
}

function requireWhole(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = requireNumber(name, value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${n}`);
  }
  return n;
}

function requirePositive(name: string, value: unknown): number {
  const n = requireNumber(name, value);
  if (!(n > 0)) {
    throw new RangeError(`${name} must be greater than 0, got ${n}`);
  }
  return n;
}

function requireKey(key: unknown): string {
  if (typeof key !== 'string') {
    throw new TypeError(`key must be a string, got ${typeof key}`);
  }
  return key;
}

function optionalMaxKeys(value: unknown): number {
  // No bound unless asked for: the contract says keys leave only through maxKeys.
  return value === undefined ? Infinity : requireWhole('maxKeys', value, 1);
}

// ---------------------------------------------------------------------------
// Per-key state lives in a Map used as an LRU list. A Map iterates in insertion
// order, so delete + set moves a key to the most-recently-used end and the
// first key is always the least recently used: O(1) touch and O(1) eviction
// without a hand-written linked list. A Map (not a plain object) also makes
// every string a safe key, '__proto__' and 'constructor' included.
// ---------------------------------------------------------------------------

class LruStore<V> {
  readonly #entries = new Map<string, V>();
  readonly #maxKeys: number;

  constructor(maxKeys: number) {
    this.#maxKeys = maxKeys;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Returns the state for `key`, creating it if needed, and marks it most recently used. */
  touch(key: string, create: () => V): V {
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, existing);
      return existing;
    }
    // Evict before inserting so that size never exceeds maxKeys, not even
    // transiently, and so that an existing key never causes an eviction.
    if (this.#entries.size >= this.#maxKeys) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    const created = create();
    this.#entries.set(key, created);
    return created;
  }
}

// ---------------------------------------------------------------------------
// Token bucket
// ---------------------------------------------------------------------------

interface Bucket {
  /** Fractional tokens: rounding here would lose refill between frequent calls. */
  tokens: number;
  /** The Date.now() up to which `tokens` has been refilled. */
  refilledAt: number;
}

/**
 * A token bucket per key: bursts up to `capacity`, then a sustained
 * `refillPerSecond`. The refill is computed lazily on each take, so an idle
 * key costs no CPU and the limiter needs no timer.
 */
export class TokenBucketLimiter {
  readonly #capacity: number;
  readonly #refillPerSecond: number;
  readonly #buckets: LruStore<Bucket>;

  constructor(options: { capacity: number; refillPerSecond: number; maxKeys?: number }) {
    const o = requireOptions(options, 'TokenBucketLimiter');
    this.#capacity = requireWhole('capacity', o.capacity, 1);
    this.#refillPerSecond = requirePositive('refillPerSecond', o.refillPerSecond);
    this.#buckets = new LruStore(optionalMaxKeys(o.maxKeys));
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes `cost` tokens for `key` if they are there; a denied take consumes nothing. */
  take(key: string, cost = 1): Decision {
    requireKey(key);
    requireWhole('cost', cost, 1, this.#capacity);
    const now = Date.now();
    const capacity = this.#capacity;
    const bucket = this.#buckets.touch(key, () => ({ tokens: capacity, refilledAt: now }));

    // Refill on every take, denied ones included, and move refilledAt with it:
    // the fraction earned so far is kept in `tokens`, so nothing is counted
    // twice and nothing is lost. A clock that steps backwards (wall-clock
    // adjustment) refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, now - bucket.refilledAt);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsedMs * this.#refillPerSecond) / 1000);
    bucket.refilledAt = now;

    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0, resetMs: this.#untilFull(bucket), limit: capacity };
    }
    return {
      allowed: false,
      remaining: Math.floor(bucket.tokens),
      // The deficit, not a whole token: with 0.25 tokens banked, a cost of 1
      // needs 0.75 more, and over-reporting would make clients wait too long.
      retryAfterMs: Math.ceil(((cost - bucket.tokens) * 1000) / this.#refillPerSecond),
      resetMs: this.#untilFull(bucket),
      limit: capacity,
    };
  }

  #untilFull(bucket: Bucket): number {
    return Math.ceil(((this.#capacity - bucket.tokens) * 1000) / this.#refillPerSecond);
  }
}

// ---------------------------------------------------------------------------
// Sliding window log
// ---------------------------------------------------------------------------

interface WindowLog {
  /** Times of allowed takes, oldest first; live entries start at `head`. */
  times: number[];
  head: number;
}

/**
 * An exact sliding-window log per key: at most `limit` allowed takes in any
 * window of `windowMs`. Only allowed takes are recorded, so a key holds at most
 * `limit` live timestamps no matter how hard it is hammered.
 */
export class SlidingWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #logs: LruStore<WindowLog>;

  constructor(options: { limit: number; windowMs: number; maxKeys?: number }) {
    const o = requireOptions(options, 'SlidingWindowLimiter');
    this.#limit = requireWhole('limit', o.limit, 1);
    this.#windowMs = requireWhole('windowMs', o.windowMs, 1);
    this.#logs = new LruStore(optionalMaxKeys(o.maxKeys));
  }

  /** Keys currently tracked. */
  get size(): number {
    return this.#logs.size;
  }

  /** Allows the take when fewer than `limit` allowed takes fall in (now - windowMs, now]. */
  take(key: string): Decision {
    requireKey(key);
    const now = Date.now();
    const log = this.#logs.touch(key, () => ({ times: [], head: 0 }));

    // A take at s stops counting once now - windowMs >= s: the window is open
    // at its old end, so a take exactly windowMs ago no longer counts.
    const horizon = now - this.#windowMs;
    const { times } = log;
    while (log.head < times.length && times[log.head] <= horizon) log.head++;
    // Compact once the dead prefix is at least half the array: amortised O(1)
    // per take and at most about 2 × limit numbers held per key.
    if (log.head > 0 && log.head * 2 >= times.length) {
      times.splice(0, log.head);
      log.head = 0;
    }

    const counted = times.length - log.head;
    if (counted < this.#limit) {
      times.push(now);
      return { allowed: true, remaining: this.#limit - counted - 1, retryAfterMs: 0, resetMs: this.#windowMs, limit: this.#limit };
    }
    // Entries are in time order, so the oldest counted take is the first to
    // leave the window, and with it the first free slot appears.
    return {
      allowed: false,
      remaining: 0,
      retryAfterMs: times[log.head] + this.#windowMs - now,
      resetMs: times[times.length - 1] + this.#windowMs - now,
      limit: this.#limit,
    };
  }
}

// ---------------------------------------------------------------------------
// HTTP middleware
// ---------------------------------------------------------------------------

/**
 * Connect-style middleware: one take per request, keyed by `keyOf(req)`.
 * Headers follow draft-ietf-httpapi-ratelimit-headers up to -06
 * (RateLimit-Limit, RateLimit-Remaining) and RFC 9110's Retry-After.
 */
export function rateLimit(
  limiter: { take(key: string): Decision },
  keyOf: (req: IncomingMessage) => string,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  if (
    (typeof limiter !== 'object' && typeof limiter !== 'function') ||
    limiter === null ||
    typeof limiter.take !== 'function'
  ) {
    throw new TypeError('limiter must be an object with a take(key) method');
  }
  if (typeof keyOf !== 'function') {
    throw new TypeError('keyOf must be a function');
  }

  return (req, res, next) => {
    // Called as a method: a class instance's take needs its `this`.
    const decision = limiter.take(keyOf(req));
    // Set before next() so they reach the handler's response as well: a
    // handler that answers synchronously would otherwise have sent its
    // headers already.
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    const retryAfter = String(Math.ceil(decision.retryAfterMs / 1000));
    res.setHeader('RateLimit-Reset', decision.allowed ? String(Math.ceil(decision.resetMs / 1000)) : retryAfter);
    if (decision.allowed) {
      next();
      return;
    }
    // Retry-After is delay-seconds, a whole number (RFC 9110 §10.2.3). Round
    // up: rounding down would invite a retry that is still too early.
    res.statusCode = 429;
    res.setHeader('Retry-After', retryAfter);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Too Many Requests\n');
  };
}
