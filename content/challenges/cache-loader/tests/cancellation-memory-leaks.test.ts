import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CacheLoader, NotFoundError } from '../src/cache-loader.ts';
import type { CacheLoaderOptions } from '../src/cache-loader.ts';
import { assertFulfilled, assertPending, at, flush, got, observe, slowStore, useMockClock } from './harness.ts';

useMockClock();

function cacheOf(load: (key: string, context: { signal: AbortSignal }) => Promise<any>, options: Partial<CacheLoaderOptions<string, unknown>> = {}) {
  return new CacheLoader<string, unknown>({ load, ttlMs: 1000, ...options });
}

/**
 * Counts the abort listeners added to a signal and not yet removed (a `once` listener is
 * removed by the signal itself when it fires).
 */
function watchListeners(signal: AbortSignal): { active(): number } {
  const live = new Map<unknown, boolean>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  mock.method(signal, 'addEventListener', (type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean) => {
    if (type === 'abort') live.set(listener, typeof options === 'object' && options.once === true);
    add(type, listener, options);
  });
  mock.method(signal, 'removeEventListener', (type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean) => {
    if (type === 'abort') live.delete(listener);
    remove(type, listener, options);
  });
  return { active: () => [...live.values()].filter((once) => !(once && signal.aborted)).length };
}

/** Loads every key in order, one at a time, each finishing before the next starts. */
async function loadInOrder(cache: CacheLoader<string, unknown>, store: ReturnType<typeof slowStore>, keys: string[]): Promise<void> {
  for (const key of keys) {
    const get = observe(cache.get(key));
    await flush();
    const call = store.calls.at(-1)!;
    assert.equal(call.key, key, `a load for ${key}`);
    call.resolve(key.toUpperCase());
    await flush();
    assertFulfilled(get, key.toUpperCase(), `get ${key}`);
  }
}

/** Whether the cache serves key without a load (and leaves no load behind if it does not). */
async function isCached(cache: CacheLoader<string, unknown>, store: ReturnType<typeof slowStore>, key: string): Promise<boolean> {
  const before = store.calls.length;
  const get = await got(cache.get(key));
  if (store.calls.length === before) return true;
  store.calls.at(-1)!.resolve(key.toUpperCase());
  await flush();
  assert.ok(get.settled);
  return false;
}

describe('cancellation', () => {
  it('rejects a get whose signal is already aborted with its reason, and starts no load, even for a cached key', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const reason = new Error('gone before asking');
    const aborted = AbortSignal.abort(reason);
    const miss = await got(cache.get('a', { signal: aborted }));
    assert.ok(miss.rejected);
    assert.equal(miss.reason, reason);
    assert.equal(store.calls.length, 0);
    await loadInOrder(cache, store, ['a']);
    const hit = await got(cache.get('a', { signal: aborted }));
    assert.ok(hit.rejected);
    assert.equal(hit.reason, reason);
  });

  it('rejects only the aborted get, with its signal\'s reason; the load goes on for the others and is cached', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const controller = new AbortController();
    const leaving = observe(cache.get('a', { signal: controller.signal }));
    const staying = [observe(cache.get('a')), observe(cache.get('a', { signal: new AbortController().signal }))];
    await flush();
    const reason = new Error('client disconnected');
    controller.abort(reason);
    await flush();
    assert.ok(leaving.rejected);
    assert.equal(leaving.reason, reason);
    assert.equal(store.calls[0]!.signal.aborted, false, 'the load is not aborted while others wait');
    staying.forEach((get, i) => assertPending(get, `waiter ${i}`));
    store.calls[0]!.resolve('A');
    await flush();
    staying.forEach((get, i) => assertFulfilled(get, 'A', `waiter ${i}`));
    assert.equal(await isCached(cache, store, 'a'), true);
  });

  it('aborts the load only when every waiter has gone, and then starts a new load for the next get', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const controllers = [new AbortController(), new AbortController()];
    const gets = controllers.map((controller) => observe(cache.get('a', { signal: controller.signal })));
    await flush();
    controllers[0]!.abort();
    await flush();
    assert.equal(store.calls[0]!.signal.aborted, false, 'one waiter is left');
    controllers[1]!.abort();
    await flush();
    assert.ok(gets.every((get) => get.rejected));
    assert.equal(store.calls[0]!.signal.aborted, true, 'no waiter is left');
    const next = await got(cache.get('a'));
    assert.equal(store.calls.length, 2, 'the next get starts a new load');
    store.calls[1]!.resolve('A');
    await flush();
    assertFulfilled(next, 'A', 'the next get');
  });

  it('counts waiters that join after another left: the load survives as long as one waits', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const first = new AbortController();
    const second = new AbortController();
    void observe(cache.get('a', { signal: first.signal }));
    void observe(cache.get('a', { signal: second.signal }));
    await flush();
    first.abort();
    const third = observe(cache.get('a'));
    await flush();
    second.abort();
    await flush();
    assert.equal(store.calls[0]!.signal.aborted, false);
    assert.equal(store.calls.length, 1);
    store.calls[0]!.resolve('A');
    await flush();
    assertFulfilled(third, 'A', 'the third get');
  });

  for (const outcome of ['resolves', 'rejects'] as const) {
    it(`ignores an abandoned load that ${outcome} anyway: nothing is stored and the new load's waiters are unaffected`, async () => {
      const store = slowStore();
      const cache = cacheOf(store.load);
      const controller = new AbortController();
      void observe(cache.get('a', { signal: controller.signal }));
      await flush();
      controller.abort();
      const next = await got(cache.get('a'));
      if (outcome === 'resolves') store.calls[0]!.resolve('abandoned');
      else store.calls[0]!.reject(new Error('aborted'));
      await flush();
      assertPending(next, 'the get that started the new load');
      assertPending(await got(cache.get('a')), 'a get after the abandoned load finished');
      assert.equal(store.calls.length, 2);
      store.calls[1]!.resolve('A');
      await flush();
      assertFulfilled(next, 'A', 'the new load\'s get');
      assertFulfilled(await got(cache.get('a')), 'A', 'the cached value');
    });
  }

  it('changes nothing when a signal aborts after its get has settled', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const controller = new AbortController();
    const get = observe(cache.get('a', { signal: controller.signal }));
    await flush();
    store.calls[0]!.resolve('A');
    await flush();
    assert.doesNotThrow(() => controller.abort());
    await flush();
    assertFulfilled(get, 'A', 'the settled get');
    assert.equal(store.calls[0]!.signal.aborted, false);
    assert.equal(await isCached(cache, store, 'a'), true);
  });

  it('aborts a load whose only waiters came before a delete when they all leave, and keeps the new load going', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const controller = new AbortController();
    void observe(cache.get('a', { signal: controller.signal }));
    await flush();
    cache.delete('a');
    const after = await got(cache.get('a'));
    controller.abort();
    await flush();
    assert.equal(store.calls[0]!.signal.aborted, true, 'the old load');
    assert.equal(store.calls[1]!.signal.aborted, false, 'the new load');
    store.calls[1]!.resolve('A');
    await flush();
    assertFulfilled(after, 'A', 'the get after the delete');
  });
});

