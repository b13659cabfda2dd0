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

interface Expected {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  /** Checked when given. */
  resetMs?: number;
  limit: number;
}

/**
 * A computed wait may be up to 1 ms late, never early: a client told to come
 * back after it must find the request allowed.
 */
function assertWait(actual: number, expected: number, what: string): void {
  assert.ok(
    typeof actual === 'number' && actual >= expected && actual <= expected + 1,
    `${what}: expected ${expected} (or up to 1 ms more, never less), got ${actual}`,
  );
}

/**
 * Checks the contract fields only (an implementation may add fields).
 * retryAfterMs is exactly 0 when allowed; otherwise it and resetMs are
 * checked one-sided, never early.
 */
function assertDecision(actual: Decision, expected: Expected, message = 'decision'): void {
  const { allowed, remaining, limit } = actual;
  assert.deepEqual(
    { allowed, remaining, limit },
    { allowed: expected.allowed, remaining: expected.remaining, limit: expected.limit },
    message,
  );
  if (expected.retryAfterMs === 0) assert.equal(actual.retryAfterMs, 0, `${message}: retryAfterMs is 0 when allowed`);
  else assertWait(actual.retryAfterMs, expected.retryAfterMs, `${message}: retryAfterMs`);
  if (expected.resetMs !== undefined) {
    if (expected.resetMs === 0) assert.equal(actual.resetMs, 0, `${message}: resetMs is 0 when the bucket is full`);
    else assertWait(actual.resetMs, expected.resetMs, `${message}: resetMs`);
  }
}

