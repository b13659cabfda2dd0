import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader } from '../src/batch-loader.ts';
import { autoBatchFn, flush, manualBatchFn, reasonOf, SUITE, within } from './harness.ts';


afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

const double = (key: number): number => key * 2;

describe('one batch per tick', SUITE, () => {
  it('collects every load made in one synchronous block into one batchFn call, keys in order of first load', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const results = Promise.all([loader.load(3), loader.load(1), loader.load(2)]);
    assert.deepEqual(await within(results), [6, 2, 4]);
    assert.deepEqual(calls, [[3, 1, 2]]);
  });

  it('never calls batchFn synchronously inside load, even with maxBatchSize 1', () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn, { maxBatchSize: 1 });
    void loader.load(1);
    void loader.load(2);
    assert.equal(calls.length, 0);
  });

  it('puts loads made after any number of awaits of settled promises into the same batch: dispatch waits until the microtask queue is empty', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const deep = async (depth: number, key: number): Promise<number> => {
      for (let i = 0; i < depth; i++) await Promise.resolve();
      return loader.load(key);
    };
    const results = await within(Promise.all([loader.load(1), deep(1, 2), deep(5, 3), deep(25, 4), Promise.resolve().then(() => loader.load(5))]));
    assert.deepEqual(results, [2, 4, 6, 8, 10]);
    assert.equal(calls.length, 1);
    assert.deepEqual([...(calls[0] ?? [])].sort(), [1, 2, 3, 4, 5]);
  });

  it('inside a macrotask, batches a load made synchronously with one made in a promise continuation of the same callback', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const results = await new Promise<number[]>((resolve) => {
      setImmediate(() => {
        const first = loader.load(1);
        const second = Promise.resolve().then(() => loader.load(2));
        const third = Promise.resolve().then(async () => {
          await null;
          return loader.load(3);
        });
        resolve(Promise.all([first, second, third]));
      });
    });
    assert.deepEqual(results, [2, 4, 6]);
    assert.deepEqual(calls, [[1, 2, 3]]);
  });

  it('dispatches before any setImmediate callback runs, even one scheduled before the first load', async () => {
    const events: string[] = [];
    const loader = new BatchLoader<number, number>(async (keys) => {
      events.push(`batchFn ${keys.join(',')}`);
      return keys.map(double);
    });
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        setImmediate(() => {
          events.push('setImmediate');
          resolve();
        });
        void loader.load(1);
      });
    });
    assert.deepEqual(events, ['batchFn 1', 'setImmediate']);
  });

  it('dispatches without any timer: with setTimeout and setInterval mocked and never advanced, the batch still goes out', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const result = loader.load(7);
    await flush();
    assert.deepEqual(calls, [[7]]);
    assert.equal(await within(result), 14);
  });

  it('sends a load made after the dispatch, or inside batchFn, in a new batch', async () => {
    const calls: number[][] = [];
    let later: Promise<number> | undefined;
    const loader: BatchLoader<number, number> = new BatchLoader(async (keys) => {
      calls.push([...keys]);
      if (keys.includes(1)) later = loader.load(10);
      return keys.map(double);
    });
    const first = loader.load(1);
    await flush();
    const second = loader.load(2);
    assert.deepEqual(await within(Promise.all([first, second, later])), [2, 4, 20]);
    assert.deepEqual(calls, [[1], [10], [2]]);
  });

  it('gives every batchFn call a fresh array that the loader never changes afterwards', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn);
    void loader.load(1);
    void loader.load(2);
    await flush();
    void loader.load(3);
    await flush();
    assert.equal(calls.length, 2);
    assert.notEqual(calls[0]?.received, calls[1]?.received);
    assert.deepEqual([...(calls[0]?.received ?? [])], [1, 2]);
    assert.deepEqual([...(calls[1]?.received ?? [])], [3]);
    call(0).resolve([2, 4]);
    call(1).resolve([6]);
    await flush();
    assert.deepEqual([...(calls[0]?.received ?? [])], [1, 2]);
  });

  it('sends each key once per batch however often it is loaded, and every duplicate load gets the value', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const results = await within(Promise.all([loader.load(1), loader.load(2), loader.load(1), Promise.resolve().then(() => loader.load(2)), loader.load(1)]));
    assert.deepEqual(results, [2, 4, 2, 4, 2]);
    assert.deepEqual(calls, [[1, 2]]);
  });

  it('compares keys as a Map does: strings and numbers differ, NaN equals NaN, objects by identity', async () => {
    const a = { id: 1 };
    const b = { id: 1 };
    const { calls, batchFn } = autoBatchFn<unknown, string>((key) => typeof key);
    const loader = new BatchLoader(batchFn);
    await within(Promise.all([loader.load(1), loader.load('1'), loader.load(Number.NaN), loader.load(Number.NaN), loader.load(a), loader.load(a), loader.load(b), loader.load(null)]));
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.length, 6);
    assert.deepEqual(calls[0]?.slice(0, 2), [1, '1']);
    assert.ok(Number.isNaN(calls[0]?.[2]));
    assert.equal(calls[0]?.[3], a);
    assert.equal(calls[0]?.[4], b);
    assert.equal(calls[0]?.[5], null);
  });

  it('calls batchFn for nothing when every load of the tick is served from the cache', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    await within(loader.load(1));
    loader.prime(2, 40);
    assert.deepEqual(await within(Promise.all([loader.load(1), loader.load(2)])), [2, 40]);
    await flush();
    assert.deepEqual(calls, [[1]]);
  });
});