describe('bounded memory: maxEntries, least recently used first', () => {
  it('never holds more than maxEntries entries, and keeps the most recently stored', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 10 });
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    for (const key of keys) {
      const get = observe(cache.get(key));
      await flush();
      store.calls.at(-1)!.resolve(key);
      await flush();
      assert.ok(get.fulfilled);
      assert.ok(cache.size <= 10, `size ${cache.size} after ${key}`);
    }
    assert.equal(cache.size, 10);
    for (const key of keys.slice(-10)) assert.equal(await isCached(cache, store, key), true, key);
    assert.equal(await isCached(cache, store, 'k289'), false);
  });

  it('makes an entry the most recently used when a get is served from it', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 2 });
    await loadInOrder(cache, store, ['a', 'b']);
    assertFulfilled(await got(cache.get('a')), 'A', 'a hit');
    await loadInOrder(cache, store, ['c']);
    assert.equal(await isCached(cache, store, 'a'), true, 'a was used last, so b went');
    assert.equal(await isCached(cache, store, 'c'), true);
    assert.equal(await isCached(cache, store, 'b'), false);
  });

  it('counts a stale hit as a use too', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 2, staleMs: 1000 });
    await loadInOrder(cache, store, ['a', 'b']);
    await at(1100);
    assertFulfilled(await got(cache.get('a')), 'A', 'a stale hit');
    store.calls.at(-1)!.reject(new Error('refresh failed'));
    await flush();
    await loadInOrder(cache, store, ['c']);
    assert.equal(await isCached(cache, store, 'c'), true);
    assert.equal(await isCached(cache, store, 'b'), false, 'b was the least recently used');
  });

  it('counts negative entries and evicts them the same way', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 2, negativeTtlMs: 5000 });
    void observe(cache.get('ghost'));
    await flush();
    store.calls[0]!.reject(new NotFoundError());
    await flush();
    assert.equal(cache.size, 1);
    await loadInOrder(cache, store, ['a', 'b']);
    assert.equal(cache.size, 2);
    assert.equal(await isCached(cache, store, 'ghost'), false, 'the negative entry was the least recently used');
  });

  it('neither counts nor evicts loads in flight: every waiter gets its value, and the last ones stored stay', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 2 });
    const gets = ['a', 'b', 'c', 'd'].map((key) => observe(cache.get(key)));
    await flush();
    assert.equal(store.calls.length, 4);
    assert.equal(cache.size, 0, 'four loads in flight, no entry');
    for (const call of store.calls) {
      call.resolve(call.key.toUpperCase());
      await flush();
    }
    gets.forEach((get, i) => assertFulfilled(get, 'ABCD'[i], `get ${i}`));
    assert.equal(cache.size, 2);
    assert.equal(await isCached(cache, store, 'c'), true);
    assert.equal(await isCached(cache, store, 'd'), true);
  });

  it('drops expired entries before evicting one that can still be served', async () => {
    const draws = [0, 0.9];
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 2, jitter: 0.5, random: () => draws.shift() ?? 0 });
    await loadInOrder(cache, store, ['long', 'short']); // TTLs 1000 ms and 550 ms
    assertFulfilled(await got(cache.get('short')), 'SHORT', 'short, now the most recently used');
    await at(600); // short is over, long is not
    await loadInOrder(cache, store, ['new']);
    assert.equal(cache.size, 2);
    assert.equal(await isCached(cache, store, 'long'), true, 'the live entry was kept');
    assert.equal(await isCached(cache, store, 'new'), true);
  });

  it('evicts nothing when a refresh replaces an entry the cache already holds', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { maxEntries: 2, staleMs: 1000 });
    await loadInOrder(cache, store, ['a']);
    await at(500);
    await loadInOrder(cache, store, ['b']); // fresh until 1500 ms
    await at(1100);
    assertFulfilled(await got(cache.get('a')), 'A', 'stale a');
    store.calls.at(-1)!.resolve('A2');
    await flush();
    assert.equal(cache.size, 2);
    assert.equal(await isCached(cache, store, 'b'), true);
    assertFulfilled(await got(cache.get('a')), 'A2', 'the refreshed a');
  });

  it('counts fresh, stale and negative entries in size, and no entry whose time is over', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { staleMs: 500, negativeTtlMs: 200 });
    assert.equal(cache.size, 0);
    await loadInOrder(cache, store, ['a']);
    void observe(cache.get('ghost'));
    await flush();
    store.calls.at(-1)!.resolve(undefined);
    await flush();
    assert.equal(cache.size, 2, 'fresh a and negative ghost');
    await at(200);
    assert.equal(cache.size, 1, 'the negative entry is over at 200 ms');
    await at(1200);
    assert.equal(cache.size, 1, 'a is stale');
    await at(1500);
    assert.equal(cache.size, 0, 'a is over at 1500 ms');
  });
});

