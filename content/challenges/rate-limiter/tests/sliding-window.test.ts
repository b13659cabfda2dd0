import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SlidingWindowLimiter } from '../src/rate-limiter.ts';
import type { Decision } from '../src/rate-limiter.ts';

// A realistic epoch that is a whole number of windows (of 1 s and of 1 min):
// an implementation that quietly uses fixed windows aligned on the epoch
// resets exactly at START + k × windowMs, which the tests below probe.
const START = 1_700_000_000_000;

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves the mocked clock (Date and timers), flushing pending work around the tick. */
async function advance(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

/** Moves the mocked clock to START + offset. */
async function at(offset: number): Promise<void> {
  const delta = START + offset - Date.now();
  assert.ok(delta >= 0, 'time only moves forward');
  if (delta > 0) await advance(delta);
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
    if (expected.resetMs === 0) assert.equal(actual.resetMs, 0, `${message}: resetMs is 0 when no take counts`);
    else assertWait(actual.resetMs, expected.resetMs, `${message}: resetMs`);
  }
}

const allowed = (remaining: number, limit: number, resetMs?: number): Expected => ({ allowed: true, remaining, retryAfterMs: 0, resetMs, limit });
const denied = (retryAfterMs: number, limit: number, resetMs?: number): Expected => ({
  allowed: false,
  remaining: 0,
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

describe('SlidingWindowLimiter', () => {
  describe('within one window', () => {
    it('allows limit takes, counting remaining down to 0, then denies the next', () => {
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1000 });
      assertDecision(limiter.take('a'), allowed(2, 3, 1000));
      assertDecision(limiter.take('a'), allowed(1, 3, 1000));
      assertDecision(limiter.take('a'), allowed(0, 3, 1000));
      assertDecision(limiter.take('a'), denied(1000, 3, 1000));
    });

    it('counts takes spread over the window, not only those at the same instant', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1000 });
      assertDecision(limiter.take('a'), allowed(2, 3));
      await at(300);
      assertDecision(limiter.take('a'), allowed(1, 3));
      await at(600);
      assertDecision(limiter.take('a'), allowed(0, 3));
      await at(900);
      assertDecision(limiter.take('a'), denied(100, 3, 700));
    });

    it('with limit 1 allows one take per window', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 60_000 });
      assertDecision(limiter.take('a'), allowed(0, 1, 60_000));
      await at(59_999);
      assertDecision(limiter.take('a'), denied(1, 1, 1));
      await at(60_000);
      assertDecision(limiter.take('a'), allowed(0, 1, 60_000));
    });
  });

  describe('the window edge', () => {
    it('stops counting a take exactly windowMs after it was made', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000 });
      limiter.take('a');
      await at(1000);
      assertDecision(limiter.take('a'), allowed(0, 1));
    });

    it('still counts a take windowMs − 1 after it was made', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000 });
      limiter.take('a');
      await at(999);
      assertDecision(limiter.take('a'), denied(1, 1));
    });

    it('frees one slot at a time, in the order the takes were made', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1000 });
      limiter.take('a'); // t=0
      await at(100);
      limiter.take('a'); // t=100
      await at(200);
      limiter.take('a'); // t=200
      await at(1000);
      assertDecision(limiter.take('a'), allowed(0, 3), 'the take at 0 left the window');
      assertDecision(limiter.take('a'), denied(100, 3), 'the take at 100 is now the oldest');
      await at(1100);
      assertDecision(limiter.take('a'), allowed(0, 3), 'the take at 100 left');
      await at(1150);
      assertDecision(limiter.take('a'), denied(50, 3), 'the take at 200 is now the oldest');
    });

    it('lets every take made at the same instant leave the window together', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 500 });
      for (let i = 0; i < 3; i++) limiter.take('a');
      await at(499);
      assertDecision(limiter.take('a'), denied(1, 3, 1));
      await at(500);
      assertDecision(limiter.take('a'), allowed(2, 3));
      assertDecision(limiter.take('a'), allowed(1, 3));
      assertDecision(limiter.take('a'), allowed(0, 3));
      assertDecision(limiter.take('a'), denied(500, 3));
    });

    it('allows no double burst across a fixed-window boundary', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000 });
      await at(900);
      assertDecision(limiter.take('a'), allowed(1, 2));
      await at(950);
      assertDecision(limiter.take('a'), allowed(0, 2));
      await at(1000); // a fixed window would reset here
      assertDecision(limiter.take('a'), denied(900, 2));
      await at(1500); // an approximate (weighted) sliding window would let this through
      assertDecision(limiter.take('a'), denied(400, 2));
      await at(1900);
      assertDecision(limiter.take('a'), allowed(0, 2), 'the take at 900 left; the one at 950 still counts');
      await at(1949);
      assertDecision(limiter.take('a'), denied(1, 2));
      await at(1950);
      assertDecision(limiter.take('a'), allowed(0, 2));
    });
  });

  describe('a denied take', () => {
    it('is not recorded, so it does not push the next allowed take further away', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000 });
      limiter.take('a');
      await at(500);
      assertDecision(limiter.take('a'), denied(500, 1, 500));
      await at(999);
      assertDecision(limiter.take('a'), denied(1, 1, 1));
      await at(1000);
      assertDecision(limiter.take('a'), allowed(0, 1, 1000));
    });

    it('reports retryAfterMs from the oldest counted take, not the newest', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000 });
      limiter.take('a');
      await at(400);
      limiter.take('a');
      await at(600);
      assertDecision(limiter.take('a'), denied(400, 2));
    });

    it('is allowed when retryAfterMs has passed, not before, and not much later', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 4, windowMs: 7_000 });
      for (const offset of [0, 1_234, 2_500, 2_501]) {
        await at(offset);
        assert.equal(limiter.take('a').allowed, true);
      }
      for (let round = 0; round < 6; round++) {
        await advance(333);
        // Fill whatever slots have freed up since the last round.
        let first = limiter.take('a');
        for (let i = 0; first.allowed && i < 4; i++) first = limiter.take('a');
        assert.equal(first.allowed, false, `round ${round}`);
        assert.ok(first.retryAfterMs > 2, `round ${round}: retryAfterMs ${first.retryAfterMs}`);
        await advance(first.retryAfterMs - 2);
        assert.equal(limiter.take('a').allowed, false, `round ${round}: still denied 2 ms before retryAfterMs (so it is at most 1 ms late)`);
        await advance(2);
        assert.equal(limiter.take('a').allowed, true, `round ${round}: allowed exactly retryAfterMs after the denial (never early)`);
      }
    });
  });

  describe('resetMs', () => {
    it('is how long until the newest counted take leaves the window, on allowed and denied takes', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1000 });
      assertDecision(limiter.take('a'), allowed(2, 3, 1000));
      await at(300);
      assertDecision(limiter.take('a'), allowed(1, 3, 1000));
      await at(400);
      assertDecision(limiter.take('a'), allowed(0, 3, 1000));
      await at(700);
      assertDecision(limiter.take('a'), denied(300, 3, 700), 'the take at 400 is the last to leave, at 1400');
      await at(1000);
      assertDecision(limiter.take('a'), allowed(0, 3, 1000), 'the take at 0 left; this one is now the newest');
    });

    it('is when the whole limit is available again: not before, and not much later', async () => {
      // Two keys with the same history: a burst on one probes 2 ms early, on the other on time.
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 5_000 });
      for (const offset of [0, 1_700, 3_100]) {
        await at(offset);
        limiter.take('early');
        limiter.take('on-time');
      }
      await at(4_000);
      const { resetMs } = limiter.take('early');
      assert.equal(limiter.take('on-time').resetMs, resetMs);
      assert.ok(resetMs > 2, `resetMs ${resetMs}`);
      await advance(resetMs - 2);
      const early = [limiter.take('early'), limiter.take('early'), limiter.take('early')];
      assert.ok(early.some((decision) => !decision.allowed), 'the whole limit is not free 2 ms before resetMs (so it is at most 1 ms late)');
      await advance(2);
      for (let i = 0; i < 3; i++) assert.equal(limiter.take('on-time').allowed, true, `take ${i + 1} of 3 exactly resetMs later (never early)`);
    });
  });

  describe('keys', () => {
    it('keeps a separate window for every key', () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000 });
      assertDecision(limiter.take('a'), allowed(0, 1));
      assertDecision(limiter.take('b'), allowed(0, 1));
      assertDecision(limiter.take('a'), denied(1000, 1));
      assertDecision(limiter.take('c'), allowed(0, 1));
    });

    it('treats every string as an ordinary key, including "", "__proto__" and "constructor"', () => {
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000 });
      const keys = ['', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
      for (const key of keys) assertDecision(limiter.take(key), allowed(1, 2), `first take of ${JSON.stringify(key)}`);
      for (const key of keys) assertDecision(limiter.take(key), allowed(0, 2), `second take of ${JSON.stringify(key)}`);
      for (const key of keys) assert.equal(limiter.take(key).allowed, false, `third take of ${JSON.stringify(key)}`);
      assert.equal(limiter.size, keys.length);
    });

    it('counts each tracked key once in size', () => {
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000 });
      assert.equal(limiter.size, 0);
      for (let i = 0; i < 4; i++) limiter.take('a');
      limiter.take('b');
      assert.equal(limiter.size, 2);
    });

    it('without maxKeys, keeps every key whose window still counts a take, however many', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000 });
      for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
      assert.equal(limiter.size, 1000);
      await advance(999);
      assert.equal(limiter.size, 1000, 'every window still counts its take, so none may be forgotten');
      for (let i = 0; i < 1000; i++) assertDecision(limiter.take(`k${i}`), denied(1, 1, 1), `k${i}`);
      assert.equal(limiter.size, 1000);
    });

    it('treats a key whose takes have all left the window exactly as a new key, whether it forgot it or not', async () => {
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000 });
      for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
      for (let hour = 0; hour < 24; hour++) await advance(3_600_000);
      assert.ok(limiter.size <= 1000, `size ${limiter.size}`);
      for (let i = 0; i < 1000; i++) assertDecision(limiter.take(`k${i}`), allowed(1, 2, 1000), `k${i}`);
      assert.equal(limiter.size, 1000, 'every window counts a take again, so every key is tracked');
    });
  });

  describe('maxKeys', () => {
    it('drops the least recently used key when a new key would exceed maxKeys', () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 2 });
      limiter.take('a');
      limiter.take('b');
      limiter.take('c');
      assert.equal(limiter.size, 2);
      assert.equal(limiter.take('c').allowed, false, 'c is still tracked');
      assert.equal(limiter.take('b').allowed, false, 'b is still tracked');
      assertDecision(limiter.take('a'), allowed(0, 1), 'a was dropped, so its window is empty');
      assert.equal(limiter.size, 2);
    });

    it('counts an allowed take as a use: the key taken most recently survives', () => {
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000, maxKeys: 2 });
      limiter.take('a');
      limiter.take('b');
      limiter.take('b');
      limiter.take('a'); // a is now the most recently used, b the least
      limiter.take('c');
      assert.equal(limiter.take('a').allowed, false, 'a kept its two takes');
      assertDecision(limiter.take('b'), allowed(1, 2), 'b was dropped');
    });

    it('counts a denied take as a use too', () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 2 });
      limiter.take('a');
      limiter.take('b');
      assert.equal(limiter.take('a').allowed, false); // denied, but a is now the most recently used
      limiter.take('c'); // drops b, not a
      assert.equal(limiter.take('a').allowed, false, 'a kept its take');
      assert.equal(limiter.size, 2);
    });

    it('drops nothing when a key that is already tracked is taken at the limit', () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 3 });
      for (const key of ['a', 'b', 'c']) limiter.take(key);
      for (let i = 0; i < 5; i++) limiter.take('b');
      assert.equal(limiter.size, 3);
      for (const key of ['a', 'b', 'c']) assert.equal(limiter.take(key).allowed, false, `${key} is still tracked`);
    });

    it('stays bounded under a flood of distinct keys and keeps the most recent ones', () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 60_000, maxKeys: 100 });
      for (let i = 0; i < 10_000; i++) {
        limiter.take(`k${i}`);
        assert.ok(limiter.size <= 100, `size ${limiter.size} after ${i + 1} keys`);
      }
      assert.equal(limiter.size, 100);
      for (let i = 9_900; i < 10_000; i++) assert.equal(limiter.take(`k${i}`).allowed, false, `k${i} is tracked`);
    });
  });

  describe('arguments', () => {
    it('throws a TypeError from the constructor for options of the wrong type', () => {
      const bad: unknown[] = [
        undefined,
        null,
        10,
        { windowMs: 1000 },
        { limit: '3', windowMs: 1000 },
        { limit: 3 },
        { limit: 3, windowMs: '1000' },
        { limit: 3, windowMs: 1000, maxKeys: '10' },
      ];
      for (const options of bad) {
        assert.throws(
          () => new SlidingWindowLimiter(options as ConstructorParameters<typeof SlidingWindowLimiter>[0]),
          TypeError,
          `options ${JSON.stringify(options)}`,
        );
      }
    });

    it('throws a RangeError from the constructor for numbers that are not finite, not whole or out of range', () => {
      const bad = [
        { limit: 0, windowMs: 1000 },
        { limit: -1, windowMs: 1000 },
        { limit: 2.5, windowMs: 1000 },
        { limit: NaN, windowMs: 1000 },
        { limit: Infinity, windowMs: 1000 },
        { limit: 3, windowMs: -1000 },
        { limit: 3, windowMs: 2.5 },
        { limit: 3, windowMs: NaN },
        { limit: 3, windowMs: Infinity },
        { limit: 3, windowMs: 1000, maxKeys: 0 },
        { limit: 3, windowMs: 1000, maxKeys: 2.5 },
        { limit: 3, windowMs: 1000, maxKeys: NaN },
      ];
      for (const options of bad) {
        assert.throws(() => new SlidingWindowLimiter(options), RangeError, `options ${String(Object.values(options))}`);
      }
    });

    it('refuses a windowMs of 0 with a RangeError: a window of no time would count nothing', () => {
      assert.throws(() => new SlidingWindowLimiter({ limit: 3, windowMs: 0 }), RangeError);
      assert.throws(() => new SlidingWindowLimiter({ limit: 3, windowMs: -0 }), RangeError);
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1 });
      assertDecision(limiter.take('a'), allowed(0, 1, 1), 'a window of 1 ms is the shortest');
    });

    it('throws a TypeError from take for a key that is not a string', () => {
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 1000 });
      for (const key of [undefined, null, 1, {}, Symbol('k')]) {
        assert.throws(() => limiter.take(key as string), TypeError, `key ${String(key)}`);
      }
      assert.equal(limiter.size, 0);
    });
  });

  describe('model check', () => {
    /** The model keeps every allowed take and filters on each call: slow and obviously right. */
    function modelTake(
      model: Map<string, number[]>,
      { limit, windowMs, maxKeys, key, now }: { limit: number; windowMs: number; maxKeys: number; key: string; now: number },
    ): Expected {
      let times = model.get(key);
      if (times) {
        model.delete(key);
      } else {
        if (model.size >= maxKeys) model.delete(model.keys().next().value as string);
        times = [];
      }
      model.set(key, times);
      const counted = times.filter((s) => now - windowMs < s && s <= now);
      if (counted.length < limit) {
        times.push(now);
        return allowed(limit - counted.length - 1, limit, windowMs);
      }
      return denied(Math.min(...counted) + windowMs - now, limit, Math.max(...counted) + windowMs - now);
    }
    const counts = (times: number[], windowMs: number, now: number) => times.some((s) => now - windowMs < s && s <= now);

    it('matches the exact log over a seeded random run of keys and delays', async () => {
      const limit = 2;
      const windowMs = 2000;
      const limiter = new SlidingWindowLimiter({ limit, windowMs });
      const model = new Map<string, number[]>();
      const random = mulberry32(11);
      const delays = [0, 0, 0, 0, 1, 50, 99, 250, 333, 500, 999, 1000, 1001, 1999, 2000];
      let now = START;
      for (let step = 0; step < 800; step++) {
        const delay = delays[Math.floor(random() * delays.length)] ?? 0;
        if (delay > 0) await advance(delay);
        now += delay;
        const key = `k${Math.floor(random() * 6)}`;
        const expected = modelTake(model, { limit, windowMs, maxKeys: Infinity, key, now });
        assertDecision(limiter.take(key), expected, `step ${step}: take(${key}) at +${now - START}`);
        // A key whose window counts nothing may be forgotten; any other must be tracked.
        const mustKeep = [...model.values()].filter((times) => counts(times, windowMs, now)).length;
        assert.ok(limiter.size >= mustKeep && limiter.size <= model.size, `step ${step}: size ${limiter.size}, expected ${mustKeep} to ${model.size}`);
      }
    });

    it('matches an exact LRU model with maxKeys over a seeded random run in which every window still counts a take', async () => {
      // The run is shorter than the window: no key's window ever empties, so no
      // design may forget one, and every design must evict exactly the least
      // recently used key.
      const limit = 2;
      const windowMs = 60_000;
      const maxKeys = 4;
      const limiter = new SlidingWindowLimiter({ limit, windowMs, maxKeys });
      const model = new Map<string, number[]>();
      const random = mulberry32(17);
      const delays = [0, 0, 0, 1, 10, 99];
      let now = START;
      for (let step = 0; step < 600; step++) {
        const delay = delays[Math.floor(random() * delays.length)] ?? 0;
        if (delay > 0) await advance(delay);
        now += delay;
        const key = `k${Math.floor(random() * 7)}`;
        const expected = modelTake(model, { limit, windowMs, maxKeys, key, now });
        assertDecision(limiter.take(key), expected, `step ${step}: take(${key}) at +${now - START}`);
        assert.equal(limiter.size, model.size, `step ${step}: size`);
        for (const times of model.values()) assert.ok(counts(times, windowMs, now), 'the premise: every window counts a take');
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
        const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 1000, maxKeys: 10 });
        for (let i = 0; i < 50; i++) {
          limiter.take(`k${i % 20}`);
          limiter.take(`k${i % 20}`);
          limiter.take(`k${i % 20}`);
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
