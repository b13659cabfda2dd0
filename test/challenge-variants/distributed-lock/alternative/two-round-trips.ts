// Alternative: two round trips to acquire (SET NX, then INCR of one global counter), valid from the SET's send time with no confirming compare-and-expire; closure-based leases, a callback-driven acquire with one abort listener, and withLock driven by a single re-armed timer
/**
 * Why two round trips are enough: the key, set at some moment a >= sentAt, lives until at
 * least sentAt + ttl. If the INCR's reply arrives before sentAt + ttl, the INCR was applied
 * inside that interval, while the key was certainly ours: tokens are therefore ordered like
 * the (disjoint) intervals in which leases are held. One global counter gives tokens that
 * increase per resource too (they increase across all resources) and keeps the store bounded.
 */
import { randomUUID } from 'node:crypto';
import type { LockStore } from './store.ts';

export interface Lease {
  readonly resource: string;
  readonly fencingToken: number;
  release(): Promise<boolean>;
  extend(ttlMs?: number): Promise<boolean>;
}

export interface LockOptions {
  ttlMs: number;
  retryDelayMs?: number;
}

export interface AcquireOptions {
  waitMs?: number;
  signal?: AbortSignal;
}

export class LockTimeoutError extends Error {
  constructor(message = 'timed out waiting for the lock', options?: ErrorOptions) {
    super(message, options);
    this.name = 'LockTimeoutError';
  }
}

const TIMER_LIMIT_MS = 2 ** 31 - 1;
const COUNTER_KEY = 'fencing-counter';
const keyOf = (resource: string): string => `lock:${resource}`;

function wholeMs(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1 || value > TIMER_LIMIT_MS) {
    throw new RangeError(`${name}: expected whole milliseconds in [1, ${TIMER_LIMIT_MS}], got ${value}`);
  }
  return value;
}

