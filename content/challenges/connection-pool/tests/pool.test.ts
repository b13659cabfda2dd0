// Test suite of the `connection-pool` challenge. It tests the public API of src/pool.ts only:
// any implementation that follows the statement passes, whatever its internals.
//
// Conventions:
// - Time is driven with mock.timers (setTimeout, setInterval, Date). setImmediate is never
//   mocked: `flush()` lets every pending promise callback run, however many awaits an
//   implementation makes, and is called before and after every tick.
// - The factory is a test double whose create, destroy and validate calls can be left
//   pending and settled one by one, so that every await point of the pool can be paused,
//   failed or raced against a timeout or an abort.
// - Counts are read after a flush: nothing here depends on the pool updating them
//   synchronously.

import { afterEach, beforeEach, describe, it as nodeIt, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Pool, PoolClosedError, PoolQueueFullError, PoolTimeoutError } from '../src/pool.ts';
import type { Factory, PoolOptions } from '../src/pool.ts';

// ---------------------------------------------------------------------------------------
// Helpers

/**
 * A wrong pool can leave a promise pending forever, and `node --test` (Node 24) then waits
 * forever. Every test gets a timeout far above its real run time (a few milliseconds).
 */
function it(name: string, fn: () => Promise<void> | void): void {
  nodeIt(name, { timeout: 5_000 }, fn);
}

