import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageQueue, consume } from '../src/queue.ts';
import type { Message } from '../src/queue.ts';

// ---------------------------------------------------------------------------------------
// Harness. Time is mocked (Date, setTimeout, setInterval); setImmediate stays real so that
// `flush` lets every pending promise settle without depending on how many awaits the
// implementation makes.
// ---------------------------------------------------------------------------------------

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function advance(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

interface Tracked<T> {
  settled: boolean;
  rejected: boolean;
  value: T | undefined;
  error: unknown;
}

/** Observes a promise without awaiting it, so a test can check it is still pending. */
function track<T>(promise: Promise<T>): Tracked<T> {
  const state: Tracked<T> = { settled: false, rejected: false, value: undefined, error: undefined };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.rejected = true;
      state.error = error;
    },
  );
  return state;
}

/**
 * Wraps the (mocked) global timers to know which timers are still pending: a timer that has
 * neither fired nor been cleared. mock.timers.reset() puts the real globals back.
 */
function trackTimers(): Set<unknown> {
  const live = new Set<unknown>();
  const { setTimeout: set, clearTimeout: clear, setInterval: setRepeat, clearInterval: clearRepeat } = globalThis;
  const wrappedSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown => {
    const handle: unknown = set(
      (...callArgs: unknown[]) => {
        live.delete(handle);
        callback(...callArgs);
      },
      ms,
      ...args,
    );
    live.add(handle);
    return handle;
  };
  const wrappedSetInterval = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): unknown => {
    const handle: unknown = setRepeat(callback, ms, ...args);
    live.add(handle);
    return handle;
  };
  const wrappedClear = (clearFn: (handle: never) => void) => (handle: unknown): void => {
    live.delete(handle);
    clearFn(handle as never);
  };
  globalThis.setTimeout = wrappedSetTimeout as unknown as typeof globalThis.setTimeout;
  globalThis.setInterval = wrappedSetInterval as unknown as typeof globalThis.setInterval;
  globalThis.clearTimeout = wrappedClear(clear) as typeof globalThis.clearTimeout;
  globalThis.clearInterval = wrappedClear(clearRepeat) as typeof globalThis.clearInterval;
  return live;
}

/**
 * Counts the 'abort' listeners currently registered on a signal, through its own
 * addEventListener/removeEventListener (also honouring the `signal` option of
 * addEventListener). Only meaningful before the signal aborts.
 */
function countAbortListeners(signal: AbortSignal): () => number {
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal) as (type: string, listener: unknown, options?: unknown) => void;
  const remove = signal.removeEventListener.bind(signal) as (type: string, listener: unknown, options?: unknown) => void;
  Object.defineProperty(signal, 'addEventListener', {
    configurable: true,
    value(type: string, listener: unknown, options?: unknown): void {
      if (type === 'abort' && listener != null) {
        live.add(listener);
        const removalSignal = typeof options === 'object' && options !== null ? (options as { signal?: AbortSignal }).signal : undefined;
        removalSignal?.addEventListener('abort', () => live.delete(listener), { once: true });
      }
      add(type, listener, options);
    },
  });
  Object.defineProperty(signal, 'removeEventListener', {
    configurable: true,
    value(type: string, listener: unknown, options?: unknown): void {
      if (type === 'abort') live.delete(listener);
      remove(type, listener, options);
    },
  });
  return () => live.size;
}

function statsOf(queue: MessageQueue<unknown>): { ready: number; inFlight: number; delayed: number } {
  const { ready, inFlight, delayed } = queue.stats;
  return { ready, inFlight, delayed };
}

const bodies = <T>(messages: readonly Message<T>[]): T[] => messages.map((message) => message.body);

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Deterministic PRNG (mulberry32), so the random run is the same on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const newQueue = (visibilityTimeoutMs = 1000): MessageQueue<string> => new MessageQueue<string>({ visibilityTimeoutMs });

/** A wrong implementation can leave a test awaiting forever: fail it instead of hanging the run. */
const LIMIT = { timeout: 3_000 };

let liveTimers: Set<unknown>;

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 0 });
  liveTimers = trackTimers();
});

afterEach(async () => {
  // Let whatever a failed test left running settle on the mocked timers first: a timer it set
  // after the reset would be a real one and keep the run alive.
  await flush();
  mock.timers.reset();
});

// ---------------------------------------------------------------------------------------

describe('send and receive', () => {
  test('send returns a new id for each message, and a delivery carries that id, the body, a receipt handle and receiveCount 1', LIMIT, async () => {
    const queue = new MessageQueue<{ n: number }>({ visibilityTimeoutMs: 1000 });
    const first = queue.send({ n: 1 });
    const second = queue.send({ n: 2 });
    assert.equal(typeof first, 'string');
    assert.notEqual(first, second);

    const [a, b] = await queue.receive({ max: 2 });
    assert.equal(a!.id, first);
    assert.deepEqual(a!.body, { n: 1 });
    assert.equal(a!.receiveCount, 1);
    assert.equal(typeof a!.receiptHandle, 'string');
    assert.equal(a!.groupId, undefined);
    assert.equal(b!.id, second);
    assert.notEqual(a!.receiptHandle, b!.receiptHandle);
  });

  test('messages go out in send order, one per receive by default and at most max per receive', LIMIT, async () => {
    const queue = newQueue();
    for (const body of ['a', 'b', 'c', 'd', 'e']) queue.send(body);
    assert.deepEqual(bodies(await queue.receive()), ['a']);
    assert.deepEqual(bodies(await queue.receive({ max: 3 })), ['b', 'c', 'd']);
    assert.deepEqual(bodies(await queue.receive({ max: 10 })), ['e']);
    assert.deepEqual(await queue.receive({ max: 10 }), []);
  });

  test('receive without waitMs resolves with an empty array when nothing is ready', LIMIT, async () => {
    const queue = newQueue();
    const result = track(queue.receive({ max: 5 }));
    await advance(0);
    assert.equal(result.settled, true);
    assert.deepEqual(result.value, []);
  });

  test('stats count ready, in-flight and delayed messages', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    queue.send('b');
    queue.send('c', { delayMs: 500 });
    assert.deepEqual(statsOf(queue), { ready: 2, inFlight: 0, delayed: 1 });
    const [a] = await queue.receive();
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 1, delayed: 1 });
    queue.ack(a!.receiptHandle);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 1 });
    await advance(501);
    assert.deepEqual(statsOf(queue), { ready: 2, inFlight: 0, delayed: 0 });
  });

  test('ack removes a message for good: true the first time, false afterwards and for an unknown handle', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    const [a] = await queue.receive();
    assert.equal(queue.ack(a!.receiptHandle), true);
    assert.equal(queue.ack(a!.receiptHandle), false);
    assert.equal(queue.nack(a!.receiptHandle), false);
    assert.equal(queue.extendVisibility(a!.receiptHandle, 1000), false);
    assert.equal(queue.ack('no-such-handle'), false);
    await advance(5000);
    assert.deepEqual(await queue.receive(), []);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('a receipt handle is accepted only by the queue that issued it', LIMIT, async () => {
    const first = newQueue();
    const second = newQueue();
    first.send('a');
    second.send('b');
    const [a] = await first.receive();
    const [b] = await second.receive();
    assert.notEqual(a!.receiptHandle, b!.receiptHandle);
    assert.equal(second.ack(a!.receiptHandle), false);
    assert.equal(second.nack(a!.receiptHandle), false);
    assert.deepEqual(statsOf(second), { ready: 0, inFlight: 1, delayed: 0 });
    assert.deepEqual(statsOf(first), { ready: 0, inFlight: 1, delayed: 0 });
  });
});