describe('results in key order', SUITE, () => {
  it('resolves each load with the value at its key’s position, falsy values included', async () => {
    const values: Record<string, unknown> = { a: 0, b: '', c: null, d: undefined, e: false, f: 'F' };
    const loader = new BatchLoader<string, unknown>(async (keys) => keys.map((key) => values[key]));
    const keys = ['f', 'c', 'a', 'e', 'd', 'b'];
    assert.deepEqual(await within(Promise.all(keys.map((key) => loader.load(key)))), ['F', null, 0, false, undefined, '']);
  });

  it('accepts a batchFn that returns its array directly instead of a promise', async () => {
    const loader = new BatchLoader<number, number>((keys) => keys.map(double));
    assert.deepEqual(await within(Promise.all([loader.load(1), loader.load(2)])), [2, 4]);
  });

  for (const [what, values, lengths] of [
    ['shorter than its keys', [2, 4], ['3', '2']],
    ['longer than its keys', [2, 4, 6, 8], ['3', '4']],
    ['empty', [], ['3', '0']],
  ] as const) {
    it(`rejects every load of the batch with a TypeError naming batchFn and both lengths when its array is ${what}`, async () => {
      const { calls, call, batchFn } = manualBatchFn<number, number>();
      const loader = new BatchLoader(batchFn);
      const loads = [loader.load(1), loader.load(2), loader.load(3)];
      await flush();
      call(0).resolve(values);
      for (const reason of await Promise.all(loads.map(reasonOf))) {
        assert.ok(reason instanceof TypeError, `a TypeError, got ${String(reason)}`);
        assert.match(reason.message, /batchFn/);
        for (const length of lengths) assert.ok(reason.message.includes(length), `the message "${reason.message}" names ${length}`);
      }
    });
  }

  for (const [what, value] of [
    ['undefined', undefined],
    ['an object with a length', { length: 2, 0: 2, 1: 4 }],
    ['a string', 'ab'],
  ] as const) {
    it(`rejects every load of the batch with a TypeError naming batchFn when it resolves to ${what}`, async () => {
      const { calls, call, batchFn } = manualBatchFn<number, number>();
      const loader = new BatchLoader(batchFn);
      const loads = [loader.load(1), loader.load(2)];
      await flush();
      call(0).resolve(value);
      for (const reason of await Promise.all(loads.map(reasonOf))) {
        assert.ok(reason instanceof TypeError, `a TypeError, got ${String(reason)}`);
        assert.match(reason.message, /batchFn/);
      }
    });
  }
});

describe('maxBatchSize', SUITE, () => {
  it('splits 25 keys into calls of 10, 10 and 5, in order of first load', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn, { maxBatchSize: 10 });
    const keys = Array.from({ length: 25 }, (_, i) => 100 - i);
    assert.deepEqual(await within(Promise.all(keys.map((key) => loader.load(key)))), keys.map(double));
    assert.deepEqual(calls, [keys.slice(0, 10), keys.slice(10, 20), keys.slice(20)]);
  });

  it('counts distinct keys: duplicates do not fill a batch', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn, { maxBatchSize: 2 });
    await within(Promise.all([1, 1, 1, 2, 2, 3].map((key) => loader.load(key))));
    assert.deepEqual(calls, [[1, 2], [3]]);
  });

  it('makes every call of one tick at once, without waiting for the earlier ones to settle', async () => {
    const { calls, call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn, { maxBatchSize: 2 });
    const loads = [1, 2, 3, 4, 5].map((key) => loader.load(key));
    await flush();
    assert.deepEqual(calls.map((call) => call.keys), [[1, 2], [3, 4], [5]]);
    call(2).resolve([10]);
    call(1).resolve([6, 8]);
    call(0).resolve([2, 4]);
    assert.deepEqual(await within(Promise.all(loads)), [2, 4, 6, 8, 10]);
  });

  it('with maxBatchSize 1 sends one key per call', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn, { maxBatchSize: 1 });
    await within(Promise.all([loader.load(1), loader.load(2), loader.load(1)]));
    assert.deepEqual(calls, [[1], [2]]);
  });

  it('rejects only the keys of the call that failed', async () => {
    const { call, batchFn } = manualBatchFn<number, number>();
    const loader = new BatchLoader(batchFn, { maxBatchSize: 2 });
    const loads = [1, 2, 3].map((key) => loader.load(key));
    await flush();
    const down = new Error('shard down');
    call(0).reject(down);
    call(1).resolve([6]);
    const [one, two, three] = await within(Promise.allSettled(loads));
    assert.deepEqual([one, two, three], [
      { status: 'rejected', reason: down },
      { status: 'rejected', reason: down },
      { status: 'fulfilled', value: 6 },
    ]);
  });

  it('is unbounded by default: 1,000 keys go in one call', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    await within(Promise.all(Array.from({ length: 1000 }, (_, i) => loader.load(i))));
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.length, 1000);
  });
});

