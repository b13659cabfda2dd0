/**
 * The distributed-lock suite. Time is node:test's mock.timers (Date, setTimeout,
 * setInterval); pending work is flushed with `await new Promise(setImmediate)` before and
 * after every tick, so no test depends on how many awaits an implementation makes. Time
 * checks are one-sided: a wait (a pause, a deadline, a key's expiry) is never early and may
 * be up to 1 ms late; a lease is never trusted past the end of its validity, and may stop
 * being trusted up to the drift allowance (driftMs below) before it.
 *
 * Other holders are always other DistributedLock instances on the same store; faults come
 * from the provided store's failNext / stallNext, or from a wrapper around it.
 */
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { DistributedLock, LockTimeoutError, withLock } from '../src/lock.ts';
import type { Lease } from '../src/lock.ts';
import { InMemoryLockStore } from '../src/store.ts';
import type { LockStore, Stall, StoreOperation } from '../src/store.ts';

const T0 = 1_700_000_000_000;
/** Per-test safety net: a hung implementation fails its test instead of the whole run. */
const T = { timeout: 3_000 };

beforeEach(() => {
  // Reset first as well, so that nothing one test left enabled reaches the next.
  mock.timers.reset();
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: T0 });
});
afterEach(() => {
  mock.timers.reset();
});

// ---------------------------------------------------------------------------------------
// Helpers

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Milliseconds of mocked time since the test started. */
const now = (): number => Date.now() - T0;

/** Advances mocked time to `ms` after the start, 1 ms at a time, flushing around each tick. */
async function advanceTo(ms: number): Promise<void> {
  await flush();
  while (now() < ms) {
    mock.timers.tick(1);
    await flush();
  }
}

const advance = (ms: number): Promise<void> => advanceTo(now() + ms);

/** A mocked-time pause, for the work a test does while it holds a lock. */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Observed<V> {
  settled: boolean;
  fulfilled: boolean;
  value: V | undefined;
  error: unknown;
  /** now() when it settled. */
  at: number;
  done: Promise<void>;
}

/** Watches a promise without awaiting it, so that a test can tick time meanwhile. */
function observe<V>(promise: Promise<V>): Observed<V> {
  const state: Observed<V> = {
    settled: false,
    fulfilled: false,
    value: undefined,
    error: undefined,
    at: Number.NaN,
    done: Promise.resolve(),
  };
  state.done = promise.then(
    (value) => {
      Object.assign(state, { settled: true, fulfilled: true, value, at: now() });
    },
    (error: unknown) => {
      Object.assign(state, { settled: true, error, at: now() });
    },
  );
  return state;
}

/** Advances time until `o` settles, failing the test if it takes more than `budgetMs`. */
async function untilSettled<V>(o: Observed<V>, budgetMs: number, what = 'the call'): Promise<void> {
  const limit = now() + budgetMs;
  await flush();
  while (!o.settled && now() < limit) {
    mock.timers.tick(1);
    await flush();
  }
  assert.ok(o.settled, `${what} should settle within ${budgetMs} ms`);
}

/** Calls a promise-returning method, asserting it does not throw synchronously, and lets it settle. */
async function settle<V>(call: () => Promise<V>, budgetMs = 20): Promise<Observed<V>> {
  let promise: Promise<V> | undefined;
  assert.doesNotThrow(() => {
    promise = call();
  }, 'a method that returns a promise must reject, not throw');
  const o = observe(promise as Promise<V>);
  await untilSettled(o, budgetMs);
  return o;
}

function assertRejected<V>(o: Observed<V>, check: (error: unknown) => boolean, what: string): void {
  assert.equal(o.fulfilled, false, `expected a rejection (${what}), got ${String(o.value)}`);
  assert.ok(check(o.error), `expected ${what}, got ${String(o.error)}`);
}

const isA =
  (cls: new (...args: never[]) => Error) =>
  (error: unknown): boolean =>
    error instanceof cls;

/** A store error may be passed on as is or wrapped as the `cause` of another error. */
const isFrom =
  (original: Error) =>
  (error: unknown): boolean =>
    error === original || (error instanceof Error && error.cause === original);

function assertNear(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1, `${what}: expected ${expected} ms (±1), got ${actual} ms`);
}

/** For a wait: never early, at most 1 ms late. */
function assertNotEarly(actual: number, expected: number, what: string): void {
  assert.ok(actual >= expected && actual <= expected + 1, `${what}: expected ${expected} ms (up to 1 ms late, never early), got ${actual} ms`);
}

/** The statement's clock-drift allowance: how much before the end of its validity a lock may stop trusting a lease. */
const driftMs = (ttlMs: number): number => Math.ceil(ttlMs / 100) + 2;

/** For the end of a lease's validity: never late, and not earlier than the drift allowance. */
function assertAtValidityEnd(actual: number, end: number, ttlMs: number, what: string): void {
  const earliest = end - driftMs(ttlMs);
  assert.ok(actual <= end, `${what}: the lease was still trusted at ${actual} ms, after its validity ended at ${end} ms`);
  assert.ok(actual >= earliest, `${what}: the lease was given up at ${actual} ms, earlier than the drift allowance permits (${earliest} ms)`);
}

/** The largest delay Node's timers support; above it setTimeout fires after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** now()-times of the setIfAbsent calls (one per attempt) made since call index `from`. */
function attemptTimes(store: InMemoryLockStore, from: number): number[] {
  return store.calls
    .slice(from)
    .filter((call) => call.operation === 'setIfAbsent')
    .map((call) => call.time - T0);
}

function gapsOf(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - (times[index] as number));
}

async function mustAcquire(lock: DistributedLock, resource = 'r'): Promise<Lease> {
  const lease = await lock.tryAcquire(resource);
  assert.ok(lease, `expected to acquire ${JSON.stringify(resource)}`);
  return lease;
}

/** An AbortSignal that keeps count of the abort listeners currently registered on it. */
function countedSignal(): { controller: AbortController; signal: AbortSignal; live: Set<unknown> } {
  const controller = new AbortController();
  const { signal } = controller;
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  Object.defineProperty(signal, 'addEventListener', {
    configurable: true,
    value: (...args: Parameters<AbortSignal['addEventListener']>) => {
      if (args[0] === 'abort' && args[1] !== null) live.add(args[1]);
      add(...args);
    },
  });
  Object.defineProperty(signal, 'removeEventListener', {
    configurable: true,
    value: (...args: Parameters<AbortSignal['removeEventListener']>) => {
      if (args[0] === 'abort') live.delete(args[1]);
      remove(...args);
    },
  });
  return { controller, signal, live };
}

