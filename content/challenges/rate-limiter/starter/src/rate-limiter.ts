import type { IncomingMessage, ServerResponse } from 'node:http';

// Rules for this file (the tests depend on them):
// - Read time only with Date.now(); wait, if you must, only with the global
//   setTimeout/setInterval/clearTimeout/clearInterval. No node:timers imports,
//   no performance.now(), no AbortSignal.timeout().
// - Bad arguments: a wrong type is a TypeError; a number that is not finite,
//   not whole where a whole number is needed, or out of range is a RangeError.
// - The statement (README.md) is the full contract; the comments below are a summary.

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

/**
 * A token bucket per key.
 *
 * - A new key starts full (`capacity` tokens).
 * - On each take: `tokens = min(capacity, tokens + elapsedMs × refillPerSecond / 1000)`;
 *   fractions of a token accumulate, exactly: with capacity 1 and 10 tokens/s,
 *   a client taking every 10 ms is allowed at 100 ms, 200 ms, ... (100 times in 10 s).
 * - A take of `cost` tokens is allowed when at least `cost` tokens are there.
 *   A denied take consumes nothing, and its
 *   `retryAfterMs = ceil((cost − tokens) × 1000 / refillPerSecond)`.
 * - `remaining` is `floor(tokens)` after the call;
 *   `resetMs = ceil((capacity − tokens) × 1000 / refillPerSecond)` after the call.
 * - Every take, allowed or denied, makes its key the most recently used. A key
 *   whose bucket is full may be forgotten at any time; any other key stays
 *   until `maxKeys` drops it: when a new key would exceed `maxKeys`, the least
 *   recently used key is dropped.
 */
export class TokenBucketLimiter {
  /**
   * @param options.capacity        the bucket size: a whole number >= 1
   * @param options.refillPerSecond tokens added per second: a finite number > 0 (0 is a RangeError)
   * @param options.maxKeys         at most this many keys are tracked (a whole number >= 1; default: no bound)
   * @throws {TypeError}  options, or one of them, of the wrong type
   * @throws {RangeError} a number that is not finite, not whole where needed, or out of range
   */
  constructor(options: { capacity: number; refillPerSecond: number; maxKeys?: number }) {
    throw new Error('Not implemented');
  }

  /** Keys currently tracked. */
  get size(): number {
    throw new Error('Not implemented');
  }

  /**
   * Takes `cost` tokens for `key` if they are there.
   * @param key  any string
   * @param cost a whole number from 1 to capacity; defaults to 1
   * @throws {TypeError}  key not a string, or cost not a number
   * @throws {RangeError} cost not a whole number from 1 to capacity
   */
  take(key: string, cost?: number): Decision {
    throw new Error('Not implemented');
  }
}

/**
 * An exact sliding-window log per key.
 *
 * - A take at time t counts the allowed takes at times s with
 *   `t − windowMs < s ≤ t`; it is allowed when fewer than `limit` are counted.
 * - Denied takes are not recorded.
 * - When denied, `retryAfterMs = (oldest counted s) + windowMs − t`.
 * - `remaining` is `limit − counted` after the call; `resetMs` is
 *   (newest counted s) + windowMs − t after the call.
 * - Every take, allowed or denied, makes its key the most recently used. A key
 *   whose window counts no take may be forgotten at any time; any other key
 *   stays until `maxKeys` drops it: when a new key would exceed `maxKeys`, the
 *   least recently used key is dropped.
 */
export class SlidingWindowLimiter {
  /**
   * @param options.limit    allowed takes per window: a whole number >= 1
   * @param options.windowMs the window length: a whole number of milliseconds >= 1 (0 is a RangeError)
   * @param options.maxKeys  at most this many keys are tracked (a whole number >= 1; default: no bound)
   * @throws {TypeError}  options, or one of them, of the wrong type
   * @throws {RangeError} a number that is not finite, not whole where needed, or out of range
   */
  constructor(options: { limit: number; windowMs: number; maxKeys?: number }) {
    throw new Error('Not implemented');
  }

  /** Keys currently tracked. */
  get size(): number {
    throw new Error('Not implemented');
  }

  /**
   * Records and allows a take for `key` if the window has room.
   * @throws {TypeError} key not a string
   */
  take(key: string): Decision {
    throw new Error('Not implemented');
  }
}

/**
 * Connect-style middleware: one `limiter.take(keyOf(req))` per request.
 *
 * - Sets `RateLimit-Limit` and `RateLimit-Remaining` from the decision, and
 *   `RateLimit-Reset`, on every response, 429s included (draft-ietf-httpapi-ratelimit-headers-06).
 * - Allowed: `RateLimit-Reset` is resetMs in whole seconds (rounded up); calls `next()`.
 * - Denied: answers 429 with `Retry-After` in whole seconds (rounded up),
 *   `RateLimit-Reset` equal to it, and does not call `next()`.
 *
 * @throws {TypeError} limiter without a take method, or keyOf not a function
 */
export function rateLimit(
  limiter: { take(key: string): Decision },
  keyOf: (req: IncomingMessage) => string,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  throw new Error('Not implemented');
}
