// Wrong: withLock settles without waiting for the release to settle
/**
 * A lease-based lock on a single store (one Redis server), with fencing tokens.
 *
 * Safety rests on three facts, each enforced below:
 * 1. Every acquisition writes a value nobody else can know (a random UUID), so a lease can
 *    only ever release or extend its own key, never the next holder's.
 * 2. The fencing token is drawn while the key is held: SET NX, then INCR, then a
 *    compare-and-expire that proves the key was still ours after the INCR. Two leases are
 *    therefore held over disjoint intervals, and their tokens are ordered like them.
 * 3. A lease is only trusted while it is still valid by the client's own clock: validity
 *    runs from when the last successful TTL-setting call was *sent*, and a reply (of the
 *    acquiring compare-and-expire, or of an extend) that arrives after the TTL it set has
 *    run out is worthless: another client may already hold the lock.
 *
 * Time is read only with Date.now() and waited on only with the global timers, so that
 * tests can drive it with node:test's mock.timers.
 */
import { randomUUID } from 'node:crypto';
import type { LockStore } from './store.ts';

export interface Lease {
  readonly resource: string;
  /** Strictly increasing per resource, across all acquisitions by every client. */
  readonly fencingToken: number;
  /** false if the lease had already been lost; never removes another owner's lock. */
  release(): Promise<boolean>;
  /** Sets the remaining time to `ttlMs` (default: the lock's) from now; false if the lease was lost. */
  extend(ttlMs?: number): Promise<boolean>;
}

export interface LockOptions {
  /** How long a lock lives in the store unless extended, in whole milliseconds (>= 1). */
  ttlMs: number;
  /** Upper bound of the random pause between two attempts of `acquire`; default 50. */
  retryDelayMs?: number;
}

export interface AcquireOptions {
  /** Give up after this many milliseconds (0: one attempt). Default: wait until acquired or aborted. */
  waitMs?: number;
  signal?: AbortSignal;
}

export class LockTimeoutError extends Error {
  constructor(message = 'timed out waiting for the lock', options?: ErrorOptions) {
    super(message, options);
    this.name = 'LockTimeoutError';
  }
}

const DEFAULT_RETRY_DELAY_MS = 50;
/**
 * The longest delay Node's timers support. Above it, setTimeout fires after 1 ms (with a
 * TimeoutOverflowWarning): a TTL or pause beyond it would turn withLock's deadline, or
 * acquire's pause, into an immediate one.
 */
const MAX_TIMER_MS = 2_147_483_647;

// Different prefixes keep every lock key apart from every counter key, whatever the
// resource name: no resource "x:fence" can collide with the counter of resource "x".
const lockKey = (resource: string): string => `lock:${resource}`;
const fenceKey = (resource: string): string => `fence:${resource}`;

function checkResource(resource: unknown): asserts resource is string {
  if (typeof resource !== 'string') throw new TypeError('resource must be a string');
}