/** Resolves after `ms`, or as soon as the signal aborts. */
function workUntilAborted(signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** The downstream service of the fencing scenario: it remembers the highest token it saw. */
class StaleTokenError extends Error {
  constructor(token: number, highest: number) {
    super(`write with token ${token} rejected: token ${highest} was already seen`);
    this.name = 'StaleTokenError';
  }
}

class FencedStorage {
  highest = Number.NEGATIVE_INFINITY;
  value: string | undefined = undefined;

  write(token: number, value: string): void {
    if (token < this.highest) throw new StaleTokenError(token, this.highest);
    this.highest = token;
    this.value = value;
  }
}

/** A client's view of the store that a test can cut off (a partition, or a paused process). */
class PartitionableStore implements LockStore {
  readonly #inner: LockStore;
  #partitioned = false;
  readonly #parked: Array<() => void> = [];

  constructor(inner: LockStore) {
    this.#inner = inner;
  }

  partition(): void {
    this.#partitioned = true;
  }

  heal(): void {
    this.#partitioned = false;
    for (const go of this.#parked.splice(0)) go();
  }

  async #through<V>(call: () => Promise<V>): Promise<V> {
    if (this.#partitioned) await new Promise<void>((resolve) => this.#parked.push(resolve));
    return call();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#through(() => this.#inner.setIfAbsent(key, value, ttlMs));
  }

  compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.#through(() => this.#inner.compareAndDelete(key, expected));
  }

  compareAndExpire(key: string, expected: string, ttlMs: number): Promise<boolean> {
    return this.#through(() => this.#inner.compareAndExpire(key, expected, ttlMs));
  }

  increment(key: string): Promise<number> {
    return this.#through(() => this.#inner.increment(key));
  }
}

/**
 * The store over a slow network: every call reaches the store at once, and its reply takes
 * `delayMs` of mocked time to come back.
 */
class SlowRepliesStore implements LockStore {
  delayMs: number;
  readonly #inner: LockStore;

  constructor(inner: LockStore, delayMs: number) {
    this.#inner = inner;
    this.delayMs = delayMs;
  }

  async #slow<V>(call: () => Promise<V>): Promise<V> {
    const delayMs = this.delayMs;
    const result = await call();
    if (delayMs > 0) await sleep(delayMs);
    return result;
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.#slow(() => this.#inner.setIfAbsent(key, value, ttlMs));
  }

  compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.#slow(() => this.#inner.compareAndDelete(key, expected));
  }

  compareAndExpire(key: string, expected: string, ttlMs: number): Promise<boolean> {
    return this.#slow(() => this.#inner.compareAndExpire(key, expected, ttlMs));
  }

  increment(key: string): Promise<number> {
    return this.#slow(() => this.#inner.increment(key));
  }
}

/** now()-time of the last call made to the store. */
const lastCallTime = (store: InMemoryLockStore): number => (store.calls.at(-1)?.time ?? Number.NaN) - T0;

/** Read-modify-write with an await in the middle: loses updates unless it runs alone. */
interface Shared {
  counter: number;
  inside: number;
  maxInside: number;
}

async function readModifyWrite(shared: Shared, ms: number): Promise<void> {
  shared.inside++;
  shared.maxInside = Math.max(shared.maxInside, shared.inside);
  const read = shared.counter;
  await sleep(ms);
  shared.counter = read + 1;
  shared.inside--;
}

// ---------------------------------------------------------------------------------------

describe('new DistributedLock(store, options)', () => {
  it('throws a TypeError when the store, the options or ttlMs have the wrong type', T, () => {
    const store = new InMemoryLockStore();
    assert.throws(() => new DistributedLock(undefined as unknown as LockStore, { ttlMs: 100 }), TypeError);
    assert.throws(() => new DistributedLock({} as LockStore, { ttlMs: 100 }), TypeError);
    assert.throws(() => new DistributedLock(store, undefined as unknown as { ttlMs: number }), TypeError);
    assert.throws(() => new DistributedLock(store, { ttlMs: '100' as unknown as number }), TypeError);
    assert.throws(() => new DistributedLock(store, { ttlMs: 100, retryDelayMs: '5' as unknown as number }), TypeError);
  });

  it('throws a RangeError when ttlMs is not a whole number from 1 to 2_147_483_647', T, () => {
    const store = new InMemoryLockStore();
    for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMER_MS + 1]) {
      assert.throws(() => new DistributedLock(store, { ttlMs }), RangeError, `ttlMs ${ttlMs}`);
    }
    assert.doesNotThrow(() => new DistributedLock(store, { ttlMs: 1 }));
    assert.doesNotThrow(() => new DistributedLock(store, { ttlMs: MAX_TIMER_MS }));
  });

  it('throws a RangeError when retryDelayMs is not a whole number from 1 to 2_147_483_647, zero included', T, () => {
    const store = new InMemoryLockStore();
    for (const retryDelayMs of [0, -1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, MAX_TIMER_MS + 1]) {
      assert.throws(
        () => new DistributedLock(store, { ttlMs: 100, retryDelayMs }),
        (error: unknown) => error instanceof RangeError && /retryDelayMs/.test(error.message),
        `a RangeError naming retryDelayMs for ${retryDelayMs}`,
      );
    }
    assert.doesNotThrow(() => new DistributedLock(store, { ttlMs: 100, retryDelayMs: 1 }));
    assert.doesNotThrow(() => new DistributedLock(store, { ttlMs: 100, retryDelayMs: MAX_TIMER_MS }));
    assert.doesNotThrow(() => new DistributedLock(store, { ttlMs: 100, retryDelayMs: undefined }), 'undefined means the default');
  });
});

describe('tryAcquire(resource)', () => {
  it('grants a free resource a lease that names it and carries a whole-number fencing token', T, async () => {
    const store = new InMemoryLockStore();
    const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }), 'orders:42');
    assert.equal(lease.resource, 'orders:42');
    assert.ok(Number.isSafeInteger(lease.fencingToken), `fencingToken ${lease.fencingToken}`);
  });

  it('gives null to every other client, and to the holder itself, while the resource is held', T, async () => {
    const store = new InMemoryLockStore();
    const holder = new DistributedLock(store, { ttlMs: 1_000 });
    await mustAcquire(holder);
    assert.equal(await new DistributedLock(store, { ttlMs: 1_000 }).tryAcquire('r'), null);
    assert.equal(await holder.tryAcquire('r'), null, 'the lock is not re-entrant');
    await advanceTo(500);
    assert.equal(await holder.tryAcquire('r'), null);
  });

  it('grants the resource to exactly one of many simultaneous callers', T, async () => {
    const store = new InMemoryLockStore();
    const shared = new DistributedLock(store, { ttlMs: 1_000 });
    const calls = [
      ...Array.from({ length: 8 }, () => new DistributedLock(store, { ttlMs: 1_000 }).tryAcquire('r')),
      ...Array.from({ length: 4 }, () => shared.tryAcquire('r')),
    ];
    const leases = (await Promise.all(calls)).filter((lease) => lease !== null);
    assert.equal(leases.length, 1);
  });

  it('keeps resources independent, whatever their names', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 1_000 });
    const names = ['x', 'y', 'x:fence', 'fence:x', 'lock:x', 'x:lock', 'x:token', 'token:x', 'x:fencing', 'fencing:x', 'x:counter', 'x:seq'];
    const first = new Map<string, Lease>();
    for (const name of names) first.set(name, await mustAcquire(lock, name));
    for (const name of names) assert.equal(await first.get(name)?.release(), true, `release ${name}`);
    for (const name of names) {
      const again = await mustAcquire(lock, name);
      assert.ok(again.fencingToken > (first.get(name)?.fencingToken ?? Number.POSITIVE_INFINITY), `token of ${name}`);
    }
  });

  it('rejects with a TypeError, without throwing synchronously, when the resource is not a string', T, async () => {
    const lock = new DistributedLock(new InMemoryLockStore(), { ttlMs: 100 });
    for (const resource of [42, undefined, null, { id: 1 }]) {
      const o = await settle(() => lock.tryAcquire(resource as unknown as string));
      assertRejected(o, isA(TypeError), `a TypeError for ${String(resource)}`);
    }
  });

  it('rejects with the store error, never resolving null, when a store call fails before or after the store applied it', T, async () => {
    for (const operation of ['setIfAbsent', 'increment', 'compareAndExpire'] as const) {
      for (const applied of [false, true]) {
        const store = new InMemoryLockStore();
        const lock = new DistributedLock(store, { ttlMs: 100 });
        const error = new Error(`${operation} lost (applied: ${applied})`);
        const fault = store.failNext(operation, { applied, error });
        const o = await settle(() => lock.tryAcquire('r'));
        if (!fault.isReached) {
          // This implementation does not use that operation to acquire: nothing to check.
          store.clearFaults();
          continue;
        }
        assertRejected(o, isFrom(error), `the ${operation} error`);
        // Whatever the failed call left behind is gone within one TTL.
        await advance(100);
        await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
      }
    }
  });
});