interface Res {
  readonly id: number;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (reason: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run (setImmediate is never mocked). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function tick(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

/** Mocks Date and the timers for every test of the enclosing describe(). */
function useFakeTime(): void {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
  });
  afterEach(() => {
    mock.timers.reset();
  });
}

interface Observed<T> {
  settled: boolean;
  fulfilled: boolean;
  value: T | undefined;
  error: unknown;
}

/** Records how a promise settles, and marks its rejection as handled. */
function observe<T>(promise: Promise<T>): Observed<T> {
  const observed: Observed<T> = { settled: false, fulfilled: false, value: undefined, error: undefined };
  promise.then(
    (value) => {
      observed.settled = true;
      observed.fulfilled = true;
      observed.value = value;
    },
    (error: unknown) => {
      observed.settled = true;
      observed.error = error;
    },
  );
  return observed;
}

/**
 * Awaits a promise that a correct pool settles without any timer having to fire. A wrong pool
 * may leave it pending forever: the test then fails with a message instead of hanging.
 */
async function settle<T>(promise: Promise<T>, what = 'the promise'): Promise<T> {
  const observed = observe(promise);
  for (let i = 0; i < 5 && !observed.settled; i++) await flush();
  assert.ok(observed.settled, `${what} is still pending, where a correct pool would have settled it`);
  return promise;
}

function assertRejected(observed: Observed<unknown>, check: (error: unknown) => boolean, what: string): void {
  assert.ok(observed.settled, `${what}: expected a rejection, but it is still pending`);
  assert.ok(!observed.fulfilled, `${what}: expected a rejection, but it was fulfilled`);
  assert.ok(check(observed.error), `${what}: rejected with an unexpected reason: ${String(observed.error)}`);
}

/** A promise-returning method must reject, never throw synchronously. */
async function rejectsWithoutThrowing(
  call: () => Promise<unknown>,
  expected: (error: unknown) => boolean,
  what: string,
): Promise<void> {
  let promise: Promise<unknown>;
  try {
    promise = call();
  } catch (error) {
    assert.fail(`${what}: threw synchronously instead of returning a rejected promise: ${String(error)}`);
  }
  await assert.rejects(settle(promise, what), (error: unknown) => {
    assert.ok(expected(error), `${what}: rejected with an unexpected reason: ${String(error)}`);
    return true;
  });
}

function counts(pool: Pool<Res>): { size: number; available: number; borrowed: number; pending: number } {
  return { size: pool.size, available: pool.available, borrowed: pool.borrowed, pending: pool.pending };
}

interface HarnessOptions {
  /** create() stays pending until resolveCreate/rejectCreate. */
  manualCreate?: boolean;
  /** destroy() stays pending until resolveDestroy/rejectDestroy. */
  manualDestroy?: boolean;
  /** destroy() rejects (after counting the resource as gone). */
  failDestroy?: boolean;
  /** Adds validate(): 'manual' leaves each call pending until resolveValidate/rejectValidate. */
  validate?: 'manual' | ((resource: Res) => Promise<boolean>);
  onDestroy?: (resource: Res) => void;
  onValidate?: (resource: Res) => void;
}

interface PendingCreate {
  readonly resource: Res;
  readonly resolve: () => Res;
  readonly reject: (error: unknown) => void;
}

interface PendingDestroy {
  readonly resource: Res;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface PendingValidate {
  readonly resource: Res;
  readonly resolve: (healthy: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A factory test double. `live` follows the definition of `size` from the outside: +1 when
 * create() is called, -1 when that create fails or when destroy() settles.
 *
 * Safety valve: no test needs more than a few dozen creates or validations. Past
 * RUNAWAY_LIMIT calls they never settle, so that a pool caught in a create/destroy loop
 * (which, with factory calls that settle at once, runs on microtasks alone and starves every
 * timer) stops and fails its assertions instead of freezing the test process. A pool that
 * keeps calling create() synchronously in a loop cannot be stopped from inside the process:
 * the file then exits with an explanation rather than spinning until it runs out of memory.
 */
const RUNAWAY_LIMIT = 500;

function runaway(calls: number, what: string): void {
  if (calls > 20 * RUNAWAY_LIMIT) {
    console.error(`The pool called ${what} ${calls} times in a synchronous loop; stopping this test file.`);
    process.exit(1);
  }
}

class Harness {
  readonly factory: Factory<Res>;
  createCalls = 0;
  readonly created: Res[] = [];
  readonly destroyed: Res[] = [];
  readonly validated: Res[] = [];
  readonly pendingCreates: PendingCreate[] = [];
  readonly pendingDestroys: PendingDestroy[] = [];
  readonly pendingValidates: PendingValidate[] = [];
  /** Failures for the next create() calls, in order; `sync` throws instead of rejecting. */
  readonly createFailures: Array<{ error: unknown; sync?: boolean }> = [];
  live = 0;
  maxLive = 0;
  #nextId = 1;
  readonly #options: HarnessOptions;

  constructor(options: HarnessOptions = {}) {
    this.#options = options;
    const factory: Factory<Res> = {
      create: () => this.#create(),
      destroy: (resource) => this.#destroy(resource),
    };
    const validate = options.validate;
    if (validate !== undefined) factory.validate = (resource) => this.#validate(resource, validate);
    this.factory = factory;
  }

  resolveCreate(index = 0): Res {
    const [op] = this.pendingCreates.splice(index, 1);
    assert.ok(op, `no pending create at index ${index}`);
    return op.resolve();
  }

  rejectCreate(error: unknown, index = 0): void {
    const [op] = this.pendingCreates.splice(index, 1);
    assert.ok(op, `no pending create at index ${index}`);
    op.reject(error);
  }

  resolveDestroy(index = 0): void {
    const [op] = this.pendingDestroys.splice(index, 1);
    assert.ok(op, `no pending destroy at index ${index}`);
    op.resolve();
  }

  rejectDestroy(error: unknown, index = 0): void {
    const [op] = this.pendingDestroys.splice(index, 1);
    assert.ok(op, `no pending destroy at index ${index}`);
    op.reject(error);
  }

  resolveValidate(healthy: boolean, index = 0): void {
    const [op] = this.pendingValidates.splice(index, 1);
    assert.ok(op, `no pending validate at index ${index}`);
    op.resolve(healthy);
  }

  rejectValidate(error: unknown, index = 0): void {
    const [op] = this.pendingValidates.splice(index, 1);
    assert.ok(op, `no pending validate at index ${index}`);
    op.reject(error);
  }

  #create(): Promise<Res> {
    this.createCalls++;
    if (this.createCalls > RUNAWAY_LIMIT) {
      runaway(this.createCalls, 'factory.create()');
      return new Promise<Res>(() => {});
    }
    this.live++;
    this.maxLive = Math.max(this.maxLive, this.live);
    const failure = this.createFailures.shift();
    if (failure !== undefined) {
      this.live--;
      if (failure.sync === true) throw failure.error;
      return Promise.reject(failure.error);
    }
    const resource: Res = { id: this.#nextId++ };
    if (this.#options.manualCreate !== true) {
      this.created.push(resource);
      return Promise.resolve(resource);
    }
    const d = deferred<Res>();
    this.pendingCreates.push({
      resource,
      resolve: () => {
        this.created.push(resource);
        d.resolve(resource);
        return resource;
      },
      reject: (error) => {
        this.live--;
        d.reject(error);
      },
    });
    return d.promise;
  }

  #destroy(resource: Res): Promise<void> {
    this.#options.onDestroy?.(resource);
    this.destroyed.push(resource);
    const settle = (): void => {
      this.live--;
    };
    if (this.#options.manualDestroy === true) {
      const d = deferred<void>();
      this.pendingDestroys.push({
        resource,
        resolve: () => {
          settle();
          d.resolve();
        },
        reject: (error) => {
          settle();
          d.reject(error);
        },
      });
      return d.promise;
    }
    settle();
    return this.#options.failDestroy === true ? Promise.reject(new Error('destroy failed')) : Promise.resolve();
  }

  #validate(resource: Res, validate: 'manual' | ((resource: Res) => Promise<boolean>)): Promise<boolean> {
    this.#options.onValidate?.(resource);
    this.validated.push(resource);
    if (this.validated.length > RUNAWAY_LIMIT) {
      runaway(this.validated.length, 'factory.validate()');
      return new Promise<boolean>(() => {});
    }
    if (validate !== 'manual') return validate(resource);
    const d = deferred<boolean>();
    this.pendingValidates.push({ resource, resolve: d.resolve, reject: d.reject });
    return d.promise;
  }
}

/** Counts the abort listeners a pool leaves on a signal, whatever API it registers them with. */
function trackAbortListeners(signal: AbortSignal): Set<unknown> {
  const live = new Set<unknown>();
  const target = signal as unknown as {
    addEventListener(...args: unknown[]): void;
    removeEventListener(...args: unknown[]): void;
  };
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (...args: unknown[]) => {
    if (args[0] === 'abort') live.add(args[1]);
    add(...args);
  };
  target.removeEventListener = (...args: unknown[]) => {
    if (args[0] === 'abort') live.delete(args[1]);
    remove(...args);
  };
  return live;
}

/** Timers that keep the process alive (process.getActiveResourcesInfo, Node >= 17.3). */
function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

const isTimeout = (error: unknown): boolean => error instanceof PoolTimeoutError;
const isClosed = (error: unknown): boolean => error instanceof PoolClosedError;
const isQueueFull = (error: unknown): boolean => error instanceof PoolQueueFullError;
const isTypeError = (error: unknown): boolean => error instanceof TypeError;

// ---------------------------------------------------------------------------------------

describe('constructor arguments', () => {
  const create = async (): Promise<Res> => ({ id: 0 });
  const destroy = async (): Promise<void> => {};

  it('throws a TypeError when the factory is not an object with create and destroy methods', () => {
    const bad: unknown[] = [
      null, undefined, 42, {}, { create }, { destroy }, { create, destroy: 'no' },
      { create, destroy, validate: 'yes' },
    ];
    for (const factory of bad) {
      assert.throws(() => new Pool(factory as Factory<Res>, { max: 1 }), TypeError, `factory ${JSON.stringify(factory)}`);
    }
  });

  it('throws a TypeError when the options, or one of them, have the wrong type', () => {
    const bad: unknown[] = [
      undefined, null, 'max=2', {}, { max: '2' }, { max: 2, min: '1' }, { max: 2, acquireTimeoutMs: '10' },
      { max: 2, idleTimeoutMs: '10' }, { max: 2, maxWaiting: '1' },
    ];
    for (const options of bad) {
      assert.throws(
        () => new Pool({ create, destroy }, options as PoolOptions),
        TypeError,
        `options ${JSON.stringify(options)}`,
      );
    }
  });

  it('throws a RangeError when max is not a whole number of at least 1', () => {
    for (const max of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Pool({ create, destroy }, { max }), RangeError, `max ${max}`);
    }
  });

  it('throws a RangeError when min is not a whole number from 0 to max', () => {
    for (const min of [-1, 0.5, 4, Number.NaN]) {
      assert.throws(() => new Pool({ create, destroy }, { max: 3, min }), RangeError, `min ${min}`);
    }
  });

  it('throws a RangeError for a negative or NaN timeout and for a maxWaiting that is not a whole number >= 0', () => {
    const bad: PoolOptions[] = [
      { max: 1, acquireTimeoutMs: -1 }, { max: 1, acquireTimeoutMs: Number.NaN },
      { max: 1, idleTimeoutMs: -1 }, { max: 1, idleTimeoutMs: Number.NaN },
      { max: 1, maxWaiting: -1 }, { max: 1, maxWaiting: 1.5 }, { max: 1, maxWaiting: Number.NaN },
    ];
    for (const options of bad) {
      assert.throws(() => new Pool({ create, destroy }, options), RangeError, JSON.stringify(options));
    }
  });

  it('starts no create when it rejects its arguments', async () => {
    const h = new Harness();
    assert.throws(() => new Pool(h.factory, { max: 1, min: 2 }), RangeError);
    assert.throws(() => new Pool(h.factory, { max: 2, min: 2, idleTimeoutMs: -5 }), RangeError);
    assert.throws(() => new Pool(h.factory, { max: 2, min: 2, maxWaiting: '3' } as unknown as PoolOptions), TypeError);
    await flush();
    assert.equal(h.createCalls, 0);
  });

  it('error classes are Errors whose name is their class name', () => {
    const classes = [
      [PoolTimeoutError, 'PoolTimeoutError'],
      [PoolClosedError, 'PoolClosedError'],
      [PoolQueueFullError, 'PoolQueueFullError'],
    ] as const;
    for (const [ErrorClass, name] of classes) {
      const error = new ErrorClass('message');
      assert.ok(error instanceof Error);
      assert.ok(error instanceof ErrorClass);
      assert.equal(error.name, name);
    }
  });
});

describe('acquire, release and use', () => {
  it('creates a resource on demand and counts it as borrowed, then as idle once released', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2 });
    await flush();
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
    assert.equal(h.createCalls, 0, 'without min nothing is created up front');

    const resource = await settle(pool.acquire());
    assert.equal(resource, h.created[0]);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });

    pool.release(resource);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
  });

  it('serves an acquire at once from an idle resource, without a create', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2 });
    const first = await settle(pool.acquire());
    pool.release(first);
    await flush();
    const again = observe(pool.acquire());
    await flush();
    assert.ok(again.fulfilled);
    assert.equal(again.value, first);
    assert.equal(h.createCalls, 1);
  });

  it('hands out the most recently released idle resource first', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 3 });
    const [a, b, c] = await settle(Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]));
    pool.release(a!);
    pool.release(c!);
    pool.release(b!);
    await flush();
    assert.equal(await settle(pool.acquire()), b);
    assert.equal(await settle(pool.acquire()), c);
    assert.equal(await settle(pool.acquire()), a);
    assert.equal(h.createCalls, 3);
  });

  it('throws when releasing a resource that is not currently borrowed from this pool, and changes nothing', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2 });
    const resource = await settle(pool.acquire());
    assert.throws(() => pool.release({ id: 99 }), 'a resource the pool never created');

    const other = new Pool(new Harness().factory, { max: 1 });
    const foreign = await settle(other.acquire());
    assert.throws(() => pool.release(foreign), 'a resource borrowed from another pool');

    pool.release(resource);
    assert.throws(() => pool.release(resource), 'a second release of the same loan');
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
    assert.equal(await settle(pool.acquire()), resource);
    assert.equal(h.createCalls, 1);
  });

  it('use resolves with the result of its callback and releases the resource', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    let seen: Res | undefined;
    const result = await settle(pool.use(async (resource) => {
      seen = resource;
      assert.equal(pool.borrowed, 1);
      return 'done';
    }));
    assert.equal(result, 'done');
    assert.equal(seen, h.created[0]);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
  });

  it('use releases the resource and passes the error on when its callback throws or rejects', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const boom = new Error('query failed');
    await assert.rejects(settle(pool.use(() => { throw boom; })), (error) => error === boom);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
    await assert.rejects(settle(pool.use(async () => { throw boom; })), (error) => error === boom);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
    assert.equal(h.createCalls, 1);
  });

  it('use rejects with the acquire error and never calls its callback when no resource can be had', async () => {
    const h = new Harness();
    const boom = new Error('connection refused');
    h.createFailures.push({ error: boom });
    const pool = new Pool(h.factory, { max: 1 });
    let called = false;
    await assert.rejects(settle(pool.use(async () => { called = true; })), (error) => error === boom);
    assert.equal(called, false);
    await flush();
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('use ends only its own loan: after its callback released the resource early and another caller borrowed it, that caller keeps it', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const gate = deferred<string>();
    let lent: Res | undefined;
    const used = observe(pool.use((resource) => {
      lent = resource;
      return gate.promise;
    }));
    await flush();
    assert.ok(lent !== undefined);
    const other = observe(pool.acquire());
    const third = observe(pool.acquire());
    await flush();
    pool.release(lent); // the callback hands the connection back before it settles
    await flush();
    assert.equal(other.value, lent, 'the oldest waiter is lent the same resource');
    gate.resolve('done');
    await flush();
    assert.equal(used.value, 'done');
    assert.equal(third.settled, false, "use must not end the other caller's loan and lend the resource a third time");
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 1 });

    // The same when the other caller borrows it from the idle stack.
    pool.release(other.value!);
    await flush();
    assert.equal(third.value, lent);
    pool.release(third.value!);
    await flush();
    const gate2 = deferred<string>();
    let later: Observed<Res> | undefined;
    const used2 = observe(pool.use(async (resource) => {
      pool.release(resource);
      later = observe(pool.acquire());
      return gate2.promise;
    }));
    await flush();
    assert.equal(later?.value, lent);
    gate2.resolve('again');
    await flush();
    assert.equal(used2.value, 'again');
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 }, 'the later loan is still borrowed');
    pool.release(lent); // the later borrower's own release must still work
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
    assert.equal(h.createCalls, 1);
  });

  it('use releases nothing when its callback destroyed the resource, and settles with the callback outcome', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const result = await settle(pool.use(async (resource) => {
      await pool.destroy(resource);
      return 'broken, destroyed';
    }));
    assert.equal(result, 'broken, destroyed');
    const boom = new Error('connection reset');
    await assert.rejects(settle(pool.use(async (resource) => {
      await pool.destroy(resource);
      throw boom;
    })), (error) => error === boom);
    await flush();
    assert.equal(h.destroyed.length, 2);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('acquire and use reject, rather than throw, with a TypeError on arguments of the wrong type', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    await rejectsWithoutThrowing(() => pool.acquire('fast' as never), isTypeError, 'acquire("fast")');
    await rejectsWithoutThrowing(() => pool.acquire({ signal: {} as AbortSignal }), isTypeError, 'acquire({ signal: {} })');
    await rejectsWithoutThrowing(() => pool.use('query' as never), isTypeError, 'use("query")');
    await flush();
    assert.equal(h.createCalls, 0);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });
});

