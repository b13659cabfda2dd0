import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader } from '../src/batch-loader.ts';
import { autoBatchFn, flush, manualBatchFn, reasonOf, stateOf, SUITE, watchListeners, within } from './harness.ts';


afterEach(() => {
  mock.restoreAll();
});

const double = (key: number): number => key * 2;

describe('the cache', SUITE, () => {
  it('serves a loaded key from the cache in a later tick without calling batchFn again', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    assert.equal(await within(loader.load(1)), 2);
    assert.deepEqual(await within(Promise.all([loader.load(1), loader.load(2)])), [2, 4]);
    assert.deepEqual(calls, [[1], [2]]);
  });

  it('shares a request still in flight: a load of a key already sent waits for it instead of sending it again', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const first = loader.load(1);
    await flush();
    const second = loader.load(1);
    await flush();
    assert.equal(calls.length, 1);
    call(0).resolve([2]);
    assert.deepEqual(await within(Promise.all([first, second])), [2, 2]);
  });

  it('is per loader instance: two loaders (two requests) share nothing', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const request1 = new BatchLoader(batchFn);
    const request2 = new BatchLoader(batchFn);
    await within(Promise.all([request1.load(1), request2.load(1)]));
    await within(request1.load(1));
    assert.equal(calls.length, 2);
    assert.deepEqual(calls, [[1], [1]]);
  });

  it('clear(key) makes the next load of that key call batchFn again and keeps the other keys', async () => {
    let version = 0;
    const calls: number[][] = [];
    const loader = new BatchLoader<number, string>(async (keys) => {
      calls.push([...keys]);
      version++;
      return keys.map((key) => `${key}@${version}`);
    });
    await within(loader.loadMany([1, 2]));
    loader.clear(1);
    assert.deepEqual(await within(loader.loadMany([1, 2])), ['1@2', '2@1']);
    assert.deepEqual(calls, [[1, 2], [1]]);
  });

  it('clearAll() forgets every key', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    await within(loader.loadMany([1, 2]));
    loader.clearAll();
    await within(loader.loadMany([1, 2]));
    assert.deepEqual(calls, [[1, 2], [1, 2]]);
  });

  it('clear(key) of a key already sent: the next load sends it again, earlier waiters get the earlier answer, later ones the new one', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, string>();
    const loader = new BatchLoader(batchFn);
    const before = loader.load(1);
    await flush();
    loader.clear(1);
    const after = loader.load(1);
    await flush();
    assert.deepEqual(calls.map((call) => call.keys), [[1], [1]]);
    call(1).resolve(['new']);
    call(0).resolve(['old']);
    assert.equal(await within(before), 'old');
    assert.equal(await within(after), 'new');
    assert.equal(await within(loader.load(1)), 'new', 'the older answer, arriving last, did not replace the newer one');
    assert.equal(calls.length, 2);
  });

  it('clear(key) and clearAll() leave a key that is still waiting for dispatch alone: a load in the same tick joins it', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const first = loader.load(1);
    loader.clear(1);
    const second = loader.load(1);
    void loader.load(2);
    loader.clearAll();
    const third = loader.load(2);
    assert.deepEqual(await within(Promise.all([first, second, third])), [2, 2, 4]);
    assert.deepEqual(calls, [[1, 2]]);
  });

  it('prime(key, value) serves the value without calling batchFn', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    loader.prime(1, 100).prime(2, 0);
    assert.deepEqual(await within(Promise.all([loader.load(1), loader.load(2), loader.load(3)])), [100, 0, 6]);
    assert.deepEqual(calls, [[3]]);
  });

  it('prime does not replace a key that is cached, in flight or waiting for dispatch; after clear it does', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const queued = loader.load(1);
    loader.prime(1, 111);
    await flush();
    loader.prime(1, 222);
    call(0).resolve([2]);
    assert.equal(await within(queued), 2);
    loader.prime(1, 333);
    assert.equal(await within(loader.load(1)), 2);
    loader.clear(1).prime(1, 444);
    assert.equal(await within(loader.load(1)), 444);
    assert.equal(calls.length, 1);
  });

  it('an answer that arrives for a key cleared and primed meanwhile does not replace the primed value', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, string>();
    const loader = new BatchLoader(batchFn);
    const stale = loader.load(1);
    await flush();
    loader.clear(1).prime(1, 'fresh');
    call(0).resolve(['stale']);
    assert.equal(await within(stale), 'stale');
    assert.equal(await within(loader.load(1)), 'fresh');
  });

  it('clear, clearAll and prime return the loader, for chaining, and clear of an unknown key is harmless', () => {
    const loader = new BatchLoader<number, number>(async (keys) => keys.map(double));
    assert.equal(loader.clear(1), loader);
    assert.equal(loader.clearAll(), loader);
    assert.equal(loader.prime(1, 1), loader);
  });
});