describe('Lease', () => {
  it('release frees the resource at once and resolves true; a second release or an extend then resolves false', T, async () => {
    const store = new InMemoryLockStore();
    const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 1_000 }));
    assert.equal(await lease.release(), true);
    const next = await mustAcquire(new DistributedLock(store, { ttlMs: 1_000 }));
    assert.equal(await lease.release(), false);
    assert.equal(await lease.extend(), false);
    assert.equal(await next.release(), true, 'the stale lease left the new holder alone');
  });

  it('a holder that crashes (never releases) blocks others for at most ttlMs', T, async () => {
    const store = new InMemoryLockStore();
    await mustAcquire(new DistributedLock(store, { ttlMs: 300 }));
    const other = new DistributedLock(store, { ttlMs: 300 });
    await advanceTo(299);
    assert.equal(await other.tryAcquire('r'), null, 'not free before ttlMs');
    await advanceTo(301);
    await mustAcquire(other);
  });

  it('once expired, release and extend resolve false and leave the next holder\'s lock in place', T, async () => {
    const store = new InMemoryLockStore();
    const stale = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
    await advanceTo(101);
    const current = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
    assert.equal(await stale.extend(), false);
    assert.equal(await stale.release(), false);
    assert.equal(await new DistributedLock(store, { ttlMs: 100 }).tryAcquire('r'), null, 'the current holder still holds it');
    assert.equal(await current.release(), true);
  });

  it('once expired, with no one else holding the resource, extend and release resolve false and the resource stays free', T, async () => {
    const store = new InMemoryLockStore();
    const stale = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
    await advanceTo(101);
    assert.equal(await stale.extend(), false, 'an expired lease cannot be revived');
    assert.equal(await stale.extend(1_000), false);
    assert.equal(await stale.release(), false);
    const next = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
    assert.ok(next.fencingToken > stale.fencingToken);
  });

  it('a stale lease can neither extend nor release a newer lease of the same instance', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 100 });
    const stale = await mustAcquire(lock);
    await advanceTo(101);
    const current = await mustAcquire(lock);
    assert.equal(await stale.extend(), false);
    assert.equal(await stale.release(), false);
    assert.equal(await new DistributedLock(store, { ttlMs: 100 }).tryAcquire('r'), null);
    assert.equal(await current.release(), true);
  });

  it('extend() sets the remaining time to the lock\'s ttlMs from now', T, async () => {
    const store = new InMemoryLockStore();
    const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
    const other = new DistributedLock(store, { ttlMs: 100 });
    await advanceTo(80);
    assert.equal(await lease.extend(), true);
    await advanceTo(179);
    assert.equal(await other.tryAcquire('r'), null, 'extended until 180');
    await advanceTo(181);
    await mustAcquire(other);
  });

  it('extend(ttlMs) sets the remaining time to ttlMs from now, longer or shorter than the lock\'s', T, async () => {
    const store = new InMemoryLockStore();
    const other = new DistributedLock(store, { ttlMs: 100 });
    const longer = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }), 'long');
    await advanceTo(10);
    assert.equal(await longer.extend(500), true);
    await advanceTo(509);
    assert.equal(await other.tryAcquire('long'), null, 'extended until 510');
    await advanceTo(511);
    await mustAcquire(other, 'long');

    const shorter = await mustAcquire(new DistributedLock(store, { ttlMs: 10_000 }), 'short');
    assert.equal(await shorter.extend(50), true);
    await advance(52);
    await mustAcquire(other, 'short');
  });

  it('extend rejects with a RangeError or TypeError for a bad ttlMs, without throwing synchronously', T, async () => {
    const lease = await mustAcquire(new DistributedLock(new InMemoryLockStore(), { ttlMs: 100 }));
    for (const ttlMs of [0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMER_MS + 1]) {
      assertRejected(await settle(() => lease.extend(ttlMs)), isA(RangeError), `a RangeError for ${ttlMs}`);
    }
    assertRejected(await settle(() => lease.extend('100' as unknown as number)), isA(TypeError), 'a TypeError');
    assert.equal(await lease.extend(), true, 'bad arguments leave the lease intact');
  });

  it('release and extend reject when the store call fails', T, async () => {
    const store = new InMemoryLockStore();
    const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
    const extendError = new Error('extend lost');
    store.failNext('compareAndExpire', { error: extendError });
    assertRejected(await settle(() => lease.extend()), isFrom(extendError), 'the store error');
    const releaseError = new Error('release lost');
    store.failNext('compareAndDelete', { error: releaseError });
    assertRejected(await settle(() => lease.release()), isFrom(releaseError), 'the store error');
  });
});

