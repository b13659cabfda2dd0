import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucketLimiter } from '../src/rate-limiter.ts';
import type { Decision } from '../src/rate-limiter.ts';

// A realistic epoch, a whole number of seconds: an implementation must not
// treat time 0 specially, and none of the arithmetic below depends on it.
const START = 1_700_000_000_000;

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves the mocked clock (Date and timers), flushing pending work around the tick. */
async function advance(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

/**
 * Checks the four contract fields only (an implementation may add fields).
 * retryAfterMs is a computed time: 1 ms either way is accepted when it is
 * not 0; when the take is allowed it must be exactly 0.
 */
function assertDecision(actual: Decision, expected: Decision, message?: string): void {
  const { allowed, remaining, retryAfterMs, limit } = actual;
  assert.deepEqual(
    { allowed, remaining, limit },
    { allowed: expected.allowed, remaining: expected.remaining, limit: expected.limit },
    message,
  );
  if (expected.retryAfterMs === 0) {
    assert.equal(retryAfterMs, 0, message ?? 'retryAfterMs is 0 when allowed');
  } else {
    assert.ok(
      Math.abs(retryAfterMs - expected.retryAfterMs) <= 1,
      `${message ?? 'retryAfterMs'}: expected ${expected.retryAfterMs} ± 1, got ${retryAfterMs}`,
    );
  }
}

const allowed = (remaining: number, limit: number): Decision => ({ allowed: true, remaining, retryAfterMs: 0, limit });
const denied = (remaining: number, retryAfterMs: number, limit: number): Decision => ({
  allowed: false,
  remaining,
  retryAfterMs,
  limit,
});

/** Takes until the bucket for `key` is empty (cost 1 each). */
function drain(limiter: TokenBucketLimiter, key: string, capacity: number): void {
  for (let i = 0; i < capacity; i++) assert.equal(limiter.take(key).allowed, true, `take ${i + 1} of ${capacity}`);
}

beforeEach(() => {
  mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: START });
});

afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

