// Alternative: a record per resource with an explicit state, a tombstoned array as the wait queue, one timer for every deadline (absolute Date.now() times), pending counts acquires being validated, destroy() rejects when factory.destroy rejects, and a create nobody waits for never covers a later acquire
/**
 * A second, independently structured design of the connection-pool challenge, kept to prove
 * that the suite accepts any implementation that follows the statement.
 *
 * Where it differs from the reference:
 * - Every counted resource is a record with an explicit `state`; `size` is the number of
 *   records, and the other counts are per-state counters.
 * - The wait queue is an array with tombstones (a `done` flag) and periodic compaction,
 *   instead of an intrusive linked list.
 * - One timer serves every deadline: acquire deadlines and idle deadlines are absolute
 *   `Date.now()` times, and the timer is re-armed for the earliest one after every change.
 * - Choices the statement leaves open, made the other way: `pending` includes acquires whose
 *   idle resource is being validated; `destroy()` rejects with the factory's error (after the
 *   slot is freed); the reaper destroys the longest-idle resources first; and a create that
 *   nobody waits for (a `min` create, or one whose acquire gave up) is an orphan: a new acquire
 *   starts a create of its own while `size < max` instead of waiting for it.
 */

export interface Factory<T> {
  create(): Promise<T>;
  destroy(resource: T): Promise<void>;
  validate?(resource: T): Promise<boolean>;
}

export interface PoolOptions {
  max: number;
  min?: number;
  acquireTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxWaiting?: number;
}

export class PoolTimeoutError extends Error {
  constructor(message = 'Timed out waiting for a pool resource', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolTimeoutError';
  }
}

export class PoolClosedError extends Error {
  constructor(message = 'The pool is closed', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolClosedError';
  }
}

export class PoolQueueFullError extends Error {
  constructor(message = 'Too many acquires are already waiting', options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolQueueFullError';
  }
}

type State = 'creating' | 'idle' | 'validating' | 'borrowed' | 'destroying';

interface Loan<T> {
  readonly record: Rec<T>;
}

interface Rec<T> {
  state: State;
  resource: T | undefined;
  idleDeadline: number;
  loan: Loan<T> | undefined;
}