describe('lease validity: counted from when the call that set the TTL was sent', () => {
  it('extend resolves false when its reply arrives ttlMs after it was sent, and the lock another client took meanwhile stays theirs', T, async () => {
    for (const applied of [true, false]) {
      const store = new InMemoryLockStore();
      const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
      await advance(50);
      const stall = store.stallNext('compareAndExpire', { applied });
      const extending = observe(lease.extend());
      await flush();
      assert.ok(stall.isReached, 'extend calls compareAndExpire');
      const sentAt = lastCallTime(store);
      // The store may have applied the extend as early as sentAt: the key is gone by
      // sentAt + 100 at the latest, and another client takes the lock.
      await advanceTo(sentAt + 110);
      const other = await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
      stall.resume();
      await untilSettled(extending, 5, 'the late extend');
      const scenario = `the ${applied ? 'reply' : 'request'} of an extend stalled past its TTL`;
      assert.ok(extending.fulfilled, `${scenario}: extend should resolve, got ${String(extending.error)}`);
      assert.equal(extending.value, false, `${scenario}: another client holds the lock, so the extend must not report success`);
      assert.equal(await lease.extend(), false, `${scenario}: a later extend`);
      assert.equal(await lease.release(), false, `${scenario}: release`);
      assert.equal(await new DistributedLock(store, { ttlMs: 100 }).tryAcquire('r'), null, `${scenario}: the other client still holds the lock`);
      assert.equal(await other.release(), true, `${scenario}: the other client's lock was left alone`);
    }
  });

  it('extend resolves true when its reply arrives before ttlMs minus the drift allowance, and false when it arrives exactly ttlMs after it was sent', T, async () => {
    const store = new InMemoryLockStore();
    const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 1_000 }));
    await advanceTo(10);
    const inTime = store.stallNext('compareAndExpire', { applied: true });
    const first = observe(lease.extend(100));
    await flush();
    assert.ok(inTime.isReached, 'extend calls compareAndExpire');
    await advanceTo(lastCallTime(store) + 100 - driftMs(100) - 1);
    inTime.resume();
    await untilSettled(first, 0, 'the extend');
    assert.equal(first.value, true, `a reply ${100 - driftMs(100) - 1} ms after sending, for a 100 ms TTL, is in time`);

    const late = store.stallNext('compareAndExpire', { applied: true });
    const second = observe(lease.extend(100));
    await flush();
    assert.ok(late.isReached);
    const sentAt = lastCallTime(store);
    await advanceTo(sentAt + 100);
    late.resume();
    await untilSettled(second, 0, 'the late extend');
    assert.equal(second.value, false, 'a reply exactly ttlMs after sending is too late: the key may be gone');
    await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
  });

  it('once an extend has come back too late the lease is lost: extend and release resolve false, even while the key is still in the store', T, async () => {
    const store = new InMemoryLockStore();
    const lease = await mustAcquire(new DistributedLock(store, { ttlMs: 1_000 }));
    await advanceTo(10);
    // The request waits on the way; the store applies it when it arrives, at 100 ms, while
    // the key (valid until 1,000 ms) is still ours: the key then lives until 150 ms.
    const stall = store.stallNext('compareAndExpire');
    const o = observe(lease.extend(50));
    await advanceTo(100);
    assert.ok(stall.isReached, 'extend calls compareAndExpire');
    stall.resume();
    await untilSettled(o, 0, 'the late extend');
    assert.equal(o.value, false, 'sent at 10 ms for 50 ms, answered at 100 ms: too late to trust');
    assert.equal(await lease.extend(), false, 'a lost lease stays lost');
    assert.equal(await lease.release(), false, 'release of a lost lease');
    await advanceTo(151);
    await mustAcquire(new DistributedLock(store, { ttlMs: 100 }));
  });

  for (const operation of ['setIfAbsent', 'increment', 'compareAndExpire'] as const) {
    it(`tryAcquire resolves a lease when the reply of its ${operation} is held back less than ttlMs minus the drift allowance, and null when it is held back ttlMs`, T, async (t) => {
      let reached = 0;
      for (const [heldMs, inTime] of [
        [100 - driftMs(100) - 1, true],
        [100, false],
      ] as const) {
        const store = new InMemoryLockStore();
        const start = now();
        const stall = store.stallNext(operation, { applied: true });
        const o = observe(new DistributedLock(store, { ttlMs: 100 }).tryAcquire('r'));
        await flush();
        if (!stall.isReached) {
          // This implementation does not call that operation while acquiring.
          store.clearFaults();
          await untilSettled(o, 20);
          continue;
        }
        reached++;
        // Every call before the stalled one went out at `start`: the store answers at once.
        await advanceTo(start + heldMs);
        assert.equal(o.settled, false, 'still waiting for the reply');
        stall.resume();
        await untilSettled(o, 0, 'the tryAcquire');
        assert.ok(o.fulfilled, `tryAcquire should resolve, got ${String(o.error)}`);
        const other = new DistributedLock(store, { ttlMs: 100 });
        if (inTime) {
          assert.ok(o.value, `a ${operation} reply ${heldMs} ms into a 100 ms TTL is in time: the lock is won`);
          assert.equal(await other.tryAcquire('r'), null, 'the lease really holds the lock');
          assert.equal(await o.value.release(), true);
        } else {
          assert.equal(o.value, null, `a ${operation} reply ${heldMs} ms into a 100 ms TTL is too late: the key may be gone`);
          await advance(1);
          await mustAcquire(other);
        }
      }
      if (operation !== 'compareAndExpire') assert.equal(reached, 2, `every acquisition must call ${operation}`);
      else if (reached === 0) t.diagnostic('this implementation does not call compareAndExpire while acquiring: nothing to hold back');
    });
  }

  it('withLock counts the lease from when the acquiring call was sent, not from when its reply arrived', T, async () => {
    const store = new InMemoryLockStore();
    const slow = new SlowRepliesStore(store, 40);
    const stalls: Stall[] = [];
    let startedAt = Number.NaN;
    let abortedAt = Number.NaN;
    const o = observe(
      withLock(new DistributedLock(slow, { ttlMs: 300 }), 'r', async (_lease, signal) => {
        startedAt = now();
        // From now on the network is fast, but every extend hangs: only the validity won
        // by the acquisition is left.
        slow.delayMs = 0;
        for (let i = 0; i < 20; i++) stalls.push(store.stallNext('compareAndExpire'));
        signal.addEventListener('abort', () => {
          abortedAt = now();
        });
        await workUntilAborted(signal, 2_000);
        return 'stopped';
      }),
    );
    await advanceTo(200);
    assert.ok(startedAt >= 40, `fn started at ${startedAt} ms, after at least one slow reply`);
    const ttlCalls = store.calls
      .filter((call) => call.time - T0 <= startedAt && (call.operation === 'setIfAbsent' || call.operation === 'compareAndExpire'))
      .map((call) => call.time - T0);
    const end = Math.max(...ttlCalls) + 300;
    await advanceTo(end - driftMs(300) - 1);
    assert.ok(Number.isNaN(abortedAt), `aborted at ${abortedAt} ms, though the lease is valid until ${end} ms`);
    await advanceTo(end);
    assertAtValidityEnd(abortedAt, end, 300, `ttlMs after the last TTL-setting call of the acquisition (sent at ${end - 300} ms)`);
    for (const stall of stalls) stall.resume();
    store.clearFaults();
    await untilSettled(o, 20);
    assert.equal(o.value, 'stopped');
  });
});

describe('fencing tokens', () => {
  it('strictly increase per resource across clients, releases, expiries and acquisitions within one millisecond', T, async () => {
    const store = new InMemoryLockStore();
    const clients = [0, 1, 2].map(() => new DistributedLock(store, { ttlMs: 100 }));
    const tokens: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const client of clients) {
        const lease = await mustAcquire(client);
        tokens.push(lease.fencingToken);
        await mustAcquire(client, 'other resource').then((other) => other.release());
        if ((round + tokens.length) % 2 === 0) {
          assert.equal(await lease.release(), true);
        } else {
          await advance(101); // expires instead of being released
        }
      }
    }
    for (let i = 1; i < tokens.length; i++) {
      assert.ok(tokens[i]! > tokens[i - 1]!, `tokens ${tokens.join(', ')} must strictly increase`);
    }
  });

  it('let a storage service reject a writer that paused past its TTL after another client acquired', T, async () => {
    const store = new InMemoryLockStore();
    const storage = new FencedStorage();
    const a = new DistributedLock(store, { ttlMs: 300 });
    const b = new DistributedLock(store, { ttlMs: 300 });

    const leaseA = await mustAcquire(a, 'file');
    storage.write(leaseA.fencingToken, 'a1');
    await advanceTo(400); // A pauses (a long GC, a stalled VM) past its TTL
    const leaseB = await mustAcquire(b, 'file');
    storage.write(leaseB.fencingToken, 'b1');
    // A wakes up believing it still holds the lock.
    assert.throws(() => storage.write(leaseA.fencingToken, 'a2'), StaleTokenError);
    assert.equal(storage.value, 'b1');
    assert.equal(await leaseA.release(), false);
    assert.equal(await leaseB.release(), true);
  });

  it('protect the storage from a withLock client cut off from the store, whose signal aborts at its TTL', T, async () => {
    const store = new InMemoryLockStore();
    const link = new PartitionableStore(store);
    const storage = new FencedStorage();
    const a = new DistributedLock(link, { ttlMs: 300 });
    const b = new DistributedLock(store, { ttlMs: 300 });
    let abortedAt = Number.NaN;
    let tokenA = Number.NaN;

    const runA = observe(
      withLock(a, 'file', async (lease, signal) => {
        tokenA = lease.fencingToken;
        signal.addEventListener('abort', () => {
          abortedAt = now();
        });
        storage.write(lease.fencingToken, 'a1');
        link.partition(); // from now on A's extends go nowhere
        await sleep(1_000); // and A, ignoring its signal, writes again much later
        storage.write(lease.fencingToken, 'a2');
        return 'written';
      }),
    );
    const runB = observe(
      (async () => {
        await sleep(50);
        return withLock(b, 'file', async (lease) => {
          storage.write(lease.fencingToken, 'b1');
          return lease.fencingToken;
        });
      })(),
    );
    await advanceTo(300 - driftMs(300) - 1);
    assert.ok(Number.isNaN(abortedAt), 'A is not told too early');
    await advanceTo(300);
    assertAtValidityEnd(abortedAt, 300, 300, "A's signal aborts when its lease can no longer be trusted");
    await advanceTo(301);
    await advanceTo(400);
    assert.ok(runB.fulfilled, 'B acquires once A\'s lock expired');
    assert.ok((runB.value as number) > tokenA);
    await advanceTo(900);
    link.heal();
    await untilSettled(runA, 200, "A's withLock");
    assertRejected(runA, isA(StaleTokenError), "the storage's StaleTokenError");
    assert.equal(storage.value, 'b1');
  });
});