describe('capacity and fairness', () => {
  it('never starts more creates than max, however many acquires arrive at once', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const acquires = Array.from({ length: 5 }, () => observe(pool.acquire()));
    await flush();
    assert.equal(h.createCalls, 2);
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 0, pending: 5 });

    h.resolveCreate();
    h.resolveCreate();
    await flush();
    assert.deepEqual(acquires.map((a) => a.fulfilled), [true, true, false, false, false]);
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 2, pending: 3 });

    for (let next = 2; next < 5; next++) {
      pool.release(acquires[next - 2]!.value!);
      await flush();
      assert.ok(acquires[next]!.fulfilled);
    }
    assert.equal(h.createCalls, 2);
    assert.equal(h.maxLive, 2);
  });

  it('counts a resource in size from the moment create is called; while created it is neither available nor borrowed', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 3 });
    const a = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 1);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 1 });
    h.resolveCreate();
    await flush();
    assert.ok(a.fulfilled);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
  });

  it('serves waiting acquires first come, first served as resources are released', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const waiting = [observe(pool.acquire()), observe(pool.acquire()), observe(pool.acquire())];
    await flush();
    assert.equal(pool.pending, 3);
    for (let turn = 0; turn < 3; turn++) {
      assert.deepEqual(waiting.map((w) => w.settled), waiting.map((_, i) => i < turn));
      pool.release(resource);
      await flush();
      assert.ok(waiting[turn]!.fulfilled);
      assert.equal(waiting[turn]!.value, resource);
    }
    assert.equal(h.createCalls, 1);
  });

  it('gives a newly created resource to the oldest waiting acquire, whichever create finishes first', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 2);
    const second = h.resolveCreate(1);
    await flush();
    assert.ok(a.fulfilled, 'the oldest acquire gets the first resource to arrive');
    assert.equal(a.value, second);
    assert.equal(b.settled, false);
    const first = h.resolveCreate(0);
    await flush();
    assert.equal(b.value, first);
  });

  it('gives a released resource to the oldest waiter at once, even while a create is in flight for it', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const holder = observe(pool.acquire());
    await flush();
    const r1 = h.resolveCreate();
    await flush();
    assert.equal(holder.value, r1);

    const a = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 2);
    pool.release(r1);
    await flush();
    assert.ok(a.fulfilled, 'a released resource does not wait for the create');
    assert.equal(a.value, r1);

    h.resolveCreate();
    await flush();
    assert.deepEqual(counts(pool), { size: 2, available: 1, borrowed: 1, pending: 0 });
  });

  it('a failing create frees its slot and rejects the oldest waiting acquire with the factory error', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    await flush();
    const boom = new Error('connection refused');
    h.rejectCreate(boom, 1); // the second create fails first
    await flush();
    assertRejected(a, (error) => error === boom, 'the oldest acquire');
    assert.equal(b.settled, false);
    const survivor = h.resolveCreate(0);
    await flush();
    assert.equal(b.value, survivor);
    assert.equal(h.maxLive <= 2, true);
  });

  it('starts a create for a waiter left behind by a failed create once its slot is free', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 1 });
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 1);
    const boom = new Error('connection refused');
    h.rejectCreate(boom);
    await flush();
    assertRejected(a, (error) => error === boom, 'the oldest acquire');
    assert.equal(h.createCalls, 2, 'the remaining waiter must not be stranded');
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 1 });
    const resource = h.resolveCreate();
    await flush();
    assert.equal(b.value, resource);
  });

  it('drops the error of a create that fails while nobody waits, and frees its slot', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 1 });
    const controller = new AbortController();
    const a = observe(pool.acquire({ signal: controller.signal }));
    await flush();
    controller.abort();
    await flush();
    assert.ok(a.settled);
    h.rejectCreate(new Error('late failure')); // an unhandled rejection here fails the test
    await flush();
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });

    const b = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 2);
    const resource = h.resolveCreate();
    await flush();
    assert.equal(b.value, resource);
  });

  it('treats a create that throws synchronously as a failed create', async () => {
    const h = new Harness();
    const boom = new Error('bad configuration');
    h.createFailures.push({ error: boom, sync: true });
    const pool = new Pool(h.factory, { max: 1 });
    await rejectsWithoutThrowing(() => pool.acquire(), (error) => error === boom, 'acquire');
    await flush();
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
    const resource = await settle(pool.acquire());
    assert.equal(resource, h.created[0]);
  });

  it('serves an acquire from an idle resource at once, never waiting for a create in flight while a resource is idle', async () => {
    for (const validate of [undefined, 'manual'] as const) {
      // Case 1: min creates at start, one finished and one still in flight.
      {
        const h = new Harness({ manualCreate: true, validate });
        const pool = new Pool(h.factory, { max: 2, min: 2 });
        await flush();
        assert.equal(h.createCalls, 2);
        const ready = h.resolveCreate(0);
        await flush();
        assert.deepEqual(counts(pool), { size: 2, available: 1, borrowed: 0, pending: 0 });
        const a = observe(pool.acquire());
        await flush();
        if (validate === 'manual') {
          assert.deepEqual(h.validated, [ready], 'the idle resource is validated at once');
          h.resolveValidate(true);
          await flush();
        }
        assert.equal(a.value, ready, `the idle resource, not the slow create (validate: ${validate})`);
        h.resolveCreate();
        await flush();
        assert.deepEqual(counts(pool), { size: 2, available: 1, borrowed: 1, pending: 0 });
      }
      // Case 2: the create still in flight was started for an acquire that gave up.
      {
        const h = new Harness({ manualCreate: true, validate });
        const pool = new Pool(h.factory, { max: 2 });
        const holder = observe(pool.acquire());
        await flush();
        const r1 = h.resolveCreate();
        await flush();
        assert.equal(holder.value, r1);
        const controller = new AbortController();
        observe(pool.acquire({ signal: controller.signal }));
        await flush();
        assert.equal(h.createCalls, 2);
        controller.abort();
        await flush();
        pool.release(r1);
        await flush();
        assert.deepEqual(counts(pool), { size: 2, available: 1, borrowed: 0, pending: 0 });
        const a = observe(pool.acquire());
        await flush();
        if (validate === 'manual') {
          assert.deepEqual(h.validated, [r1], 'the idle resource is validated at once');
          h.resolveValidate(true);
          await flush();
        }
        assert.equal(a.value, r1, `the idle resource, not the create in flight (validate: ${validate})`);
        h.resolveCreate();
        await flush();
        assert.deepEqual(counts(pool), { size: 2, available: 1, borrowed: 1, pending: 0 });
      }
    }
  });

  it('keeps size and pending exact while creates are in flight and some of them fail', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    const c = observe(pool.acquire());
    await flush();
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 0, pending: 3 });
    const boom = new Error('connection refused');
    h.rejectCreate(boom, 0);
    await flush();
    assertRejected(a, (error) => error === boom, 'the oldest acquire');
    assert.equal(h.createCalls, 3, 'the freed slot is taken at once by a create for a remaining waiter');
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 0, pending: 2 });
    h.rejectCreate(boom, 1);
    await flush();
    assertRejected(b, (error) => error === boom, 'the next oldest acquire');
    assert.deepEqual(counts(pool), { size: pool.size, available: 0, borrowed: 0, pending: 1 });
    assert.equal(pool.size, h.live, 'size counts exactly the creates still in flight');
    while (h.pendingCreates.length > 0) h.resolveCreate();
    await flush();
    assert.ok(c.fulfilled);
    assert.equal(pool.size, h.live);
    assert.equal(pool.borrowed, 1);
    assert.equal(pool.pending, 0);
    assert.ok(h.maxLive <= 2);
  });
});