interface Waiter<T> {
  readonly resolve: (loan: Loan<T>) => void;
  readonly reject: (reason: unknown) => void;
  readonly deadline: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

const LONGEST_TIMER = 2_147_483_647;

function checkNumber(value: unknown, name: string, whole: boolean, low: number, high: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number`);
  if (Number.isNaN(value) || !Number.isFinite(value) || (whole && !Number.isInteger(value)) || value < low || value > high) {
    throw new RangeError(`${name}: ${value} is out of range`);
  }
  return value;
}

function call<R>(fn: () => Promise<R>): Promise<R> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

function ignore(): void {}

export class Pool<T> {
  readonly #factory: Factory<T>;
  readonly #max: number;
  readonly #min: number;
  readonly #acquireTimeoutMs: number | undefined;
  readonly #idleTimeoutMs: number | undefined;
  readonly #maxWaiting: number;

  readonly #records = new Set<Rec<T>>();
  readonly #byResource = new Map<T, Rec<T>>();
  readonly #idle: Rec<T>[] = [];
  readonly #n = { creating: 0, validating: 0, borrowed: 0, destroying: 0 };
  /** Creates in flight that no waiter counts on. */
  #orphans = 0;

  #queue: Waiter<T>[] = [];
  #head = 0;
  #live = 0;

  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  #closed = false;
  #drain: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(factory: Factory<T>, options: PoolOptions) {
    if (factory === null || typeof factory !== 'object') throw new TypeError('factory: expected an object');
    if (typeof factory.create !== 'function' || typeof factory.destroy !== 'function') {
      throw new TypeError('factory: create and destroy must be functions');
    }
    if ('validate' in factory && factory.validate !== undefined && typeof factory.validate !== 'function') {
      throw new TypeError('factory.validate: expected a function');
    }
    if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
    const max = checkNumber(options.max, 'max', true, 1, Number.MAX_SAFE_INTEGER);
    const min = options.min === undefined ? 0 : checkNumber(options.min, 'min', true, 0, max);
    const acquireTimeoutMs =
      options.acquireTimeoutMs === undefined ? undefined : checkNumber(options.acquireTimeoutMs, 'acquireTimeoutMs', false, 0, LONGEST_TIMER);
    const idleTimeoutMs =
      options.idleTimeoutMs === undefined ? undefined : checkNumber(options.idleTimeoutMs, 'idleTimeoutMs', false, 0, LONGEST_TIMER);
    const maxWaiting =
      options.maxWaiting === undefined ? Number.POSITIVE_INFINITY : checkNumber(options.maxWaiting, 'maxWaiting', true, 0, Number.MAX_SAFE_INTEGER);
    this.#factory = factory;
    this.#max = max;
    this.#min = min;
    this.#acquireTimeoutMs = acquireTimeoutMs;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#maxWaiting = maxWaiting;
    this.#fillToMin();
  }

  get size(): number {
    return this.#records.size;
  }

  get available(): number {
    return this.#idle.length;
  }

  get borrowed(): number {
    return this.#n.borrowed;
  }

  get pending(): number {
    return this.#live;
  }

  acquire(options?: { signal?: AbortSignal }): Promise<T> {
    return this.#acquireLoan(options).then((loan) => loan.record.resource as T);
  }

  release(resource: T): void {
    const record = this.#byResource.get(resource);
    if (record === undefined || record.state !== 'borrowed') {
      throw new Error('release: that resource is not borrowed from this pool');
    }
    this.#n.borrowed--;
    record.loan = undefined;
    this.#free(record);
  }

  destroy(resource: T): Promise<void> {
    const record = this.#byResource.get(resource);
    if (record === undefined || record.state !== 'borrowed') {
      return Promise.reject(new Error('destroy: that resource is not borrowed from this pool'));
    }
    this.#n.borrowed--;
    record.loan = undefined;
    const { settled, outcome } = this.#destroyRecord(record);
    return settled.then(() => outcome);
  }

  async use<R>(fn: (resource: T) => Promise<R>): Promise<R> {
    if (typeof fn !== 'function') throw new TypeError('use: fn must be a function');
    const loan = await this.#acquireLoan(undefined);
    try {
      return await fn(loan.record.resource as T);
    } finally {
      if (loan.record.loan === loan) this.release(loan.record.resource as T);
    }
  }

  drain(): Promise<void> {
    if (this.#drain !== undefined) return this.#drain;
    this.#closed = true;
    this.#drain = new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
    for (let waiter = this.#shift(); waiter !== undefined; waiter = this.#shift()) {
      waiter.reject(new PoolClosedError());
    }
    for (const record of this.#idle.splice(0)) this.#destroyRecord(record);
    this.#settleDrain();
    this.#arm();
    return this.#drain;
  }

  #acquireLoan(options: { signal?: AbortSignal } | undefined): Promise<Loan<T>> {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      return Promise.reject(new TypeError('acquire: options must be an object'));
    }
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      return Promise.reject(new TypeError('acquire: signal must be an AbortSignal'));
    }
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.#factory.validate === undefined && this.#idle.length > 0) {
      const record = this.#idle.pop()!;
      const loan = this.#lend(record);
      this.#arm();
      return Promise.resolve(loan);
    }
    if (this.#idle.length === 0 && this.#live >= this.#maxWaiting) {
      return Promise.reject(new PoolQueueFullError());
    }
    return new Promise<Loan<T>>((resolve, reject) => {
      const deadline = this.#acquireTimeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + this.#acquireTimeoutMs;
      const waiter: Waiter<T> = { resolve, reject, deadline, signal, onAbort: undefined, done: false };
      if (signal !== undefined) {
        waiter.onAbort = () => this.#leave(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort);
      }
      this.#queue.push(waiter);
      this.#live++;
      this.#dispatch();
      this.#arm();
    });
  }

  // --- the wait queue ----------------------------------------------------------------

  /** The oldest waiter still waiting, taken out of the queue with its listener removed. */
  #shift(): Waiter<T> | undefined {
    while (this.#head < this.#queue.length) {
      const waiter = this.#queue[this.#head++]!;
      if (waiter.done) continue;
      this.#finish(waiter);
      this.#compact();
      return waiter;
    }
    this.#compact();
    return undefined;
  }

  #finish(waiter: Waiter<T>): void {
    waiter.done = true;
    this.#live--;
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.onAbort = undefined;
    waiter.signal = undefined;
    this.#adopt();
  }

  #leave(waiter: Waiter<T>, reason: unknown): void {
    if (waiter.done) return;
    this.#finish(waiter);
    waiter.reject(reason);
    this.#compact();
    this.#dispatch();
    this.#arm();
  }

  #compact(): void {
    const length = this.#queue.length - this.#head;
    if (this.#head > 32 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    } else if (length > 32 && this.#live * 2 < length) {
      this.#queue = this.#queue.slice(this.#head).filter((waiter) => !waiter.done);
      this.#head = 0;
    }
  }

  // --- matching ----------------------------------------------------------------------

  #dispatch(): void {
    if (this.#closed) return;
    while (this.#live > this.#n.validating && this.#idle.length > 0) {
      const record = this.#idle.pop()!;
      if (this.#factory.validate !== undefined) this.#validate(record);
      else this.#serve(this.#shift()!, record);
    }
    this.#adopt();
    const need = Math.max(0, this.#live - this.#n.validating);
    while (need > this.#n.creating - this.#orphans && this.#records.size < this.#max) this.#create();
  }

  /**
   * Creates in flight beyond the waiters that count on one become orphans, and stay orphans
   * until they settle: a later acquire does not count on them. Called whenever a waiter
   * leaves and after `min` creates start.
   */
  #adopt(): void {
    this.#orphans = Math.min(this.#orphans, this.#n.creating);
    const need = Math.max(0, this.#live - this.#n.validating);
    const covering = this.#n.creating - this.#orphans;
    if (covering > need) this.#orphans += covering - need;
  }

  #serve(waiter: Waiter<T>, record: Rec<T>): void {
    waiter.resolve(this.#lend(record));
  }

  #lend(record: Rec<T>): Loan<T> {
    record.state = 'borrowed';
    record.idleDeadline = Number.POSITIVE_INFINITY;
    this.#n.borrowed++;
    const loan: Loan<T> = { record };
    record.loan = loan;
    return loan;
  }

  /** A resource that can be used again: to the oldest waiter, or onto the idle stack. */
  #free(record: Rec<T>): void {
    if (this.#closed) {
      this.#destroyRecord(record);
      return;
    }
    const waiter = this.#shift();
    if (waiter !== undefined) {
      this.#serve(waiter, record);
    } else {
      record.state = 'idle';
      record.idleDeadline = this.#idleTimeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + this.#idleTimeoutMs;
      this.#idle.push(record);
    }
    this.#dispatch();
    this.#arm();
  }

  #create(): void {
    const record: Rec<T> = { state: 'creating', resource: undefined, idleDeadline: Number.POSITIVE_INFINITY, loan: undefined };
    this.#records.add(record);
    this.#n.creating++;
    call(() => this.#factory.create()).then(
      (resource) => {
        this.#n.creating--;
        record.resource = resource;
        this.#byResource.set(resource, record);
        this.#free(record);
      },
      (error: unknown) => {
        this.#n.creating--;
        this.#records.delete(record);
        const waiter = this.#shift();
        if (waiter !== undefined) waiter.reject(error);
        if (this.#closed) this.#settleDrain();
        else this.#dispatch();
        this.#arm();
      },
    );
  }

  #validate(record: Rec<T>): void {
    record.state = 'validating';
    record.idleDeadline = Number.POSITIVE_INFINITY;
    this.#n.validating++;
    call(() => this.#factory.validate!(record.resource as T)).then(
      (verdict) => verdict === true,
      () => false,
    ).then((healthy) => {
      this.#n.validating--;
      if (healthy) {
        this.#free(record);
      } else {
        this.#destroyRecord(record);
        this.#dispatch();
        this.#arm();
      }
    });
  }

  #destroyRecord(record: Rec<T>): { settled: Promise<void>; outcome: Promise<void> } {
    record.state = 'destroying';
    record.idleDeadline = Number.POSITIVE_INFINITY;
    this.#n.destroying++;
    const outcome = call(() => this.#factory.destroy(record.resource as T));
    const settled = outcome.then(ignore, ignore).then(() => {
      this.#n.destroying--;
      this.#records.delete(record);
      this.#byResource.delete(record.resource as T);
      if (this.#closed) {
        this.#settleDrain();
      } else {
        this.#dispatch();
        this.#fillToMin();
      }
      this.#arm();
    });
    return { settled, outcome };
  }

  #fillToMin(): void {
    while (!this.#closed && this.#records.size - this.#n.destroying < this.#min && this.#records.size < this.#max) {
      this.#create();
    }
    this.#adopt();
  }

  #settleDrain(): void {
    if (this.#records.size === 0 && this.#drained !== undefined) {
      const resolve = this.#drained;
      this.#drained = undefined;
      resolve();
    }
  }

  // --- the one timer -----------------------------------------------------------------

  #arm(): void {
    let at = Number.POSITIVE_INFINITY;
    for (let i = this.#head; i < this.#queue.length; i++) {
      const waiter = this.#queue[i]!;
      if (!waiter.done && waiter.deadline < at) at = waiter.deadline;
    }
    for (const record of this.#idle) if (record.idleDeadline < at) at = record.idleDeadline;
    if (at === this.#timerAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at !== Number.POSITIVE_INFINITY) {
      this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - Date.now()));
    }
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (let i = this.#head; i < this.#queue.length; i++) {
      const waiter = this.#queue[i]!;
      if (!waiter.done && waiter.deadline <= now) {
        this.#finish(waiter);
        waiter.reject(new PoolTimeoutError(`Timed out after ${this.#acquireTimeoutMs} ms`));
      }
    }
    this.#compact();
    const expired = this.#idle.filter((record) => record.idleDeadline <= now).sort((a, b) => a.idleDeadline - b.idleDeadline);
    for (const record of expired) {
      if (this.#records.size - this.#n.destroying <= this.#min) {
        record.idleDeadline = Number.POSITIVE_INFINITY; // kept as part of min until its next release
        continue;
      }
      this.#idle.splice(this.#idle.indexOf(record), 1);
      this.#destroyRecord(record);
    }
    this.#dispatch();
    this.#arm();
  }
}