describe('visibility timeout', () => {
  test('a received message stays invisible for visibilityTimeoutMs from its delivery, then is ready again at once with a new handle and the next receiveCount', LIMIT, async () => {
    const queue = newQueue(1000);
    const id = queue.send('a');
    await advance(300);
    const [first] = await queue.receive(); // delivered at 300: invisible until 1300
    await advance(999);
    assert.deepEqual(await queue.receive(), []);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
    await advance(2);
    // Ready at expiry, not at the next receive: stats change without any call.
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    const [second] = await queue.receive();
    assert.equal(second!.id, id);
    assert.equal(second!.body, 'a');
    assert.equal(second!.receiveCount, 2);
    assert.notEqual(second!.receiptHandle, first!.receiptHandle);
  });

  test('after an expiry the old handle is stale: ack, nack and extendVisibility return false and change nothing', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    const [first] = await queue.receive();
    await advance(1001);
    assert.equal(queue.ack(first!.receiptHandle), false);
    assert.equal(queue.nack(first!.receiptHandle), false);
    assert.equal(queue.extendVisibility(first!.receiptHandle, 5000), false);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });

    const [second] = await queue.receive();
    assert.equal(queue.ack(first!.receiptHandle), false);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
    assert.equal(queue.ack(second!.receiptHandle), true);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('extendVisibility sets the remaining visibility to ms from now, whether longer or shorter', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('long');
    queue.send('short');
    const [long, short] = await queue.receive({ max: 2 });
    await advance(500);
    assert.equal(queue.extendVisibility(long!.receiptHandle, 2000), true); // until 2500
    assert.equal(queue.extendVisibility(short!.receiptHandle, 100), true); // until 600

    await advance(99); // 599
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 2, delayed: 0 });
    await advance(2); // 601
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 1, delayed: 0 });
    const [again] = await queue.receive();
    assert.equal(again!.body, 'short');
    queue.ack(again!.receiptHandle);

    await advance(1898); // 2499, well past the original deadline of 1000
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
    await advance(2); // 2501
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });

  test('extendVisibility keeps the handle valid, and returns false for an unknown handle', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    const [a] = await queue.receive();
    assert.equal(queue.extendVisibility('no-such-handle', 1000), false);
    await advance(900);
    assert.equal(queue.extendVisibility(a!.receiptHandle, 1000), true);
    await advance(900); // 1800: alive only thanks to the extension
    assert.equal(queue.ack(a!.receiptHandle), true);
    await advance(5000);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('each message of a batch has its own visibility: acking one leaves the other to expire', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    queue.send('b');
    const [a] = await queue.receive({ max: 2 });
    queue.ack(a!.receiptHandle);
    await advance(1001);
    const again = await queue.receive({ max: 2 });
    assert.deepEqual(bodies(again), ['b']);
    assert.equal(again[0]!.receiveCount, 2);
  });
});

describe('nack', () => {
  test('nack makes the message ready at once with the next receiveCount, and makes its handle stale', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    const [first] = await queue.receive();
    assert.equal(queue.nack(first!.receiptHandle), true);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    assert.equal(queue.nack(first!.receiptHandle), false);
    assert.equal(queue.ack(first!.receiptHandle), false);
    const [second] = await queue.receive();
    assert.equal(second!.receiveCount, 2);
    assert.notEqual(second!.receiptHandle, first!.receiptHandle);
  });

  test('nack with delayMs holds the message back, counted as delayed, for delayMs from the nack', LIMIT, async () => {
    const queue = newQueue(10_000);
    queue.send('a');
    const [first] = await queue.receive();
    await advance(100);
    assert.equal(queue.nack(first!.receiptHandle, { delayMs: 500 }), true); // until 600
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 1 });
    await advance(499);
    assert.deepEqual(await queue.receive(), []);
    await advance(2);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    const [second] = await queue.receive();
    assert.equal(second!.receiveCount, 2);
  });

  test('without maxReceives a message is redelivered however often it fails', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    for (let count = 1; count <= 6; count++) {
      const [message] = await queue.receive();
      assert.equal(message!.receiveCount, count);
      queue.nack(message!.receiptHandle);
    }
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });
});

describe('stale receipt handles', () => {
  interface StaleHandle {
    queue: MessageQueue<string>;
    /** A handle that the event has made stale. */
    stale: string;
    /** Checks that the queue is exactly as the event left it: the stale call changed nothing. */
    unchanged(): Promise<void>;
  }

  /** Each event that ends a delivery, and what the queue must look like after it. */
  const events: [event: string, setUp: () => Promise<StaleHandle>][] = [
    ['a visibility expiry', async () => {
      const queue = newQueue(1000);
      queue.send('a');
      const [first] = await queue.receive();
      await advance(1001);
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
          const [again] = await queue.receive();
          assert.equal(again!.receiveCount, 2);
          assert.equal(queue.ack(again!.receiptHandle), true);
        },
      };
    }],
    ['the redelivery of the message to another consumer', async () => {
      const queue = newQueue(1000);
      queue.send('a');
      const [first] = await queue.receive();
      await advance(1001);
      const [second] = await queue.receive(); // delivered at 1001: invisible until 2001
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
          await advance(999); // 2000: the new delivery keeps its own deadline of 2001
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
          assert.equal(queue.ack(second!.receiptHandle), true, 'the new delivery\'s handle must still be valid');
        },
      };
    }],
    ['a previous ack', async () => {
      const queue = newQueue(1000);
      queue.send('a');
      const [first] = await queue.receive();
      queue.ack(first!.receiptHandle);
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
          await advance(5000);
          assert.deepEqual(await queue.receive(), []);
          assert.equal(liveTimers.size, 0, 'timers left behind');
        },
      };
    }],
    ['a previous nack', async () => {
      const queue = newQueue(1000);
      queue.send('a');
      const [first] = await queue.receive();
      queue.nack(first!.receiptHandle);
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
          const [again] = await queue.receive();
          assert.equal(again!.receiveCount, 2);
        },
      };
    }],
    ['a previous nack with delayMs', async () => {
      const queue = newQueue(1000);
      queue.send('a');
      const [first] = await queue.receive();
      queue.nack(first!.receiptHandle, { delayMs: 500 }); // delayed until 500
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 1 });
          await advance(499);
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 1 });
          await advance(2);
          const [again] = await queue.receive();
          assert.equal(again!.receiveCount, 2);
        },
      };
    }],
    ['dead-lettering', async () => {
      const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
      const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 1, deadLetterQueue: dlq });
      queue.send('a');
      const [first] = await queue.receive();
      queue.nack(first!.receiptHandle);
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
          assert.deepEqual(statsOf(dlq), { ready: 1, inFlight: 0, delayed: 0 });
          assert.equal(dlq.ack(first!.receiptHandle), false, 'the dead-letter queue accepted the old handle');
          assert.deepEqual(bodies(await dlq.receive()), ['a']);
        },
      };
    }],
    ['closing the queue', async () => {
      const queue = newQueue(1000);
      queue.send('a');
      const [first] = await queue.receive();
      queue.close();
      return {
        queue,
        stale: first!.receiptHandle,
        async unchanged() {
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
          assert.equal(liveTimers.size, 0, 'timers left behind');
          await advance(5000);
          assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
        },
      };
    }],
  ];

  const calls: [name: string, call: (queue: MessageQueue<string>, handle: string) => boolean][] = [
    ['ack', (queue, handle) => queue.ack(handle)],
    ['nack', (queue, handle) => queue.nack(handle, { delayMs: 300 })],
    // A short extension: if it acted on a live delivery, that delivery would come back early.
    ['extendVisibility', (queue, handle) => queue.extendVisibility(handle, 1)],
  ];

  for (const [event, setUp] of events) {
    for (const [name, call] of calls) {
      test(`${name} with a handle made stale by ${event} returns false and changes nothing`, LIMIT, async () => {
        const { queue, stale, unchanged } = await setUp();
        assert.equal(call(queue, stale), false);
        await advance(0);
        await unchanged();
      });
    }
  }

  test('a redelivered message is invisible for visibilityTimeoutMs from its new delivery: the earlier delivery\'s deadline does not cut it short', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    const [first] = await queue.receive();
    await advance(600);
    queue.nack(first!.receiptHandle);
    const [second] = await queue.receive(); // delivered at 600: invisible until 1600
    await advance(999); // 1599, well past the first delivery's deadline of 1000
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
    await advance(2);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    assert.equal(queue.ack(second!.receiptHandle), false);
  });

  test('a redelivery after an extended delivery gets visibilityTimeoutMs, not the extension, and the extension\'s deadline does not cut it short', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    const [first] = await queue.receive();
    queue.extendVisibility(first!.receiptHandle, 300); // until 300
    await advance(200);
    queue.nack(first!.receiptHandle);
    await queue.receive(); // delivered at 200: invisible until 1200
    await advance(999); // 1199
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
    await advance(2);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });
});