/**
 * Client A's store call stalls inside tryAcquire until A's TTL has long passed; client B
 * then acquires, and either keeps the lock or releases it before A's call goes on.
 */
async function stalledClientScenario(operation: StoreOperation, applied: boolean, bKeepsIt: boolean): Promise<'ran' | 'not reached'> {
  const store = new InMemoryLockStore();
  const [a, b, c] = [0, 1, 2].map(() => new DistributedLock(store, { ttlMs: 100 })) as [DistributedLock, DistributedLock, DistributedLock];
  const start = now();
  const stall = store.stallNext(operation, { applied });
  const resultA = observe(a.tryAcquire('r'));
  await flush();
  if (!stall.isReached) {
    store.clearFaults();
    await untilSettled(resultA, 20);
    return 'not reached';
  }
  await advanceTo(start + 150);
  assert.equal(resultA.settled, false, 'A is still stalled');
  const leaseB = await b.tryAcquire('r');
  assert.ok(leaseB, 'a stalled client does not block others beyond its TTL');
  if (!bKeepsIt) assert.equal(await leaseB.release(), true);
  stall.resume();
  await untilSettled(resultA, 20, "A's tryAcquire");
  assert.ok(resultA.fulfilled, `A's tryAcquire should resolve, got ${String(resultA.error)}`);
  const leaseA = resultA.value ?? null;
  const scenario = `${operation} ${applied ? 'reply' : 'request'} stalled, B ${bKeepsIt ? 'keeps' : 'released'} the lock`;
  if (bKeepsIt) {
    assert.equal(leaseA, null, `${scenario}: A must not be granted a lock B holds`);
    assert.equal(await c.tryAcquire('r'), null, `${scenario}: B still holds the lock`);
    assert.equal(await leaseB.release(), true, `${scenario}: B's lock was left alone`);
  } else if (leaseA !== null) {
    assert.ok(
      leaseA.fencingToken > leaseB.fencingToken,
      `${scenario}: A was granted after B released, so its token ${leaseA.fencingToken} must exceed B's ${leaseB.fencingToken}`,
    );
    assert.equal(await c.tryAcquire('r'), null, `${scenario}: A really holds what it was granted`);
    assert.equal(await leaseA.release(), true);
  }
  return 'ran';
}

describe('a client that stalls inside tryAcquire past its TTL', () => {
  for (const operation of ['setIfAbsent', 'increment', 'compareAndExpire'] as const) {
    it(`never shares the lock and never gets a lower token than a later holder, when its ${operation} request or reply stalls`, T, async (t) => {
      let ran = 0;
      for (const applied of [false, true]) {
        for (const bKeepsIt of [true, false]) {
          if ((await stalledClientScenario(operation, applied, bKeepsIt)) === 'ran') ran++;
        }
      }
      if (operation !== 'compareAndExpire') assert.equal(ran, 4, `every acquisition must call ${operation}`);
      else if (ran === 0) t.diagnostic('this implementation does not call compareAndExpire while acquiring: nothing to stall');
    });
  }
});

