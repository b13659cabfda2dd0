import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rateLimit, SlidingWindowLimiter, TokenBucketLimiter } from '../src/rate-limiter.ts';
import type { Decision } from '../src/rate-limiter.ts';

const START = 1_700_000_000_000;

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

type Middleware = ReturnType<typeof rateLimit>;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Harness {
  /** Sends GET / with the given headers and resolves with the complete reply. */
  get(headers?: Record<string, string>): Promise<Reply>;
  /** How many times the handler behind the middleware ran. */
  readonly nextCalls: number;
}

/**
 * Runs `fn` against a real HTTP server on 127.0.0.1 whose every request goes
 * through `middleware`; when the middleware calls next, the handler answers
 * 200 "ok" at once (synchronously, as many real handlers do). A middleware
 * that throws gets a 500 carrying the error, so a broken implementation fails
 * the assertions instead of hanging the suite.
 */
async function withServer(middleware: Middleware, fn: (harness: Harness) => Promise<void>): Promise<void> {
  let nextCalls = 0;
  const server = http.createServer((req, res) => {
    try {
      middleware(req, res, () => {
        nextCalls++;
        res.statusCode = 200;
        res.end('ok');
      });
    } catch (error) {
      if (!res.headersSent) res.statusCode = 500;
      res.end(`middleware threw: ${String(error)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const harness: Harness = {
    get: (headers = {}) =>
      new Promise<Reply>((resolve, reject) => {
        // agent: false sends Connection: close, so no socket outlives the test.
        const req = http.get({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        });
        // A middleware that never answers must fail the test, not hang it. The
        // socket timeout runs on Node's internal timers, which mock.timers leaves alone.
        req.setTimeout(2000, () => req.destroy(new Error('no complete response within 2 s')));
        req.on('error', reject);
      }),
    get nextCalls() {
      return nextCalls;
    },
  };
  try {
    await fn(harness);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A limiter that returns scripted decisions and records the keys it was asked for. */
function scripted(decisions: Decision[]): { take(key: string): Decision; keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    take(key: string): Decision {
      keys.push(key);
      const next = decisions.shift();
      assert.ok(next, 'the middleware took more often than there were requests');
      return next;
    },
  };
}

const byClientHeader = (req: http.IncomingMessage): string => String(req.headers['x-client'] ?? 'anonymous');

afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

describe('rateLimit middleware', () => {
  describe('an allowed request', () => {
    it('calls next once and reaches the handler with RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset set', async () => {
      mock.timers.enable({ apis: ['Date'], now: START });
      const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 });
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        const reply = await server.get();
        assert.equal(reply.status, 200);
        assert.equal(reply.body, 'ok');
        assert.equal(reply.headers['ratelimit-limit'], '3');
        assert.equal(reply.headers['ratelimit-remaining'], '2');
        assert.equal(reply.headers['ratelimit-reset'], '1', 'one token short of full: 1 s');
        assert.equal(reply.headers['retry-after'], undefined, 'no Retry-After on an allowed request');
        assert.equal(server.nextCalls, 1);
        const second = await server.get();
        assert.equal(second.headers['ratelimit-remaining'], '1');
        assert.equal(second.headers['ratelimit-reset'], '2');
        assert.equal(server.nextCalls, 2);
      });
    });

    it('copies limit and remaining from the decision, whatever the limiter', async () => {
      const limiter = scripted([{ allowed: true, remaining: 41, retryAfterMs: 0, resetMs: 30_000, limit: 100 }]);
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        const reply = await server.get();
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['ratelimit-limit'], '100');
        assert.equal(reply.headers['ratelimit-remaining'], '41');
        assert.equal(reply.headers['ratelimit-reset'], '30');
      });
    });

    it('sends RateLimit-Reset as resetMs in whole seconds, rounded up', async () => {
      const cases: [number, string][] = [
        [0, '0'],
        [1, '1'],
        [999, '1'],
        [1000, '1'],
        [1001, '2'],
        [59_001, '60'],
      ];
      const limiter = scripted(cases.map(([resetMs]) => ({ allowed: true, remaining: 4, retryAfterMs: 0, resetMs, limit: 5 })));
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        for (const [resetMs, expected] of cases) {
          const reply = await server.get();
          assert.equal(reply.status, 200);
          assert.equal(reply.headers['ratelimit-reset'], expected, `resetMs ${resetMs}`);
        }
      });
    });
  });

  describe('a denied request', () => {
    it('gets 429 with Retry-After and the RateLimit headers, and never reaches the handler', async () => {
      mock.timers.enable({ apis: ['Date'], now: START });
      const limiter = new SlidingWindowLimiter({ limit: 2, windowMs: 60_000 });
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        assert.equal((await server.get()).status, 200);
        assert.equal((await server.get()).status, 200);
        const reply = await server.get();
        assert.equal(reply.status, 429);
        assert.equal(reply.headers['retry-after'], '60');
        assert.equal(reply.headers['ratelimit-limit'], '2');
        assert.equal(reply.headers['ratelimit-remaining'], '0');
        assert.equal(reply.headers['ratelimit-reset'], '60');
        assert.equal(server.nextCalls, 2, 'next was not called for the 429');
      });
    });

    it('rounds Retry-After up to whole seconds', async () => {
      const cases: [number, string][] = [
        [1, '1'],
        [999, '1'],
        [1000, '1'],
        [1001, '2'],
        [1499, '2'],
        [1500, '2'],
        [59_001, '60'],
      ];
      const limiter = scripted(cases.map(([retryAfterMs]) => ({ allowed: false, remaining: 0, retryAfterMs, resetMs: 120_000, limit: 5 })));
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        for (const [retryAfterMs, expected] of cases) {
          const reply = await server.get();
          assert.equal(reply.status, 429);
          assert.equal(reply.headers['retry-after'], expected, `retryAfterMs ${retryAfterMs}`);
        }
        assert.equal(server.nextCalls, 0);
      });
    });

    it('sends RateLimit-Reset equal to Retry-After on a 429, the same moment, whatever resetMs says', async () => {
      const limiter = scripted([
        { allowed: false, remaining: 3, retryAfterMs: 250, resetMs: 9_000, limit: 10 },
        { allowed: false, remaining: 0, retryAfterMs: 4_001, resetMs: 60_000, limit: 10 },
      ]);
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        const first = await server.get();
        assert.equal(first.status, 429);
        assert.equal(first.headers['ratelimit-limit'], '10');
        assert.equal(first.headers['ratelimit-remaining'], '3');
        assert.equal(first.headers['retry-after'], '1');
        assert.equal(first.headers['ratelimit-reset'], '1');
        const second = await server.get();
        assert.equal(second.headers['retry-after'], '5');
        assert.equal(second.headers['ratelimit-reset'], '5');
      });
    });

    it('lets the client through again once the limiter allows it', async () => {
      mock.timers.enable({ apis: ['Date'], now: START });
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 10_000 });
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        assert.equal((await server.get()).status, 200);
        const denied = await server.get();
        assert.equal(denied.status, 429);
        assert.equal(denied.headers['retry-after'], '10');
        await flush();
        mock.timers.tick(10_000);
        await flush();
        const again = await server.get();
        assert.equal(again.status, 200);
        assert.equal(again.headers['ratelimit-remaining'], '0');
        assert.equal(server.nextCalls, 2);
      });
    });

    it('lets a client that waits exactly Retry-After seconds through, whatever the fraction of a second', async () => {
      mock.timers.enable({ apis: ['Date'], now: START });
      // 250 ms, 1333.3… ms, exactly 2 s and 2666.6… ms to wait: Retry-After 1, 2, 2 and 3.
      for (const [refillPerSecond, expected] of [[4, '1'], [0.75, '2'], [0.5, '2'], [0.375, '3']] as const) {
        const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond });
        await withServer(rateLimit(limiter, byClientHeader), async (server) => {
          assert.equal((await server.get()).status, 200);
          const denied = await server.get();
          assert.equal(denied.status, 429);
          assert.equal(denied.headers['retry-after'], expected, `refill ${refillPerSecond}/s`);
          await flush();
          mock.timers.tick(Number(denied.headers['retry-after']) * 1000);
          await flush();
          assert.equal((await server.get()).status, 200, `refill ${refillPerSecond}/s: allowed after Retry-After`);
        });
      }
    });
  });

  describe('keys', () => {
    it('takes once per request, with the key keyOf returns for that request', async () => {
      const limiter = scripted([
        { allowed: true, remaining: 1, retryAfterMs: 0, resetMs: 1000, limit: 2 },
        { allowed: true, remaining: 1, retryAfterMs: 0, resetMs: 1000, limit: 2 },
        { allowed: true, remaining: 0, retryAfterMs: 0, resetMs: 1000, limit: 2 },
      ]);
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        await server.get({ 'x-client': 'alice' });
        await server.get({ 'x-client': 'bob' });
        await server.get({ 'x-client': 'alice' });
      });
      assert.deepEqual(limiter.keys, ['alice', 'bob', 'alice']);
    });

    it('limits each client on its own', async () => {
      mock.timers.enable({ apis: ['Date'], now: START });
      const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 });
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        assert.equal((await server.get({ 'x-client': 'alice' })).status, 200);
        assert.equal((await server.get({ 'x-client': 'alice' })).status, 429);
        assert.equal((await server.get({ 'x-client': 'bob' })).status, 200);
        assert.equal((await server.get({ 'x-client': 'bob' })).status, 429);
      });
    });
  });

  describe('under concurrency', () => {
    it('lets exactly limit of many simultaneous requests through', async () => {
      mock.timers.enable({ apis: ['Date'], now: START });
      const limiter = new SlidingWindowLimiter({ limit: 3, windowMs: 60_000 });
      await withServer(rateLimit(limiter, byClientHeader), async (server) => {
        const replies = await Promise.all(Array.from({ length: 10 }, () => server.get({ 'x-client': 'c' })));
        const statuses = replies.map((reply) => reply.status).sort();
        assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
        assert.equal(server.nextCalls, 3);
        const remaining = replies.map((reply) => reply.headers['ratelimit-remaining']).sort();
        assert.deepEqual(remaining, ['0', '0', '0', '0', '0', '0', '0', '0', '1', '2']);
      });
    });
  });

  describe('arguments', () => {
    it('throws a TypeError when the limiter has no take method', () => {
      for (const limiter of [undefined, null, 5, 'limiter', {}, { take: 'no' }]) {
        assert.throws(
          () => rateLimit(limiter as unknown as { take(key: string): Decision }, byClientHeader),
          TypeError,
          `limiter ${String(limiter)}`,
        );
      }
    });

    it('throws a TypeError when keyOf is not a function', () => {
      const limiter = new SlidingWindowLimiter({ limit: 1, windowMs: 1000 });
      for (const keyOf of [undefined, null, 'ip', {}]) {
        assert.throws(
          () => rateLimit(limiter, keyOf as unknown as (req: http.IncomingMessage) => string),
          TypeError,
          `keyOf ${String(keyOf)}`,
        );
      }
    });
  });
});