describe('dead-letter queue', () => {
  test('the delivery whose receiveCount equals maxReceives goes to the dead-letter queue at once when it expires, with its body and groupId under a new id', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 3, deadLetterQueue: dlq });
    const id = queue.send('poison', { groupId: 'g' });
    for (let count = 1; count <= 3; count++) {
      const [message] = await queue.receive();
      assert.equal(message!.receiveCount, count);
      await advance(1001);
    }
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    assert.deepEqual(statsOf(dlq), { ready: 1, inFlight: 0, delayed: 0 });
    assert.deepEqual(await queue.receive(), []);

    const [dead] = await dlq.receive();
    assert.equal(dead!.body, 'poison');
    assert.equal(dead!.groupId, 'g');
    assert.equal(dead!.receiveCount, 1);
    assert.notEqual(dead!.id, id);
    dlq.ack(dead!.receiptHandle);
    assert.equal(liveTimers.size, 0, 'timers left behind');
  });

  test('nacking the last allowed delivery dead-letters the message at once, even with delayMs', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 2, deadLetterQueue: dlq });
    queue.send('a');
    const [first] = await queue.receive();
    queue.nack(first!.receiptHandle);
    const [second] = await queue.receive();
    assert.equal(second!.receiveCount, 2);
    assert.equal(queue.nack(second!.receiptHandle, { delayMs: 5000 }), true);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    assert.deepEqual(statsOf(dlq), { ready: 1, inFlight: 0, delayed: 0 });
  });

  test('with maxReceives 1 the first failed delivery is dead-lettered, and an acked last delivery is not', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 1, deadLetterQueue: dlq });
    queue.send('fails');
    queue.send('succeeds');
    const [fails, succeeds] = await queue.receive({ max: 2 });
    assert.equal(queue.nack(fails!.receiptHandle), true);
    assert.equal(queue.ack(succeeds!.receiptHandle), true);
    await advance(5000);
    assert.deepEqual(bodies(await dlq.receive({ max: 10 })), ['fails']);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('dead-lettering wakes a long-poll waiting on the dead-letter queue', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 1, deadLetterQueue: dlq });
    queue.send('a');
    await queue.receive();
    const poll = track(dlq.receive({ waitMs: 10_000 }));
    await advance(999);
    assert.equal(poll.settled, false);
    await advance(2);
    assert.equal(poll.settled, true);
    assert.deepEqual(bodies(poll.value!), ['a']);
  });
});

describe('ordering', () => {
  test('a message that expires goes out before messages sent after it', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    await queue.receive();
    queue.send('b');
    queue.send('c');
    await advance(1001);
    assert.deepEqual(bodies(await queue.receive({ max: 3 })), ['a', 'b', 'c']);
  });

  test('nacked messages go out in send order, not in the order they were nacked, and before later messages', LIMIT, async () => {
    const queue = newQueue();
    for (const body of ['a', 'b', 'c']) queue.send(body);
    const [a, , c] = await queue.receive({ max: 3 });
    queue.send('d');
    queue.nack(a!.receiptHandle);
    queue.nack(c!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['a', 'c', 'd']);
  });

  test('a nacked message does not overtake a message sent before it that is still waiting', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a', { groupId: 'g' });
    queue.send('b', { groupId: 'g' });
    queue.send('c');
    const [a, c] = await queue.receive({ max: 5 });
    assert.deepEqual(bodies([a!, c!]), ['a', 'c']);
    queue.nack(c!.receiptHandle);
    queue.ack(a!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['b', 'c']);
  });

  test('a delayed message, once due, goes out before messages sent after it', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a', { delayMs: 100 });
    await advance(50);
    queue.send('b');
    await advance(51);
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['a', 'b']);
  });

  test('a group message released by an ack goes out before messages sent after it', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a', { groupId: 'g' });
    queue.send('b', { groupId: 'g' });
    const [a] = await queue.receive({ max: 5 });
    queue.send('c');
    queue.ack(a!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['b', 'c']);
  });
});