describe('errors', SUITE, () => {
  it('an Error at position i rejects only the load of key i, with that very Error', async () => {
    const missing = new Error('no user 2');
    const loader = new BatchLoader<number, number>(async (keys) => keys.map((key) => (key === 2 ? missing : double(key))));
    const [one, two, three] = await within(Promise.allSettled([loader.load(1), loader.load(2), loader.load(3)]));
    assert.deepEqual(one, { status: 'fulfilled', value: 2 });
    assert.equal(two?.status === 'rejected' && two.reason, missing);
    assert.deepEqual(three, { status: 'fulfilled', value: 6 });
  });

  it('an Error subclass counts as an Error; other values, objects included, are values', async () => {
    class NotFound extends Error {}
    const notFound = new NotFound('gone');
    const plain = { message: 'not an error', name: 'Error' };
    const loader = new BatchLoader<number, unknown>(async (keys) => keys.map((key) => (key === 1 ? notFound : plain)));
    const [one, two] = await within(Promise.allSettled([loader.load(1), loader.load(2)]));
    assert.equal(one?.status === 'rejected' && one.reason, notFound);
    assert.equal(two?.status === 'fulfilled' && two.value, plain);
  });

  it('a rejected batchFn rejects every key of the batch with its reason', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const loads = [loader.load(1), loader.load(2), loader.load(1)];
    await flush();
    const down = new Error('database down');
    call(0).reject(down);
    for (const reason of await Promise.all(loads.map(reasonOf))) assert.equal(reason, down);
  });

  it('a batchFn that throws synchronously rejects every key of the batch with what it threw', async () => {
    const boom = new Error('bad query');
    const loader = new BatchLoader<number, number>(() => {
      throw boom;
    });
    const loads = [loader.load(1), loader.load(2)];
    for (const reason of await Promise.all(loads.map(reasonOf))) assert.equal(reason, boom);
  });

  for (const [what, answer] of [
    ['an Error in its position', (key: number) => (key === 1 ? new Error('transient') : double(key))],
    ['a rejected batchFn', () => 'reject' as const],
    ['a result of the wrong length', () => 'short' as const],
  ] as const) {
    it(`does not cache a failure from ${what}: the next load of the key calls batchFn again`, async () => {
      let failing = true;
      const calls: number[][] = [];
      const loader = new BatchLoader<number, number>(async (keys) => {
        calls.push([...keys]);
        await flush();
        if (failing) {
          failing = false;
          const kind = answer(keys[0] ?? 0);
          if (kind === 'reject') throw new Error('timeout');
          if (kind === 'short') return [];
          return keys.map((key) => answer(key) as number | Error);
        }
        return keys.map(double);
      });
      await assert.rejects(within(loader.load(1)));
      assert.equal(await within(loader.load(1)), 2);
      assert.deepEqual(calls, [[1], [1]]);
      assert.equal(await within(loader.load(1)), 2, 'the success is cached');
      assert.equal(calls.length, 2);
    });
  }

  it('keeps the successes of a batch cached when another key of it failed', async () => {
    const { calls, batchFn } = autoBatchFn<number, number>((key) => (key === 2 ? new Error('no 2') : double(key)));
    const loader = new BatchLoader(batchFn);
    assert.deepEqual((await within(loader.loadMany([1, 2]))).map((value) => value instanceof Error), [false, true]);
    await within(loader.loadMany([1, 2]));
    assert.deepEqual(calls, [[1, 2], [2]]);
  });

  it('a failure of a request that was cleared and requested again does not evict the newer request', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const old = loader.load(1);
    await flush();
    loader.clear(1);
    const fresh = loader.load(1);
    await flush();
    call(0).reject(new Error('old request failed'));
    await assert.rejects(within(old));
    const again = loader.load(1);
    await flush();
    assert.equal(calls.length, 2, 'the newer request is still cached and shared');
    call(1).resolve([2]);
    assert.deepEqual(await within(Promise.all([fresh, again])), [2, 2]);
  });

  it('a failed key that was primed meanwhile keeps its primed value', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const old = loader.load(1);
    await flush();
    loader.clear(1).prime(1, 50);
    call(0).resolve([new Error('failed')]);
    await assert.rejects(within(old));
    assert.equal(await within(loader.load(1)), 50);
    assert.equal(calls.length, 1);
  });
});