describe('acquire timeout', () => {
  useFakeTime();

  it('rejects a waiting acquire with PoolTimeoutError once acquireTimeoutMs has passed, never earlier', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1, acquireTimeoutMs: 1000 });
    const resource = await settle(pool.acquire());
    const a = observe(pool.acquire());
    await tick(999);
    assert.equal(a.settled, false, 'never before acquireTimeoutMs has passed');
    assert.equal(pool.pending, 1);
    await tick(2);
    assertRejected(a, isTimeout, 'the waiting acquire');
    assert.equal((a.error as Error).name, 'PoolTimeoutError');
    assert.equal(pool.pending, 0);

    pool.release(resource);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 }, 'the timed-out acquire never gets it');
  });

  it('counts the time spent creating, and gives the late resource to the next waiter', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 1, acquireTimeoutMs: 1000 });
    const a = observe(pool.acquire());
    await tick(500);
    const b = observe(pool.acquire());
    await tick(499);
    assert.equal(a.settled, false, 'never before acquireTimeoutMs has passed');
    await tick(2);
    assertRejected(a, isTimeout, 'the acquire whose create is slow');
    assert.equal(b.settled, false);
    const resource = h.resolveCreate();
    await flush();
    assert.equal(b.value, resource);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
  });

  it('measures each acquire timeout from its own call, even when it waits for a create started before it', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2, acquireTimeoutMs: 1000 });
    const controller = new AbortController();
    const quitter = observe(pool.acquire({ signal: controller.signal })); // t=0: starts a create
    await tick(400);
    controller.abort(); // t=400: nobody waits for that create any more
    await tick(100);
    assert.ok(quitter.settled);
    const a = observe(pool.acquire()); // t=500: its deadline is t=1500
    await tick(999); // t=1499
    assert.equal(a.settled, false, 'not before its own deadline');
    assert.equal(pool.pending, 1);
    await tick(2); // t=1501
    assertRejected(a, isTimeout, 'the acquire');
    while (h.pendingCreates.length > 0) h.resolveCreate();
    await flush();
    assert.equal(pool.borrowed, 0, 'nobody waits: the late resources become idle');
    assert.equal(pool.available, h.createCalls);
  });

  it('cancels the timer of a served acquire, so that it cannot disturb later waiters', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1, acquireTimeoutMs: 1000 });
    const resource = await settle(pool.acquire());
    const a = observe(pool.acquire()); // waits from t=0, would time out at t=1000
    await tick(500);
    pool.release(resource);
    await flush();
    assert.equal(a.value, resource);

    await tick(100);
    const b = observe(pool.acquire()); // waits from t=600, would time out at t=1600
    await tick(500); // t=1100: past the first acquire's deadline
    assert.equal(b.settled, false);
    assert.equal(pool.pending, 1);
    pool.release(resource);
    await flush();
    assert.equal(b.value, resource);
  });

  it('starts no create for an acquire that timed out while a destroy held the last slot', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 1, acquireTimeoutMs: 1000 });
    const resource = await settle(pool.acquire());
    const a = observe(pool.acquire());
    await flush();
    void pool.destroy(resource).catch(() => {});
    await tick(1001);
    assertRejected(a, isTimeout, 'the waiting acquire');
    h.resolveDestroy();
    await flush();
    assert.equal(h.createCalls, 1);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });
});

