// Wrong: maxWaiting is checked only when the pool is at max, so an acquire that must wait for a new create is never shed
/**
 * A bounded, fair pool of expensive resources: database connections, TLS sockets, worker
 * handles. Reference solution of the `connection-pool` challenge.
 *
 * The whole design rests on one rule: every resource is in exactly one state, and `size`
 * counts all of them.
 *
 *     creating ──► idle ◄──► borrowed
 *        │          │           │
 *        │          ▼           │
 *        │      validating      │
 *        ▼          ▼           ▼
 *      (failed)  destroying ◄───┘──► gone
 *
 * `size` = creating + idle + validating + borrowed + destroying. A slot is taken
 * synchronously, before `factory.create()` is even called, and given back only when
 * `factory.destroy()` has settled, so no interleaving of awaits can ever push the number of
 * live resources past `max`.
 *
 * Waiters and resources are matched in one place, `#dispatch()`, in two separate steps. The
 * FIFO queue of waiting acquires is first served from the idle resources, which are already
 * paid for: an idle resource is never held back because a create is in flight, since that
 * create may be slow or fail. Only the waiters still left with nothing on its way to them (no
 * validation, no create) then get a create each, while `size < max`.
 * A create or validation is never bound to the acquire that caused it: whatever resource
 * turns up goes to the oldest waiter still in the queue. That is what keeps the queue fair
 * when creates finish out of order, and what makes an abandoned acquire harmless (its
 * resource simply goes to the next waiter, or to the idle stack).
 *
 * Time is read only through the global timers, so tests can drive it with mock timers.
 */

export interface Factory<T> {
  create(): Promise<T>;
  destroy(resource: T): Promise<void>;
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

/** The pool is draining or drained: it hands out nothing any more. */
export class PoolClosedError extends Error {
  constructor(message = 'The pool is closed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolClosedError';
  }
}

/** `maxWaiting` acquires already wait: shed load now rather than queue without bound. */
export class PoolQueueFullError extends Error {
  constructor(message = 'Too many acquires are already waiting', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolQueueFullError';
  }
}

/**
 * setTimeout turns any delay above 2^31 - 1 ms into 1 ms (Node.js timers documentation), so
 * a larger timeout would silently fire at once. Reject it instead.
 */
const MAX_TIMER_MS = 2_147_483_647;

type Timer = ReturnType<typeof setTimeout>;

/**
 * One borrowing of a resource. The same resource is lent many times over its life; the pool
 * tells the loans apart so that `use()` can end its own loan and never a later one.
 */
interface Loan<T> {
  readonly resource: T;
}

interface Waiter<T> {
  readonly resolve: (loan: Loan<T>) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timer: Timer | undefined;
  // Intrusive list links: a waiter that times out or is aborted leaves the queue in O(1).
  // Under overload thousands of waiters time out together; with an array and splice()
  // that is quadratic, with tombstones it is unbounded memory.
  prev: Waiter<T> | undefined;
  next: Waiter<T> | undefined;
  queued: boolean;
}

interface IdleEntry<T> {
  readonly resource: T;
  timer: Timer | undefined;
}

/** FIFO queue of waiting acquires with O(1) push, shift and removal from the middle. */
class WaitQueue<T> {
  #head: Waiter<T> | undefined;
  #tail: Waiter<T> | undefined;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(waiter: Waiter<T>): void {
    waiter.prev = this.#tail;
    waiter.next = undefined;
    if (this.#tail === undefined) this.#head = waiter;
    else this.#tail.next = waiter;
    this.#tail = waiter;
    waiter.queued = true;
    this.#length++;
  }

  shift(): Waiter<T> | undefined {
    const waiter = this.#head;
    if (waiter !== undefined) this.remove(waiter);
    return waiter;
  }

  remove(waiter: Waiter<T>): void {
    if (!waiter.queued) return;
    if (waiter.prev === undefined) this.#head = waiter.next;
    else waiter.prev.next = waiter.next;
    if (waiter.next === undefined) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    waiter.queued = false;
    this.#length--;
  }
}

function noop(): void {}

function wholeNumber(value: unknown, name: string, low: number, high: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new RangeError(`${name} must be a whole number from ${low} to ${high}, got ${value}`);
  }
  return value;
}