describe('acquire(resource, options)', () => {
  it('resolves at once with a lease when the resource is free', T, async () => {
    const lock = new DistributedLock(new InMemoryLockStore(), { ttlMs: 100 });
    const o = await settle(() => lock.acquire('r'), 1);
    assert.ok(o.fulfilled && o.value, 'acquired');
    assert.equal(o.value.resource, 'r');
  });

  it('without waitMs, waits until the holder releases and then acquires within retryDelayMs', T, async () => {
    const store = new InMemoryLockStore();
    const holder = await mustAcquire(new DistributedLock(store, { ttlMs: 10_000 }));
    const waiter = new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 50 });
    const o = observe(waiter.acquire('r'));
    await advanceTo(200);
    assert.equal(o.settled, false);
    assert.equal(await holder.release(), true);
    await untilSettled(o, 51, 'the waiting acquire');
    assert.ok(o.fulfilled && o.value);
    assert.ok(o.value.fencingToken > holder.fencingToken);
  });

  it('without waitMs, waits out a crashed holder\'s TTL', T, async () => {
    const store = new InMemoryLockStore();
    await mustAcquire(new DistributedLock(store, { ttlMs: 300 }));
    const o = observe(new DistributedLock(store, { ttlMs: 300, retryDelayMs: 50 }).acquire('r'));
    await advanceTo(298);
    assert.equal(o.settled, false);
    await untilSettled(o, 53, 'the waiting acquire');
    assert.ok(o.fulfilled);
  });

  it('with waitMs 0, makes exactly one attempt and rejects with LockTimeoutError, even for the holder itself', T, async () => {
    const store = new InMemoryLockStore();
    const holderLock = new DistributedLock(store, { ttlMs: 10_000 });
    await mustAcquire(holderLock);
    for (const lock of [new DistributedLock(store, { ttlMs: 100 }), holderLock]) {
      const from = store.calls.length;
      const o = await settle(() => lock.acquire('r', { waitMs: 0 }), 1);
      assertRejected(o, isA(LockTimeoutError), 'a LockTimeoutError');
      await advance(1_000);
      assert.equal(attemptTimes(store, from).length, 1, 'exactly one attempt');
    }
  });

  it('retries after random pauses from retryDelayMs / 2 to retryDelayMs, attempts one last time at the deadline, then rejects with LockTimeoutError', T, async () => {
    const store = new InMemoryLockStore();
    await mustAcquire(new DistributedLock(store, { ttlMs: 60_000 }));
    const from = store.calls.length;
    const o = observe(new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 100 }).acquire('r', { waitMs: 2_000 }));
    await advanceTo(1_999);
    assert.equal(o.settled, false, 'still waiting before the deadline');
    await advanceTo(2_001);
    assert.ok(o.settled, 'settled at the deadline');
    assertRejected(o, isA(LockTimeoutError), 'a LockTimeoutError');
    assertNotEarly(o.at, 2_000, 'the rejection');
    await advanceTo(3_000);

    const attempts = attemptTimes(store, from);
    assert.equal(attempts[0], 0, 'the first attempt is immediate');
    assertNotEarly(attempts.at(-1) as number, 2_000, 'the last attempt');
    const gaps = gapsOf(attempts);
    const lastGap = gaps.pop() as number;
    for (const gap of gaps) assert.ok(gap >= 50 && gap <= 101, `pause of ${gap} ms outside 50..100 (attempts at ${attempts.join(', ')})`);
    assert.ok(lastGap >= 0 && lastGap <= 101, `the last pause, ${lastGap} ms, is cut short at the deadline`);
    assert.ok(new Set(gaps).size >= 5, `pauses must be random, got ${gaps.join(', ')}`);
  });

  it('pauses from 25 to 50 ms between attempts when retryDelayMs is not given', T, async () => {
    const store = new InMemoryLockStore();
    await mustAcquire(new DistributedLock(store, { ttlMs: 60_000 }));
    const from = store.calls.length;
    const o = observe(new DistributedLock(store, { ttlMs: 1_000 }).acquire('r', { waitMs: 1_000 }));
    await untilSettled(o, 1_002);
    const gaps = gapsOf(attemptTimes(store, from));
    gaps.pop();
    assert.ok(gaps.length >= 19, `${gaps.length} retries in a second`);
    for (const gap of gaps) assert.ok(gap >= 25 && gap <= 51, `pause of ${gap} ms outside 25..50`);
  });

  it('acquires on its last attempt at the deadline when the lock was freed during the final pause', T, async () => {
    const store = new InMemoryLockStore();
    const holder = await mustAcquire(new DistributedLock(store, { ttlMs: 60_000 }));
    // Pauses are at least 50 ms, so the only retry within 40 ms is the one at the deadline.
    const o = observe(new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 100 }).acquire('r', { waitMs: 40 }));
    await advanceTo(30);
    assert.equal(await holder.release(), true);
    await untilSettled(o, 12);
    assert.ok(o.fulfilled && o.value, `expected a lease, got ${String(o.error)}`);
    assertNotEarly(o.at, 40, 'acquired at the deadline');
  });

  it('rejects with the signal\'s reason as soon as it aborts while waiting, and stops retrying', T, async () => {
    const store = new InMemoryLockStore();
    await mustAcquire(new DistributedLock(store, { ttlMs: 60_000 }));
    const controller = new AbortController();
    const from = store.calls.length;
    const o = observe(new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 20 }).acquire('r', { signal: controller.signal }));
    await advanceTo(120);
    assert.equal(o.settled, false);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await flush();
    await flush();
    assert.ok(o.settled, 'rejects at once');
    assert.equal(o.error, reason);
    const attempts = attemptTimes(store, from).length;
    await advanceTo(1_000);
    assert.equal(attemptTimes(store, from).length, attempts, 'no attempt after the abort');
  });

  it('rejects with the reason of an already aborted signal and leaves the resource free', T, async () => {
    const store = new InMemoryLockStore();
    const reason = new Error('already cancelled');
    const o = await settle(() => new DistributedLock(store, { ttlMs: 1_000 }).acquire('r', { signal: AbortSignal.abort(reason) }));
    assertRejected(o, (error) => error === reason, "the signal's reason");
    await advance(5);
    await mustAcquire(new DistributedLock(store, { ttlMs: 1_000 }));
  });

  it('rejects with the signal\'s reason when aborted during an attempt, and does not leave behind a lock that attempt still wins', T, async () => {
    for (const applied of [false, true]) {
      const store = new InMemoryLockStore();
      const stall = store.stallNext('setIfAbsent', { applied });
      const controller = new AbortController();
      const o = observe(new DistributedLock(store, { ttlMs: 10_000 }).acquire('r', { signal: controller.signal }));
      await flush();
      assert.ok(stall.isReached);
      const reason = new Error('shutting down');
      controller.abort(reason);
      await flush();
      stall.resume();
      await untilSettled(o, 20, 'the aborted acquire');
      assert.equal(o.error, reason, `applied: ${applied}`);
      await advance(5);
      assert.ok(await new DistributedLock(store, { ttlMs: 100 }).tryAcquire('r'), `applied: ${applied}: the lock won after the abort must be released`);
    }
  });

  it('rejects with the store error instead of retrying, on the first attempt or a later one', T, async () => {
    const store = new InMemoryLockStore();
    const first = new Error('first attempt failed');
    store.failNext('setIfAbsent', { error: first });
    assertRejected(await settle(() => new DistributedLock(store, { ttlMs: 1_000 }).acquire('r')), isFrom(first), 'the store error');

    await mustAcquire(new DistributedLock(store, { ttlMs: 60_000 }));
    const from = store.calls.length;
    const o = observe(new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 20 }).acquire('r'));
    await advanceTo(100);
    assert.equal(o.settled, false);
    const later = new Error('a later attempt failed');
    store.failNext('setIfAbsent', { error: later });
    await untilSettled(o, 21, 'the acquire');
    assertRejected(o, isFrom(later), 'the store error');
    const attempts = attemptTimes(store, from).length;
    await advance(500);
    assert.equal(attemptTimes(store, from).length, attempts, 'no attempt after the failure');
  });

  it('removes every listener it adds to the caller\'s signal once it settles', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 10 });
    const { signal, live } = countedSignal();
    for (let i = 0; i < 20; i++) {
      const lease = await lock.acquire('r', { signal });
      assert.equal(await lease.release(), true);
    }
    const holder = await mustAcquire(new DistributedLock(store, { ttlMs: 300 }));
    const waiting = observe(lock.acquire('r', { signal }));
    await advanceTo(200);
    await holder.release();
    await untilSettled(waiting, 11);
    assert.ok(waiting.fulfilled);
    const timingOut = observe(lock.acquire('r', { signal, waitMs: 100 }));
    await untilSettled(timingOut, 101);
    assertRejected(timingOut, isA(LockTimeoutError), 'a LockTimeoutError');
    assert.equal(live.size, 0, `${live.size} abort listener(s) left on the signal`);
    assert.equal(signal.onabort, null);
  });

  it('rejects, without throwing synchronously, on bad arguments', T, async () => {
    const lock = new DistributedLock(new InMemoryLockStore(), { ttlMs: 100 });
    const bad: Array<[unknown, unknown, new (...args: never[]) => Error]> = [
      [42, undefined, TypeError],
      ['r', 'soon', TypeError],
      ['r', { waitMs: '10' }, TypeError],
      ['r', { waitMs: -1 }, RangeError],
      ['r', { waitMs: Number.NaN }, RangeError],
      ['r', { signal: {} }, TypeError],
    ];
    for (const [resource, options, cls] of bad) {
      const o = await settle(() => lock.acquire(resource as string, options as { waitMs?: number }));
      assertRejected(o, isA(cls), `${cls.name} for ${JSON.stringify(options)}`);
    }
  });

  it('LockTimeoutError is an Error whose name is LockTimeoutError', T, () => {
    const error = new LockTimeoutError('timed out');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'LockTimeoutError');
  });
});