describe('message groups', () => {
  test('a group message waits until the earlier message of its group is acked, and a receive returns at most one message per group', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a1', { groupId: 'a' });
    queue.send('a2', { groupId: 'a' });
    queue.send('b1', { groupId: 'b' });
    queue.send('free');
    queue.send('b2', { groupId: 'b' });
    const batch = await queue.receive({ max: 10 });
    assert.deepEqual(bodies(batch), ['a1', 'b1', 'free']);
    assert.deepEqual(batch.map((message) => message.groupId), ['a', 'b', undefined]);
    assert.deepEqual(await queue.receive({ max: 10 }), []);
    queue.ack(batch[0]!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 10 })), ['a2']);
    queue.ack(batch[1]!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 10 })), ['b2']);
  });

  test('a group stays blocked while its first message is redelivered after an expiry or held back by a nack delay', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a', { groupId: 'g' });
    queue.send('b', { groupId: 'g' });
    await queue.receive({ max: 5 });
    await advance(1001);
    const redelivered = await queue.receive({ max: 5 });
    assert.deepEqual(bodies(redelivered), ['a']);
    const second = redelivered[0]!;
    assert.equal(second.receiveCount, 2);
    queue.nack(second.receiptHandle, { delayMs: 500 });
    assert.deepEqual(await queue.receive({ max: 5 }), []);
    await advance(501);
    const third = await queue.receive({ max: 5 });
    assert.deepEqual(bodies(third), ['a']);
    queue.ack(third[0]!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['b']);
  });

  test('a delayed first message blocks the later messages of its group, not other messages', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a', { groupId: 'g', delayMs: 100 });
    queue.send('b', { groupId: 'g' });
    queue.send('c');
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['c']);
    await advance(101);
    const [a] = await queue.receive({ max: 5 });
    assert.equal(a!.body, 'a');
    assert.deepEqual(await queue.receive({ max: 5 }), []);
    queue.ack(a!.receiptHandle);
    assert.deepEqual(bodies(await queue.receive({ max: 5 })), ['b']);
  });

  test('dead-lettering the first message of a group releases the next one and wakes a waiting poll', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 1, deadLetterQueue: dlq });
    queue.send('a', { groupId: 'g' });
    queue.send('b', { groupId: 'g' });
    await queue.receive({ max: 5 });
    const poll = track(queue.receive({ max: 5, waitMs: 5000 }));
    await advance(999);
    assert.equal(poll.settled, false);
    await advance(2);
    assert.equal(poll.settled, true);
    assert.deepEqual(bodies(poll.value!), ['b']);
    assert.deepEqual(bodies(await dlq.receive()), ['a']);
  });
});

describe('deduplication', () => {
  test('a send with a remembered dedupId enqueues nothing and returns the first id, even after that message was acked', LIMIT, async () => {
    const queue = newQueue();
    const id = queue.send('first', { dedupId: 'k' });
    assert.equal(queue.send('second', { dedupId: 'k' }), id);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    const [message] = await queue.receive({ max: 5 });
    assert.equal(message!.body, 'first');
    queue.ack(message!.receiptHandle);
    assert.equal(queue.send('third', { dedupId: 'k' }), id);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    assert.deepEqual(await queue.receive({ max: 5 }), []);
  });

  test('a dedupId is remembered for deduplicationWindowMs from its first accepted send; neither duplicates nor the ack extend that', LIMIT, async () => {
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, deduplicationWindowMs: 1000 });
    const id = queue.send('a', { dedupId: 'k' });
    await advance(600);
    assert.equal(queue.send('a', { dedupId: 'k' }), id);
    const [message] = await queue.receive();
    queue.ack(message!.receiptHandle);
    await advance(399); // 999
    assert.equal(queue.send('a', { dedupId: 'k' }), id);
    await advance(2); // 1001
    const next = queue.send('a', { dedupId: 'k' });
    assert.notEqual(next, id);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    assert.equal(queue.send('a', { dedupId: 'k' }), next);
  });

  test('the deduplication window defaults to 300000 ms', LIMIT, async () => {
    const queue = newQueue();
    const id = queue.send('a', { dedupId: 'k' });
    await advance(299_999);
    assert.equal(queue.send('a', { dedupId: 'k' }), id);
    await advance(2);
    assert.notEqual(queue.send('a', { dedupId: 'k' }), id);
  });

  test('dedupIds are independent of each other and of messages sent without one', LIMIT, async () => {
    const queue = newQueue();
    const ids = [
      queue.send('x', { dedupId: 'one' }),
      queue.send('x', { dedupId: 'two' }),
      queue.send('x'),
      queue.send('x'),
    ];
    assert.equal(new Set(ids).size, 4);
    assert.deepEqual(statsOf(queue), { ready: 4, inFlight: 0, delayed: 0 });
  });

  test('a duplicate of a delayed message returns its id without enqueuing anything or waking a poll', LIMIT, async () => {
    const queue = newQueue();
    const id = queue.send('a', { dedupId: 'k', delayMs: 500 });
    const poll = track(queue.receive({ max: 5, waitMs: 1000 }));
    await advance(0);
    assert.equal(queue.send('b', { dedupId: 'k' }), id);
    await advance(0);
    assert.equal(poll.settled, false);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 1 });
    await advance(501);
    assert.deepEqual(bodies(poll.value!), ['a']);
  });
});