function duration(value: unknown, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be from 0 to ${MAX_TIMER_MS} ms, got ${value}`);
  }
  return value;
}

/**
 * Calls a factory method and turns a synchronous throw into a rejection, so that a factory
 * written in plain JavaScript cannot leak a slot by throwing before it returns a promise.
 */
function attempt<R>(call: () => R | Promise<R>): Promise<R> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

export class Pool<T> {
  readonly #factory: Factory<T>;
  readonly #max: number;
  readonly #min: number;
  readonly #acquireTimeoutMs: number | undefined;
  readonly #idleTimeoutMs: number | undefined;
  readonly #maxWaiting: number;

  /** Idle resources as a stack: the last entry is the most recently released. */
  readonly #idle: IdleEntry<T>[] = [];
  /** Borrowed resources, each with its current loan. */
  readonly #borrowed = new Map<T, Loan<T>>();
  readonly #waiters = new WaitQueue<T>();

  #size = 0;
  #creating = 0;
  #validating = 0;
  #destroying = 0;

  #closed = false;
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;

  /**
   * @throws {TypeError} if the factory lacks `create`/`destroy` or an option has the wrong type.
   * @throws {RangeError} if an option is out of range.
   */
  constructor(factory: Factory<T>, options: PoolOptions) {
    // Validate everything before the first side effect: a rejected configuration must not
    // have opened connections behind the caller's back.
    if (
      typeof factory !== 'object' || factory === null ||
      typeof factory.create !== 'function' || typeof factory.destroy !== 'function'
    ) {
      throw new TypeError('factory must be an object with create() and destroy() methods');
    }
    if (factory.validate !== undefined && typeof factory.validate !== 'function') {
      throw new TypeError('factory.validate must be a function when given');
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options must be an object');
    }
    const max = wholeNumber(options.max, 'max', 1, Number.MAX_SAFE_INTEGER);
    this.#max = max;
    this.#min = options.min === undefined ? 0 : wholeNumber(options.min, 'min', 0, max);
    this.#acquireTimeoutMs =
      options.acquireTimeoutMs === undefined ? undefined : duration(options.acquireTimeoutMs, 'acquireTimeoutMs');
    this.#idleTimeoutMs =
      options.idleTimeoutMs === undefined ? undefined : duration(options.idleTimeoutMs, 'idleTimeoutMs');
    this.#maxWaiting =
      options.maxWaiting === undefined
        ? Number.POSITIVE_INFINITY
        : wholeNumber(options.maxWaiting, 'maxWaiting', 0, Number.MAX_SAFE_INTEGER);
    this.#factory = factory;

    this.#fillToMin();
  }

  /** Every resource from its `create()` call until its `destroy()` settles. */
  get size(): number {
    return this.#size;
  }

  /** Idle resources, ready to hand out. */
  get available(): number {
    return this.#idle.length;
  }

  get borrowed(): number {
    return this.#borrowed.size;
  }

  /**
   * Acquires waiting for a resource. An acquire whose idle resource is being validated is
   * being served, not waiting, so it is not counted.
   */
  get pending(): number {
    return Math.max(0, this.#waiters.length - this.#validating);
  }

  /**
   * Borrows a resource: an idle one at once (the most recently released), otherwise the next
   * one released or created, in first-come, first-served order.
   *
   * Rejects with `PoolTimeoutError` after `acquireTimeoutMs`, with `signal.reason` when the
   * signal aborts, with `PoolQueueFullError` when `maxWaiting` acquires already wait, with
   * `PoolClosedError` once `drain()` was called.
   */
  acquire(options?: { signal?: AbortSignal }): Promise<T> {
    return this.#acquire(options).then((loan) => loan.resource);
  }

  #acquire(options: { signal?: AbortSignal } | undefined): Promise<Loan<T>> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) {
        return Promise.reject(new TypeError('options must be an object'));
      }
      signal = options.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        return Promise.reject(new TypeError('options.signal must be an AbortSignal'));
      }
    }
    if (this.#closed) return Promise.reject(new PoolClosedError());
    // Checked before the idle stack on purpose: a caller that has already given up must not
    // take a connection away from one that has not.
    if (signal?.aborted) return Promise.reject(signal.reason);

    if (this.#factory.validate === undefined && this.#idle.length > 0) {
      // Without a validator an idle resource never coexists with a waiter (#dispatch hands
      // idle resources out immediately), so serving this caller now does not jump the queue.
      return Promise.resolve(this.#lend(this.#takeIdle()));
    }
    if (this.#idle.length === 0 && this.#size >= this.#max && this.pending >= this.#maxWaiting) {
      return Promise.reject(new PoolQueueFullError());
    }

    return new Promise<Loan<T>>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve, reject, signal,
        onAbort: undefined, timer: undefined,
        prev: undefined, next: undefined, queued: false,
      };
      this.#waiters.push(waiter);
      if (this.#acquireTimeoutMs !== undefined) {
        const ms = this.#acquireTimeoutMs;
        waiter.timer = setTimeout(
          () => this.#abandon(waiter, new PoolTimeoutError(`Timed out after ${ms} ms waiting for a pool resource`)),
          ms,
        );
      }
      if (signal !== undefined) {
        waiter.onAbort = () => this.#abandon(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#dispatch();
    });
  }

  /**
   * Returns a borrowed resource: it goes to the oldest waiting acquire, or becomes idle.
   * @throws {Error} if the resource is not currently borrowed from this pool.
   */
  release(resource: T): void {
    if (!this.#borrowed.delete(resource)) {
      throw new Error('release(): this resource is not currently borrowed from this pool');
    }
    this.#deliver(resource);
  }

  /**
   * Destroys a borrowed resource that was found broken and frees its slot once
   * `factory.destroy` settles. A failing `factory.destroy` does not reject: the resource is
   * gone either way and the caller has nothing left to do about it.
   */
  destroy(resource: T): Promise<void> {
    if (!this.#borrowed.delete(resource)) {
      return Promise.reject(new Error('destroy(): this resource is not currently borrowed from this pool'));
    }
    return this.#destroyResource(resource);
  }

  /** Acquires a resource, runs `fn` with it and releases it however `fn` ends. */
  async use<R>(fn: (resource: T) => Promise<R>): Promise<R> {
    if (typeof fn !== 'function') throw new TypeError('fn must be a function');
    const loan = await this.#acquire(undefined);
    try {
      return await fn(loan.resource);
    } finally {
      // End this loan only. fn may have released or destroyed the resource itself, and the
      // same resource may since have been lent to another caller: releasing by object would
      // then end that caller's loan and hand its connection to a third party. Releasing
      // nothing also keeps a pool error from replacing fn's outcome.
      if (this.#borrowed.get(loan.resource) === loan) this.release(loan.resource);
    }
  }

  /**
   * Closes the pool: rejects waiting and future acquires with `PoolClosedError`, waits for
   * every borrowed resource to come back, destroys every resource (including those whose
   * create is still in flight) and resolves once the last destroy has settled.
   */
  drain(): Promise<void> {
    if (this.#drained !== undefined) return this.#drained;
    this.#closed = true;
    this.#drained = new Promise<void>((resolve) => {
      this.#resolveDrained = resolve;
    });
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      this.#cleanUp(waiter);
      waiter.reject(new PoolClosedError());
    }
    for (const entry of this.#idle.splice(0)) {
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      void this.#destroyResource(entry.resource);
    }
    // Creating, validating and borrowed resources are destroyed as they turn up: #deliver
    // destroys instead of handing out once the pool is closed.
    this.#settleDrain();
    return this.#drained;
  }

  /** Matches waiting acquires with resources. Called after every change of state. */
  #dispatch(): void {
    if (this.#closed) return;
    // Idle resources first: they are already paid for. Waiters already covered by a
    // validation in flight do not need one; creates in flight do not count here, so that no
    // waiter waits for a create (slow, or about to fail) while a resource sits idle.
    while (this.#waiters.length > this.#validating && this.#idle.length > 0) {
      const resource = this.#takeIdle();
      if (this.#factory.validate !== undefined) this.#validate(resource);
      else this.#serve(this.#waiters.shift()!, resource);
    }
    // Then one create per waiter not yet covered by a create or validation in flight, as far
    // as `max` allows. Re-run after every freed slot, so a waiter behind a failed create or a
    // destroyed resource is not stranded.
    while (this.#waiters.length > this.#validating + this.#creating && this.#size < this.#max) {
      this.#create();
    }
  }

  #create(): void {
    // Take the slot before calling create(): counting on success instead is the classic
    // bug that lets N concurrent acquires open N connections past `max`.
    this.#size++;
    this.#creating++;
    attempt(() => this.#factory.create()).then(
      (resource) => {
        this.#creating--;
        this.#deliver(resource);
      },
      (error: unknown) => {
        this.#creating--;
        this.#size--;
        // The error goes to the oldest waiter, not to the acquire that triggered this create:
        // creates are not bound to acquires. With nobody waiting (a `min` create, or an
        // acquire that gave up) it is dropped rather than becoming an unhandled rejection.
        // No retry here: with a factory that fails at once, retrying on failure would spin.
        const waiter = this.#waiters.shift();
        if (waiter !== undefined) {
          this.#cleanUp(waiter);
          waiter.reject(error);
        }
        if (this.#closed) this.#settleDrain();
        else this.#dispatch();
      },
    );
  }

  #validate(resource: T): void {
    this.#validating++;
    attempt(() => this.#factory.validate!(resource))
      // A validator that throws has not vouched for the resource: treat it as a failure.
      // Only a literal `true` passes, so a validator that forgets to return fails closed.
      .then((verdict) => verdict === true, () => false)
      .then((healthy) => {
        this.#validating--;
        if (healthy) {
          this.#deliver(resource);
        } else {
          void this.#destroyResource(resource);
          this.#dispatch(); // try the next idle resource, or a create if a slot is free
        }
      });
  }

  /** A resource that is free to use again: oldest waiter first, else the idle stack. */
  #deliver(resource: T): void {
    if (this.#closed) {
      void this.#destroyResource(resource);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) this.#serve(waiter, resource);
    else this.#makeIdle(resource);
  }

  #serve(waiter: Waiter<T>, resource: T): void {
    this.#cleanUp(waiter);
    waiter.resolve(this.#lend(resource));
  }

  #lend(resource: T): Loan<T> {
    const loan: Loan<T> = { resource };
    this.#borrowed.set(resource, loan);
    return loan;
  }

  /** Timeout or abort: the waiter leaves the queue and can never be served afterwards. */
  #abandon(waiter: Waiter<T>, reason: unknown): void {
    if (!waiter.queued) return;
    this.#waiters.remove(waiter);
    this.#cleanUp(waiter);
    waiter.reject(reason);
    // Nothing to cancel: a create or validation started on its behalf delivers to the next
    // waiter, or to the idle stack.
  }

  /** Every exit path of a waiter comes through here, so no timer or listener outlives it. */
  #cleanUp(waiter: Waiter<T>): void {
    if (waiter.timer !== undefined) {
      clearTimeout(waiter.timer);
      waiter.timer = undefined;
    }
    if (waiter.onAbort !== undefined) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.onAbort = undefined;
    }
  }

  #makeIdle(resource: T): void {
    const entry: IdleEntry<T> = { resource, timer: undefined };
    if (this.#idleTimeoutMs !== undefined) {
      entry.timer = setTimeout(() => this.#expire(entry), this.#idleTimeoutMs);
    }
    this.#idle.push(entry);
  }

  #takeIdle(): T {
    const entry = this.#idle.pop()!;
    // Idleness is measured from the latest release: a resource that is borrowed again must
    // lose its old deadline, or it would be destroyed under its next borrower.
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    return entry.resource;
  }

  #expire(entry: IdleEntry<T>): void {
    entry.timer = undefined;
    // Compare with the resources that will still exist, not with `size`: several idle timers
    // can fire in the same turn, before any destroy has settled, and counting the dying ones
    // would take the pool below `min` and then re-create what it just destroyed.
    if (this.#size - this.#destroying <= this.#min) return; // kept: part of the warm minimum
    const index = this.#idle.indexOf(entry);
    if (index === -1) return;
    this.#idle.splice(index, 1);
    void this.#destroyResource(entry.resource);
  }

  /** Resolves when `factory.destroy` settles, whatever its outcome; frees the slot then. */
  #destroyResource(resource: T): Promise<void> {
    this.#destroying++;
    return attempt(() => this.#factory.destroy(resource))
      // A failed destroy is not retried or reported: the pool has already forgotten the
      // resource. A production pool would log it or emit an event here.
      .then(noop, noop)
      .then(() => {
        this.#destroying--;
        this.#size--;
        if (this.#closed) {
          this.#settleDrain();
        } else {
          this.#dispatch();
          this.#fillToMin();
        }
      });
  }

  #fillToMin(): void {
    while (!this.#closed && this.#size - this.#destroying < this.#min && this.#size < this.#max) {
      this.#create();
    }
  }

  #settleDrain(): void {
    if (this.#size === 0 && this.#resolveDrained !== undefined) {
      const resolve = this.#resolveDrained;
      this.#resolveDrained = undefined;
      resolve();
    }
  }
}