describe('withLock(lock, resource, fn, options)', () => {
  it('runs fn with the lease and an unaborted signal, releases, then resolves with fn\'s result', T, async () => {
    const store = new InMemoryLockStore();
    const other = new DistributedLock(store, { ttlMs: 1_000 });
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 1_000 }), 'r', async (lease, signal) => {
        assert.equal(lease.resource, 'r');
        assert.ok(signal instanceof AbortSignal);
        assert.equal(signal.aborted, false);
        assert.equal(await other.tryAcquire('r'), null, 'held while fn runs');
        await sleep(10);
        return 42;
      }),
    );
    await untilSettled(o, 20);
    assert.equal(o.value, 42);
    await mustAcquire(other);
  });

  it('rejects with fn\'s error, after releasing, whether fn rejects or throws synchronously', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 1_000 });
    const failure = new Error('fn failed');
    const fns = [
      async (): Promise<never> => {
        await sleep(10);
        throw failure;
      },
      (): Promise<never> => {
        throw failure;
      },
    ];
    for (const fn of fns) {
      const o = observe(withLock(lock, 'r', fn));
      await untilSettled(o, 20);
      assert.equal(o.error, failure);
      assert.equal(await (await mustAcquire(lock)).release(), true, 'released by withLock');
    }
  });

  it('extends the lease every ttlMs / 3 while fn runs, so no one else can acquire it', T, async () => {
    const store = new InMemoryLockStore();
    const other = new DistributedLock(store, { ttlMs: 300 });
    let seen: AbortSignal | undefined;
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 300 }), 'r', async (_lease, signal) => {
        seen = signal;
        await sleep(1_000);
        return 'done';
      }),
    );
    await advanceTo(990);
    const extends_ = store.calls.filter((call) => call.operation === 'compareAndExpire' && call.time > T0).map((call) => call.time - T0);
    assert.equal(await other.tryAcquire('r'), null, 'still held after three TTLs');
    assert.ok(extends_.length >= 9, `extends at ${extends_.join(', ')}`);
    assertNear(extends_[0] as number, 100, 'the first extend');
    for (const gap of gapsOf(extends_)) assertNear(gap, 100, `extends at ${extends_.join(', ')}`);
    await untilSettled(o, 20);
    assert.equal(o.value, 'done');
    assert.equal(seen?.aborted, false);
    await mustAcquire(other);
  });

  it('stops extending once fn settles, and settles only after the release has settled', T, async () => {
    const store = new InMemoryLockStore();
    let releaseStall: Stall | undefined;
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 300 }), 'r', async () => {
        releaseStall = store.stallNext('compareAndDelete', { applied: true });
        await sleep(150);
        return 'value';
      }),
    );
    await advanceTo(700);
    assert.ok(releaseStall?.isReached, 'the release was sent');
    assert.equal(o.settled, false, 'withLock waits for the release');
    releaseStall.resume();
    await untilSettled(o, 5);
    assert.equal(o.value, 'value');
    await advanceTo(2_000);
    const late = store.calls.filter((call) => call.operation === 'compareAndExpire' && call.time > T0 + 151);
    assert.deepEqual(late.map((call) => call.time - T0), [], 'no extend after fn settled');
    await mustAcquire(new DistributedLock(store, { ttlMs: 300 }));
  });

  it('aborts fn\'s signal when an extend rejects', T, async () => {
    const store = new InMemoryLockStore();
    let abortedAt = Number.NaN;
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 300 }), 'r', async (_lease, signal) => {
        store.failNext('compareAndExpire');
        signal.addEventListener('abort', () => {
          abortedAt = now();
        });
        await workUntilAborted(signal, 1_000);
        return signal.aborted ? 'stopped' : 'finished';
      }),
    );
    await advanceTo(98);
    assert.ok(Number.isNaN(abortedAt), 'not aborted before the first extend');
    await advanceTo(101);
    assertNear(abortedAt, 100, 'aborted when the extend at 100 ms failed');
    await untilSettled(o, 20);
    assert.equal(o.value, 'stopped');
    await mustAcquire(new DistributedLock(store, { ttlMs: 300 }));
  });

  it('aborts fn\'s signal when an extend resolves false', T, async () => {
    const store = new InMemoryLockStore();
    let abortedAt = Number.NaN;
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 300 }), 'r', async (_lease, signal) => {
        signal.addEventListener('abort', () => {
          abortedAt = now();
        });
        await sleep(50);
        store.clear(); // the store loses the key (a failover to a replica that never saw it)
        await workUntilAborted(signal, 1_000);
        return signal.aborted ? 'stopped' : 'finished';
      }),
    );
    await advanceTo(98);
    assert.ok(Number.isNaN(abortedAt), 'not aborted before the first extend');
    await advanceTo(101);
    assertNear(abortedAt, 100, 'aborted when the extend at 100 ms found the lock gone');
    await untilSettled(o, 20);
    assert.equal(o.value, 'stopped');
  });

  it('aborts fn\'s signal ttlMs after the last acquire when every extend hangs', T, async () => {
    const store = new InMemoryLockStore();
    const stalls: Stall[] = [];
    let abortedAt = Number.NaN;
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 300 }), 'r', async (_lease, signal) => {
        for (let i = 0; i < 20; i++) stalls.push(store.stallNext('compareAndExpire'));
        signal.addEventListener('abort', () => {
          abortedAt = now();
        });
        await workUntilAborted(signal, 2_000);
        return 'stopped';
      }),
    );
    await advanceTo(300 - driftMs(300) - 1);
    assert.ok(stalls[0]?.isReached, 'an extend was sent');
    assert.ok(Number.isNaN(abortedAt), 'not aborted while the lease is valid');
    await advanceTo(300);
    assertAtValidityEnd(abortedAt, 300, 300, 'aborted when the lease ran out, though an extend is pending');
    for (const stall of stalls) stall.resume();
    await untilSettled(o, 20);
    assert.equal(o.value, 'stopped');
  });

  it('aborts fn\'s signal ttlMs after the last successful extend was sent, not after its reply arrived', T, async () => {
    const store = new InMemoryLockStore();
    const stalls: Stall[] = [];
    let abortedAt = Number.NaN;
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 300 }), 'r', async (_lease, signal) => {
        // Every extend reaches the store, but its reply is held back.
        for (let i = 0; i < 20; i++) stalls.push(store.stallNext('compareAndExpire', { applied: true }));
        signal.addEventListener('abort', () => {
          abortedAt = now();
        });
        await workUntilAborted(signal, 2_000);
        return 'stopped';
      }),
    );
    await advanceTo(250);
    assert.ok(stalls[0]?.isReached, 'the extend of 100 ms was sent');
    stalls[0].resume(); // its reply arrives at 250 ms: success, sent at 100 ms
    await advanceTo(400 - driftMs(300) - 1);
    assert.ok(Number.isNaN(abortedAt), 'valid until 100 + 300 ms');
    await advanceTo(400);
    assertAtValidityEnd(abortedAt, 400, 300, 'aborted 300 ms after the successful extend was sent');
    for (const stall of stalls) stall.resume();
    await untilSettled(o, 20);
  });

  it('resolves with fn\'s result when the release rejects or resolves false', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 1_000 });
    const rejected = observe(
      withLock(lock, 'a', async () => {
        store.failNext('compareAndDelete');
        return 'kept despite a failed release';
      }),
    );
    await untilSettled(rejected, 20);
    assert.equal(rejected.value, 'kept despite a failed release');

    const lost = observe(
      withLock(lock, 'b', async () => {
        store.clear();
        return 'kept despite a lost lease';
      }),
    );
    await untilSettled(lost, 20);
    assert.equal(lost.value, 'kept despite a lost lease');
  });

  it('rejects with fn\'s error, not the release\'s, when both fail', T, async () => {
    const store = new InMemoryLockStore();
    const failure = new Error('fn failed');
    const o = observe(
      withLock(new DistributedLock(store, { ttlMs: 1_000 }), 'r', async () => {
        store.failNext('compareAndDelete', { error: new Error('release failed') });
        throw failure;
      }),
    );
    await untilSettled(o, 20);
    assert.equal(o.error, failure);
  });

  it('rejects with LockTimeoutError, without calling fn, when waitMs passes', T, async () => {
    const store = new InMemoryLockStore();
    await mustAcquire(new DistributedLock(store, { ttlMs: 60_000 }));
    let called = false;
    const o = observe(
      withLock(
        new DistributedLock(store, { ttlMs: 1_000 }),
        'r',
        async () => {
          called = true;
        },
        { waitMs: 100 },
      ),
    );
    await untilSettled(o, 102);
    assertRejected(o, isA(LockTimeoutError), 'a LockTimeoutError');
    assertNotEarly(o.at, 100, 'rejected at the deadline');
    assert.equal(called, false);
  });

  it('rejects with a TypeError, without calling fn or taking the lock, on bad arguments', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 1_000 });
    let called = false;
    const fn = async (): Promise<void> => {
      called = true;
    };
    const bad: Array<() => Promise<unknown>> = [
      () => withLock(null as unknown as DistributedLock, 'r', fn),
      () => withLock(lock, 7 as unknown as string, fn),
      () => withLock(lock, 'r', 'not a function' as unknown as typeof fn),
    ];
    for (const call of bad) assertRejected(await settle(call), isA(TypeError), 'a TypeError');
    assert.equal(called, false);
    await mustAcquire(new DistributedLock(store, { ttlMs: 1_000 }));
  });
});

