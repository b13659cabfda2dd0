/**
 * A lease-based distributed lock with fencing tokens, built on the LockStore in store.ts.
 *
 * Rules: read time only with Date.now() and wait only with the global setTimeout,
 * setInterval, clearTimeout and clearInterval (no node:timers, no AbortSignal.timeout, no
 * performance.now): the tests drive time with node:test's mock.timers.
 * Methods that return a promise reject on bad arguments (TypeError for a wrong type,
 * RangeError for a number out of range); constructors throw.
 */
import type { LockStore } from './store.ts';

export interface Lease {
  readonly resource: string;
  /** Strictly increasing per resource, across all acquisitions by every client. */
  readonly fencingToken: number;
  /**
   * Removes the lock if this lease still owns it. Resolves false if the lease had already
   * been lost (expired, taken over) or released; never removes another owner's lock.
   */
  release(): Promise<boolean>;
  /**
   * Sets the lease's remaining time to `ttlMs` (default: the lock's ttlMs) from now.
   * Resolves false if the lease was lost or released, or if the reply arrives `ttlMs` or
   * more after the call was sent (too late: the key may be gone). Once it has resolved
   * false, the lease is lost for good.
   */
  extend(ttlMs?: number): Promise<boolean>;
}

export interface LockOptions {
  /** How long a lock lives in the store unless extended: whole milliseconds from 1 to 2_147_483_647. */
  ttlMs: number;
  /**
   * Upper bound of the random pause between two attempts of `acquire` (default 50): whole
   * milliseconds from 1 to 2_147_483_647 (the longest delay Node's timers support).
   */
  retryDelayMs?: number;
}

export interface AcquireOptions {
  /** Give up after this many milliseconds (0 means one attempt). Default: wait until acquired or aborted. */
  waitMs?: number;
  /** Aborting it makes `acquire` reject with `signal.reason`. */
  signal?: AbortSignal;
}

/** `acquire` (and `withLock`) could not get the lock within `waitMs`. */
export class LockTimeoutError extends Error {
  constructor(message = 'timed out waiting for the lock', options?: ErrorOptions) {
    super(message, options);
    this.name = 'LockTimeoutError';
  }
}

export class DistributedLock {
  /**
   * @param store   the shared store; every client of a resource must use the same one.
   * @param options `ttlMs` and `retryDelayMs` (default 50), both whole milliseconds from 1 to 2_147_483_647.
   * @throws TypeError / RangeError on bad arguments.
   */
  constructor(store: LockStore, options: LockOptions) {
    throw new Error('Not implemented');
  }

  /**
   * One attempt: a lease if the resource was free, null if it is held (by anyone, this
   * instance included: the lock is not re-entrant) or if the lock was won too late (at or
   * after ttlMs from when the last call that set the key's TTL was sent). Rejects on a
   * store error.
   */
  tryAcquire(resource: string): Promise<Lease | null> {
    throw new Error('Not implemented');
  }

  /**
   * Attempts until it gets the lock. Without `waitMs` it waits until then or until the
   * signal aborts (rejecting with `signal.reason`); `waitMs: 0` means one attempt. Between
   * attempts it waits a random time from retryDelayMs / 2 to retryDelayMs, never past the
   * deadline, and makes one last attempt at the deadline before rejecting with
   * LockTimeoutError. Store errors are rejections.
   */
  acquire(resource: string, options?: AcquireOptions): Promise<Lease> {
    throw new Error('Not implemented');
  }
}

/**
 * Acquires the lock (waiting up to `options.waitMs`), runs `fn`, and always releases.
 * While `fn` runs, the lease is extended every ttlMs / 3; the signal given to `fn` aborts
 * when an extend returns false or rejects, or when the lease's validity ends: ttlMs after
 * the last successful TTL-setting call (of the acquisition or of an extend) was sent. Settles with `fn`'s result or error once the
 * release attempt has settled; a failing release never hides `fn`'s outcome.
 */
export function withLock<R>(
  lock: DistributedLock,
  resource: string,
  fn: (lease: Lease, signal: AbortSignal) => Promise<R>,
  options?: { waitMs?: number },
): Promise<R> {
  throw new Error('Not implemented');
}