describe('abort signal', () => {
  useFakeTime();

  it('rejects with the signal reason at once when the signal is already aborted, even with a resource idle', async () => {
    for (const validate of [undefined, async () => true]) {
      const h = new Harness({ validate });
      const pool = new Pool(h.factory, { max: 1 });
      pool.release(await settle(pool.acquire()));
      await flush();
      const controller = new AbortController();
      const reason = new Error('the caller gave up');
      controller.abort(reason);
      await rejectsWithoutThrowing(() => pool.acquire({ signal: controller.signal }), (e) => e === reason, 'acquire');
      await flush();
      assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
      assert.equal(h.validated.length, 0, 'an aborted acquire does not even validate');
    }
  });

  it('rejects a waiting acquire with signal.reason when the signal aborts; it never receives a resource', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const controller = new AbortController();
    const a = observe(pool.acquire({ signal: controller.signal }));
    await flush();
    assert.equal(pool.pending, 1);
    controller.abort();
    await flush();
    assertRejected(a, (error) => error === controller.signal.reason, 'the aborted acquire');
    assert.equal(pool.pending, 0);
    pool.release(resource);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
  });

  it('keeps the resource whose create was in flight for an aborted acquire as idle', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const controller = new AbortController();
    const a = observe(pool.acquire({ signal: controller.signal }));
    await flush();
    controller.abort(new Error('client disconnected'));
    await flush();
    assert.ok(a.settled && !a.fulfilled);
    h.resolveCreate();
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
  });

  it('ignores the abort of a signal whose acquire was already served', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const controller = new AbortController();
    const resource = await settle(pool.acquire({ signal: controller.signal }));
    const b = observe(pool.acquire());
    await flush();
    controller.abort();
    await flush();
    assert.equal(b.settled, false);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 1 });
    pool.release(resource);
    await flush();
    assert.equal(b.value, resource);
  });

  it('removes its abort listener once the acquire is served, times out or is rejected by drain', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1, acquireTimeoutMs: 1000 });
    const controller = new AbortController();
    const listeners = trackAbortListeners(controller.signal);
    const signal = controller.signal;

    // Served from a create, then from idle, 20 times over: a long-lived signal must not pile up listeners.
    for (let i = 0; i < 20; i++) pool.release(await settle(pool.acquire({ signal })));
    await flush();
    assert.equal(listeners.size, 0, 'after acquires served at once or from a create');

    const resource = await settle(pool.acquire());
    const served = observe(pool.acquire({ signal }));
    await flush();
    pool.release(resource);
    await flush();
    assert.ok(served.fulfilled);
    assert.equal(listeners.size, 0, 'after a waiting acquire was served');

    const timedOut = observe(pool.acquire({ signal }));
    await tick(1001);
    assertRejected(timedOut, isTimeout, 'the acquire');
    assert.equal(listeners.size, 0, 'after a timeout');

    const closed = observe(pool.acquire({ signal }));
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assertRejected(closed, isClosed, 'the acquire');
    assert.equal(listeners.size, 0, 'after drain');
    pool.release(served.value!);
    await flush();
    assert.ok(drained.fulfilled);
  });
});

describe('maxWaiting', () => {
  it('rejects an acquire at once with PoolQueueFullError while maxWaiting acquires already wait', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1, maxWaiting: 2 });
    const resource = await settle(pool.acquire());
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    await flush();
    assert.equal(pool.pending, 2);
    await rejectsWithoutThrowing(() => pool.acquire(), isQueueFull, 'the third waiter');
    await rejectsWithoutThrowing(
      () => pool.acquire(),
      (error) => error instanceof Error && error.name === 'PoolQueueFullError',
      'the fourth waiter',
    );
    await flush();
    assert.equal(pool.pending, 2);
    assert.equal(h.createCalls, 1);
    pool.release(resource);
    await flush();
    assert.equal(a.value, resource);
    assert.equal(b.settled, false);
  });

  it('gives the place of a waiter that is aborted or served to the next acquire', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1, maxWaiting: 2 });
    const resource = await settle(pool.acquire());
    const controller = new AbortController();
    const a = observe(pool.acquire({ signal: controller.signal }));
    const b = observe(pool.acquire());
    await flush();
    controller.abort();
    await flush();
    assert.ok(a.settled);
    const c = observe(pool.acquire());
    await flush();
    assert.equal(c.settled, false, 'an aborted waiter no longer takes a place');
    assert.equal(pool.pending, 2);
    await rejectsWithoutThrowing(() => pool.acquire(), isQueueFull, 'a third waiter');

    pool.release(resource);
    await flush();
    assert.equal(b.value, resource);
    const d = observe(pool.acquire());
    await flush();
    assert.equal(d.settled, false, 'a served waiter no longer takes a place');
    assert.equal(pool.pending, 2);
  });

  it('counts acquires waiting for a create in flight against maxWaiting, and starts no create for an acquire it rejects', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 3, maxWaiting: 1 });
    const a = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 1);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 1 });
    await rejectsWithoutThrowing(() => pool.acquire(), isQueueFull, 'an acquire while another waits for its create');
    await flush();
    assert.equal(h.createCalls, 1, 'a rejected acquire starts no create, even below max');
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 1 });

    h.rejectCreate(new Error('connection refused'));
    await flush();
    assert.ok(a.settled && !a.fulfilled);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
    const b = observe(pool.acquire());
    await flush();
    assert.equal(b.settled, false, 'a waiter rejected by a failing create no longer takes a place');
    assert.equal(h.createCalls, 2);
    const resource = h.resolveCreate();
    await flush();
    assert.equal(b.value, resource);
  });
});

describe('validate', () => {
  useFakeTime();

  it('never validates a newly created resource', async () => {
    const h = new Harness({ validate: 'manual' });
    const pool = new Pool(h.factory, { max: 2 });
    const a = await settle(pool.acquire());
    const b = await settle(pool.acquire());
    assert.deepEqual([a, b], h.created);
    assert.equal(h.validated.length, 0);
  });

  it('validates an idle resource before handing it out; meanwhile it is neither available nor borrowed', async () => {
    const h = new Harness({ validate: 'manual' });
    const pool = new Pool(h.factory, { max: 2 });
    const resource = await settle(pool.acquire());
    pool.release(resource);
    await flush();
    const a = observe(pool.acquire());
    await flush();
    assert.deepEqual(h.validated, [resource]);
    assert.equal(a.settled, false);
    assert.equal(pool.size, 1);
    assert.equal(pool.available, 0);
    assert.equal(pool.borrowed, 0);
    h.resolveValidate(true);
    await flush();
    assert.equal(a.value, resource);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
    assert.equal(h.createCalls, 1);
  });

  it('destroys a resource that fails validation and serves the acquire from the next idle resource', async () => {
    const h = new Harness({ validate: 'manual' });
    const pool = new Pool(h.factory, { max: 3 });
    const r1 = await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    pool.release(r1);
    pool.release(r2);
    await flush();
    const a = observe(pool.acquire());
    await flush();
    assert.deepEqual(h.validated, [r2], 'the most recently released first');
    h.resolveValidate(false);
    await flush();
    assert.deepEqual(h.destroyed, [r2]);
    assert.deepEqual(h.validated, [r2, r1]);
    h.resolveValidate(true);
    await flush();
    assert.equal(a.value, r1);
    assert.equal(h.createCalls, 2);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
  });

  it('treats a validate that rejects as a failure, and serves the acquire with a new resource once the slot is free', async () => {
    const h = new Harness({ validate: 'manual', manualDestroy: true });
    const pool = new Pool(h.factory, { max: 1 });
    const old = await settle(pool.acquire());
    pool.release(old);
    await flush();
    const a = observe(pool.acquire());
    await flush();
    h.rejectValidate(new Error('ping failed')); // an unhandled rejection here fails the test
    await flush();
    assert.deepEqual(h.destroyed, [old]);
    assert.equal(h.createCalls, 1, 'at max, the broken resource holds its slot until its destroy settles');
    assert.equal(pool.size, 1);
    h.resolveDestroy();
    await flush();
    assert.equal(h.createCalls, 2);
    assert.equal(a.value, h.created[1]);
    assert.equal(h.validated.length, 1, 'the new resource is not validated');
  });

  it('below max, tries the next idle resource and then a new create at once after a failed validation, while the destroy is in flight', async () => {
    const h = new Harness({ validate: 'manual', manualDestroy: true });
    const pool = new Pool(h.factory, { max: 3 });
    const r1 = await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    pool.release(r1);
    pool.release(r2);
    await flush();
    const a = observe(pool.acquire());
    await flush();
    assert.deepEqual(h.validated, [r2]);
    h.resolveValidate(false);
    await flush();
    assert.deepEqual(h.destroyed, [r2]);
    assert.deepEqual(h.validated, [r2, r1], 'the next idle resource is tried at once, not when the destroy settles');
    h.rejectValidate(new Error('ping failed'));
    await flush();
    assert.deepEqual(h.destroyed, [r2, r1]);
    assert.equal(h.createCalls, 3, 'a slot is free (two destroys in flight, max 3): a create starts at once');
    assert.ok(a.fulfilled);
    assert.equal(a.value, h.created[2]);
    assert.deepEqual(counts(pool), { size: 3, available: 0, borrowed: 1, pending: 0 });
    h.resolveDestroy();
    h.rejectDestroy(new Error('already closed'));
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
    assert.equal(h.maxLive, 3);
  });

  it('returns to the pool a resource whose acquire gave up while it was being validated', async () => {
    const h = new Harness({ validate: 'manual' });
    const pool = new Pool(h.factory, { max: 1, acquireTimeoutMs: 1000 });
    const resource = await settle(pool.acquire());
    pool.release(resource);
    await flush();

    const controller = new AbortController();
    const aborted = observe(pool.acquire({ signal: controller.signal }));
    await flush();
    controller.abort();
    await flush();
    assertRejected(aborted, (error) => error === controller.signal.reason, 'the aborted acquire');
    h.resolveValidate(true);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });

    const timedOut = observe(pool.acquire());
    await tick(999);
    assert.equal(timedOut.settled, false, 'not before acquireTimeoutMs, although it waits for a validation');
    await tick(2);
    assertRejected(timedOut, isTimeout, 'the acquire');
    h.resolveValidate(true);
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
    assert.equal(h.destroyed.length, 0);
  });
});