describe('loadMany', SUITE, () => {
  it('resolves to the values in the order of its keys, one batch, duplicates sent once', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    assert.deepEqual(await within(loader.loadMany([3, 1, 3, 2])), [6, 2, 6, 4]);
    assert.deepEqual(calls, [[3, 1, 2]]);
  });

  it('puts the Error of a failed key in its position instead of rejecting', async () => {
    const missing = new Error('no user 2');
    const loader = new BatchLoader<number, number>(async (keys) => keys.map((key) => (key === 2 ? missing : double(key))));
    assert.deepEqual(await within(loader.loadMany([1, 2, 3])), [2, missing, 6]);
  });

  it('shares the batch with the loads made in the same tick', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    const one = loader.load(1);
    const many = loader.loadMany([2, 1]);
    assert.deepEqual([await within(one), await within(many)], [2, [4, 2]]);
    assert.deepEqual(calls, [[1, 2]]);
  });

  it('resolves an empty list to [] without calling batchFn', async () => {
    const { calls, batchFn } = autoBatchFn(double);
    const loader = new BatchLoader(batchFn);
    assert.deepEqual(await within(loader.loadMany([])), []);
    await flush();
    assert.equal(calls.length, 0);
  });
});

describe('bad arguments', SUITE, () => {
  const batchFn = async (keys: readonly number[]): Promise<number[]> => keys.map(double);

  it('the constructor throws a TypeError for a batchFn that is not a function, or options that are not an object', () => {
    for (const bad of [undefined, null, 42, {}]) assert.throws(() => new BatchLoader(bad as never), TypeError);
    for (const bad of [null, 5, 'x']) assert.throws(() => new BatchLoader(batchFn, bad as never), TypeError);
  });

  it('the constructor throws a TypeError for a maxBatchSize that is not a number, and a RangeError for one that is not a whole number >= 1 or Infinity', () => {
    assert.throws(() => new BatchLoader(batchFn, { maxBatchSize: '10' as never }), TypeError);
    for (const bad of [0, -1, 1.5, Number.NaN, -Infinity]) assert.throws(() => new BatchLoader(batchFn, { maxBatchSize: bad }), RangeError, String(bad));
    for (const good of [1, 7, Infinity]) assert.ok(new BatchLoader(batchFn, { maxBatchSize: good }));
    assert.ok(new BatchLoader(batchFn, {}));
  });

  it('load throws a TypeError synchronously (it returns no rejected promise) for an undefined key, options that are not an object, or a signal that is not an AbortSignal', async () => {
    const { calls, batchFn: recording } = autoBatchFn(double);
    const loader = new BatchLoader(recording);
    assert.throws(() => loader.load(undefined as never), TypeError);
    assert.throws(() => loader.load(1, null as never), TypeError);
    assert.throws(() => loader.load(1, 'fast' as never), TypeError);
    assert.throws(() => loader.load(1, { signal: {} as never }), TypeError);
    await flush();
    assert.equal(calls.length, 0, 'a refused load queues nothing');
  });

  it('loadMany throws a TypeError synchronously for keys that are not an array or contain undefined, and queues none of them', async () => {
    const { calls, batchFn: recording } = autoBatchFn(double);
    const loader = new BatchLoader(recording);
    assert.throws(() => loader.loadMany(1 as never), TypeError);
    assert.throws(() => loader.loadMany([1, undefined as never, 2]), TypeError);
    assert.throws(() => loader.loadMany([1], { signal: 'x' as never }), TypeError);
    await flush();
    assert.equal(calls.length, 0);
  });

  it('prime throws a TypeError for an undefined key or an Error value (errors are never cached)', async () => {
    const loader = new BatchLoader(batchFn);
    assert.throws(() => loader.prime(undefined as never, 1), TypeError);
    assert.throws(() => loader.prime(1, new Error('nope') as never), TypeError);
    assert.equal(await within(loader.load(1)), 2, 'the refused prime cached nothing');
  });
});
