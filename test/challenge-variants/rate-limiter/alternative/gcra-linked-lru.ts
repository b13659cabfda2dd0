// Alternative: GCRA (one theoretical-arrival time per key, in milli-token units of scaled time) for the bucket, a ring buffer per key for the window, a hand-written linked-list LRU that drops keys in a new key's state before it evicts a live one
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Decision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  resetMs: number;
  limit: number;
}

function check(options: unknown, className: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${className}: options must be an object`);
  return options as Record<string, unknown>;
}

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite`);
  return value;
}

function integer(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = finite(name, value);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} out of range`);
  return n;
}

interface Node<V> {
  key: string;
  value: V;
  prev: Node<V> | undefined;
  next: Node<V> | undefined;
}

/** Doubly linked list, least recently used at `head`, plus a Map from key to node. */
class LinkedLru<V> {
  readonly #nodes = new Map<string, Node<V>>();
  #head: Node<V> | undefined;
  #tail: Node<V> | undefined;
  readonly #maxKeys: number;
  readonly #isFresh: (value: V) => boolean;

  constructor(maxKeys: number, isFresh: (value: V) => boolean) {
    this.#maxKeys = maxKeys;
    this.#isFresh = isFresh;
  }

  get size(): number {
    return this.#nodes.size;
  }

  #unlink(node: Node<V>): void {
    if (node.prev) node.prev.next = node.next;
    else this.#head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.#tail = node.prev;
    node.prev = node.next = undefined;
  }

  #append(node: Node<V>): void {
    node.prev = this.#tail;
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
  }

  #remove(node: Node<V>): void {
    this.#unlink(node);
    this.#nodes.delete(node.key);
  }

  use(key: string, create: () => V): V {
    const found = this.#nodes.get(key);
    if (found) {
      this.#unlink(found);
      this.#append(found);
      return found.value;
    }
    if (this.#nodes.size >= this.#maxKeys) {
      // Keys in a new key's state cost nothing to drop; only then evict a live one.
      for (let node = this.#head; node; ) {
        const next = node.next;
        if (this.#isFresh(node.value)) this.#remove(node);
        node = next;
      }
      if (this.#nodes.size >= this.#maxKeys && this.#head) this.#remove(this.#head);
    }
    const node: Node<V> = { key, value: create(), prev: undefined, next: undefined };
    this.#nodes.set(key, node);
    this.#append(node);
    return node.value;
  }
}

/**
 * GCRA. Time is scaled by the rate: u(t) = (t − epoch) × refillPerSecond, so
 * one token is 1000 units and a take of `cost` pushes the key's theoretical
 * arrival time `tat` by cost × 1000. The bucket holds
 * capacity − (max(tat, u) − u) / 1000 tokens, and is full once u >= tat.
 */
export class TokenBucketLimiter {
  readonly #capacity: number;
  readonly #rate: number;
  readonly #epoch = Date.now();
  readonly #keys: LinkedLru<{ tat: number }>;

  constructor(options: { capacity: number; refillPerSecond: number; maxKeys?: number }) {
    const o = check(options, 'TokenBucketLimiter');
    this.#capacity = integer('capacity', o.capacity, 1);
    const rate = finite('refillPerSecond', o.refillPerSecond);
    if (rate <= 0) throw new RangeError('refillPerSecond must be greater than 0');
    this.#rate = rate;
    this.#keys = new LinkedLru(o.maxKeys === undefined ? Infinity : integer('maxKeys', o.maxKeys, 1), (state) => state.tat <= this.#u(Date.now()));
  }

  get size(): number {
    return this.#keys.size;
  }

  #u(t: number): number {
    return (t - this.#epoch) * this.#rate;
  }

  /** Milliseconds from `now` until u reaches `goal`, by the same product that decides. */
  #until(goal: number, now: number): number {
    let k = Math.ceil(goal / this.#rate);
    while (k * this.#rate < goal) k++;
    while ((k - 1) * this.#rate >= goal) k--;
    return Math.max(0, this.#epoch + k - now);
  }

  take(key: string, cost = 1): Decision {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    integer('cost', cost, 1, this.#capacity);
    const now = Date.now();
    const u = this.#u(now);
    const state = this.#keys.use(key, () => ({ tat: u }));
    const start = Math.max(state.tat, u);
    const allowed = start - u <= (this.#capacity - cost) * 1000;
    if (allowed) state.tat = start + cost * 1000;
    const owed = Math.max(state.tat, u) - u;
    return {
      allowed,
      remaining: Math.floor((this.#capacity * 1000 - owed) / 1000),
      retryAfterMs: allowed ? 0 : this.#until(state.tat - (this.#capacity - cost) * 1000, now),
      resetMs: this.#until(state.tat, now),
      limit: this.#capacity,
    };
  }
}

interface Ring {
  times: number[];
  start: number;
  count: number;
}

export class SlidingWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #keys: LinkedLru<Ring>;

  constructor(options: { limit: number; windowMs: number; maxKeys?: number }) {
    const o = check(options, 'SlidingWindowLimiter');
    this.#limit = integer('limit', o.limit, 1);
    this.#windowMs = integer('windowMs', o.windowMs, 1);
    this.#keys = new LinkedLru(o.maxKeys === undefined ? Infinity : integer('maxKeys', o.maxKeys, 1), (ring) => {
      if (ring.count === 0) return true;
      const newest = ring.times[(ring.start + ring.count - 1) % this.#limit] as number;
      return newest <= Date.now() - this.#windowMs;
    });
  }

  get size(): number {
    return this.#keys.size;
  }

  take(key: string): Decision {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    const now = Date.now();
    const ring = this.#keys.use(key, () => ({ times: [], start: 0, count: 0 }));
    const at = (i: number) => ring.times[(ring.start + i) % this.#limit] as number;
    while (ring.count > 0 && at(0) <= now - this.#windowMs) {
      ring.start = (ring.start + 1) % this.#limit;
      ring.count--;
    }
    const allowed = ring.count < this.#limit;
    if (allowed) {
      ring.times[(ring.start + ring.count) % this.#limit] = now;
      ring.count++;
    }
    return {
      allowed,
      remaining: this.#limit - ring.count,
      retryAfterMs: allowed ? 0 : at(0) + this.#windowMs - now,
      resetMs: at(ring.count - 1) + this.#windowMs - now,
      limit: this.#limit,
    };
  }
}

export function rateLimit(
  limiter: { take(key: string): Decision },
  keyOf: (req: IncomingMessage) => string,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  if (typeof limiter?.take !== 'function') throw new TypeError('limiter must have a take method');
  if (typeof keyOf !== 'function') throw new TypeError('keyOf must be a function');
  return (req, res, next) => {
    const { allowed, limit, remaining, retryAfterMs, resetMs } = limiter.take(keyOf(req));
    const headers: Record<string, string> = {
      'RateLimit-Limit': `${limit}`,
      'RateLimit-Remaining': `${remaining}`,
      'RateLimit-Reset': `${Math.ceil((allowed ? resetMs : retryAfterMs) / 1000)}`,
    };
    if (allowed) {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      next();
      return;
    }
    res.writeHead(429, { ...headers, 'Retry-After': headers['RateLimit-Reset'] as string, 'Content-Type': 'text/plain' });
    res.end('Too Many Requests\n');
  };
}
