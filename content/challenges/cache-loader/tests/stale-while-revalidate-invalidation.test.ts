import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CacheLoader } from '../src/cache-loader.ts';
import type { CacheLoaderOptions } from '../src/cache-loader.ts';
import { assertFulfilled, assertPending, at, flush, got, observe, slowStore, START, useMockClock } from './harness.ts';

useMockClock();

/** ttlMs 1000 and staleMs 500 unless told: fresh until 1000 ms after a load starts, stale until 1500 ms. */
function cacheOf(load: (key: string, context: { signal: AbortSignal }) => Promise<any>, options: Partial<CacheLoaderOptions<string, unknown>> = {}) {
  return new CacheLoader<string, unknown>({ load, ttlMs: 1000, staleMs: 500, ...options });
}

/** A cache holding 'a' = 'A1', loaded at START (so stale from 1000 ms to 1500 ms). */
async function withEntry(options: Partial<CacheLoaderOptions<string, unknown>> = {}) {
  const store = slowStore();
  const cache = cacheOf(store.load, options);
  const first = observe(cache.get('a'));
  await flush();
  store.calls[0]!.resolve('A1');
  await flush();
  assertFulfilled(first, 'A1', 'the first get');
  return { store, cache };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('stale-while-revalidate', () => {
  it('serves a value past its TTL but within staleMs at once, and refreshes it with one background load however many gets come', async () => {
    const { store, cache } = await withEntry();
    await at(1000);
    for (let i = 0; i < 5; i++) assertFulfilled(await got(cache.get('a')), 'A1', `stale get ${i}`);
    assert.equal(store.calls.length, 2, 'one refresh');
    assert.equal(store.calls[1]!.key, 'a');
    await at(1499);
    assertFulfilled(await got(cache.get('a')), 'A1', 'stale get at 1499 ms');
    assert.equal(store.calls.length, 2, 'still one refresh');
  });

  it('does not refresh a fresh value', async () => {
    const { store, cache } = await withEntry();
    await at(999);
    assertFulfilled(await got(cache.get('a')), 'A1', 'get at 999 ms');
    assert.equal(store.calls.length, 1);
  });

  it('replaces the value when the refresh succeeds, fresh for ttlMs from the refresh\'s start', async () => {
    const { store, cache } = await withEntry();
    await at(1200);
    assertFulfilled(await got(cache.get('a')), 'A1', 'the stale get');
    await at(1300);
    store.calls[1]!.resolve('A2');
    await flush();
    assertFulfilled(await got(cache.get('a')), 'A2', 'a get after the refresh');
    await at(2199);
    assertFulfilled(await got(cache.get('a')), 'A2', 'get at 2199 ms');
    assert.equal(store.calls.length, 2, 'fresh until 2200 ms');
    await at(2200);
    assertFulfilled(await got(cache.get('a')), 'A2', 'stale get at 2200 ms');
    assert.equal(store.calls.length, 3, 'the next refresh starts at 2200 ms');
  });

  it('keeps serving the stale value when the refresh fails, until staleMs ends, and lets the next stale get refresh again', async () => {
    const { store, cache } = await withEntry();
    await at(1100);
    assertFulfilled(await got(cache.get('a')), 'A1', 'the stale get');
    store.calls[1]!.reject(new Error('store down'));
    await flush();
    assertFulfilled(await got(cache.get('a')), 'A1', 'a get after the failed refresh');
    assert.equal(store.calls.length, 3, 'that get started a second refresh');
    store.calls[2]!.reject(new Error('still down'));
    await at(1499);
    assertFulfilled(await got(cache.get('a')), 'A1', 'get at 1499 ms');
    store.calls[3]!.reject(new Error('still down'));
    await at(1500);
    const get = await got(cache.get('a'));
    assertPending(get, 'the get at 1500 ms (the stale period is over)');
    assert.equal(store.calls.length, 5);
    store.calls[4]!.resolve('A2');
    await flush();
    assertFulfilled(get, 'A2', 'the get at 1500 ms');
  });

  it('has a get made once the stale period is over join the refresh still in flight, rather than start a second load', async () => {
    const { store, cache } = await withEntry();
    await at(1200);
    void (await got(cache.get('a')));
    await at(1500);
    const late = await got(cache.get('a'));
    assertPending(late, 'the get at 1500 ms');
    assert.equal(store.calls.length, 2);
    store.calls[1]!.resolve('A2');
    await flush();
    assertFulfilled(late, 'A2', 'the get at 1500 ms');
  });

  it('rejects a get that joined a refresh with the refresh\'s error when it fails', async () => {
    const { store, cache } = await withEntry();
    await at(1200);
    void (await got(cache.get('a')));
    await at(1600);
    const late = await got(cache.get('a'));
    const error = new Error('store down');
    store.calls[1]!.reject(error);
    await flush();
    assert.ok(late.rejected);
    assert.equal(late.reason, error);
  });

  it('drops the stale value when the refresh finds the key gone', async () => {
    const { store, cache } = await withEntry();
    await at(1200);
    void (await got(cache.get('a')));
    store.calls[1]!.resolve(undefined);
    await flush();
    const get = await got(cache.get('a'));
    assert.equal(store.calls.length, 3, 'negativeTtlMs 0: nothing is cached, the next get loads');
    assertPending(get, 'the get after the refresh found nothing');
  });

  it('replaces the stale value with a negative entry when the refresh finds the key gone and negativeTtlMs > 0', async () => {
    const { store, cache } = await withEntry({ negativeTtlMs: 400 });
    await at(1200);
    void (await got(cache.get('a')));
    store.calls[1]!.resolve(undefined);
    await at(1599);
    assertFulfilled(await got(cache.get('a')), undefined, 'get at 1599 ms (negative until 1200 + 400)');
    assert.equal(store.calls.length, 2);
  });

  it('never aborts a background refresh because a get went away: neither the stale get nor one that joined the refresh', async () => {
    const { store, cache } = await withEntry();
    await at(1200);
    const staleController = new AbortController();
    assertFulfilled(await got(cache.get('a', { signal: staleController.signal })), 'A1', 'the stale get');
    staleController.abort();
    await at(1500);
    const joined = new AbortController();
    const late = await got(cache.get('a', { signal: joined.signal }));
    joined.abort(new Error('client went away'));
    await flush();
    assert.ok(late.rejected, 'the joined get rejects');
    assert.equal(store.calls[1]!.signal.aborted, false, 'the refresh goes on');
    store.calls[1]!.resolve('A2');
    await flush();
    assertFulfilled(await got(cache.get('a')), 'A2', 'its value is stored');
    assert.equal(store.calls.length, 2);
  });
});

describe('invalidation: a delete cannot be undone by a load in flight', () => {
  for (const oldFirst of [true, false]) {
    it(`gives gets made before a delete the old load's value, never stores it, and starts a new load for gets after the delete (${oldFirst ? 'old load finishes first' : 'new load finishes first'})`, async () => {
      const store = slowStore();
      const cache = cacheOf(store.load);
      const before = [observe(cache.get('a')), observe(cache.get('a'))];
      await flush();
      cache.delete('a');
      const after = await got(cache.get('a'));
      assert.equal(store.calls.length, 2, 'the get after the delete started its own load');
      const [oldLoad, newLoad] = store.calls;
      if (oldFirst) {
        oldLoad!.resolve('old');
        await flush();
        assertPending(after, 'the get after the delete, once the old load finished');
        const between = await got(cache.get('a'));
        assertPending(between, 'a get between the two completions (it waits for the new load)');
        newLoad!.resolve('new');
        await flush();
        assertFulfilled(between, 'new', 'the get between the completions');
      } else {
        newLoad!.resolve('new');
        await flush();
        oldLoad!.resolve('old');
        await flush();
      }
      before.forEach((get, i) => assertFulfilled(get, 'old', `get ${i} made before the delete`));
      assertFulfilled(after, 'new', 'the get made after the delete');
      assertFulfilled(await got(cache.get('a')), 'new', 'a get once both finished');
      assert.equal(store.calls.length, 2);
    });
  }

  for (const order of permutations([0, 1, 2])) {
    it(`stores only the value of the load started after the last delete, whatever the order loads finish in (${order.join(', ')})`, async () => {
      const store = slowStore();
      const cache = cacheOf(store.load);
      const gets = [observe(cache.get('a'))];
      await flush();
      cache.delete('a');
      gets.push(observe(cache.get('a')));
      await flush();
      cache.delete('a');
      gets.push(observe(cache.get('a')));
      await flush();
      assert.equal(store.calls.length, 3);
      for (const i of order) {
        store.calls[i]!.resolve(`v${i}`);
        await flush();
        const probe = await got(cache.get('a'));
        if (order.indexOf(2) <= order.indexOf(i)) assertFulfilled(probe, 'v2', `a get after v${i} arrived`);
        else assertPending(probe, `a get after v${i} arrived (it waits for the newest load, never takes an older one)`);
        assert.equal(store.calls.length, 3, 'no further load');
      }
      gets.forEach((get, i) => assertFulfilled(get, `v${i}`, `the get of generation ${i}`));
      assertFulfilled(await got(cache.get('a')), 'v2', 'the cached value');
      assert.equal(store.calls.length, 3);
    });
  }

  it('removes a stale value at once and never stores the refresh that was in flight at the delete', async () => {
    const { store, cache } = await withEntry();
    await at(1200);
    void (await got(cache.get('a')));
    assert.equal(store.calls.length, 2, 'a refresh is in flight');
    cache.delete('a');
    const after = await got(cache.get('a'));
    assertPending(after, 'a get after the delete (it must not be served the stale value)');
    assert.equal(store.calls.length, 3, 'and it does not join the refresh');
    store.calls[1]!.resolve('refreshed before the delete');
    await flush();
    assertPending(after, 'the get after the delete, once the old refresh finished');
    assertPending(await got(cache.get('a')), 'another get after the refresh finished');
    store.calls[2]!.resolve('after the delete');
    await flush();
    assertFulfilled(after, 'after the delete', 'the get after the delete');
    assertFulfilled(await got(cache.get('a')), 'after the delete', 'the cached value');
    assert.equal(store.calls.length, 3);
  });

  it('rejects only the old waiters when the load in flight at the delete fails', async () => {
    const store = slowStore();
    const cache = cacheOf(store.load);
    const before = observe(cache.get('a'));
    await flush();
    cache.delete('a');
    const after = await got(cache.get('a'));
    const error = new Error('old load failed');
    store.calls[0]!.reject(error);
    await flush();
    assert.ok(before.rejected);
    assert.equal(before.reason, error);
    assertPending(after, 'the get after the delete');
    store.calls[1]!.resolve('new');
    await flush();
    assertFulfilled(after, 'new', 'the get after the delete');
  });

  it('makes the next get load again after a delete of a cached value', async () => {
    const { store, cache } = await withEntry();
    cache.delete('a');
    assert.equal(cache.size, 0);
    const get = await got(cache.get('a'));
    assertPending(get, 'the get after the delete');
    assert.equal(store.calls.length, 2);
  });

  it('lets a delete of a key the cache does not hold change nothing else', async () => {
    const { store, cache } = await withEntry();
    assert.doesNotThrow(() => cache.delete('nothing'));
    assertFulfilled(await got(cache.get('a')), 'A1', 'the other key');
    assert.equal(store.calls.length, 1);
  });

  it('invalidates every key and every load in flight with clear()', async () => {
    const { store, cache } = await withEntry();
    const b = observe(cache.get('b'));
    await flush();
    cache.clear();
    assert.equal(cache.size, 0);
    const a2 = await got(cache.get('a'));
    const b2 = await got(cache.get('b'));
    assert.deepEqual(store.keys(), ['a', 'b', 'a', 'b']);
    store.calls[1]!.resolve('old B');
    await flush();
    assertFulfilled(b, 'old B', 'the get of b made before clear');
    assertPending(b2, 'the get of b made after clear');
    store.calls[2]!.resolve('A2');
    store.calls[3]!.resolve('B2');
    await flush();
    assertFulfilled(a2, 'A2', 'a after clear');
    assertFulfilled(b2, 'B2', 'b after clear');
    assertFulfilled(await got(cache.get('b')), 'B2', 'the cached b');
    assert.equal(store.calls.length, 4);
  });
});