describe('long polling', () => {
  test('a long-poll resolves with an empty array after waitMs, not before', LIMIT, async () => {
    const queue = newQueue();
    const poll = track(queue.receive({ waitMs: 500 }));
    await advance(499);
    assert.equal(poll.settled, false);
    await advance(2);
    assert.equal(poll.settled, true);
    assert.deepEqual(poll.value, []);
  });

  test('a long-poll returns what is ready at once, and is woken at once by a send, without waiting to fill max', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    queue.send('b');
    const ready = track(queue.receive({ max: 5, waitMs: 1000 }));
    await flush();
    assert.deepEqual(bodies(ready.value!), ['a', 'b']);

    const poll = track(queue.receive({ max: 5, waitMs: 1000 }));
    await flush();
    assert.equal(poll.settled, false);
    queue.send('c');
    await flush();
    assert.equal(poll.settled, true);
    assert.deepEqual(bodies(poll.value!), ['c']);
  });

  test('a long-poll is woken when a delay ends', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a', { delayMs: 300 });
    const poll = track(queue.receive({ waitMs: 1000 }));
    await advance(299);
    assert.equal(poll.settled, false);
    await advance(2);
    assert.deepEqual(bodies(poll.value!), ['a']);
  });

  test('a long-poll is woken by a visibility expiry and by a nack', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('a');
    await queue.receive();
    const afterExpiry = track(queue.receive({ waitMs: 5000 }));
    await advance(999);
    assert.equal(afterExpiry.settled, false);
    await advance(2);
    const [second] = afterExpiry.value!;
    assert.equal(second!.receiveCount, 2);

    const afterNack = track(queue.receive({ waitMs: 5000 }));
    await advance(0);
    assert.equal(afterNack.settled, false);
    queue.nack(second!.receiptHandle);
    await flush();
    assert.equal(afterNack.value![0]!.receiveCount, 3);
  });

  test('a long-poll is woken when an ack releases the next message of a group', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a', { groupId: 'g' });
    queue.send('b', { groupId: 'g' });
    const [a] = await queue.receive();
    const poll = track(queue.receive({ waitMs: 5000 }));
    await advance(0);
    assert.equal(poll.settled, false);
    queue.ack(a!.receiptHandle);
    await flush();
    assert.deepEqual(bodies(poll.value!), ['b']);
  });

  test('concurrent long-polls are served in the order they were made, each message to one poll', LIMIT, async () => {
    const queue = newQueue(60_000);
    const polls = [1, 2, 3].map(() => track(queue.receive({ max: 5, waitMs: 5000 })));
    await advance(0);
    queue.send('a');
    await flush();
    assert.deepEqual(bodies(polls[0]!.value!), ['a']);
    assert.equal(polls[1]!.settled, false);
    assert.equal(polls[2]!.settled, false);
    queue.send('b');
    await flush();
    assert.deepEqual(bodies(polls[1]!.value!), ['b']);
    assert.equal(polls[2]!.settled, false);
    await advance(5001);
    assert.deepEqual(polls[2]!.value, []);
  });

  test('a receive made while an older poll waits cannot take the message that wakes the older poll', LIMIT, async () => {
    const queue = newQueue();
    const older = track(queue.receive({ waitMs: 5000 }));
    await advance(0);
    queue.send('a');
    const newer = track(queue.receive({ waitMs: 5000 }));
    const immediate = track(queue.receive());
    await flush();
    assert.deepEqual(bodies(older.value!), ['a']);
    assert.deepEqual(immediate.value, []);
    assert.equal(newer.settled, false);
  });

  test('an abort rejects the poll with signal.reason, and later messages go to the next poll', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const aborted = track(queue.receive({ waitMs: 5000, signal: controller.signal }));
    const next = track(queue.receive({ waitMs: 5000 }));
    await advance(0);
    controller.abort(reason);
    await flush();
    assert.equal(aborted.rejected, true);
    assert.equal(aborted.error, reason);
    assert.equal(next.settled, false);
    queue.send('a');
    await flush();
    assert.deepEqual(bodies(next.value!), ['a']);
  });

  test('a receive with an already aborted signal rejects with its reason', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(queue.receive({ waitMs: 1000, signal: controller.signal }), (error) => error === controller.signal.reason);
  });

  test('an abort racing a send never loses the message', LIMIT, async () => {
    const queue = newQueue();

    const first = new AbortController();
    const abortedFirst = track(queue.receive({ waitMs: 5000, signal: first.signal }));
    await advance(0);
    first.abort();
    queue.send('a');
    await flush();
    assert.equal(abortedFirst.rejected, true);
    assert.equal(abortedFirst.error, first.signal.reason);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    assert.deepEqual(bodies(await queue.receive()), ['a']);

    const second = new AbortController();
    const racing = track(queue.receive({ waitMs: 5000, signal: second.signal }));
    await advance(0);
    queue.send('b');
    second.abort();
    await flush();
    assert.equal(racing.settled, true);
    if (racing.rejected) {
      assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 1, delayed: 0 }); // 'a' and a ready 'b'
    } else {
      assert.deepEqual(bodies(racing.value!), ['b']);
      assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 2, delayed: 0 });
    }
  });

  test('a poll that times out just as a delayed message becomes due never loses the message', LIMIT, async () => {
    const queue = newQueue();
    const poll = track(queue.receive({ waitMs: 100 }));
    queue.send('a', { delayMs: 100 });
    await advance(101);
    assert.equal(poll.settled, true);
    if (poll.value!.length === 0) assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    else assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
  });

  test('polls that timed out or were aborted do not swallow later messages', LIMIT, async () => {
    const queue = newQueue();
    for (let i = 0; i < 50; i++) void queue.receive({ waitMs: 100 });
    const controller = new AbortController();
    const aborted = Array.from({ length: 50 }, () => queue.receive({ waitMs: 10_000, signal: controller.signal }).catch(() => 'aborted'));
    await advance(101);
    controller.abort();
    assert.deepEqual(new Set(await Promise.all(aborted)), new Set(['aborted']));
    queue.send('a');
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });

  test('served, timed-out and aborted polls leave no timer and no abort listener behind', LIMIT, async () => {
    const queue = newQueue();
    assert.equal(liveTimers.size, 0, 'a new queue holds a timer');
    const controller = new AbortController();
    const listeners = countAbortListeners(controller.signal);
    for (let i = 0; i < 20; i++) {
      const poll = track(queue.receive({ waitMs: 10_000, signal: controller.signal }));
      await advance(0);
      queue.send(`m${i}`);
      await flush();
      queue.ack(poll.value![0]!.receiptHandle);
    }
    for (let i = 0; i < 20; i++) {
      queue.send(`ready${i}`);
      const [message] = await queue.receive({ waitMs: 10_000, signal: controller.signal });
      queue.ack(message!.receiptHandle);
    }
    const timedOut = track(queue.receive({ waitMs: 100, signal: controller.signal }));
    await advance(101);
    assert.deepEqual(timedOut.value, []);
    assert.equal(listeners(), 0, 'abort listeners left on the signal');
    assert.equal(liveTimers.size, 0, 'timers left behind by served or timed-out polls');

    const other = new AbortController();
    const aborted = track(queue.receive({ waitMs: 10_000, signal: other.signal }));
    await advance(0);
    other.abort();
    await flush();
    assert.equal(aborted.rejected, true);
    assert.equal(liveTimers.size, 0, 'timer left behind by an aborted poll');
  });
});

describe('closing', () => {
  test('close drops every message, ready, delayed and in flight, and leaves no timer behind', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('ready');
    queue.send('in flight');
    queue.send('delayed', { delayMs: 500 });
    queue.send('grouped', { groupId: 'g' });
    assert.deepEqual(bodies(await queue.receive({ max: 2 })), ['ready', 'in flight']);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 2, delayed: 1 });
    queue.close();
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    assert.equal(liveTimers.size, 0, 'timers left behind by close');
    await advance(10_000);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('close rejects every waiting receive at once with an Error, and leaves no timer and no abort listener behind', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    const listeners = countAbortListeners(controller.signal);
    const withSignal = track(queue.receive({ waitMs: 10_000, signal: controller.signal }));
    const without = track(queue.receive({ max: 5, waitMs: 10_000 }));
    await advance(0);
    queue.close();
    await flush();
    for (const poll of [withSignal, without]) {
      assert.equal(poll.rejected, true);
      assert.ok(poll.error instanceof Error, 'rejects with an Error');
    }
    assert.equal(listeners(), 0, 'abort listeners left on the signal');
    assert.equal(liveTimers.size, 0, 'timers left behind');
  });

  test('after close, send throws an Error, receive rejects with one, and close again does nothing', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    queue.close();
    assert.throws(() => queue.send('b'), Error);
    const result = queue.receive({ waitMs: 1000 }); // a synchronous throw fails the test here
    await assert.rejects(result, Error);
    await assert.rejects(queue.receive(), Error);
    assert.doesNotThrow(() => queue.close());
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    assert.equal(liveTimers.size, 0, 'timers left behind');
  });

  test('closing one queue leaves another untouched', LIMIT, async () => {
    const closing = newQueue(1000);
    const other = newQueue(1000);
    closing.send('a');
    other.send('b');
    other.send('c');
    const [b] = await other.receive();
    const poll = track(other.receive({ waitMs: 5000 }));
    await flush();
    closing.close();
    await flush();
    assert.deepEqual(bodies(poll.value!), ['c']);
    assert.equal(other.ack(b!.receiptHandle), true);
    other.send('d');
    assert.deepEqual(bodies(await other.receive()), ['d']);
  });

  test('a message dead-lettered into a closed dead-letter queue is dropped, whether by expiry or by nack, and nothing throws', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 1000, maxReceives: 1, deadLetterQueue: dlq });
    queue.send('expires');
    queue.send('nacked');
    queue.send('acked');
    const [expires, nacked, acked] = await queue.receive({ max: 3 });
    assert.equal(expires!.body, 'expires');
    dlq.close();
    assert.equal(queue.nack(nacked!.receiptHandle), true);
    assert.equal(queue.ack(acked!.receiptHandle), true);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 1, delayed: 0 });
    await advance(1001); // an exception in the expiry timer would fail the test here
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    assert.equal(liveTimers.size, 0, 'timers left behind');
  });
});