describe('destroy', () => {
  it('destroys a borrowed resource and frees its slot only once factory.destroy settles', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const waiter = observe(pool.acquire());
    await flush();
    const destroyed = observe(pool.destroy(resource));
    await flush();
    assert.deepEqual(h.destroyed, [resource]);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 1 });
    assert.equal(h.createCalls, 1, 'no create while the destroyed resource still counts against max');

    h.resolveDestroy();
    await flush();
    assert.ok(destroyed.fulfilled);
    assert.equal(h.createCalls, 2);
    assert.ok(waiter.fulfilled);
    assert.notEqual(waiter.value, resource);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
    assert.equal(h.maxLive, 1);
  });

  it('rejects destroy of a resource that is not borrowed, and a destroyed resource can no longer be released', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2 });
    const resource = await settle(pool.acquire());
    await settle(pool.destroy(resource));
    assert.throws(() => pool.release(resource));
    await rejectsWithoutThrowing(() => pool.destroy(resource), () => true, 'a second destroy');
    await rejectsWithoutThrowing(() => pool.destroy({ id: 42 }), () => true, 'destroy of a stranger');
    await flush();
    assert.deepEqual(h.destroyed, [resource]);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('frees the slot even when factory.destroy rejects', async () => {
    const h = new Harness({ failDestroy: true });
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const waiter = observe(pool.acquire());
    await settle(pool.destroy(resource).catch(() => {}));
    await flush();
    assert.ok(waiter.fulfilled);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
  });

  it('throws on release, and rejects destroy, of a resource whose destroy is in flight or done; it stops being borrowed at once', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const destroyed = observe(pool.destroy(resource));
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 0 });
    assert.throws(() => pool.release(resource), 'release while its destroy is in flight');
    await rejectsWithoutThrowing(() => pool.destroy(resource), () => true, 'a second destroy while the first is in flight');
    h.resolveDestroy();
    await flush();
    assert.ok(destroyed.settled);
    assert.throws(() => pool.release(resource), 'release after its destroy settled');
    await rejectsWithoutThrowing(() => pool.destroy(resource), () => true, 'destroy after its destroy settled');
    await flush();
    assert.deepEqual(h.destroyed, [resource]);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('counts a resource in size until its slow destroy settles, and serves the next waiter as soon as that destroy rejects', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const waiter = observe(pool.acquire());
    await flush();
    void pool.destroy(resource).catch(() => {});
    await flush();
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 0, pending: 1 });
    assert.equal(h.createCalls, 1);
    h.rejectDestroy(new Error('socket already closed'));
    await flush();
    assert.equal(h.createCalls, 2, 'the freed slot goes to a create for the waiter at once');
    assert.ok(waiter.fulfilled);
    assert.deepEqual(counts(pool), { size: 1, available: 0, borrowed: 1, pending: 0 });
  });
});

describe('min and idle timeout', () => {
  useFakeTime();

  it('creates min resources at start and keeps them however long they stay idle', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 4, min: 2, idleTimeoutMs: 1000 });
    await flush();
    assert.equal(h.createCalls, 2);
    assert.deepEqual(counts(pool), { size: 2, available: 2, borrowed: 0, pending: 0 });
    await tick(10_000);
    assert.equal(h.destroyed.length, 0);
    assert.deepEqual(counts(pool), { size: 2, available: 2, borrowed: 0, pending: 0 });
  });

  it('creates again up to min after a destroy', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 3, min: 1 });
    await flush();
    const resource = await settle(pool.acquire());
    assert.equal(h.createCalls, 1, 'served from the min resource');
    await settle(pool.destroy(resource));
    await flush();
    assert.equal(h.createCalls, 2);
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
  });

  it('destroys idle resources above min once they have been idle for idleTimeoutMs', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 3, min: 1, idleTimeoutMs: 1000 });
    const held = [await settle(pool.acquire()), await settle(pool.acquire()), await settle(pool.acquire())];
    for (const resource of held) pool.release(resource);
    await tick(999);
    assert.equal(h.destroyed.length, 0, 'never before idleTimeoutMs has passed');
    await tick(2);
    assert.equal(h.destroyed.length, 2);
    assert.deepEqual(counts(pool), { size: 1, available: 1, borrowed: 0, pending: 0 });
    await tick(5000);
    assert.equal(h.destroyed.length, 2);
    assert.equal(h.createCalls, 3);
  });

  it('measures idleness from the latest release and never destroys a borrowed resource', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2, idleTimeoutMs: 1000 });
    const resource = await settle(pool.acquire());
    pool.release(resource); // t=0
    await tick(600);
    assert.equal(await settle(pool.acquire()), resource); // t=600
    await tick(600); // t=1200: past the deadline of the first idle spell
    assert.equal(h.destroyed.length, 0);
    assert.equal(pool.borrowed, 1);
    pool.release(resource); // t=1200
    await tick(999);
    assert.equal(h.destroyed.length, 0, 'never before idleTimeoutMs has passed since the latest release');
    await tick(2); // t=2201
    assert.deepEqual(h.destroyed, [resource]);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('destroys only down to min when several idle timers expire together, and re-creates nothing', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 4, min: 2, idleTimeoutMs: 1000 });
    await flush();
    const held = [await settle(pool.acquire()), await settle(pool.acquire()), await settle(pool.acquire()), await settle(pool.acquire())];
    for (const resource of held) pool.release(resource);
    await tick(1001);
    assert.equal(h.destroyed.length, 2);
    assert.deepEqual(counts(pool), { size: 4, available: 2, borrowed: 0, pending: 0 });
    h.resolveDestroy();
    h.resolveDestroy();
    await tick(5000);
    assert.equal(h.destroyed.length, 2);
    assert.equal(h.createCalls, 4);
    assert.deepEqual(counts(pool), { size: 2, available: 2, borrowed: 0, pending: 0 });
  });

  it('serves a waiter as soon as the destroy of an expired idle resource settles', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 2, idleTimeoutMs: 1000 });
    await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    pool.release(r2); // t=0
    await tick(1001);
    assert.deepEqual(h.destroyed, [r2]);
    const a = observe(pool.acquire());
    await flush();
    assert.equal(h.createCalls, 2, 'at max while the expired resource is being destroyed');
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 1, pending: 1 });
    h.resolveDestroy();
    await flush();
    assert.equal(h.createCalls, 3, 'the freed slot goes to a create for the waiter at once');
    assert.equal(a.value, h.created[2]);
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 2, pending: 0 });
  });

  it('counts creates in flight towards min and destroys in flight out of it', async () => {
    const h = new Harness({ manualCreate: true, manualDestroy: true });
    const pool = new Pool(h.factory, { max: 4, min: 2, idleTimeoutMs: 1000 });
    await flush();
    assert.equal(h.createCalls, 2);
    await tick(5000);
    assert.equal(h.createCalls, 2, 'the min creates in flight already count');
    assert.deepEqual(counts(pool), { size: 2, available: 0, borrowed: 0, pending: 0 });
    h.resolveCreate();
    h.resolveCreate();
    await flush();
    assert.deepEqual(counts(pool), { size: 2, available: 2, borrowed: 0, pending: 0 });

    // A borrowed resource is destroyed; while that destroy is in flight, the idle timers fire.
    const held = [await settle(pool.acquire()), await settle(pool.acquire())];
    const more = [observe(pool.acquire()), observe(pool.acquire())];
    await flush();
    assert.equal(h.createCalls, 4);
    h.resolveCreate();
    h.resolveCreate();
    await flush();
    assert.ok(more.every((m) => m.fulfilled));
    const [broken, ...rest] = [...held, ...more.map((m) => m.value!)];
    for (const resource of rest) pool.release(resource); // t=5000: idle until t=6000
    void pool.destroy(broken!).catch(() => {});
    await flush();
    assert.deepEqual(counts(pool), { size: 4, available: 3, borrowed: 0, pending: 0 });
    await tick(1001);
    assert.equal(h.destroyed.length, 2, 'only one idle resource is reaped: the one being destroyed no longer counts towards min');
    assert.deepEqual(counts(pool), { size: 4, available: 2, borrowed: 0, pending: 0 });
    while (h.pendingDestroys.length > 0) h.resolveDestroy();
    await tick(5000);
    assert.equal(h.createCalls, 4, 'nothing is re-created: min resources are still there');
    assert.deepEqual(counts(pool), { size: 2, available: 2, borrowed: 0, pending: 0 });
    assert.equal(pool.size, h.live);
  });

  it('drops the error of a failing min create without an unhandled rejection, and frees its slot', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 3, min: 2 });
    await flush();
    assert.equal(h.createCalls, 2);
    h.rejectCreate(new Error('connection refused')); // an unhandled rejection here fails the test
    await flush();
    assert.equal(pool.size, h.live, 'the failed create no longer counts');
    assert.equal(pool.pending, 0);
    const ready = h.resolveCreate(0);
    await flush();
    assert.equal(pool.available, 1);
    assert.equal(await settle(pool.acquire()), ready);
    assert.equal(pool.size, h.live);
  });
});

