/**
 * connection-pool: a bounded, fair pool of expensive resources (database connections,
 * sockets...). Replace every `throw new Error('Not implemented')` with your implementation.
 *
 * Rules (see README.md for the full statement):
 * - Read time only with Date.now() and wait only with the global setTimeout, setInterval,
 *   clearTimeout and clearInterval: the tests drive time with node:test's mock timers.
 * - Promise-returning methods reject on invalid arguments; the constructor and release()
 *   throw. A wrong type is a TypeError; a number that is not finite, not whole where a whole
 *   number is needed, or out of range is a RangeError.
 */

/** Creates, destroys and (optionally) checks the resources the pool manages. */
export interface Factory<T> {
  create(): Promise<T>;
  destroy(resource: T): Promise<void>;
  /** Called only before an idle resource is handed out, never on a new one. */
  validate?(resource: T): Promise<boolean>;
}

export interface PoolOptions {
  max: number;               // >= 1
  min?: number;              // 0..max, default 0: created at start, kept when idle
  acquireTimeoutMs?: number; // default: wait forever
  idleTimeoutMs?: number;    // idle resources above `min` are destroyed after this
  maxWaiting?: number;       // more waiters than this: acquire rejects at once
}

/** An acquire waited `acquireTimeoutMs` without being served. */
export class PoolTimeoutError extends Error {
  constructor(message = 'Timed out waiting for a pool resource', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolTimeoutError';
  }
}

/** The pool is draining or drained. */
export class PoolClosedError extends Error {
  constructor(message = 'The pool is closed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolClosedError';
  }
}

/** `maxWaiting` acquires already wait. */
export class PoolQueueFullError extends Error {
  constructor(message = 'Too many acquires are already waiting', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolQueueFullError';
  }
}

export class Pool<T> {
  /**
   * Validates every argument before any side effect, then starts `min` creates.
   * @throws {TypeError} if the factory lacks create/destroy, or an option has the wrong type.
   * @throws {RangeError} if an option is out of range (max < 1, min > max, negative timeout...).
   */
  constructor(factory: Factory<T>, options: PoolOptions) {
    throw new Error('Not implemented');
  }

  /**
   * Borrows a resource. Served at once from an idle resource (the most recently released
   * first, validated first if the factory has `validate`); otherwise waits, first come, first
   * served, and a create is started for it while `size < max`.
   *
   * Rejects with `PoolTimeoutError` after `acquireTimeoutMs`, with `signal.reason` when the
   * signal aborts (at once if it is already aborted), with `PoolQueueFullError` when it would
   * have to wait while `maxWaiting` acquires already wait, with `PoolClosedError` once
   * `drain()` was called, and with the factory's error when the create made for it fails.
   */
  acquire(options?: { signal?: AbortSignal }): Promise<T> {
    throw new Error('Not implemented');
  }

  /**
   * Returns a borrowed resource: it goes to the oldest waiting acquire, or becomes idle.
   * @throws {Error} if the resource is not currently borrowed from this pool.
   */
  release(resource: T): void {
    throw new Error('Not implemented');
  }

  /**
   * Destroys a borrowed resource that was found broken; its slot is freed once
   * `factory.destroy` settles. Rejects if the resource is not currently borrowed.
   */
  destroy(resource: T): Promise<void> {
    throw new Error('Not implemented');
  }

  /** Acquires a resource, runs `fn` with it, and always releases it. */
  use<R>(fn: (resource: T) => Promise<R>): Promise<R> {
    throw new Error('Not implemented');
  }

  /**
   * Rejects new and waiting acquires with `PoolClosedError`, waits for every borrowed
   * resource to come back, destroys every resource, then resolves. Calling it again returns
   * the same promise.
   */
  drain(): Promise<void> {
    throw new Error('Not implemented');
  }

  /** Every resource from its create() call until its destroy() settles. */
  get size(): number {
    throw new Error('Not implemented');
  }

  /** Idle resources. */
  get available(): number {
    throw new Error('Not implemented');
  }

  /** Resources currently borrowed. */
  get borrowed(): number {
    throw new Error('Not implemented');
  }

  /** Acquires waiting. */
  get pending(): number {
    throw new Error('Not implemented');
  }
}