function stringArg(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected a string`);
  return value;
}

async function bestEffortDelete(store: LockStore, key: string, value: string): Promise<void> {
  await store.compareAndDelete(key, value).catch(() => false);
}

/** What withLock needs to know about a lease, kept out of the public object. */
interface LeaseClock {
  /** Date.now() value from which the lease may no longer be trusted. */
  validUntil(): number;
  ttlMs: number;
}

const clocks = new WeakMap<Lease, LeaseClock>();

function makeLease(store: LockStore, resource: string, value: string, token: number, ttlMs: number, sentAt: number): Lease {
  const key = keyOf(resource);
  let status: 'held' | 'released' | 'lost' = 'held';
  let newestSend = sentAt;
  let validUntil = sentAt + ttlMs;

  const lease: Lease = {
    resource,
    fencingToken: token,
    async release() {
      if (status !== 'held') return false;
      status = 'released';
      try {
        return await store.compareAndDelete(key, value);
      } catch (error) {
        status = 'held';
        throw error;
      }
    },
    async extend(ttl?: number) {
      const newTtl = ttl === undefined ? ttlMs : wholeMs('ttlMs', ttl);
      if (status !== 'held') return false;
      const sent = Date.now();
      const ok = await store.compareAndExpire(key, value, newTtl);
      if (ok && Date.now() < sent + newTtl) {
        if (sent >= newestSend) {
          newestSend = sent;
          validUntil = sent + newTtl;
        }
        return true;
      }
      if (status === 'held') status = 'lost';
      // A late success may have left our key in place for up to newTtl more: free it.
      if (ok) await bestEffortDelete(store, key, value);
      return false;
    },
  };
  clocks.set(lease, { validUntil: () => validUntil, ttlMs });
  return lease;
}

export class DistributedLock {
  readonly #store: LockStore;
  readonly #ttlMs: number;
  readonly #retryDelayMs: number;

  constructor(store: LockStore, options: LockOptions) {
    const methods = ['setIfAbsent', 'compareAndDelete', 'compareAndExpire', 'increment'] as const;
    if (typeof store !== 'object' || store === null || methods.some((m) => typeof (store as unknown as Record<string, unknown>)[m] !== 'function')) {
      throw new TypeError('store: expected a LockStore');
    }
    if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
    this.#store = store;
    this.#ttlMs = wholeMs('ttlMs', options.ttlMs);
    this.#retryDelayMs = options.retryDelayMs === undefined ? 50 : wholeMs('retryDelayMs', options.retryDelayMs);
  }

  async tryAcquire(resource: string): Promise<Lease | null> {
    stringArg('resource', resource);
    const key = keyOf(resource);
    const value = randomUUID();
    const sentAt = Date.now();
    let token: number;
    try {
      if (!(await this.#store.setIfAbsent(key, value, this.#ttlMs))) return null;
      token = await this.#store.increment(COUNTER_KEY);
    } catch (error) {
      await bestEffortDelete(this.#store, key, value);
      throw error;
    }
    if (Date.now() >= sentAt + this.#ttlMs) {
      // The token may have been drawn after our key expired: worthless.
      await bestEffortDelete(this.#store, key, value);
      return null;
    }
    return makeLease(this.#store, resource, value, token, this.#ttlMs, sentAt);
  }

  acquire(resource: string, options: AcquireOptions = {}): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      stringArg('resource', resource);
      if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
      const { waitMs, signal } = options;
      if (waitMs !== undefined) {
        if (typeof waitMs !== 'number') throw new TypeError('waitMs: expected a number');
        if (!(waitMs >= 0) || waitMs === Number.POSITIVE_INFINITY) throw new RangeError(`waitMs: expected a finite number >= 0, got ${waitMs}`);
      }
      if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');
      if (signal?.aborted) throw signal.reason;

      const deadline = waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + waitMs;
      let done = false;
      let pause: ReturnType<typeof setTimeout> | undefined;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(pause);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = (): void => finish(() => reject(signal?.reason));
      const attempt = (): void => {
        pause = undefined;
        this.tryAcquire(resource).then(
          (lease) => {
            if (done) {
              // Aborted meanwhile: give back what this attempt won.
              lease?.release().catch(() => {});
              return;
            }
            if (lease) return finish(() => resolve(lease));
            const left = deadline - Date.now();
            if (left <= 0) return finish(() => reject(new LockTimeoutError(`no lock on ${JSON.stringify(resource)} within ${waitMs} ms`)));
            const half = this.#retryDelayMs / 2;
            pause = setTimeout(attempt, Math.min(half + Math.random() * half, left));
          },
          (error: unknown) => finish(() => reject(error)),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      attempt();
    });
  }
}

export async function withLock<R>(
  lock: DistributedLock,
  resource: string,
  fn: (lease: Lease, signal: AbortSignal) => Promise<R>,
  options?: { waitMs?: number },
): Promise<R> {
  if (!(lock instanceof DistributedLock)) throw new TypeError('lock: expected a DistributedLock');
  stringArg('resource', resource);
  if (typeof fn !== 'function') throw new TypeError('fn: expected a function');
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('options: expected an object');

  const lease = await lock.acquire(resource, options?.waitMs === undefined ? {} : { waitMs: options.waitMs });
  const clock = clocks.get(lease) as LeaseClock;
  const controller = new AbortController();
  const period = clock.ttlMs / 3;
  let nextRenewal = Date.now() + period;
  let inFlight = false;
  let over = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const stop = (reason?: Error): void => {
    clearTimeout(timer);
    timer = undefined;
    if (reason && !over && !controller.signal.aborted) controller.abort(reason);
  };
  // One timer, always set for whichever comes first: the next renewal or the end of validity.
  const schedule = (): void => {
    clearTimeout(timer);
    if (over || controller.signal.aborted) return;
    timer = setTimeout(wake, Math.max(0, Math.min(nextRenewal, clock.validUntil()) - Date.now()));
  };
  const wake = (): void => {
    timer = undefined;
    const now = Date.now();
    if (now >= clock.validUntil()) return stop(new Error(`lease on ${JSON.stringify(resource)} expired before it could be renewed`));
    if (now >= nextRenewal) {
      while (nextRenewal <= now) nextRenewal += period;
      if (!inFlight) {
        inFlight = true;
        lease.extend().then(
          (ok) => {
            inFlight = false;
            if (over) return;
            if (ok) schedule();
            else stop(new Error(`lease on ${JSON.stringify(resource)} was lost`));
          },
          (error: unknown) => {
            inFlight = false;
            if (!over) stop(new Error(`renewing the lease on ${JSON.stringify(resource)} failed`, { cause: error }));
          },
        );
      }
    }
    schedule();
  };
  schedule();

  try {
    return await fn(lease, controller.signal);
  } finally {
    over = true;
    stop();
    await lease.release().catch(() => false);
  }
}