/** TTLs and retryDelayMs: whole milliseconds from 1 (Redis's PX) to MAX_TIMER_MS (Node's timers). */
function checkWholeMs(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${value}`);
  }
}

function checkWaitMs(value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new TypeError('waitMs must be a number');
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`waitMs must be a finite number >= 0, got ${value}`);
  }
}

function isLockStore(store: unknown): store is LockStore {
  if (typeof store !== 'object' || store === null) return false;
  const candidate = store as Record<string, unknown>;
  return ['setIfAbsent', 'compareAndDelete', 'compareAndExpire', 'increment'].every(
    (method) => typeof candidate[method] === 'function',
  );
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      // Remove the listener: a long-lived signal shared by many acquires must not
      // accumulate one listener per retry.
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Best-effort removal of a key this client may own; safe because it compares the value. */
async function discard(store: LockStore, key: string, value: string): Promise<void> {
  try {
    await store.compareAndDelete(key, value);
  } catch {
    // The key expires on its own within ttlMs; the caller's outcome matters more.
  }
}

class LeaseImpl implements Lease {
  readonly resource: string;
  readonly fencingToken: number;
  readonly #store: LockStore;
  readonly #key: string;
  readonly #value: string;
  readonly #ttlMs: number;
  /** End of validity by this client's clock: when the last successful call was sent, plus its TTL. */
  #validUntil: number;
  /** Send time of the call that set #validUntil, so that out-of-order replies never move it back. */
  #validSince: number;
  #state: 'held' | 'released' | 'lost' = 'held';

  constructor(store: LockStore, resource: string, key: string, value: string, token: number, ttlMs: number, sentAt: number) {
    this.#store = store;
    this.resource = resource;
    this.#key = key;
    this.#value = value;
    this.fencingToken = token;
    this.#ttlMs = ttlMs;
    this.#validSince = sentAt;
    this.#validUntil = sentAt + ttlMs;
  }

  /** For withLock: when this lease stops being safe to rely on. */
  static validUntil(lease: LeaseImpl): number {
    return lease.#validUntil;
  }

  /** For withLock: the lock's TTL, which sets the renewal period. */
  static ttlOf(lease: LeaseImpl): number {
    return lease.#ttlMs;
  }

  async release(): Promise<boolean> {
    if (this.#state !== 'held') return false;
    // Mark it before the await so that a concurrent second release answers false.
    this.#state = 'released';
    try {
      return await this.#store.compareAndDelete(this.#key, this.#value);
    } catch (error) {
      // We cannot know whether the delete happened: keep the lease releasable so that the
      // caller may retry (a retry is safe, the delete compares the value).
      this.#state = 'held';
      throw error;
    }
  }

  async extend(ttlMs: number = this.#ttlMs): Promise<boolean> {
    checkWholeMs('ttlMs', ttlMs);
    if (this.#state !== 'held') return false;
    // The store may apply the call as late as the reply arrives, but no earlier than now:
    // counting validity from the send time is the conservative choice.
    const sentAt = Date.now();
    const extended = await this.#store.compareAndExpire(this.#key, this.#value, ttlMs);
    if (!extended) {
      if (this.#state === 'held') this.#state = 'lost';
      return false;
    }
    if (Date.now() - sentAt >= ttlMs) {
      // The same rule as tryAcquire's: the store may have applied the call as early as
      // sentAt, so by now the key may have expired and another client may hold the lock.
      // The lease cannot be trusted any more; free the key in case it is still ours.
      if (this.#state === 'held') this.#state = 'lost';
      await discard(this.#store, this.#key, this.#value);
      return false;
    }
    if (sentAt >= this.#validSince) {
      this.#validSince = sentAt;
      this.#validUntil = sentAt + ttlMs;
    }
    return true;
  }
}

export class DistributedLock {
  readonly #store: LockStore;
  readonly #ttlMs: number;
  readonly #retryDelayMs: number;

  constructor(store: LockStore, options: LockOptions) {
    if (!isLockStore(store)) throw new TypeError('store must implement LockStore');
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    checkWholeMs('ttlMs', options.ttlMs);
    const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    checkWholeMs('retryDelayMs', retryDelayMs);
    this.#store = store;
    this.#ttlMs = options.ttlMs;
    this.#retryDelayMs = retryDelayMs;
  }

  async tryAcquire(resource: string): Promise<Lease | null> {
    checkResource(resource);
    return this.#attempt(resource);
  }

  async acquire(resource: string, options: AcquireOptions = {}): Promise<Lease> {
    checkResource(resource);
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const { waitMs, signal } = options;
    if (waitMs !== undefined) checkWaitMs(waitMs);
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
    signal?.throwIfAborted();

    const deadline = waitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + waitMs;
    for (;;) {
      // A store error propagates from here: "could not ask" must never read as "taken".
      const lease = await this.#attemptUnlessAborted(resource, signal);
      if (lease !== null) return lease;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new LockTimeoutError(`timed out after ${waitMs} ms waiting for ${JSON.stringify(resource)}`);
      // Jitter keeps contending clients from retrying in lockstep; the clamp makes the
      // last attempt land exactly on the deadline.
      const half = this.#retryDelayMs / 2;
      await sleep(Math.min(Math.ceil(half + Math.random() * half), remaining), signal);
    }
  }

  /**
   * One attempt. Resolves null when the resource is held, or when the lock was won too late
   * to be of use; rejects on a store error, after trying to remove what it may have set.
   */
  async #attempt(resource: string): Promise<LeaseImpl | null> {
    const key = lockKey(resource);
    const value = randomUUID();
    try {
      if (!(await this.#store.setIfAbsent(key, value, this.#ttlMs))) return null;
      const token = await this.#store.increment(fenceKey(resource));
      // The INCR above may have waited while our key expired and someone else took the
      // lock and a lower token. Re-confirming ownership after the INCR rules that out: if
      // the key still holds our value, it was ours without a gap since the SET.
      const sentAt = Date.now();
      if (!(await this.#store.compareAndExpire(key, value, this.#ttlMs))) return null;
      if (Date.now() - sentAt >= this.#ttlMs) {
        // The confirmation came back after the TTL it set: another client may hold the lock.
        await discard(this.#store, key, value);
        return null;
      }
      return new LeaseImpl(this.#store, resource, key, value, token, this.#ttlMs, sentAt);
    } catch (error) {
      // The failed call may still have been applied; don't leave the key blocking others
      // for a whole TTL when one compare-and-delete can free it.
      await discard(this.#store, key, value);
      throw error;
    }
  }

  /**
   * An attempt that gives way to an abort at once, even while a store call is in flight.
   * The attempt itself cannot be cancelled, so if it still wins the lock after the abort,
   * the lease is released instead of leaking until its TTL.
   */
  #attemptUnlessAborted(resource: string, signal: AbortSignal | undefined): Promise<LeaseImpl | null> {
    const attempt = this.#attempt(resource);
    if (signal === undefined) return attempt;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        attempt.then((lease) => lease?.release()).catch(() => {});
      };
      signal.addEventListener('abort', onAbort, { once: true });
      attempt.then(
        (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

/**
 * Runs `fn` while holding the lock on `resource`, keeping the lease alive every ttlMs / 3.
 * `fn`'s signal aborts as soon as the lease can no longer be trusted; `fn` should stop
 * writing then, and the protected resource should check the fencing token regardless.
 */
export async function withLock<R>(
  lock: DistributedLock,
  resource: string,
  fn: (lease: Lease, signal: AbortSignal) => Promise<R>,
  options?: { waitMs?: number },
): Promise<R> {
  if (!(lock instanceof DistributedLock)) throw new TypeError('lock must be a DistributedLock');
  checkResource(resource);
  if (typeof fn !== 'function') throw new TypeError('fn must be a function');
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError('options must be an object');
  }

  // Every lease a DistributedLock hands out is a LeaseImpl.
  const waitMs = options?.waitMs;
  const lease = (await lock.acquire(resource, waitMs === undefined ? {} : { waitMs })) as LeaseImpl;
  const controller = new AbortController();
  let finished = false;
  let extending = false;
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;

  const stopTimers = (): void => {
    clearInterval(renewTimer);
    clearTimeout(deadlineTimer);
  };
  const lose = (reason: Error): void => {
    if (finished || controller.signal.aborted) return;
    stopTimers();
    controller.abort(reason);
  };
  // Validity is counted from when the last successful call was *sent*: the store may have
  // applied it at any moment after that, so later would overstate the time left.
  const armDeadline = (): void => {
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(
      () => lose(new Error(`the lease on ${JSON.stringify(resource)} ran out before an extend succeeded`)),
      Math.max(0, LeaseImpl.validUntil(lease) - Date.now()),
    );
  };
  const renewTimer = setInterval(() => {
    // One extend in flight at a time: if the store hangs, piling up calls does not help,
    // and the deadline timer fires regardless.
    if (extending) return;
    extending = true;
    lease.extend().then(
      (extended) => {
        extending = false;
        if (finished || controller.signal.aborted) return;
        if (extended) armDeadline();
        else lose(new Error(`the lease on ${JSON.stringify(resource)} was lost`));
      },
      (error: unknown) => {
        extending = false;
        lose(new Error(`could not extend the lease on ${JSON.stringify(resource)}`, { cause: error }));
      },
    );
  }, LeaseImpl.ttlOf(lease) / 3);
  armDeadline();

  try {
    return await fn(lease, controller.signal);
  } finally {
    finished = true;
    stopTimers();
    try {
      void lease.release().catch(() => {});
    } catch {
      // fn's outcome is what the caller asked for; an unreleased key expires within ttlMs.
    }
  }
}
