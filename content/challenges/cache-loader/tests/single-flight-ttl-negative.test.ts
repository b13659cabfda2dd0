import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CacheLoader, NotFoundError } from '../src/cache-loader.ts';
import type { CacheLoaderOptions } from '../src/cache-loader.ts';
import { assertFulfilled, assertPending, at, flush, got, observe, slowStore, useMockClock } from './harness.ts';
import type { Observed } from './harness.ts';

useMockClock();

function cacheOf(load: (key: string, context: { signal: AbortSignal }) => Promise<any>, options: Partial<CacheLoaderOptions<string, unknown>> = {}) {
  return new CacheLoader<string, unknown>({ load, ttlMs: 1000, ...options });
}

describe('single-flight loads', () => {
  it('gives concurrent gets of a missing key one shared load, and every one of them its value', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const gets = [cache.get('a'), cache.get('a'), cache.get('a')].map(observe);
    await flush();
    assert.deepEqual(store.keys(), ['a']);
    store.calls[0]!.resolve('A');
    await flush();
    gets.forEach((get, i) => assertFulfilled(get, 'A', `get ${i}`));
  });

  it('calls load with the key and an AbortSignal that is not aborted', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    void observe(cache.get('user:1'));
    await flush();
    assert.equal(store.calls[0]!.key, 'user:1');
    assert.ok(store.calls[0]!.signal instanceof AbortSignal);
    assert.equal(store.calls[0]!.signal.aborted, false);
  });

  it('loads different keys independently and concurrently', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const a = observe(cache.get('a'));
    const b = observe(cache.get('b'));
    await flush();
    assert.deepEqual(store.keys(), ['a', 'b']);
    store.calls[1]!.resolve('B');
    await flush();
    assertFulfilled(b, 'B', 'get b');
    assertPending(a, 'get a');
    store.calls[0]!.resolve('A');
    await flush();
    assertFulfilled(a, 'A', 'get a');
  });

  it('serves a get made after the load finished from the cache, without loading again', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const first = observe(cache.get('a'));
    await flush();
    store.calls[0]!.resolve('A');
    await flush();
    assertFulfilled(first, 'A', 'first get');
    assertFulfilled(await got(cache.get('a')), 'A', 'second get');
    await flush();
    assertFulfilled(await got(cache.get('a')), 'A', 'third get');
    assert.equal(store.calls.length, 1);
  });

  it('has stored the value by the time its waiters resume: a get made in a waiter\'s continuation does not load', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const inner: Observed<unknown>[] = [];
    void cache.get('a').then(() => inner.push(observe(cache.get('a'))));
    await flush();
    store.calls[0]!.resolve('A');
    await flush();
    assert.equal(inner.length, 1);
    assertFulfilled(inner[0]!, 'A', 'the get made in the continuation');
    assert.equal(store.calls.length, 1);
  });

  it('settles the waiters of one load in the order their gets were made', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const order: number[] = [];
    for (let i = 0; i < 5; i++) void cache.get('a').then(() => order.push(i));
    await flush();
    store.calls[0]!.resolve('A');
    await flush();
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  it('caches null, 0, false and the empty string as values, not as "not found"', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const values: Record<string, unknown> = { n: null, z: 0, f: false, e: '' };
    for (const key of Object.keys(values)) void observe(cache.get(key));
    await flush();
    for (const call of store.calls) call.resolve(values[call.key]);
    await flush();
    for (const [key, value] of Object.entries(values)) assertFulfilled(await got(cache.get(key)), value, `get ${key}`);
    await flush();
    assert.equal(store.calls.length, 4);
  });
});