describe('TokenBucketLimiter', () => {
  describe('a new key', () => {
    it('starts full: the first take is allowed with capacity − 1 remaining', () => {
      const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(4, 5));
    });

    it('allows a burst of exactly capacity takes, then denies the next one', () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(2, 3));
      assertDecision(limiter.take('a'), allowed(1, 3));
      assertDecision(limiter.take('a'), allowed(0, 3));
      assertDecision(limiter.take('a'), denied(0, 1000, 3));
    });

    it('charges 1 token when cost is omitted and cost tokens otherwise', () => {
      const limiter = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(9, 10));
      assertDecision(limiter.take('a', 4), allowed(5, 10));
      assertDecision(limiter.take('a', 5), allowed(0, 10));
    });

    it('allows a single take that costs the whole capacity', () => {
      const limiter = new TokenBucketLimiter({ capacity: 7, refillPerSecond: 1 });
      assertDecision(limiter.take('a', 7), allowed(0, 7));
      assertDecision(limiter.take('a', 1), denied(0, 1000, 7));
    });
  });

  describe('refill', () => {
    it('adds refillPerSecond tokens per second of elapsed time', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 2 });
      limiter.take('a', 10);
      await advance(1000);
      assertDecision(limiter.take('a'), allowed(1, 10), 'two tokens after one second, one taken');
      await advance(1500);
      assertDecision(limiter.take('a'), allowed(3, 10), 'one left plus three more, one taken');
    });

    it('never holds more than capacity tokens, however long the key was idle', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 4, refillPerSecond: 2 });
      limiter.take('a', 4);
      await advance(3_600_000);
      assertDecision(limiter.take('a'), allowed(3, 4));
      assertDecision(limiter.take('a', 3), allowed(0, 4));
      assertDecision(limiter.take('a'), denied(0, 500, 4));
    });

    it('keeps fractions of a token between takes instead of rounding them away', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 });
      limiter.take('a');
      await advance(250);
      assertDecision(limiter.take('a'), denied(0, 750, 1), '0.25 tokens');
      await advance(250);
      assertDecision(limiter.take('a'), denied(0, 500, 1), '0.5 tokens');
      await advance(250);
      assertDecision(limiter.take('a'), denied(0, 250, 1), '0.75 tokens');
      await advance(250);
      assertDecision(limiter.take('a'), allowed(0, 1), 'four quarter-seconds make one token');
    });

    it('credits each elapsed millisecond once, however many takes were denied in between', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 2 });
      limiter.take('a', 2);
      await advance(250); // 0.5 tokens
      assertDecision(limiter.take('a', 2), denied(0, 750, 2));
      await advance(125); // 0.75 tokens: the 0.5 must not be counted again
      assertDecision(limiter.take('a'), denied(0, 125, 2));
      await advance(125); // 1 token
      assertDecision(limiter.take('a'), allowed(0, 2));
    });

    it('refills from the moment of the last take, not from when the key was first seen', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 4, refillPerSecond: 1 });
      limiter.take('a', 4);
      await advance(2000); // 2 tokens
      assertDecision(limiter.take('a', 2), allowed(0, 4));
      await advance(500); // 0.5 tokens, not 2.5
      assertDecision(limiter.take('a'), denied(0, 500, 4));
    });

    it('allows a take at the very millisecond its tokens are complete', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 });
      limiter.take('a');
      await advance(1000);
      assertDecision(limiter.take('a'), allowed(0, 1));
    });

    it('denies a take one millisecond before its tokens are complete', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 });
      limiter.take('a');
      await advance(999);
      assertDecision(limiter.take('a'), denied(0, 1, 1));
    });

  });

  describe('a denied take', () => {
    it('consumes nothing, so a cheaper take right after it can still pass', () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(2, 3));
      assertDecision(limiter.take('a', 3), denied(2, 1000, 3));
      assertDecision(limiter.take('a', 2), allowed(0, 3));
    });

    it('reports retryAfterMs = ceil((cost − tokens) × 1000 / refillPerSecond), counting fractional tokens', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 4, refillPerSecond: 2 });
      limiter.take('a', 4);
      await advance(250); // 0.5 tokens
      assertDecision(limiter.take('a', 3), denied(0, 1250, 4));
      assertDecision(limiter.take('a', 1), denied(0, 250, 4));
      await advance(1000); // 2.5 tokens
      assertDecision(limiter.take('a', 4), denied(2, 750, 4), 'remaining is floor(2.5)');
    });

    it('rounds retryAfterMs up to a whole millisecond', () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 3 });
      limiter.take('a', 3);
      const decision = limiter.take('a');
      assert.equal(decision.allowed, false);
      assert.ok(Number.isInteger(decision.retryAfterMs), `a whole number, got ${decision.retryAfterMs}`);
      assertDecision(decision, denied(0, 334, 3), 'ceil(1000 / 3)');
    });

    it('is allowed once retryAfterMs has passed, and not before', async () => {
      const configs = [
        { capacity: 5, refillPerSecond: 3, cost: 1 },
        { capacity: 5, refillPerSecond: 0.5, cost: 2 },
        { capacity: 10, refillPerSecond: 7, cost: 10 },
        { capacity: 2, refillPerSecond: 100, cost: 2 },
      ];
      for (const { capacity, refillPerSecond, cost } of configs) {
        const limiter = new TokenBucketLimiter({ capacity, refillPerSecond });
        const key = `k${capacity}-${refillPerSecond}`;
        limiter.take(key, capacity);
        const first = limiter.take(key, cost);
        assert.equal(first.allowed, false);
        assert.ok(first.retryAfterMs > 2, `${key}: retryAfterMs ${first.retryAfterMs}`);
        await advance(first.retryAfterMs - 2);
        assert.equal(limiter.take(key, cost).allowed, false, `${key}: still denied 2 ms early`);
        await advance(3);
        assert.equal(limiter.take(key, cost).allowed, true, `${key}: allowed 1 ms after retryAfterMs`);
      }
    });
  });

  describe('keys', () => {
    it('keeps a separate bucket for every key', () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
      limiter.take('a', 2);
      assertDecision(limiter.take('a'), denied(0, 1000, 2));
      assertDecision(limiter.take('b'), allowed(1, 2));
      assertDecision(limiter.take('a'), denied(0, 1000, 2));
    });

    it('treats every string as an ordinary key, including "", "__proto__" and "constructor"', () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
      const keys = ['', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      for (const key of keys) assertDecision(limiter.take(key), allowed(1, 2), `first take of ${JSON.stringify(key)}`);
      for (const key of keys) assertDecision(limiter.take(key), allowed(0, 2), `second take of ${JSON.stringify(key)}`);
      for (const key of keys) assert.equal(limiter.take(key).allowed, false, `third take of ${JSON.stringify(key)}`);
      assert.equal(limiter.size, keys.length);
    });

    it('counts each tracked key once in size', () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
      assert.equal(limiter.size, 0);
      limiter.take('a');
      limiter.take('a');
      limiter.take('a');
      limiter.take('b');
      assert.equal(limiter.size, 2);
    });

    it('keeps every key without maxKeys, however many there are and however long they are idle', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
      for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
      assert.equal(limiter.size, 1000);
      for (let hour = 0; hour < 24; hour++) await advance(3_600_000);
      assert.equal(limiter.size, 1000, 'keys leave only through maxKeys, never with time');
    });
  });

  describe('maxKeys', () => {
    it('drops the least recently used key when a new key would exceed maxKeys', () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 2 });
      limiter.take('a', 2);
      limiter.take('b', 2);
      limiter.take('c', 2);
      assert.equal(limiter.size, 2);
      // b and c were kept with their state; a was dropped and starts full again.
      assert.equal(limiter.take('c').allowed, false, 'c is still tracked and empty');
      assert.equal(limiter.take('b').allowed, false, 'b is still tracked and empty');
      assertDecision(limiter.take('a'), allowed(1, 2), 'a was dropped, so it starts full');
      assert.equal(limiter.size, 2);
    });

    it('counts an allowed take as a use: the key taken most recently survives', () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 2 });
      limiter.take('a');
      limiter.take('b', 2);
      limiter.take('a'); // a is now the most recently used, b the least
      limiter.take('c');
      assert.equal(limiter.take('a').allowed, false, 'a kept its empty bucket');
      assertDecision(limiter.take('b'), allowed(1, 2), 'b was dropped, so it starts full');
    });

    it('counts a denied take as a use too', () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 2 });
      limiter.take('a');
      limiter.take('b');
      assert.equal(limiter.take('a').allowed, false); // denied, but a is now the most recently used
      limiter.take('c'); // drops b, not a
      assert.equal(limiter.take('a').allowed, false, 'a kept its empty bucket');
      assert.equal(limiter.size, 2);
    });

    it('drops nothing when a key that is already tracked is taken at the limit', () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1, maxKeys: 3 });
      limiter.take('a', 3);
      limiter.take('b', 3);
      limiter.take('c', 3);
      for (let i = 0; i < 5; i++) limiter.take('b');
      assert.equal(limiter.size, 3);
      for (const key of ['a', 'b', 'c']) assert.equal(limiter.take(key).allowed, false, `${key} is still tracked`);
    });

    it('with maxKeys 1 tracks only the last key taken', () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 1 });
      limiter.take('a');
      limiter.take('b');
      assert.equal(limiter.size, 1);
      assert.equal(limiter.take('b').allowed, false, 'b is tracked');
      assertDecision(limiter.take('a'), allowed(0, 1), 'a was dropped');
      assert.equal(limiter.size, 1);
    });

    it('stays bounded under a flood of distinct keys and keeps the most recent ones', () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1, maxKeys: 100 });
      for (let i = 0; i < 10_000; i++) {
        limiter.take(`k${i}`);
        assert.ok(limiter.size <= 100, `size ${limiter.size} after ${i + 1} keys`);
      }
      assert.equal(limiter.size, 100);
      for (let i = 9_900; i < 10_000; i++) assert.equal(limiter.take(`k${i}`).allowed, false, `k${i} is tracked`);
      assert.equal(limiter.size, 100);
    });
  });

  describe('arguments', () => {
    it('throws a TypeError from the constructor for options of the wrong type', () => {
      const bad: unknown[] = [
        undefined,
        null,
        5,
        'capacity',
        { refillPerSecond: 1 },
        { capacity: '5', refillPerSecond: 1 },
        { capacity: 5 },
        { capacity: 5, refillPerSecond: '1' },
        { capacity: 5, refillPerSecond: 1, maxKeys: '10' },
      ];
      for (const options of bad) {
        assert.throws(
          () => new TokenBucketLimiter(options as ConstructorParameters<typeof TokenBucketLimiter>[0]),
          TypeError,
          `options ${JSON.stringify(options)}`,
        );
      }
    });

    it('throws a RangeError from the constructor for numbers that are not finite, not whole or out of range', () => {
      const bad = [
        { capacity: 0, refillPerSecond: 1 },
        { capacity: -1, refillPerSecond: 1 },
        { capacity: NaN, refillPerSecond: 1 },
        { capacity: Infinity, refillPerSecond: 1 },
        { capacity: 5, refillPerSecond: -1 },
        { capacity: 5, refillPerSecond: NaN },
        { capacity: 5, refillPerSecond: Infinity },
        { capacity: 5, refillPerSecond: 1, maxKeys: 0 },
        { capacity: 5, refillPerSecond: 1, maxKeys: -3 },
        { capacity: 5, refillPerSecond: 1, maxKeys: 1.5 },
        { capacity: 5, refillPerSecond: 1, maxKeys: NaN },
      ];
      for (const options of bad) {
        assert.throws(() => new TokenBucketLimiter(options), RangeError, `options ${String(Object.values(options))}`);
      }
    });

    it('accepts a fractional refill rate and an omitted maxKeys', () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.25 });
      limiter.take('a');
      assertDecision(limiter.take('a'), denied(0, 4000, 1));
    });

    it('throws a TypeError from take for a key that is not a string', () => {
      const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 });
      for (const key of [undefined, null, 1, {}, Symbol('k')]) {
        assert.throws(() => limiter.take(key as string), TypeError, `key ${String(key)}`);
      }
      assert.equal(limiter.size, 0);
    });

    it('throws a TypeError from take for a cost that is not a number', () => {
      const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 });
      for (const cost of ['1', null, {}, 1n]) {
        assert.throws(() => limiter.take('a', cost as number), TypeError, `cost ${String(cost)}`);
      }
    });

    it('throws a RangeError from take for a cost that is not a whole number from 1 to capacity', () => {
      const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 });
      for (const cost of [0, -1, 1.5, 6, NaN, Infinity]) {
        assert.throws(() => limiter.take('a', cost), RangeError, `cost ${cost}`);
      }
    });

    it('takes nothing from the bucket when it throws', () => {
      const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(4, 5));
      assert.throws(() => limiter.take('a', 6), RangeError);
      assert.throws(() => limiter.take('a', 2.5), RangeError);
      assertDecision(limiter.take('a', 4), allowed(0, 5));
    });
  });

  describe('model check', () => {
    it('matches a straightforward model over a seeded random run of keys, costs and delays', async () => {
      // The model keeps tokens in quarters: with refillPerSecond 2 and delays in
      // multiples of 125 ms every value is exact in binary floating point, so a
      // correct implementation agrees exactly whatever order it multiplies in.
      const capacity = 5;
      const refillPerSecond = 2;
      const maxKeys = 4;
      const limiter = new TokenBucketLimiter({ capacity, refillPerSecond, maxKeys });
      const model = new Map<string, { tokens: number; at: number }>();
      const random = mulberry32(7);
      const delays = [0, 0, 0, 125, 250, 375, 500, 1000, 2500];
      let now = START;
      for (let step = 0; step < 600; step++) {
        const delay = delays[Math.floor(random() * delays.length)] ?? 0;
        if (delay > 0) await advance(delay);
        now += delay;
        const key = `k${Math.floor(random() * 6)}`;
        const cost = 1 + Math.floor(random() * 3);

        let state = model.get(key);
        if (state) {
          model.delete(key);
          state.tokens = Math.min(capacity, state.tokens + ((now - state.at) * refillPerSecond) / 1000);
          state.at = now;
        } else {
          if (model.size >= maxKeys) model.delete(model.keys().next().value as string);
          state = { tokens: capacity, at: now };
        }
        model.set(key, state);
        let expected: Decision;
        if (state.tokens >= cost) {
          state.tokens -= cost;
          expected = allowed(Math.floor(state.tokens), capacity);
        } else {
          expected = denied(
            Math.floor(state.tokens),
            Math.ceil(((cost - state.tokens) * 1000) / refillPerSecond),
            capacity,
          );
        }
        assertDecision(limiter.take(key, cost), expected, `step ${step}: take(${key}, ${cost})`);
        assert.equal(limiter.size, model.size, `step ${step}: size`);
      }
    });
  });

  describe('timers', () => {
    it('leaves no timer behind that would keep the process alive', () => {
      mock.timers.reset(); // real timers: anything the limiter schedules is observable
      const created: { hasRef(): boolean }[] = [];
      const realSetTimeout = globalThis.setTimeout;
      const realSetInterval = globalThis.setInterval;
      globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
        const timer = realSetTimeout(...args);
        created.push(timer);
        return timer;
      }) as typeof setTimeout;
      globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
        const timer = realSetInterval(...args);
        created.push(timer);
        return timer;
      }) as typeof setInterval;
      try {
        const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 10 });
        for (let i = 0; i < 50; i++) {
          limiter.take(`k${i % 20}`);
          limiter.take(`k${i % 20}`, 2);
        }
        for (const timer of created) assert.equal(timer.hasRef(), false, 'every timer the limiter keeps is unref()ed');
      } finally {
        globalThis.setTimeout = realSetTimeout;
        globalThis.setInterval = realSetInterval;
        for (const timer of created) clearTimeout(timer as ReturnType<typeof setTimeout>);
      }
    });
  });
});

/** A small seeded PRNG (mulberry32), so that the random run is the same on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