describe('drain', () => {
  it('rejects waiting and new acquires with PoolClosedError', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    const waiting = observe(pool.acquire());
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assertRejected(waiting, isClosed, 'the waiting acquire');
    assert.equal((waiting.error as Error).name, 'PoolClosedError');
    assert.equal(pool.pending, 0);
    await rejectsWithoutThrowing(() => pool.acquire(), isClosed, 'an acquire after drain');
    await rejectsWithoutThrowing(() => pool.use(async () => 1), isClosed, 'use after drain');
    assert.equal(drained.settled, false, 'a resource is still borrowed');
    pool.release(resource);
    await flush();
    assert.ok(drained.fulfilled);
    assert.deepEqual(h.destroyed, [resource]);
    assert.equal(h.createCalls, 1);
  });

  it('waits for every borrowed resource to come back, destroys every resource once, then resolves', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 3 });
    const [r1, r2, r3] = [await settle(pool.acquire()), await settle(pool.acquire()), await settle(pool.acquire())];
    pool.release(r3);
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assert.equal(drained.settled, false);
    pool.release(r1);
    await flush();
    assert.equal(drained.settled, false);
    assert.equal(pool.borrowed, 1);
    await settle(pool.destroy(r2));
    await flush();
    assert.ok(drained.fulfilled);
    assert.deepEqual([...h.destroyed].sort((x, y) => x.id - y.id), [r1, r2, r3]);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('waits for creates still in flight and destroys what they create', async () => {
    const h = new Harness({ manualCreate: true });
    const pool = new Pool(h.factory, { max: 2 });
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assertRejected(a, isClosed, 'the first waiting acquire');
    assertRejected(b, isClosed, 'the second waiting acquire');
    assert.equal(drained.settled, false);
    const late = h.resolveCreate();
    await flush();
    assert.deepEqual(h.destroyed, [late]);
    assert.equal(drained.settled, false, 'one create is still in flight');
    h.rejectCreate(new Error('too late anyway'));
    await flush();
    assert.ok(drained.fulfilled);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('returns the same promise when called again, and destroys each resource only once', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2 });
    pool.release(await settle(pool.acquire()));
    await flush();
    const first = pool.drain();
    const second = pool.drain();
    assert.equal(second, first);
    await settle(first);
    await settle(pool.drain());
    await flush();
    assert.equal(h.destroyed.length, 1);
  });

  it('does not create again up to min while draining', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 3, min: 2, idleTimeoutMs: 1000 });
    await flush();
    const resource = await settle(pool.acquire());
    const drained = observe(pool.drain());
    await flush();
    await settle(pool.destroy(resource));
    await flush();
    assert.ok(drained.fulfilled);
    assert.equal(h.createCalls, 2);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('resolves even when factory.destroy rejects', async () => {
    const h = new Harness({ failDestroy: true });
    const pool = new Pool(h.factory, { max: 2 });
    const r1 = await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    pool.release(r1);
    const drained = observe(pool.drain());
    pool.release(r2);
    await flush();
    assert.ok(drained.fulfilled, 'drain must not reject or hang because a destroy failed');
    assert.equal(h.destroyed.length, 2);
    assert.equal(pool.size, 0);
  });

  it('resolves only once every destroy has settled, including one begun before drain and ones that reject', async () => {
    const h = new Harness({ manualDestroy: true });
    const pool = new Pool(h.factory, { max: 3 });
    const r1 = await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    const r3 = await settle(pool.acquire());
    pool.release(r1);
    pool.release(r2);
    void pool.destroy(r3).catch(() => {}); // in flight before drain
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assert.deepEqual(new Set(h.destroyed), new Set([r1, r2, r3]));
    assert.deepEqual(counts(pool), { size: 3, available: 0, borrowed: 0, pending: 0 });
    for (const [left, settleOne] of [
      [2, () => h.rejectDestroy(new Error('already closed'))],
      [1, () => h.resolveDestroy()],
    ] as const) {
      settleOne();
      await flush();
      assert.equal(pool.size, left);
      assert.equal(drained.settled, false, `${left} destroy still in flight`);
    }
    h.rejectDestroy(new Error('already closed'));
    await flush();
    assert.ok(drained.fulfilled);
    assert.equal(pool.size, 0);
  });

  it('destroys a resource released after drain began, and throws on a second release of that loan or of an idle resource it destroyed', async () => {
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2 });
    const r1 = await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    pool.release(r2);
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assert.throws(() => pool.release(r2), 'an idle resource that drain destroyed');
    assert.equal(drained.settled, false);
    pool.release(r1);
    await flush();
    assert.ok(drained.fulfilled);
    assert.throws(() => pool.release(r1), 'a second release after drain');
    await rejectsWithoutThrowing(() => pool.destroy(r1), () => true, 'destroy after drain destroyed it');
    await flush();
    assert.deepEqual(new Set(h.destroyed), new Set([r1, r2]));
    assert.equal(h.destroyed.length, 2);
    assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
  });

  it('destroys, exactly once, a resource that was being validated when drain began', async () => {
    const h = new Harness({ validate: 'manual' });
    const pool = new Pool(h.factory, { max: 1 });
    const resource = await settle(pool.acquire());
    pool.release(resource);
    await flush();
    const a = observe(pool.acquire());
    await flush();
    const drained = observe(pool.drain());
    h.resolveValidate(true);
    await flush();
    // Whether the acquire counts as waiting or as served at that point is left open; either
    // way the resource must end up destroyed once and drain must resolve.
    if (a.fulfilled) {
      assert.equal(drained.settled, false);
      pool.release(a.value!);
      await flush();
    } else {
      assertRejected(a, isClosed, 'the acquire');
    }
    assert.ok(drained.fulfilled);
    assert.deepEqual(h.destroyed, [resource]);
  });
});