describe('invalid arguments', () => {
  test('the constructor throws a TypeError for a wrong type and a RangeError for a bad number', LIMIT, () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const make = (options: unknown) => () => new MessageQueue(options as never);
    assert.throws(make(undefined), TypeError);
    assert.throws(make({}), TypeError);
    assert.throws(make({ visibilityTimeoutMs: '1000' }), TypeError);
    assert.throws(make({ visibilityTimeoutMs: 1000, maxReceives: 3 }), TypeError); // no dead-letter queue
    assert.throws(make({ visibilityTimeoutMs: 1000, maxReceives: '3', deadLetterQueue: dlq }), TypeError);
    assert.throws(make({ visibilityTimeoutMs: 1000, maxReceives: 3, deadLetterQueue: {} }), TypeError);
    assert.throws(make({ visibilityTimeoutMs: 1000, deduplicationWindowMs: '5' }), TypeError);
    assert.throws(make({ visibilityTimeoutMs: -1 }), RangeError);
    assert.throws(make({ visibilityTimeoutMs: Number.NaN }), RangeError);
    assert.throws(make({ visibilityTimeoutMs: Number.POSITIVE_INFINITY }), RangeError);
    assert.throws(make({ visibilityTimeoutMs: 1000, maxReceives: 0, deadLetterQueue: dlq }), RangeError);
    assert.throws(make({ visibilityTimeoutMs: 1000, maxReceives: 1.5, deadLetterQueue: dlq }), RangeError);
    assert.throws(make({ visibilityTimeoutMs: 1000, deduplicationWindowMs: -1 }), RangeError);
  });

  test('send throws a TypeError or RangeError for bad options and enqueues nothing', LIMIT, () => {
    const queue = newQueue();
    assert.throws(() => queue.send('a', { delayMs: -1 }), RangeError);
    assert.throws(() => queue.send('a', { delayMs: Number.NaN }), RangeError);
    assert.throws(() => queue.send('a', { delayMs: '5' as never }), TypeError);
    assert.throws(() => queue.send('a', { groupId: 5 as never }), TypeError);
    assert.throws(() => queue.send('a', { dedupId: {} as never }), TypeError);
    assert.throws(() => queue.send('a', 'options' as never), TypeError);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('receive rejects, and never throws, for bad options, and delivers nothing', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    const cases: [unknown, typeof TypeError | typeof RangeError][] = [
      [{ max: 0 }, RangeError],
      [{ max: 1.5 }, RangeError],
      [{ max: -1 }, RangeError],
      [{ max: '2' }, TypeError],
      [{ waitMs: -1 }, RangeError],
      [{ waitMs: Number.NaN }, RangeError],
      [{ waitMs: '10' }, TypeError],
      [{ signal: {} }, TypeError],
    ];
    for (const [options, ErrorClass] of cases) {
      const result = queue.receive(options as never); // a synchronous throw fails the test here
      await assert.rejects(result, ErrorClass, JSON.stringify(options));
    }
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });

  test('ack, nack and extendVisibility throw a TypeError for a non-string handle and a RangeError for a bad duration', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    const [a] = await queue.receive();
    const handle = a!.receiptHandle;
    assert.throws(() => queue.ack(1 as never), TypeError);
    assert.throws(() => queue.nack(undefined as never), TypeError);
    assert.throws(() => queue.extendVisibility(null as never, 10), TypeError);
    assert.throws(() => queue.nack(handle, { delayMs: -1 }), RangeError);
    assert.throws(() => queue.nack(handle, { delayMs: Number.POSITIVE_INFINITY }), RangeError);
    assert.throws(() => queue.extendVisibility(handle, -1), RangeError);
    assert.throws(() => queue.extendVisibility(handle, Number.NaN), RangeError);
    assert.throws(() => queue.extendVisibility(handle, '10' as never), TypeError);
    assert.equal(queue.ack(handle), true, 'a rejected call must not have consumed the handle');
  });

  test('consume rejects, and never throws, for bad arguments', LIMIT, async () => {
    const queue = newQueue();
    const signal = new AbortController().signal;
    const handler = async (): Promise<void> => {};
    const cases: [() => Promise<void>, typeof TypeError | typeof RangeError][] = [
      [() => consume({} as never, handler, { concurrency: 1, signal }), TypeError],
      [() => consume(queue, 'handler' as never, { concurrency: 1, signal }), TypeError],
      [() => consume(queue, handler, { concurrency: 0, signal }), RangeError],
      [() => consume(queue, handler, { concurrency: 1.5, signal }), RangeError],
      [() => consume(queue, handler, { concurrency: '2' as never, signal }), TypeError],
      [() => consume(queue, handler, { concurrency: 1 } as never), TypeError],
    ];
    for (const [call, ErrorClass] of cases) {
      const result = call();
      await assert.rejects(result, ErrorClass);
    }
  });
});

