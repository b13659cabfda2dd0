// Wrong: reports retryAfterMs from the newest counted take instead of the oldest
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
  // No bound unless asked for.
  return value === undefined ? Infinity : requireWhole('maxKeys', value, 1);
}

// ---------------------------------------------------------------------------
// Per-key state lives in a Map used as an LRU list. A Map iterates in insertion
// order, so delete + set moves a key to the most-recently-used end and the
// first key is always the least recently used: O(1) touch and O(1) eviction
// without a hand-written linked list. A Map (not a plain object) also makes
// every string a safe key, '__proto__' and 'constructor' included.
// This design never forgets a key on its own; the contract would allow it to
// forget one whose state is a new key's (see NOTES.md).
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
//
// The obvious state, a float `tokens` plus the time it was refilled, adds a
// fraction on every take: 10 tokens/s polled every 10 ms adds 0.1 ten times,
// which is 0.9999999999999999 in binary floating point, so the take at 100 ms
// is denied and the whole schedule slips. Here no fraction is ever stored or
// summed. A bucket keeps a whole number of tokens `base` as of a millisecond
// `since`, and the tokens at any later millisecond t are
//
//   base + (t − since) × refillPerSecond / 1000       (capped at capacity)
//
// computed afresh, as one product, on every take. Costs are whole numbers, so
// paying one only changes `base`; `since` moves only when the bucket is found
// full (the cap is the one event that discards refill). Every comparison is
// written as   (t − since) × refillPerSecond  >=  (amount − base) × 1000
// (milli-tokens): the right side is an exact integer and the left side is one
// rounding of one product, which is exact for whole-number and binary-fraction
// rates and never accumulates for any rate.
// ---------------------------------------------------------------------------

interface Bucket {
  /** Whole tokens at `since`, less every cost paid since: an integer, negative when refill paid for takes. */
  base: number;
  /** The millisecond refill is counted from: the last take that found the bucket full, or its creation. */
  since: number;
  /** The latest Date.now() a take saw: a wall clock stepped backwards never un-refills a bucket. */
  seen: number;
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
    // 0 is refused: a bucket that never refills has no finite retryAfterMs.
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
    const bucket = this.#buckets.touch(key, () => ({ base: capacity, since: now, seen: now }));
    const t = Math.max(now, bucket.seen);
    bucket.seen = t;

    // Full: refill beyond capacity is lost, so start counting again from here.
    if (this.#holds(bucket, t, capacity)) {
      bucket.base = capacity;
      bucket.since = t;
    }
    const allowed = this.#holds(bucket, t, cost);
    // A denied take changes nothing: the refill it saw is still implied by `since`.
    if (allowed) bucket.base -= cost;

    const earnedMilli = (t - bucket.since) * this.#refillPerSecond;
    return {
      allowed,
      remaining: Math.min(capacity, bucket.base + Math.floor(earnedMilli / 1000)),
      retryAfterMs: allowed ? 0 : this.#msUntil(bucket, cost, now),
      resetMs: this.#msUntil(bucket, capacity, now),
      limit: capacity,
    };
  }

  /** Whether the bucket holds at least `amount` tokens at millisecond `t`. */
  #holds(bucket: Bucket, t: number, amount: number): boolean {
    return (t - bucket.since) * this.#refillPerSecond >= (amount - bucket.base) * 1000;
  }

  /**
   * Milliseconds from `now` until the bucket holds `amount` tokens: the first
   * whole millisecond at which #holds turns true, found with the very same
   * comparison, so a retry at exactly now + the result is allowed and one a
   * millisecond earlier is not (never early, never late).
   */
  #msUntil(bucket: Bucket, amount: number, now: number): number {
    const needMilli = (amount - bucket.base) * 1000;
    if (needMilli <= 0) return 0;
    const rate = this.#refillPerSecond;
    let elapsed = Math.ceil(needMilli / rate);
    while (elapsed * rate < needMilli) elapsed++;
    while (elapsed > 0 && (elapsed - 1) * rate >= needMilli) elapsed--;
    return Math.max(0, bucket.since + elapsed - now);
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
    // Whole milliseconds, at least 1: Date.now() has no finer resolution, and a
    // window of 0 would count nothing at all.
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
    const allowed = counted < this.#limit;
    if (allowed) times.push(now);
    return {
      allowed,
      remaining: this.#limit - (times.length - log.head),
      // Entries are in time order, so the oldest counted take is the first to
      // leave the window, and with it the first free slot appears.
      retryAfterMs: allowed ? 0 : times[times.length - 1] + this.#windowMs - now,
      // The whole quota is back when the newest counted take has left.
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
 * Headers follow draft-ietf-httpapi-ratelimit-headers-06 (RateLimit-Limit,
 * RateLimit-Remaining, RateLimit-Reset; a response with RateLimit-Limit must
 * carry RateLimit-Reset) and RFC 9110's Retry-After.
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
    // Delay-seconds are whole seconds (RFC 9110 §10.2.3). Round up: rounding
    // down would invite a retry that is still too early.
    const retryAfter = String(Math.ceil(decision.retryAfterMs / 1000));
    // Set before next() so they reach the handler's response as well: a
    // handler that answers synchronously would otherwise have sent its
    // headers already.
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    // Draft -06: when Retry-After is sent too, RateLimit-Reset SHOULD name the
    // same moment; otherwise it is when the whole quota is back.
    res.setHeader('RateLimit-Reset', decision.allowed ? String(Math.ceil(decision.resetMs / 1000)) : retryAfter);
    if (decision.allowed) {
      next();
      return;
    }
    res.statusCode = 429;
    res.setHeader('Retry-After', retryAfter);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Too Many Requests\n');
  };
}