describe('no leaked timers', () => {
  // Real timers: process.getActiveResourcesInfo() shows every timer that is still armed. The
  // timeouts are long and nothing waits for them; a pool that leaks one fails the test (and
  // keeps this file's process alive until the timer fires).

  it('leaves no timer armed after drain, once waiters were served, timed out... or rejected', async () => {
    const before = activeTimeouts();
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 2, acquireTimeoutMs: 3000, idleTimeoutMs: 3000 });
    const r1 = await settle(pool.acquire());
    const r2 = await settle(pool.acquire());
    const a = observe(pool.acquire());
    const b = observe(pool.acquire());
    await flush();
    pool.release(r1);
    pool.release(r2);
    await flush();
    assert.ok(a.fulfilled && b.fulfilled);
    const c = observe(pool.acquire());
    await flush();
    const drained = observe(pool.drain());
    await flush();
    assertRejected(c, isClosed, 'the waiting acquire');
    pool.release(a.value!);
    pool.release(b.value!);
    await flush();
    assert.ok(drained.fulfilled);
    assert.equal(activeTimeouts(), before);
  });

  it('leaves no idle timer armed after drain', async () => {
    const before = activeTimeouts();
    const h = new Harness();
    const pool = new Pool(h.factory, { max: 3, min: 1, idleTimeoutMs: 3000 });
    const held = [await settle(pool.acquire()), await settle(pool.acquire()), await settle(pool.acquire())];
    for (const resource of held) pool.release(resource);
    await flush();
    await settle(pool.drain());
    await flush();
    assert.equal(h.destroyed.length, 3);
    assert.equal(activeTimeouts(), before);
  });
});

describe('random interleavings', () => {
  useFakeTime();

  /** mulberry32: a tiny seeded PRNG, so that a failing seed replays exactly. */
  function prng(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const withValidate = seed % 2 === 0;
    const min = seed % 3 === 0 ? 1 : 0;
    it(`keeps size, borrowed and max exact through random acquires, releases, destroys, aborts, timeouts and factory faults (seed ${seed})`, async () => {
      const random = prng(seed);
      const pick = (n: number): number => Math.floor(random() * n);
      const max = 3;
      const held = new Set<Res>();
      const violations: string[] = [];
      const h = new Harness({
        manualCreate: true,
        manualDestroy: true,
        validate: withValidate ? 'manual' : undefined,
        onDestroy: (resource) => {
          if (held.has(resource)) violations.push(`destroyed resource ${resource.id} while it was borrowed`);
          if (h.destroyed.includes(resource)) violations.push(`destroyed resource ${resource.id} twice`);
        },
        onValidate: (resource) => {
          if (held.has(resource)) violations.push(`validated resource ${resource.id} while it was borrowed`);
        },
      });
      const pool = new Pool(h.factory, { max, min, acquireTimeoutMs: 40, idleTimeoutMs: 150, maxWaiting: 6 });
      const acquires: Observed<Res>[] = [];
      const controllers: AbortController[] = [];

      const acquire = (): void => {
        let options: { signal: AbortSignal } | undefined;
        if (random() < 0.3) {
          const controller = new AbortController();
          controllers.push(controller);
          options = { signal: controller.signal };
        }
        const promise = pool.acquire(options);
        acquires.push(observe(promise));
        promise.then(
          (resource) => {
            if (held.has(resource)) violations.push(`resource ${resource.id} handed out twice`);
            if (h.destroyed.includes(resource)) violations.push(`handed out destroyed resource ${resource.id}`);
            held.add(resource);
          },
          () => {},
        );
      };
      const anyHeld = (): Res | undefined => [...held][pick(held.size)];

      const check = (step: number): void => {
        const where = `seed ${seed}, step ${step}`;
        assert.deepEqual(violations, [], where);
        assert.ok(h.maxLive <= max, `${where}: ${h.maxLive} resources alive at once, max is ${max}`);
        assert.equal(pool.size, h.live, `${where}: size must count every resource from create() until its destroy() settles`);
        assert.equal(pool.borrowed, held.size, `${where}: borrowed`);
        assert.ok(pool.available + pool.borrowed <= pool.size, `${where}: available + borrowed <= size`);
        const waiting = acquires.filter((a) => !a.settled).length;
        assert.ok(pool.pending >= 0 && pool.pending <= waiting, `${where}: pending ${pool.pending}, ${waiting} unsettled`);
        if (!withValidate && pool.pending > 0) {
          assert.equal(pool.available, 0, `${where}: an acquire waits while a resource is idle`);
        }
      };

      for (let step = 0; step < 400; step++) {
        switch (pick(12)) {
          case 0:
          case 1:
            acquire();
            break;
          case 2:
          case 3: {
            const resource = anyHeld();
            if (resource !== undefined) {
              held.delete(resource);
              pool.release(resource);
            }
            break;
          }
          case 4: {
            const resource = anyHeld();
            if (resource !== undefined) {
              held.delete(resource);
              void pool.destroy(resource).catch(() => {});
            }
            break;
          }
          case 5:
          case 6:
            if (h.pendingCreates.length > 0) {
              const index = pick(h.pendingCreates.length);
              if (random() < 0.25) h.rejectCreate(new Error('create failed'), index);
              else h.resolveCreate(index);
            }
            break;
          case 7:
            if (h.pendingDestroys.length > 0) {
              const index = pick(h.pendingDestroys.length);
              if (random() < 0.25) h.rejectDestroy(new Error('destroy failed'), index);
              else h.resolveDestroy(index);
            }
            break;
          case 8:
          case 9:
            if (h.pendingValidates.length > 0) {
              const index = pick(h.pendingValidates.length);
              const roll = random();
              if (roll < 0.2) h.rejectValidate(new Error('ping failed'), index);
              else h.resolveValidate(roll < 0.5 ? false : true, index);
            }
            break;
          case 10:
            if (controllers.length > 0) controllers[pick(controllers.length)]!.abort();
            break;
          default:
            mock.timers.tick(1 + pick(25));
        }
        await flush();
        check(step);
      }

      // Wind down: return everything, let every factory call succeed, then drain.
      const settleEverything = async (): Promise<void> => {
        for (let round = 0; round < 100; round++) {
          for (const resource of [...held]) {
            held.delete(resource);
            pool.release(resource);
          }
          const busy = h.pendingCreates.length + h.pendingDestroys.length + h.pendingValidates.length;
          if (busy === 0 && held.size === 0) {
            await flush();
            if (held.size === 0 && h.pendingCreates.length + h.pendingDestroys.length + h.pendingValidates.length === 0) return;
          }
          while (h.pendingCreates.length > 0) h.resolveCreate();
          while (h.pendingDestroys.length > 0) h.resolveDestroy();
          while (h.pendingValidates.length > 0) h.resolveValidate(true);
          await flush();
        }
        assert.fail(`seed ${seed}: the pool did not quiesce`);
      };
      await settleEverything();
      const drained = observe(pool.drain());
      await flush();
      await settleEverything();
      check(-1);
      assert.ok(drained.fulfilled, `seed ${seed}: drain resolves once everything is destroyed`);
      assert.ok(acquires.every((a) => a.settled), `seed ${seed}: every acquire settled`);
      assert.deepEqual(counts(pool), { size: 0, available: 0, borrowed: 0, pending: 0 });
      assert.equal(h.live, 0);
      assert.equal(h.destroyed.length, h.created.length, `seed ${seed}: every created resource is destroyed once`);
      assert.deepEqual(new Set(h.destroyed), new Set(h.created));
    });
  }
});