describe('cancellation with an AbortSignal', SUITE, () => {
  it('a load whose signal is already aborted rejects with signal.reason and queues nothing', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const controller = new AbortController();
    const reason = { why: 'client went away' };
    controller.abort(reason);
    assert.equal(await reasonOf(loader.load(1, { signal: controller.signal })), reason);
    await flush();
    assert.equal(calls.length, 0);
    assert.equal(await within(loader.load(1)), 2, 'nothing was cached for the key either');
  });

  it('an already-aborted signal rejects even a load the cache could answer', async () => {
    const loader = new BatchLoader<number, number>(async (keys) => keys.map(double));
    loader.prime(1, 10);
    const controller = new AbortController();
    controller.abort();
    const reason = await reasonOf(loader.load(1, { signal: controller.signal }));
    assert.equal(reason, controller.signal.reason);
  });

  it('aborting before dispatch rejects the load with signal.reason, whatever the reason is', async () => {
    const { batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    for (const reason of [new Error('timeout'), 'a string', undefined]) {
      const controller = new AbortController();
      const load = loader.load(1, { signal: controller.signal });
      if (reason === undefined) controller.abort();
      else controller.abort(reason);
      const got = await reasonOf(load);
      if (reason === undefined) {
        assert.ok(got instanceof Error && got.name === 'AbortError', 'the default reason is an AbortError');
        assert.equal(got, controller.signal.reason);
      } else assert.equal(got, reason);
    }
  });

  it('does not send a key whose every waiter aborted before dispatch, and sends the others', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const a = new AbortController();
    const b = new AbortController();
    const loads = [loader.load(1, { signal: a.signal }), loader.load(2), loader.load(1, { signal: b.signal }), loader.load(3)];
    a.abort();
    await Promise.resolve();
    b.abort();
    const results = await within(Promise.allSettled(loads));
    assert.deepEqual(results.map((result) => result.status), ['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(calls, [[2, 3]]);
  });

  it('still sends a key one of whose waiters has not aborted, and that waiter gets the value', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const a = new AbortController();
    const aborted = loader.load(1, { signal: a.signal });
    const kept = loader.load(1, { signal: new AbortController().signal });
    const plain = loader.load(1);
    a.abort();
    await assert.rejects(within(aborted));
    assert.deepEqual(await within(Promise.all([kept, plain])), [2, 2]);
    assert.deepEqual(calls, [[1]]);
  });

  it('does not call batchFn at all when every key of the tick was aborted', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const controller = new AbortController();
    const loads = [1, 2, 3].map((key) => loader.load(key, { signal: controller.signal }));
    controller.abort();
    await Promise.all(loads.map((load) => assert.rejects(within(load))));
    await flush();
    assert.equal(calls.length, 0);
  });

  it('does not count a dropped key against maxBatchSize', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn, { maxBatchSize: 2 });
    const controller = new AbortController();
    const dropped = loader.load(1, { signal: controller.signal });
    const kept = [2, 3].map((key) => loader.load(key));
    controller.abort();
    await assert.rejects(within(dropped));
    await within(Promise.all(kept));
    assert.deepEqual(calls, [[2, 3]]);
  });

  it('loads a dropped key afresh when it is loaded again, in the same tick or later', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const controller = new AbortController();
    const dropped = loader.load(1, { signal: controller.signal });
    controller.abort();
    const again = loader.load(1);
    await assert.rejects(within(dropped));
    assert.equal(await within(again), 2);
    assert.deepEqual(calls, [[1]]);

    const second = new AbortController();
    const droppedToo = loader.load(5, { signal: second.signal });
    second.abort();
    await assert.rejects(within(droppedToo));
    await flush();
    assert.equal(await within(loader.load(5)), 10);
    assert.deepEqual(calls, [[1], [5]]);
  });

  it('aborting after dispatch rejects that load at once; the other waiters still get the value, and it is cached', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const controller = new AbortController();
    const aborted = loader.load(1, { signal: controller.signal });
    const other = loader.load(1);
    await flush();
    assert.deepEqual(calls.map((call) => call.keys), [[1]], 'the key was sent');
    controller.abort('user navigated away');
    assert.equal(await stateOf(aborted), 'rejected', 'rejected before the batch answered');
    assert.equal(await reasonOf(aborted), 'user navigated away');
    assert.equal(await stateOf(other), 'pending');
    call(0).resolve([2]);
    assert.equal(await within(other), 2);
    assert.equal(await within(loader.load(1)), 2);
    assert.equal(calls.length, 1);
  });

  it('a key sent and then abandoned by every waiter is still cached when it succeeds', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    const controller = new AbortController();
    const aborted = loader.load(1, { signal: controller.signal });
    await flush();
    controller.abort();
    await assert.rejects(within(aborted));
    call(0).resolve([2]);
    await flush();
    assert.equal(await within(loader.load(1)), 2);
    assert.equal(calls.length, 1);
  });

  it('a key whose every waiter aborted after dispatch and that then fails raises no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const { calls, call, batchFn } = manualBatchFn<number, number>();
      const loader = new BatchLoader(batchFn);
      const controller = new AbortController();
      const aborted = loader.load(1, { signal: controller.signal });
      const alsoAborted = loader.loadMany([2], { signal: controller.signal });
      await flush();
      controller.abort();
      await assert.rejects(within(aborted));
      await within(alsoAborted);
      call(0).resolve([new Error('late failure'), new Error('late failure')]);
      await flush();
      await flush();
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('one signal shared by 1,000 loads holds no listener once they have settled', async () => {
    const { batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn, { maxBatchSize: 100 });
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    const keys = Array.from({ length: 1000 }, (_, i) => i % 700);
    await within(Promise.all(keys.map((key) => loader.load(key, { signal: controller.signal }))));
    await within(loader.loadMany([1, 2, 3], { signal: controller.signal }));
    assert.equal(listeners.active(), 0);
  });

  it('a load that fails also leaves no listener on its signal', async () => {
    const loader = new BatchLoader<number, number>(async () => {
      throw new Error('down');
    });
    const controller = new AbortController();
    const listeners = watchListeners(controller.signal);
    await assert.rejects(within(loader.load(1, { signal: controller.signal })));
    await assert.rejects(within(loader.load(2, { signal: controller.signal })));
    assert.equal(listeners.active(), 0);
  });

  it('loadMany with a signal aborted before dispatch gives the reason in every position and sends nothing', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const controller = new AbortController();
    const many = loader.loadMany([1, 2], { signal: controller.signal });
    controller.abort('stop');
    assert.deepEqual(await within(many), ['stop', 'stop']);
    await flush();
    assert.equal(calls.length, 0);
  });
});