describe('consume', () => {
  test('consume hands every message to the handler and acks it when the handler resolves', LIMIT, async () => {
    const queue = newQueue(1000);
    for (const body of ['a', 'b', 'c']) queue.send(body);
    const controller = new AbortController();
    const handled: string[] = [];
    const done = track(consume(queue, async (message) => void handled.push(message.body), { concurrency: 2, signal: controller.signal }));
    await advance(0);
    assert.deepEqual([...handled].sort(), ['a', 'b', 'c']);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    await advance(5000);
    assert.equal(handled.length, 3, 'an acked message was delivered again');
    controller.abort();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
  });

  test('consume nacks when the handler rejects or throws, so the message comes back at once with a higher receiveCount', LIMIT, async () => {
    const queue = newQueue(60_000);
    queue.send('rejects');
    queue.send('throws');
    const controller = new AbortController();
    const calls: string[] = [];
    const handler = (message: Message<string>): Promise<void> => {
      calls.push(`${message.body}#${message.receiveCount}`);
      if (message.receiveCount > 1) return Promise.resolve();
      if (message.body === 'throws') throw new Error('synchronous failure');
      return Promise.reject(new Error('asynchronous failure'));
    };
    const done = track(consume(queue, handler, { concurrency: 1, signal: controller.signal }));
    await advance(0);
    assert.deepEqual([...calls].sort(), ['rejects#1', 'rejects#2', 'throws#1', 'throws#2']);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    controller.abort();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
  });

  test('consume never holds more than concurrency unacked messages, and keeps that many handlers busy', LIMIT, async () => {
    const queue = newQueue(60_000);
    for (let i = 0; i < 8; i++) queue.send(`m${i}`);
    const controller = new AbortController();
    const gates: Deferred[] = [];
    let active = 0;
    let maxActive = 0;
    const handler = async (): Promise<void> => {
      active++;
      maxActive = Math.max(maxActive, active);
      const gate = deferred();
      gates.push(gate);
      try {
        await gate.promise;
      } finally {
        active--;
      }
    };
    const done = track(consume(queue, handler, { concurrency: 3, signal: controller.signal }));
    await advance(0);
    assert.equal(gates.length, 3);
    assert.deepEqual(statsOf(queue), { ready: 5, inFlight: 3, delayed: 0 });

    queue.send('late');
    await advance(0);
    assert.deepEqual(statsOf(queue), { ready: 6, inFlight: 3, delayed: 0 });

    for (let released = 0; released < 9; released++) {
      gates[released]!.resolve();
      await advance(0);
      assert.ok(queue.stats.inFlight <= 3, `inFlight ${queue.stats.inFlight} > 3`);
      assert.equal(gates.length, Math.min(9, released + 4));
    }
    assert.equal(maxActive, 3);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    controller.abort();
    await advance(0);
    assert.equal(done.settled, true);
  });

  test('a failing handler frees its slot for the next message', LIMIT, async () => {
    const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 1000 });
    const queue = new MessageQueue<string>({ visibilityTimeoutMs: 60_000, maxReceives: 2, deadLetterQueue: dlq });
    for (const body of ['bad', 'ok1', 'ok2']) queue.send(body);
    const controller = new AbortController();
    const succeeded: string[] = [];
    const handler = async (message: Message<string>): Promise<void> => {
      if (message.body === 'bad') throw new Error('always fails');
      succeeded.push(message.body);
    };
    const done = track(consume(queue, handler, { concurrency: 1, signal: controller.signal }));
    for (let i = 0; i < 3; i++) await advance(0);
    assert.deepEqual(succeeded, ['ok1', 'ok2']);
    assert.deepEqual(bodies(await dlq.receive({ max: 5 })), ['bad']);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    controller.abort();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
  });

  test('a handler that outlives the visibility timeout does not stop the consumer', LIMIT, async () => {
    const queue = newQueue(1000);
    queue.send('slow');
    const controller = new AbortController();
    const calls: string[] = [];
    const handler = async (message: Message<string>): Promise<void> => {
      calls.push(`${message.body}#${message.receiveCount}`);
      if (message.body === 'slow' && message.receiveCount === 1) await new Promise((resolve) => setTimeout(resolve, 1500));
    };
    const done = track(consume(queue, handler, { concurrency: 1, signal: controller.signal }));
    await advance(0);
    assert.deepEqual(calls, ['slow#1']);
    await advance(1001);
    await advance(500); // the slow handler finishes after its delivery expired: its ack is refused
    queue.send('next');
    await advance(0);
    assert.equal(calls.at(-1), 'next#1');
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
    controller.abort();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
  });

  test('after the signal aborts, consume starts no handler and resolves once the running handlers finish', LIMIT, async () => {
    const queue = newQueue(60_000);
    for (const body of ['a', 'b', 'c', 'd']) queue.send(body);
    const controller = new AbortController();
    const gates = new Map<string, Deferred>();
    const handler = (message: Message<string>): Promise<void> => {
      const gate = deferred();
      gates.set(message.body, gate);
      return gate.promise;
    };
    const done = track(consume(queue, handler, { concurrency: 2, signal: controller.signal }));
    await advance(0);
    assert.deepEqual([...gates.keys()], ['a', 'b']);
    controller.abort();
    await advance(0);
    assert.equal(done.settled, false);
    gates.get('a')!.resolve();
    await advance(0);
    assert.equal(done.settled, false);
    assert.equal(gates.size, 2, 'a handler started after the abort');
    gates.get('b')!.reject(new Error('failed'));
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    // 'a' was acked and 'b' nacked: nothing is stranded in flight.
    assert.deepEqual(statsOf(queue), { ready: 3, inFlight: 0, delayed: 0 });
    const rest = await queue.receive({ max: 5 });
    assert.deepEqual(bodies(rest), ['b', 'c', 'd']);
    assert.equal(rest[0]!.receiveCount, 2);
  });

  test('an abort while consume waits for messages resolves it at once and leaves no timer behind', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    let calls = 0;
    const done = track(consume(queue, async () => void calls++, { concurrency: 2, signal: controller.signal }));
    await advance(0);
    controller.abort();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    assert.equal(calls, 0);
    assert.equal(liveTimers.size, 0, 'timers left behind');
    queue.send('a');
    await advance(0);
    assert.equal(calls, 0);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });

  test('consume keeps waiting through idle periods, however long, until the signal aborts', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    const handled: string[] = [];
    const done = track(consume(queue, async (message) => void handled.push(message.body), { concurrency: 1, signal: controller.signal }));
    for (let i = 0; i < 5; i++) await advance(30_000);
    assert.equal(done.settled, false);
    queue.send('late');
    await advance(0);
    assert.deepEqual(handled, ['late']);
    controller.abort();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
  });

  test('a message received in the same turn as the abort is not handled: consume nacks it at once, so it comes back with the next receiveCount', LIMIT, async () => {
    const queue = newQueue(60_000);
    const controller = new AbortController();
    let calls = 0;
    const done = track(consume(queue, async () => void calls++, { concurrency: 2, signal: controller.signal }));
    await advance(0);
    queue.send('a'); // serves consume's waiting receive...
    controller.abort(); // ...which sees the message only after the abort
    await advance(0);
    assert.equal(calls, 0, 'a handler started after the abort');
    assert.equal(done.settled && !done.rejected, true);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    const [again] = await queue.receive();
    assert.equal(again!.body, 'a');
    assert.equal(again!.receiveCount, 2);
  });

  test('a message received in the same turn as the abort is nacked while earlier handlers still run, and consume resolves once they finish', LIMIT, async () => {
    const queue = newQueue(60_000);
    queue.send('running');
    const controller = new AbortController();
    const gate = deferred();
    const started: string[] = [];
    const handler = (message: Message<string>): Promise<void> => {
      started.push(message.body);
      return gate.promise;
    };
    const done = track(consume(queue, handler, { concurrency: 2, signal: controller.signal }));
    await advance(0);
    assert.deepEqual(started, ['running']);
    queue.send('late');
    controller.abort();
    await advance(0);
    assert.deepEqual(started, ['running'], 'a handler started after the abort');
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 1, delayed: 0 });
    assert.equal(done.settled, false);
    gate.resolve();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
    assert.deepEqual(bodies(await queue.receive()), ['late']);
  });

  test('closing the queue while consume waits resolves consume at once, without calling the handler', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    const listeners = countAbortListeners(controller.signal);
    let calls = 0;
    const done = track(consume(queue, async () => void calls++, { concurrency: 2, signal: controller.signal }));
    await advance(0);
    queue.close();
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    assert.equal(calls, 0);
    assert.equal(listeners(), 0, 'abort listeners left on the signal');
    assert.equal(liveTimers.size, 0, 'timers left behind');
  });

  test('a message received in the same turn as the close is not handled', LIMIT, async () => {
    const queue = newQueue();
    const controller = new AbortController();
    let calls = 0;
    const done = track(consume(queue, async () => void calls++, { concurrency: 1, signal: controller.signal }));
    await advance(0);
    queue.send('a');
    queue.close();
    await advance(0);
    assert.equal(calls, 0, 'a handler started after the close');
    assert.equal(done.settled && !done.rejected, true);
  });

  test('after the queue closes, consume starts no handler and resolves once the running handlers finish, their acks refused', LIMIT, async () => {
    const queue = newQueue(60_000);
    for (const body of ['a', 'b', 'c']) queue.send(body);
    const controller = new AbortController();
    const gates = new Map<string, Deferred>();
    const handler = (message: Message<string>): Promise<void> => {
      const gate = deferred();
      gates.set(message.body, gate);
      return gate.promise;
    };
    const done = track(consume(queue, handler, { concurrency: 2, signal: controller.signal }));
    await advance(0);
    assert.deepEqual([...gates.keys()], ['a', 'b']);
    queue.close();
    gates.get('a')!.resolve();
    await advance(0);
    assert.equal(done.settled, false);
    assert.equal(gates.size, 2, 'a handler started after the close');
    gates.get('b')!.reject(new Error('failed'));
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    assert.equal(gates.size, 2);
    assert.deepEqual(statsOf(queue), { ready: 0, inFlight: 0, delayed: 0 });
  });

  test('consume on a closed queue resolves without calling the handler', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    queue.close();
    let calls = 0;
    const done = track(consume(queue, async () => void calls++, { concurrency: 1, signal: new AbortController().signal }));
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    assert.equal(calls, 0);
  });

  for (const concurrency of [1, 3]) {
    test(`consume with concurrency ${concurrency} never has more than ${concurrency + 1} abort listeners on its signal, however many messages it handles`, LIMIT, async () => {
      const queue = newQueue(60_000);
      const controller = new AbortController();
      const listeners = countAbortListeners(controller.signal);
      let handled = 0;
      let failed = 0;
      // Handlers that take a while and sometimes fail, so that every slot is busy at times.
      const handler = async (message: Message<string>): Promise<void> => {
        await new Promise((resolve) => setTimeout(resolve, 25));
        if (message.receiveCount === 1 && Number(message.body.slice(1)) % 4 === 0) {
          failed++;
          throw new Error('fails once');
        }
        handled++;
      };
      const done = track(consume(queue, handler, { concurrency, signal: controller.signal }));
      let maxListeners = 0;
      let total = 0;
      for (let i = 0; i < 60; i++) {
        queue.send(`m${total++}`);
        if (i % 3 === 0) queue.send(`m${total++}`);
        await advance(10);
        maxListeners = Math.max(maxListeners, listeners());
      }
      for (let i = 0; i < 500 && handled < total; i++) {
        await advance(10);
        maxListeners = Math.max(maxListeners, listeners());
      }
      assert.equal(handled, total);
      assert.ok(failed > 0);
      assert.ok(maxListeners <= concurrency + 1, `${maxListeners} abort listeners on the signal`);
      controller.abort();
      await advance(0);
      assert.equal(done.settled && !done.rejected, true);
    });
  }

  test('consume with an already aborted signal resolves without calling the handler or holding a message', LIMIT, async () => {
    const queue = newQueue();
    queue.send('a');
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const done = track(consume(queue, async () => void calls++, { concurrency: 1, signal: controller.signal }));
    await advance(0);
    assert.equal(done.settled && !done.rejected, true);
    assert.equal(calls, 0);
    assert.deepEqual(statsOf(queue), { ready: 1, inFlight: 0, delayed: 0 });
  });

  for (const seed of [1, 42, 2024]) {
    test(`seeded random run (seed ${seed}): with handlers failing at random, every message ends acked once or dead-lettered, none lost`, LIMIT, async () => {
      interface Job {
        n: number;
        group: string | undefined;
      }
      const random = mulberry32(seed);
      const total = 120;
      const concurrency = 4;
      const maxReceives = 3;
      const dlq = new MessageQueue<unknown>({ visibilityTimeoutMs: 60_000 });
      const queue = new MessageQueue<Job>({ visibilityTimeoutMs: 1000, maxReceives, deadLetterQueue: dlq });
      const outcomes = new Map<number, ('failed' | 'ok')[]>();
      // Recorded, not asserted, inside the handler: consume would turn a throw into a nack.
      const violations: string[] = [];
      const groupStarts = new Map<string, number[]>();
      let active = 0;
      let maxActive = 0;
      let maxInFlight = 0;

      const handler = async (message: Message<Job>): Promise<void> => {
        const { n, group } = message.body;
        const attempts = outcomes.get(n) ?? [];
        outcomes.set(n, attempts);
        if (message.receiveCount !== attempts.length + 1) {
          violations.push(`message ${n}: receiveCount ${message.receiveCount} after ${attempts.length} deliveries`);
        }
        if (message.groupId !== group) violations.push(`message ${n}: groupId ${message.groupId}, sent with ${group}`);
        if (group !== undefined) groupStarts.set(group, [...(groupStarts.get(group) ?? []), n]);
        active++;
        maxActive = Math.max(maxActive, active);
        maxInFlight = Math.max(maxInFlight, queue.stats.inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(random() * 40)));
          if (random() < 0.35) {
            attempts.push('failed');
            throw new Error(`injected failure of ${n}`);
          }
          attempts.push('ok');
        } finally {
          active--;
        }
      };

      let sent = 0;
      const sendOne = (): void => {
        const group = random() < 0.4 ? `g${Math.floor(random() * 4)}` : undefined;
        const delayMs = random() < 0.2 ? Math.floor(random() * 200) : 0;
        queue.send({ n: sent, group }, group === undefined ? { delayMs } : { delayMs, groupId: group });
        sent++;
      };
      for (let i = 0; i < total / 2; i++) sendOne();

      const controller = new AbortController();
      const done = track(consume(queue, handler, { concurrency, signal: controller.signal }));
      const finished = (): boolean => {
        const { ready, inFlight, delayed } = queue.stats;
        return sent === total && ready + inFlight + delayed === 0 && active === 0;
      };
      for (let step = 0; step < 20_000 && !finished(); step++) {
        if (sent < total && random() < 0.3) sendOne();
        await advance(1 + Math.floor(random() * 10));
        maxInFlight = Math.max(maxInFlight, queue.stats.inFlight);
      }
      assert.equal(finished(), true, `not finished: ${JSON.stringify(queue.stats)}`);
      assert.deepEqual(violations, []);
      controller.abort();
      await advance(0);
      assert.equal(done.settled && !done.rejected, true);

      // Dead letters keep their groupId, so the dead-letter queue releases a group one at a time.
      const deadLetters = new Set<number>();
      for (let batch = await dlq.receive({ max: total }); batch.length > 0; batch = await dlq.receive({ max: total })) {
        for (const message of batch) {
          deadLetters.add((message.body as Job).n);
          dlq.ack(message.receiptHandle);
        }
      }
      for (let n = 0; n < total; n++) {
        const attempts = outcomes.get(n) ?? [];
        if (deadLetters.has(n)) {
          assert.deepEqual(attempts, Array(maxReceives).fill('failed'), `dead-lettered message ${n}`);
        } else {
          assert.equal(attempts.at(-1), 'ok', `message ${n} was lost: ${attempts.join()}`);
          assert.ok(attempts.length <= maxReceives && attempts.slice(0, -1).every((a) => a === 'failed'), `message ${n}: ${attempts.join()}`);
        }
      }
      for (const [group, starts] of groupStarts) {
        assert.deepEqual(starts, [...starts].sort((x, y) => x - y), `group ${group} went out of order`);
      }
      assert.ok(maxActive <= concurrency, `${maxActive} handlers at once`);
      assert.ok(maxInFlight <= concurrency, `${maxInFlight} messages in flight at once`);
      assert.equal(liveTimers.size, 0, 'timers left behind');
    });
  }
});