describe('timers', () => {
  /**
   * Puts counting wrappers around the real global timers, so that a test can see which
   * timers are still scheduled; restore() puts the originals back and clears the leftovers,
   * so that a leaked interval cannot keep the test process alive.
   */
  function watchRealTimers(): { live: Map<unknown, string>; restore(): void } {
    const live = new Map<unknown, string>();
    const real = {
      setTimeout: globalThis.setTimeout,
      setInterval: globalThis.setInterval,
      clearTimeout: globalThis.clearTimeout,
      clearInterval: globalThis.clearInterval,
    };
    const watchedSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown => {
      const timer = real.setTimeout(
        (...callArgs: unknown[]) => {
          live.delete(timer);
          callback(...callArgs);
        },
        ms,
        ...args,
      );
      live.set(timer, `setTimeout(${ms})`);
      return timer;
    };
    const watchedSetInterval = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown => {
      const timer = real.setInterval(callback, ms, ...args);
      live.set(timer, `setInterval(${ms})`);
      return timer;
    };
    const watchedClear = (timer: unknown): void => {
      live.delete(timer);
      real.clearTimeout(timer as Parameters<typeof clearTimeout>[0]);
    };
    Object.assign(globalThis, {
      setTimeout: watchedSetTimeout,
      setInterval: watchedSetInterval,
      clearTimeout: watchedClear,
      clearInterval: watchedClear,
    });
    return {
      live,
      restore(): void {
        Object.assign(globalThis, real);
        for (const timer of live.keys()) real.clearTimeout(timer as Parameters<typeof clearTimeout>[0]);
      },
    };
  }

  it('none is left scheduled once acquire (acquired, timed out or aborted) or withLock has settled', T, async () => {
    // Real timers for this one test; it waits for real only for the few milliseconds of a
    // 6 ms waitMs.
    mock.timers.reset();
    const timers = watchRealTimers();
    const leftover = (): string => [...timers.live.values()].join(', ');
    try {
      const store = new InMemoryLockStore();
      const lock = new DistributedLock(store, { ttlMs: 3_000, retryDelayMs: 2 });

      assert.equal(await withLock(lock, 'r', async () => 'done'), 'done');
      assert.equal(leftover(), '', 'withLock left timers scheduled');

      const holder = await mustAcquire(new DistributedLock(store, { ttlMs: 3_000 }));
      await assert.rejects(lock.acquire('r', { waitMs: 6 }), LockTimeoutError);
      assert.equal(leftover(), '', 'a timed-out acquire left timers scheduled');

      const controller = new AbortController();
      const slow = new DistributedLock(store, { ttlMs: 3_000, retryDelayMs: 400 });
      const aborted = slow.acquire('r', { signal: controller.signal });
      await flush();
      controller.abort(new Error('stop'));
      await assert.rejects(aborted, /stop/);
      assert.equal(leftover(), '', 'an aborted acquire left its retry timer scheduled');

      assert.equal(await holder.release(), true);
      const lease = await lock.acquire('r', { waitMs: 100 });
      assert.equal(leftover(), '', 'a successful acquire left timers scheduled');
      assert.equal(await lease.release(), true);
    } finally {
      timers.restore();
    }
  });
});

describe('mutual exclusion under contention', () => {
  it('loses no update when five clients each do four read-modify-writes through withLock', T, async () => {
    const store = new InMemoryLockStore();
    const shared: Shared = { counter: 0, inside: 0, maxInside: 0 };
    const clients = Array.from({ length: 5 }, () => new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 20 }));
    const all = observe(
      Promise.all(
        clients.map(async (lock) => {
          for (let i = 0; i < 4; i++) await withLock(lock, 'counter', () => readModifyWrite(shared, 5));
        }),
      ),
    );
    await untilSettled(all, 5_000, 'the clients');
    assert.ok(all.fulfilled, String(all.error));
    assert.equal(shared.maxInside, 1);
    assert.equal(shared.counter, 20);
  });

  it('loses no update when concurrent withLock calls share one DistributedLock instance', T, async () => {
    const store = new InMemoryLockStore();
    const lock = new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 20 });
    const shared: Shared = { counter: 0, inside: 0, maxInside: 0 };
    const all = observe(
      Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let i = 0; i < 3; i++) await withLock(lock, 'counter', () => readModifyWrite(shared, 5));
        }),
      ),
    );
    await untilSettled(all, 5_000, 'the workers');
    assert.ok(all.fulfilled, String(all.error));
    assert.equal(shared.maxInside, 1);
    assert.equal(shared.counter, 18);
  });

  it('loses no update with acquire and release', T, async () => {
    const store = new InMemoryLockStore();
    const shared: Shared = { counter: 0, inside: 0, maxInside: 0 };
    const clients = Array.from({ length: 4 }, () => new DistributedLock(store, { ttlMs: 1_000, retryDelayMs: 20 }));
    const all = observe(
      Promise.all(
        clients.map(async (lock) => {
          for (let i = 0; i < 5; i++) {
            const lease = await lock.acquire('counter');
            try {
              await readModifyWrite(shared, 5);
            } finally {
              await lease.release();
            }
          }
        }),
      ),
    );
    await untilSettled(all, 5_000, 'the clients');
    assert.ok(all.fulfilled, String(all.error));
    assert.equal(shared.maxInside, 1);
    assert.equal(shared.counter, 20);
  });
});