describe('TTL, measured from when the load started, with jitter', () => {
  it('serves a value until ttlMs after its load started, and loads again at exactly ttlMs', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    void observe(cache.get('a'));
    await at(300);
    store.calls[0]!.resolve('A'); // the load took 300 ms: the value is 300 ms old on arrival
    await at(999);
    assertFulfilled(await got(cache.get('a')), 'A', 'get at 999 ms');
    await flush();
    assert.equal(store.calls.length, 1, 'no load at 999 ms');
    await at(1000);
    const late = observe(cache.get('a'));
    await flush();
    assert.equal(store.calls.length, 2, 'a new load at 1000 ms');
    assertPending(late, 'get at 1000 ms (staleMs 0: nothing to serve)');
    store.calls[1]!.resolve('A2');
    await flush();
    assertFulfilled(late, 'A2', 'get at 1000 ms');
  });

  it('gives a load slower than ttlMs + staleMs its waiters the value, but stores nothing', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { staleMs: 200 });
    const get = observe(cache.get('a'));
    await at(1200);
    store.calls[0]!.resolve('A');
    await flush();
    assertFulfilled(get, 'A', 'the waiting get');
    assert.equal(cache.size, 0);
    void observe(cache.get('a'));
    await flush();
    assert.equal(store.calls.length, 2, 'the next get loads again');
  });

  it('draws each entry\'s TTL as ttlMs × (1 − jitter × random()): random 0.5 and 0.25 with jitter 0.5 give 750 ms and 875 ms', async () => {
    const draws = [0.5, 0.25];
    const store = slowStore();
    const cache = cacheOf(store.load, { jitter: 0.5, random: () => draws.shift() ?? 0 });
    void observe(cache.get('a'));
    void observe(cache.get('b'));
    await flush();
    store.calls[0]!.resolve('A');
    await flush();
    store.calls[1]!.resolve('B');
    await at(749);
    void observe(cache.get('a'));
    await flush();
    assert.equal(store.calls.length, 2, 'a is fresh at 749 ms');
    await at(750);
    void observe(cache.get('a'));
    await flush();
    assert.deepEqual(store.keys().slice(2), ['a'], 'a expires at 750 ms');
    await at(874);
    void observe(cache.get('b'));
    await flush();
    assert.equal(store.calls.length, 3, 'b is fresh at 874 ms');
    await at(875);
    void observe(cache.get('b'));
    await flush();
    assert.deepEqual(store.keys().slice(3), ['b'], 'b expires at 875 ms');
  });

  it('keeps every TTL within (ttlMs × (1 − jitter), ttlMs]: random 0 gives ttlMs, random 0.999 just over the lower bound', async () => {
    const draws = [0, 0.999];
    const store = slowStore();
    const cache = cacheOf(store.load, { jitter: 0.5, random: () => draws.shift() ?? 0 });
    void observe(cache.get('full'));
    void observe(cache.get('short'));
    await flush();
    store.calls[0]!.resolve('F');
    await flush();
    store.calls[1]!.resolve('S');
    await at(500);
    void observe(cache.get('short'));
    await flush();
    assert.equal(store.calls.length, 2, 'a TTL of 500.5 ms is fresh at 500 ms');
    await at(501);
    void observe(cache.get('short'));
    await flush();
    assert.equal(store.calls.length, 3, 'and gone at 501 ms');
    await at(999);
    void observe(cache.get('full'));
    await flush();
    assert.equal(store.calls.length, 3, 'random 0: fresh at 999 ms');
    await at(1000);
    void observe(cache.get('full'));
    await flush();
    assert.equal(store.calls.length, 4, 'random 0: gone at 1000 ms');
  });

  it('calls random() once per value it stores, and never for a not-found or a failed load', async () => {
    let draws = 0;
    const store = slowStore();
    const cache = cacheOf(store.load, { jitter: 0.2, negativeTtlMs: 500, random: () => (draws++, 0.5) });
    const gets = ['value', 'missing', 'notfound', 'failing'].map((key) => observe(cache.get(key)));
    await flush();
    assert.equal(draws, 0, 'no draw before a load finishes');
    store.calls[0]!.resolve('V');
    store.calls[1]!.resolve(undefined);
    store.calls[2]!.reject(new NotFoundError());
    store.calls[3]!.reject(new Error('store down'));
    await flush();
    assert.ok(gets.every((get) => get.settled));
    assert.equal(draws, 1);
  });
});

describe('negative caching', () => {
  it('caches a load that resolves undefined for negativeTtlMs from the load\'s start, without jitter', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { negativeTtlMs: 300, jitter: 0.5, random: () => 0.999 });
    const first = observe(cache.get('ghost'));
    await at(100);
    store.calls[0]!.resolve(undefined);
    await flush();
    assertFulfilled(first, undefined, 'first get');
    await at(299);
    assertFulfilled(await got(cache.get('ghost')), undefined, 'get at 299 ms');
    await flush();
    assert.equal(store.calls.length, 1, 'served from the negative entry');
    await at(300);
    void observe(cache.get('ghost'));
    await flush();
    assert.equal(store.calls.length, 2, 'a new load at 300 ms');
  });

  it('treats a load that rejects with NotFoundError as not found: every waiter gets undefined, and it is cached', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { negativeTtlMs: 300 });
    const gets = [observe(cache.get('ghost')), observe(cache.get('ghost'))];
    await flush();
    store.calls[0]!.reject(new NotFoundError('no such user'));
    await flush();
    gets.forEach((get, i) => assertFulfilled(get, undefined, `get ${i}`));
    assertFulfilled(await got(cache.get('ghost')), undefined, 'a later get');
    await flush();
    assert.equal(store.calls.length, 1);
  });

  it('does not cache "not found" when negativeTtlMs is 0, the default', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const first = observe(cache.get('ghost'));
    await flush();
    store.calls[0]!.resolve(undefined);
    await flush();
    assertFulfilled(first, undefined, 'first get');
    assert.equal(cache.size, 0);
    void observe(cache.get('ghost'));
    await flush();
    assert.equal(store.calls.length, 2);
  });

  it('gives a negative entry no stale period: at negativeTtlMs the get waits for a new load', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { negativeTtlMs: 200, staleMs: 5000 });
    void observe(cache.get('ghost'));
    await flush();
    store.calls[0]!.resolve(undefined);
    await at(200);
    const get = observe(cache.get('ghost'));
    await flush();
    assert.equal(store.calls.length, 2);
    assertPending(get, 'the get at 200 ms');
    store.calls[1]!.resolve('now it exists');
    await flush();
    assertFulfilled(get, 'now it exists', 'the get at 200 ms');
  });
});