const allowed = (remaining: number, limit: number, resetMs?: number): Expected => ({ allowed: true, remaining, retryAfterMs: 0, resetMs, limit });
const denied = (remaining: number, retryAfterMs: number, limit: number, resetMs?: number): Expected => ({
  allowed: false,
  remaining,
  retryAfterMs,
  resetMs,
  limit,
});

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
      assertDecision(limiter.take('a'), allowed(4, 5, 1000));
    });

    it('allows a burst of exactly capacity takes, then denies the next one', () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(2, 3, 1000));
      assertDecision(limiter.take('a'), allowed(1, 3, 2000));
      assertDecision(limiter.take('a'), allowed(0, 3, 3000));
      assertDecision(limiter.take('a'), denied(0, 1000, 3, 3000));
    });

    it('charges 1 token when cost is omitted and cost tokens otherwise', () => {
      const limiter = new TokenBucketLimiter({ capacity: 10, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(9, 10));
      assertDecision(limiter.take('a', 4), allowed(5, 10));
      assertDecision(limiter.take('a', 5), allowed(0, 10));
    });

    it('allows a single take that costs the whole capacity', () => {
      const limiter = new TokenBucketLimiter({ capacity: 7, refillPerSecond: 1 });
      assertDecision(limiter.take('a', 7), allowed(0, 7, 7000));
      assertDecision(limiter.take('a', 1), denied(0, 1000, 7, 7000));
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
      assertDecision(limiter.take('a'), allowed(3, 4, 500));
      assertDecision(limiter.take('a', 3), allowed(0, 4, 2000));
      assertDecision(limiter.take('a'), denied(0, 500, 4, 2000));
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

  describe('exact arithmetic', () => {
    it('at 10 tokens per second, a client polling every 10 ms is allowed at every 100th millisecond: 100 times in 10 s', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 10 });
      assertDecision(limiter.take('a'), allowed(0, 1, 100));
      const allowedAt: number[] = [];
      for (let t = 10; t <= 10_000; t += 10) {
        await advance(10);
        const decision = limiter.take('a');
        if (decision.allowed) allowedAt.push(t);
        else assertDecision(decision, denied(0, 100 - (t % 100), 1, 100 - (t % 100)), `poll at +${t} ms`);
      }
      assert.deepEqual(allowedAt, Array.from({ length: 100 }, (_, i) => (i + 1) * 100));
    });

    it('at 3 tokens per second, a client polling every millisecond gets each token at the first millisecond it is complete', async () => {
      // Token k is complete at k × 1000 / 3 ms: 333.3…, 666.6…, 1000, … The
      // first whole millisecond at or after it is when the take must pass, and
      // the fraction earned beyond it counts towards the next token (capacity 2:
      // the cap never cuts it off).
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 3 });
      limiter.take('a', 2);
      const allowedAt: number[] = [];
      for (let t = 1; t <= 5000; t++) {
        await advance(1);
        if (limiter.take('a').allowed) allowedAt.push(t);
      }
      assert.deepEqual(allowedAt, Array.from({ length: 15 }, (_, i) => Math.ceil(((i + 1) * 1000) / 3)));
    });

    it('at half a token per second, costs of 2 and 3 are allowed at the exact millisecond, however many takes came before', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 0.5 });
      limiter.take('a', 3);
      // Each take costs 2 or 3 in turn; 2 tokens take 4000 ms, 3 take 6000 ms.
      let expectedAt = 0;
      const costs = [2, 3, 2, 2, 3, 3, 2];
      for (const cost of costs) {
        expectedAt += (cost * 1000) / 0.5;
        let t = Date.now() - START;
        while (t < expectedAt - 1) {
          const step = Math.min(7, expectedAt - 1 - t);
          await advance(step);
          t += step;
          assert.equal(limiter.take('a', cost).allowed, false, `cost ${cost} at +${t} ms, due at +${expectedAt}`);
        }
        await advance(1);
        assertDecision(limiter.take('a', cost), allowed(0, 3, 6000), `cost ${cost} at +${expectedAt} ms`);
      }
    });
  });

  describe('a denied take', () => {
    it('consumes nothing, so a cheaper take right after it can still pass', () => {
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(2, 3));
      assertDecision(limiter.take('a', 3), denied(2, 1000, 3, 1000));
      assertDecision(limiter.take('a', 2), allowed(0, 3, 3000));
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

    it('is allowed when retryAfterMs has passed, not before, and not much later', async () => {
      const configs = [
        { capacity: 5, refillPerSecond: 3, cost: 1 },
        { capacity: 5, refillPerSecond: 0.5, cost: 2 },
        { capacity: 10, refillPerSecond: 7, cost: 10 },
        { capacity: 2, refillPerSecond: 100, cost: 2 },
        { capacity: 6, refillPerSecond: 9, cost: 4 },
      ];
      for (const { capacity, refillPerSecond, cost } of configs) {
        const limiter = new TokenBucketLimiter({ capacity, refillPerSecond });
        const key = `k${capacity}-${refillPerSecond}`;
        limiter.take(key, capacity);
        await advance(17); // a fraction of a token banked
        const first = limiter.take(key, cost);
        assert.equal(first.allowed, false);
        assert.ok(first.retryAfterMs > 2, `${key}: retryAfterMs ${first.retryAfterMs}`);
        await advance(first.retryAfterMs - 2);
        assert.equal(limiter.take(key, cost).allowed, false, `${key}: still denied 2 ms before retryAfterMs (so it is at most 1 ms late)`);
        await advance(2);
        assert.equal(limiter.take(key, cost).allowed, true, `${key}: allowed exactly retryAfterMs after the denial (never early)`);
      }
    });
  });

  describe('resetMs', () => {
    it('is how long until the bucket is full again, fractions counted, on allowed and denied takes', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 4, refillPerSecond: 2 });
      assertDecision(limiter.take('a', 4), allowed(0, 4, 2000));
      await advance(250); // 0.5 tokens
      assertDecision(limiter.take('a'), denied(0, 250, 4, 1750));
      await advance(500); // 1.5 tokens
      assertDecision(limiter.take('a'), allowed(0, 4, 1750), '0.5 left: 3.5 tokens to go');
      assertDecision(limiter.take('a', 3), denied(0, 1250, 4, 1750));
    });

    it('rounds resetMs up to a whole millisecond', () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 3 });
      const decision = limiter.take('a');
      assert.ok(Number.isInteger(decision.resetMs), `a whole number, got ${decision.resetMs}`);
      assertDecision(decision, allowed(1, 2, 334), 'ceil(1000 / 3)');
    });

    it('is when a take of the whole capacity passes again: not before, and not much later', async () => {
      const configs = [
        { capacity: 5, refillPerSecond: 3, cost: 2 },
        { capacity: 4, refillPerSecond: 0.25, cost: 1 },
        { capacity: 9, refillPerSecond: 7, cost: 9 },
      ];
      for (const { capacity, refillPerSecond, cost } of configs) {
        const limiter = new TokenBucketLimiter({ capacity, refillPerSecond });
        const key = `k${capacity}-${refillPerSecond}`;
        limiter.take(key, cost);
        await advance(11);
        const { resetMs } = limiter.take(key, 1);
        assert.ok(resetMs > 2, `${key}: resetMs ${resetMs}`);
        await advance(resetMs - 2);
        assert.equal(limiter.take(key, capacity).allowed, false, `${key}: not full 2 ms before resetMs`);
        await advance(2);
        assert.equal(limiter.take(key, capacity).allowed, true, `${key}: full exactly resetMs later`);
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

    it('without maxKeys, keeps every key whose bucket is not yet full, however many and however long idle', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
      for (let i = 0; i < 1000; i++) limiter.take(`k${i}`, 2);
      assert.equal(limiter.size, 1000);
      await advance(1999); // 1.999 tokens each: not full
      assert.equal(limiter.size, 1000, 'no bucket is full, so none may be forgotten');
      for (let i = 0; i < 1000; i++) assertDecision(limiter.take(`k${i}`, 2), denied(1, 1, 2, 1), `k${i}`);
      assert.equal(limiter.size, 1000);
    });

    it('treats a bucket that has refilled to full exactly as a new key, whether it forgot it or not', async () => {
      const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1 });
      for (let i = 0; i < 1000; i++) limiter.take(`k${i}`, 2);
      await advance(2000);
      assert.ok(limiter.size <= 1000, `size ${limiter.size}`);
      for (let i = 0; i < 1000; i++) assertDecision(limiter.take(`k${i}`), allowed(1, 2, 1000), `k${i}`);
      assert.equal(limiter.size, 1000, 'every bucket is below full again, so every key is tracked');
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
        { capacity: 2.5, refillPerSecond: 1 },
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

    it('refuses a refillPerSecond of 0 with a RangeError: a bucket that never refills could never say when to retry', () => {
      assert.throws(() => new TokenBucketLimiter({ capacity: 5, refillPerSecond: 0 }), RangeError);
      assert.throws(() => new TokenBucketLimiter({ capacity: 5, refillPerSecond: -0 }), RangeError);
    });

    it('accepts a fractional refill rate and an omitted maxKeys', () => {
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.25 });
      limiter.take('a');
      assertDecision(limiter.take('a'), denied(0, 4000, 1, 4000));
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

    it('takes nothing from the bucket, and tracks no new key, when it throws', () => {
      const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 1 });
      assertDecision(limiter.take('a'), allowed(4, 5));
      assert.throws(() => limiter.take('a', 6), RangeError);
      assert.throws(() => limiter.take('a', 2.5), RangeError);
      assert.throws(() => limiter.take('b', 0), RangeError);
      assert.equal(limiter.size, 1, 'b is not tracked');
      assertDecision(limiter.take('a', 4), allowed(0, 5));
    });
  });

  describe('model check', () => {
    /**
     * The model counts in integer milli-tokens with a whole-number rate, so it
     * is exact by construction: slow, obvious, and the same as the statement's
     * formula in real arithmetic.
     */
    interface ModelBucket {
      milli: number;
      at: number;
    }
    function modelTake(
      model: Map<string, ModelBucket>,
      { capacity, rate, maxKeys, key, cost, now }: { capacity: number; rate: number; maxKeys: number; key: string; cost: number; now: number },
    ): Expected {
      let state = model.get(key);
      if (state) {
        model.delete(key);
        state.milli = Math.min(capacity * 1000, state.milli + (now - state.at) * rate);
        state.at = now;
      } else {
        if (model.size >= maxKeys) model.delete(model.keys().next().value as string);
        state = { milli: capacity * 1000, at: now };
      }
      model.set(key, state);
      const msFor = (milli: number) => Math.max(0, Math.ceil((milli - state.milli) / rate));
      if (state.milli >= cost * 1000) {
        state.milli -= cost * 1000;
        return allowed(Math.floor(state.milli / 1000), capacity, msFor(capacity * 1000));
      }
      return denied(Math.floor(state.milli / 1000), msFor(cost * 1000), capacity, msFor(capacity * 1000));
    }
    const fullAt = (state: ModelBucket, capacity: number, rate: number, now: number) =>
      state.milli + (now - state.at) * rate >= capacity * 1000;

    it('matches an exact model over a seeded random run of keys, costs and delays', async () => {
      const capacity = 5;
      const rate = 3; // 0.003 tokens per millisecond: no delay below gives a whole number of tokens
      const limiter = new TokenBucketLimiter({ capacity, refillPerSecond: rate });
      const model = new Map<string, ModelBucket>();
      const random = mulberry32(7);
      const delays = [0, 0, 0, 1, 7, 10, 125, 333, 334, 500, 1000, 2500];
      let now = START;
      for (let step = 0; step < 800; step++) {
        const delay = delays[Math.floor(random() * delays.length)] ?? 0;
        if (delay > 0) await advance(delay);
        now += delay;
        const key = `k${Math.floor(random() * 6)}`;
        const cost = 1 + Math.floor(random() * 3);
        const expected = modelTake(model, { capacity, rate, maxKeys: Infinity, key, cost, now });
        assertDecision(limiter.take(key, cost), expected, `step ${step}: take(${key}, ${cost}) at +${now - START}`);
        // A full bucket may be forgotten; any other must be tracked.
        const mustKeep = [...model.values()].filter((state) => !fullAt(state, capacity, rate, now)).length;
        assert.ok(limiter.size >= mustKeep && limiter.size <= model.size, `step ${step}: size ${limiter.size}, expected ${mustKeep} to ${model.size}`);
      }
    });

    it('matches an exact LRU model with maxKeys over a seeded random run in which no bucket refills to full', async () => {
      // One token a second and under a second in all: every key stays below
      // full once taken, so no design may forget one, and every design must
      // evict exactly the least recently used key.
      const capacity = 3;
      const rate = 1;
      const maxKeys = 4;
      const limiter = new TokenBucketLimiter({ capacity, refillPerSecond: rate, maxKeys });
      const model = new Map<string, ModelBucket>();
      const random = mulberry32(13);
      const delays = [0, 0, 0, 0, 1, 2, 3];
      let now = START;
      for (let step = 0; step < 500; step++) {
        const delay = delays[Math.floor(random() * delays.length)] ?? 0;
        if (delay > 0) await advance(delay);
        now += delay;
        const key = `k${Math.floor(random() * 7)}`;
        const cost = 1 + Math.floor(random() * capacity);
        const expected = modelTake(model, { capacity, rate, maxKeys, key, cost, now });
        assertDecision(limiter.take(key, cost), expected, `step ${step}: take(${key}, ${cost}) at +${now - START}`);
        assert.equal(limiter.size, model.size, `step ${step}: size`);
        for (const state of model.values()) assert.ok(!fullAt(state, capacity, rate, now), 'the premise: no bucket is full');
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