describe('no leaks', () => {
  it('removes its abort listener from the signal whenever a get settles: value, error, not found, abort or a cache hit', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load, { negativeTtlMs: 100 });
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const signal = controller.signal;
    const gets = ['v', 'e', 'n', 'v'].map((key) => observe(cache.get(key, { signal })));
    await flush();
    store.calls[0]!.resolve('V');
    store.calls[1]!.reject(new Error('down'));
    store.calls[2]!.resolve(undefined);
    await flush();
    assert.ok(gets.every((get) => get.settled));
    for (let i = 0; i < 100; i++) await got(cache.get('v', { signal }));
    assert.equal(listeners.active(), 0, 'after values, errors and hits');
    const other = new AbortController();
    const otherListeners = watchListeners(other.signal);
    const leaving = observe(cache.get('slow', { signal: other.signal }));
    await flush();
    other.abort();
    await flush();
    assert.ok(leaving.rejected);
    assert.equal(otherListeners.active(), 0, 'after an abort');
  });

  it('raises no unhandled rejection for failures nobody waits for: a failed refresh, an abandoned load, a load detached by delete', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const store = slowStore();
      const cache = cacheOf(store.load, { staleMs: 1000 });
      await loadInOrder(cache, store, ['a']);
      await at(1100);
      void (await got(cache.get('a')));
      store.calls[1]!.reject(new Error('refresh failed'));
      const controller = new AbortController();
      void observe(cache.get('b', { signal: controller.signal }));
      await flush();
      controller.abort();
      await flush();
      store.calls[2]!.reject(new Error('abandoned load failed'));
      await at(1200);
      void (await got(cache.get('a'))); // a new refresh
      cache.delete('a');
      store.calls[3]!.reject(new Error('detached refresh failed'));
      await flush();
      await flush();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('leaves no timer that keeps the process alive (real timers)', async () => {
    mock.timers.reset();
    const activeTimeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = activeTimeouts();
    const cache = new CacheLoader<string, unknown>({
      load: async (key) => (key.startsWith('missing') ? undefined : key),
      // Short times, so that a leaked timer only keeps this file's process alive for a second.
      ttlMs: 500,
      staleMs: 500,
      negativeTtlMs: 500,
      jitter: 0.1,
      maxEntries: 50,
    });
    const controller = new AbortController();
    for (let i = 0; i < 100; i++) {
      await cache.get(`k${i}`, { signal: controller.signal });
      await cache.get(`missing${i}`);
    }
    cache.delete('k99');
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(activeTimeouts(), before);
  });
});