describe('load errors are not cached', () => {
  it('rejects every waiter of the failed load with the same error, and the next get loads again', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const gets = [observe(cache.get('a')), observe(cache.get('a'))];
    await flush();
    const error = new Error('store down');
    store.calls[0]!.reject(error);
    await flush();
    for (const get of gets) {
      assert.ok(get.rejected);
      assert.equal(get.reason, error);
    }
    assert.equal(cache.size, 0);
    const retry = observe(cache.get('a'));
    await flush();
    assert.equal(store.calls.length, 2);
    store.calls[1]!.resolve('A');
    await flush();
    assertFulfilled(retry, 'A', 'the retry');
  });

  it('turns a load that throws synchronously into a rejected get, and caches nothing', async () => {
    const error = new Error('boom');
    let loads = 0;
    const cache = cacheOf(() => {
      loads++;
      throw error;
    });
    let get: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      get = cache.get('a');
    });
    await assert.rejects(get!, (reason) => reason === error);
    await assert.rejects(cache.get('a'), (reason) => reason === error);
    assert.equal(loads, 2);
  });

  it('keeps a failure of one key from touching the entries and loads of another', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    void observe(cache.get('good'));
    await flush();
    store.calls[0]!.resolve('G');
    const bad = observe(cache.get('bad'));
    const good = observe(cache.get('good'));
    await flush();
    store.calls[1]!.reject(new Error('bad key'));
    await flush();
    assert.ok(bad.rejected);
    assertFulfilled(good, 'G', 'good');
    assert.equal(store.calls.length, 2);
  });
});

describe('bad arguments', () => {
  const load = async () => 'v';

  it('throws a TypeError for options that are not an object, a missing load, or an option of the wrong type', () => {
    assert.throws(() => new CacheLoader(undefined as never), TypeError);
    assert.throws(() => new CacheLoader(null as never), TypeError);
    assert.throws(() => new CacheLoader({ ttlMs: 1000 } as never), TypeError);
    assert.throws(() => new CacheLoader({ load: 'load', ttlMs: 1000 } as never), TypeError);
    assert.throws(() => new CacheLoader({ load } as never), TypeError);
    assert.throws(() => new CacheLoader({ load, ttlMs: '1000' } as never), TypeError);
    assert.throws(() => new CacheLoader({ load, ttlMs: 1000, jitter: '0.1' } as never), TypeError);
    assert.throws(() => new CacheLoader({ load, ttlMs: 1000, staleMs: '5' } as never), TypeError);
    assert.throws(() => new CacheLoader({ load, ttlMs: 1000, maxEntries: '5' } as never), TypeError);
    assert.throws(() => new CacheLoader({ load, ttlMs: 1000, random: 0.5 } as never), TypeError);
  });

  it('throws a RangeError for numbers out of range', () => {
    for (const ttlMs of [0, -1, Infinity, NaN]) assert.throws(() => new CacheLoader({ load, ttlMs }), RangeError, `ttlMs ${ttlMs}`);
    for (const jitter of [-0.1, 1, 2, NaN]) assert.throws(() => new CacheLoader({ load, ttlMs: 1000, jitter }), RangeError, `jitter ${jitter}`);
    for (const staleMs of [-1, Infinity, NaN]) assert.throws(() => new CacheLoader({ load, ttlMs: 1000, staleMs }), RangeError, `staleMs ${staleMs}`);
    for (const negativeTtlMs of [-1, Infinity, NaN]) assert.throws(() => new CacheLoader({ load, ttlMs: 1000, negativeTtlMs }), RangeError, `negativeTtlMs ${negativeTtlMs}`);
    for (const maxEntries of [0, -1, 1.5, NaN]) assert.throws(() => new CacheLoader({ load, ttlMs: 1000, maxEntries }), RangeError, `maxEntries ${maxEntries}`);
  });

  it('accepts the edges of every range', () => {
    assert.doesNotThrow(() => new CacheLoader({ load, ttlMs: 0.5, jitter: 0, staleMs: 0, negativeTtlMs: 0, maxEntries: 1 }));
    assert.doesNotThrow(() => new CacheLoader({ load, ttlMs: 1000, jitter: 0.99, maxEntries: Infinity, random: () => 0 }));
  });

  it('rejects a get (it never throws) whose options are not an object or whose signal is not an AbortSignal, and loads nothing', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    for (const options of [null, 'fast', 1, { signal: {} }, { signal: 'abort' }]) {
      let get: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        get = cache.get('a', options as never);
      });
      await assert.rejects(get!, TypeError);
    }
    await flush();
    assert.equal(store.calls.length, 0);
  });
});
