import { afterEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { idempotent, MemoryIdempotencyStore } from '../src/idempotency.ts';
import type { HandlerResult, HttpResponse, IdempotencyStore, IdempotentRequest } from '../src/idempotency.ts';

// ---- Helpers ----------------------------------------------------------------------------------

const START = 1_700_000_000_000;

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Flushes until `condition` holds (or gives up after many turns of the event loop). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await flush();
}

function post(key: string | string[] | undefined, body: string | Uint8Array = '{"amount":100}', path = '/orders', method = 'POST'): IdempotentRequest {
  const headers: Record<string, string | string[] | undefined> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['idempotency-key'] = key;
  return { method, path, headers, body };
}

function text(response: HttpResponse): string {
  return Buffer.from(response.body).toString('utf8');
}

/** Asserts a problem-details answer (RFC 9457) with this status. */
function assertProblem(response: HttpResponse, status: number): void {
  assert.equal(response.status, status);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const details = JSON.parse(text(response)) as { status?: unknown; title?: unknown };
  assert.equal(details.status, status, 'the problem details carry the status');
  assert.equal(typeof details.title, 'string', 'the problem details carry a title');
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A handler that counts its calls and answers each from `answer` (default: 201 with a new order id). */
function countingHandler(answer?: (call: number, req: IdempotentRequest) => HandlerResult | Promise<HandlerResult>) {
  const state = {
    calls: 0,
    handler: (req: IdempotentRequest): HandlerResult | Promise<HandlerResult> => {
      state.calls++;
      if (answer) return answer(state.calls, req);
      return {
        status: 201,
        headers: { 'Content-Type': 'application/json', Location: `/orders/${state.calls}`, 'Set-Cookie': 'session=abc' },
        body: JSON.stringify({ order: state.calls }),
      };
    },
  };
  return state;
}

type Method = 'begin' | 'complete' | 'release';

/**
 * Wraps a store: records every call (name and `now`), and lets a test replace any method
 * with a fault. A fault of 'reject' rejects, 'throw' throws synchronously.
 */
function instrumented(inner: IdempotencyStore, faults: Partial<Record<Method, 'reject' | 'throw'>> = {}) {
  const calls: { method: Method; key: string; now?: number }[] = [];
  const fail = (method: Method): Promise<never> => {
    if (faults[method] === 'throw') throw new Error(`${method} exploded`);
    return Promise.reject(new Error(`${method} failed`));
  };
  const store: IdempotencyStore = {
    begin(key, fingerprint, now) {
      calls.push({ method: 'begin', key, now });
      return faults.begin ? fail('begin') : inner.begin(key, fingerprint, now);
    },
    complete(key, response, now) {
      calls.push({ method: 'complete', key, now });
      return faults.complete ? fail('complete') : inner.complete(key, response, now);
    },
    release(key) {
      calls.push({ method: 'release', key });
      return faults.release ? fail('release') : inner.release(key);
    },
  };
  return { store, calls };
}

// ---- The specification ------------------------------------------------------------------------

const TTL = 60_000;

function setup(options: { ttlMs?: number; maxKeys?: number } = {}) {
  const store = new MemoryIdempotencyStore({ ttlMs: options.ttlMs ?? TTL, maxKeys: options.maxKeys });
  return store;
}

afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

describe('idempotent(): a first request', () => {
  it('runs the handler once and resolves with its status, all its headers under lower-case names, and its body', async () => {
    const store = setup();
    const h = countingHandler();
    const handle = idempotent(h.handler, { store });
    const response = await handle(post('k1'));
    assert.equal(h.calls, 1);
    assert.equal(response.status, 201);
    assert.deepEqual(response.headers, { 'content-type': 'application/json', location: '/orders/1', 'set-cookie': 'session=abc' });
    assert.equal(text(response), '{"order":1}');
    assert.equal(store.size, 1, 'the completed key is stored');
  });

  it('reads a streamed body of string and byte chunks to its end, and replays the same bytes', async () => {
    const store = setup();
    async function* chunks() {
      yield 'hello, ';
      await flush();
      yield new Uint8Array([0xe2, 0x82, 0xac]); // €
      yield 'world';
    }
    const h = countingHandler(() => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: chunks() }));
    const handle = idempotent(h.handler, { store });
    const first = await handle(post('k1'));
    assert.equal(text(first), 'hello, €world');
    const replay = await handle(post('k1'));
    assert.equal(text(replay), 'hello, €world');
    assert.equal(h.calls, 1);
  });

  it('treats an omitted body as empty', async () => {
    const h = countingHandler(() => ({ status: 204 }));
    const handle = idempotent(h.handler, { store: setup() });
    const first = await handle(post('k1'));
    assert.equal(first.status, 204);
    assert.equal(first.body.length, 0);
    assert.deepEqual(first.headers, {});
    const replay = await handle(post('k1'));
    assert.equal(replay.status, 204);
    assert.equal(replay.body.length, 0);
  });
});

describe('idempotent(): a replay', () => {
  it('returns the stored status, the replay headers and the body, without running the handler again', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    await handle(post('k1'));
    const replay = await handle(post('k1'));
    const again = await handle(post('k1'));
    assert.equal(h.calls, 1);
    for (const response of [replay, again]) {
      assert.equal(response.status, 201);
      assert.deepEqual(response.headers, { 'content-type': 'application/json', location: '/orders/1' }, 'Set-Cookie is not a replay header');
      assert.equal(text(response), '{"order":1}');
    }
  });

  it('carries exactly the headers named in replayHeaders, matched case-insensitively', async () => {
    const h = countingHandler(() => ({
      status: 200,
      headers: { ETag: '"v1"', 'Content-Type': 'text/plain', Location: '/x', 'X-Request-Id': 'r1' },
      body: 'ok',
    }));
    const handle = idempotent(h.handler, { store: setup(), replayHeaders: ['etag', 'CONTENT-type'] });
    await handle(post('k1'));
    const replay = await handle(post('k1'));
    assert.deepEqual(replay.headers, { etag: '"v1"', 'content-type': 'text/plain' });
  });

  it("accepts the draft's sf-string form (quoted) and a bare value as the same key", async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    const first = await handle(post('"8e03978e-40d5-43e8-bc93-6894a57f9324"'));
    const replay = await handle(post('8e03978e-40d5-43e8-bc93-6894a57f9324'));
    assert.equal(h.calls, 1);
    assert.equal(text(replay), text(first));
  });

  it('treats a string body and the same UTF-8 bytes as the same request', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    await handle(post('k1', '{"name":"Zoë"}'));
    const replay = await handle(post('k1', new TextEncoder().encode('{"name":"Zoë"}')));
    assert.equal(replay.status, 201);
    assert.equal(h.calls, 1);
  });

  it('is unaffected by changes to a response it returned earlier', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    const first = await handle(post('k1'));
    first.body.fill(0x21);
    first.headers['content-type'] = 'changed';
    const replay = await handle(post('k1'));
    assert.equal(text(replay), '{"order":1}');
    assert.equal(replay.headers['content-type'], 'application/json');
    replay.body.fill(0x21);
    replay.headers.location = 'changed';
    const again = await handle(post('k1'));
    assert.equal(text(again), '{"order":1}');
    assert.equal(again.headers.location, '/orders/1');
  });

  it('stores a 4xx answer and replays it: the same request gets the same answer', async () => {
    const h = countingHandler((call) =>
      call === 1 ? { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"card declined"}' } : { status: 201, body: 'created' },
    );
    const handle = idempotent(h.handler, { store: setup() });
    assert.equal((await handle(post('k1'))).status, 400);
    const replay = await handle(post('k1'));
    assert.equal(replay.status, 400);
    assert.equal(text(replay), '{"error":"card declined"}');
    assert.equal(h.calls, 1);
  });

  it('keeps keys independent', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    assert.equal(text(await handle(post('a'))), '{"order":1}');
    assert.equal(text(await handle(post('b'))), '{"order":2}');
    assert.equal(text(await handle(post('a'))), '{"order":1}');
    assert.equal(h.calls, 2);
  });
});

describe('idempotent(): a key reused with a different request', () => {
  const cases = [
    ['a different body', post('k1', '{"amount":999}')],
    ['a different path', post('k1', '{"amount":100}', '/refunds')],
    ['a different query', post('k1', '{"amount":100}', '/orders?dry=1')],
    ['a different method', post('k1', '{"amount":100}', '/orders', 'PATCH')],
  ] as const;
  for (const [name, request] of cases) {
    it(`gets 422 for ${name}, and the handler does not run`, async () => {
      const h = countingHandler();
      const handle = idempotent(h.handler, { store: setup() });
      await handle(post('k1'));
      assertProblem(await handle(request), 422);
      assert.equal(h.calls, 1);
      assert.equal((await handle(post('k1'))).status, 201, 'the original request still replays');
    });
  }

  it('gets 422 when path and body only split the same characters differently', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    await handle(post('k1', 'bc', '/a'));
    assertProblem(await handle(post('k1', 'c', '/ab')), 422);
    assert.equal(h.calls, 1);
  });

  it('gets 422, not 409, while the first request is still running', async () => {
    const gate = deferred<HandlerResult>();
    const h = countingHandler((call) => (call === 1 ? gate.promise : { status: 201, body: 'ran again' }));
    const handle = idempotent(h.handler, { store: setup() });
    const first = handle(post('k1'));
    await until(() => h.calls === 1);
    assertProblem(await handle(post('k1', '{"amount":999}')), 422);
    gate.resolve({ status: 201, body: 'done' });
    assert.equal((await first).status, 201);
    assert.equal(h.calls, 1);
  });
});

describe('idempotent(): a duplicate while the first request is running', () => {
  it('gets 409 with Retry-After, and a retry after the first completes gets the replay', async () => {
    const gate = deferred<HandlerResult>();
    const h = countingHandler((call) => (call === 1 ? gate.promise : { status: 201, body: 'ran again' }));
    const handle = idempotent(h.handler, { store: setup() });
    const first = handle(post('k1'));
    await until(() => h.calls === 1);
    const duplicate = await handle(post('k1'));
    assertProblem(duplicate, 409);
    assert.equal(duplicate.headers['retry-after'], '1');
    assert.equal(h.calls, 1);
    gate.resolve({ status: 201, headers: { 'content-type': 'text/plain' }, body: 'order 1' });
    assert.equal(text(await first), 'order 1');
    const retry = await handle(post('k1'));
    assert.equal(retry.status, 201);
    assert.equal(text(retry), 'order 1');
    assert.equal(h.calls, 1);
  });

  it('runs the handler once for identical requests sent in the same tick; the other gets 409 or the same response', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    const replies = await Promise.all([handle(post('k1')), handle(post('k1')), handle(post('k1'))]);
    assert.equal(h.calls, 1);
    const winners = replies.filter((reply) => reply.status === 201);
    assert.ok(winners.length >= 1);
    for (const reply of replies) {
      if (reply.status === 201) assert.equal(text(reply), '{"order":1}');
      else assertProblem(reply, 409);
    }
  });

  it('runs concurrent requests with different keys independently', async () => {
    const gate = deferred<void>();
    const h = countingHandler(async (call) => {
      await gate.promise;
      return { status: 201, body: `order ${call}` };
    });
    const store = setup();
    const handle = idempotent(h.handler, { store });
    const pending = ['a', 'b', 'c', 'd'].map((key) => handle(post(key)));
    await until(() => h.calls === 4);
    assert.equal(h.calls, 4);
    assert.equal(store.size, 4, 'four keys in flight');
    gate.resolve();
    const replies = await Promise.all(pending);
    assert.deepEqual(replies.map((reply) => reply.status), [201, 201, 201, 201]);
    assert.equal(store.size, 4);
  });
});

describe('idempotent(): failures are not stored', () => {
  it('returns a 5xx as it is and releases the key, so a retry runs the handler and its success is stored', async () => {
    const h = countingHandler((call) =>
      call === 1 ? { status: 503, headers: { 'content-type': 'text/plain', 'retry-after': '5' }, body: 'down' } : { status: 201, body: 'created' },
    );
    const store = setup();
    const handle = idempotent(h.handler, { store });
    const failed = await handle(post('k1'));
    assert.equal(failed.status, 503);
    assert.equal(failed.headers['retry-after'], '5');
    assert.equal(text(failed), 'down');
    assert.equal(store.size, 0, 'the key was released');
    assert.equal((await handle(post('k1'))).status, 201);
    assert.equal((await handle(post('k1'))).status, 201);
    assert.equal(h.calls, 2);
  });

  it('rejects with the error a handler throws synchronously, and releases the key', async () => {
    const boom = new Error('boom');
    const h = countingHandler((call) => {
      if (call === 1) throw boom;
      return { status: 201, body: 'created' };
    });
    const store = setup();
    const handle = idempotent(h.handler, { store });
    await assert.rejects(handle(post('k1')), (error) => error === boom);
    assert.equal(store.size, 0);
    assert.equal((await handle(post('k1'))).status, 201);
    assert.equal(h.calls, 2);
  });

  it('rejects with the error a handler rejects with, and releases the key', async () => {
    const boom = new Error('boom');
    const h = countingHandler(async (call) => {
      await flush();
      if (call === 1) throw boom;
      return { status: 201, body: 'created' };
    });
    const store = setup();
    const handle = idempotent(h.handler, { store });
    await assert.rejects(handle(post('k1')), (error) => error === boom);
    assert.equal(store.size, 0);
    assert.equal((await handle(post('k1'))).status, 201);
    assert.equal(h.calls, 2);
  });

  it('rejects when the response body stream errors midway, stores nothing partial, and releases the key', async () => {
    const broken = new Error('socket hang up');
    async function* failing() {
      yield 'partial ';
      await flush();
      throw broken;
    }
    async function* whole() {
      yield 'complete ';
      yield 'body';
    }
    const h = countingHandler((call) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: call === 1 ? failing() : whole() }));
    const store = setup();
    const handle = idempotent(h.handler, { store });
    await assert.rejects(handle(post('k1')), (error) => error === broken);
    assert.equal(store.size, 0);
    assert.equal(text(await handle(post('k1'))), 'complete body');
    assert.equal(text(await handle(post('k1'))), 'complete body');
    assert.equal(h.calls, 2);
  });

  it('tells a duplicate of a failing first request 409, and lets a retry after the failure run', async () => {
    const gate = deferred<HandlerResult>();
    const h = countingHandler((call) => (call === 1 ? gate.promise : { status: 201, body: 'created' }));
    const store = setup();
    const handle = idempotent(h.handler, { store });
    const first = handle(post('k1'));
    await until(() => h.calls === 1);
    assertProblem(await handle(post('k1')), 409);
    gate.reject(new Error('database deadlock'));
    await assert.rejects(first, /database deadlock/);
    assert.equal(store.size, 0);
    assert.equal((await handle(post('k1'))).status, 201);
    assert.equal(h.calls, 2);
  });

  it('resolves with the handler response when store.complete rejects, and releases the key', async () => {
    const inner = setup();
    const { store, calls } = instrumented(inner, { complete: 'reject' });
    const h = countingHandler();
    const handle = idempotent(h.handler, { store });
    const response = await handle(post('k1'));
    assert.equal(response.status, 201);
    assert.equal(text(response), '{"order":1}');
    assert.equal(response.headers['set-cookie'], 'session=abc', 'the client gets the full first response');
    assert.equal(inner.size, 0, 'no key is left in flight');
    assert.deepEqual(calls.map((call) => call.method), ['begin', 'complete', 'release']);
    assert.equal((await handle(post('k1'))).status, 201, 'a retry is not told 409 forever');
    assert.equal(h.calls, 2);
  });

  it('resolves with the handler response when store.complete throws synchronously, and releases the key', async () => {
    const inner = setup();
    const { store } = instrumented(inner, { complete: 'throw' });
    const h = countingHandler();
    const handle = idempotent(h.handler, { store });
    assert.equal((await handle(post('k1'))).status, 201);
    assert.equal(inner.size, 0);
  });

  it('rejects with the handler error, not the store error, when release also fails', async () => {
    const boom = new Error('boom');
    for (const fault of ['reject', 'throw'] as const) {
      const { store } = instrumented(setup(), { release: fault });
      const handle = idempotent(() => {
        throw boom;
      }, { store });
      await assert.rejects(handle(post('k1')), (error) => error === boom, `release ${fault}`);
    }
  });

  it('still resolves with a 5xx when release fails', async () => {
    for (const fault of ['reject', 'throw'] as const) {
      const { store } = instrumented(setup(), { release: fault });
      const handle = idempotent(() => ({ status: 500, body: 'oops' }), { store });
      const response = await handle(post('k1'));
      assert.equal(response.status, 500, `release ${fault}`);
      assert.equal(text(response), 'oops');
    }
  });

  it('answers 503 with Retry-After and never runs the handler when store.begin fails', async () => {
    for (const fault of ['reject', 'throw'] as const) {
      const { store, calls } = instrumented(setup(), { begin: fault });
      const h = countingHandler();
      const handle = idempotent(h.handler, { store });
      const response = await handle(post('k1'));
      assertProblem(response, 503);
      assert.equal(response.headers['retry-after'], '1');
      assert.equal(h.calls, 0, `begin ${fault}: fail closed`);
      assert.deepEqual(calls.map((call) => call.method), ['begin']);
    }
  });

  it('leaves only the completed keys behind after a mix of outcomes', async () => {
    const store = setup();
    const outcomes: Record<string, () => HandlerResult> = {
      ok: () => ({ status: 201, body: 'ok' }),
      invalid: () => ({ status: 422, body: 'invalid' }),
      down: () => ({ status: 502, body: 'bad gateway' }),
      thrown: () => {
        throw new Error('thrown');
      },
      stream: () => ({
        status: 200,
        body: (async function* () {
          yield 'x';
          throw new Error('stream');
        })(),
      }),
    };
    const handle = idempotent((req) => outcomes[req.path.slice(1)]!(), { store });
    for (const name of Object.keys(outcomes)) await handle(post(name, '', `/${name}`)).catch(() => undefined);
    assert.equal(store.size, 2, 'ok and invalid are stored; the rest released');
  });
});

describe('idempotent(): the Idempotency-Key header', () => {
  it('answers 400 when it is missing, without running the handler or touching the store', async () => {
    const { store, calls } = instrumented(setup());
    const h = countingHandler();
    const handle = idempotent(h.handler, { store });
    assertProblem(await handle(post(undefined)), 400);
    assert.equal(h.calls, 0);
    assert.deepEqual(calls, []);
  });

  it('with requireKey: false, runs a request without the header every time, unprotected', async () => {
    const { store, calls } = instrumented(setup());
    const h = countingHandler();
    const handle = idempotent(h.handler, { store, requireKey: false });
    assert.equal(text(await handle(post(undefined))), '{"order":1}');
    assert.equal(text(await handle(post(undefined))), '{"order":2}');
    assert.deepEqual(calls, []);
  });

  it('answers 400 to an invalid key, whatever requireKey says', async () => {
    const invalid: (string | string[])[] = ['', '""', 'x'.repeat(256), '"' + 'x'.repeat(256) + '"', 'tab\there', 'ключ', 'caf\u00e9', ['a', 'b']];
    for (const requireKey of [true, false]) {
      const h = countingHandler();
      const handle = idempotent(h.handler, { store: setup(), requireKey });
      for (const key of invalid) assertProblem(await handle(post(key)), 400);
      assert.equal(h.calls, 0);
    }
  });

  it('accepts keys of 1 to 255 printable ASCII characters, spaces included', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    for (const key of ['x', 'x'.repeat(255), 'order 42 / retry ~!', '"' + 'y'.repeat(255) + '"']) {
      assert.equal((await handle(post(key))).status, 201, `key of ${key.length} characters`);
    }
    assert.equal(h.calls, 4);
  });

  it('passes GET, HEAD and OPTIONS straight to the handler, with or without a key, and never touches the store', async () => {
    const { store, calls } = instrumented(setup());
    const h = countingHandler(() => ({ status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'read' }));
    const handle = idempotent(h.handler, { store });
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      for (const key of [undefined, 'k1', 'k1']) {
        const response = await handle(post(key, '', '/orders', method));
        assert.equal(response.status, 200);
        assert.deepEqual(response.headers, { 'content-type': 'text/plain' });
        assert.equal(text(response), 'read');
      }
    }
    assert.equal(h.calls, 9);
    assert.deepEqual(calls, []);
  });

  it('protects PUT, PATCH and DELETE as it protects POST', async () => {
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup() });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      await handle(post(`key-${method}`, '', '/orders/1', method));
      assert.equal((await handle(post(`key-${method}`, '', '/orders/1', method))).status, 201);
      assertProblem(await handle(post(undefined, '', '/orders/1', method)), 400);
    }
    assert.equal(h.calls, 3);
  });
});

describe('idempotent(): the retention window', () => {
  it('replays until ttlMs after completion, and treats the key as new from then on', async () => {
    mock.timers.enable({ apis: ['Date'], now: START });
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup({ ttlMs: 1000 }) });
    await handle(post('k1'));
    mock.timers.tick(999);
    assert.equal(text(await handle(post('k1'))), '{"order":1}', 'replayed 999 ms after completion');
    mock.timers.tick(1);
    assert.equal(text(await handle(post('k1'))), '{"order":2}', 'a new request 1000 ms after completion');
    assert.equal(h.calls, 2);
  });

  it('lets an expired key be reused with a different request', async () => {
    mock.timers.enable({ apis: ['Date'], now: START });
    const h = countingHandler();
    const handle = idempotent(h.handler, { store: setup({ ttlMs: 1000 }) });
    await handle(post('k1'));
    mock.timers.tick(1000);
    assert.equal((await handle(post('k1', '{"amount":5}'))).status, 201);
    assert.equal(h.calls, 2);
  });

  it('measures retention from completion, not from when the request arrived', async () => {
    mock.timers.enable({ apis: ['Date'], now: START });
    const gate = deferred<HandlerResult>();
    const h = countingHandler((call) => (call === 1 ? gate.promise : { status: 201, body: 'second' }));
    const { store, calls } = instrumented(setup({ ttlMs: 1000 }));
    const handle = idempotent(h.handler, { store });
    const first = handle(post('k1'));
    await until(() => h.calls === 1);
    mock.timers.tick(600);
    await flush();
    gate.resolve({ status: 201, body: 'first' });
    await first;
    assert.deepEqual(calls.map((call) => [call.method, call.now]), [['begin', START], ['complete', START + 600]], 'begin and complete are told Date.now()');
    mock.timers.tick(999); // START + 1599: 999 ms after completion
    assert.equal(text(await handle(post('k1'))), 'first');
    mock.timers.tick(1);
    assert.equal(text(await handle(post('k1'))), 'second');
  });

  it('never expires a request that is still running', async () => {
    mock.timers.enable({ apis: ['Date'], now: START });
    const gate = deferred<HandlerResult>();
    const h = countingHandler((call) => (call === 1 ? gate.promise : { status: 201, body: 'ran again' }));
    const handle = idempotent(h.handler, { store: setup({ ttlMs: 1000 }) });
    const first = handle(post('k1'));
    await until(() => h.calls === 1);
    mock.timers.tick(10_000);
    assertProblem(await handle(post('k1')), 409);
    gate.resolve({ status: 201, body: 'slow' });
    await first;
    assert.equal(text(await handle(post('k1'))), 'slow');
    assert.equal(h.calls, 1);
  });
});

describe('idempotent(): bounded memory through the wrapper', () => {
  it('answers 503 when the store is full of running requests, and recovers when one finishes', async () => {
    const gate = deferred<HandlerResult>();
    const h = countingHandler((call) => (call <= 2 ? gate.promise : { status: 201, body: 'third' }));
    const store = setup({ maxKeys: 2 });
    const handle = idempotent(h.handler, { store });
    const running = [handle(post('a')), handle(post('b'))];
    await until(() => h.calls === 2);
    const full = await handle(post('c'));
    assertProblem(full, 503);
    assert.equal(h.calls, 2);
    assert.equal(store.size, 2);
    gate.resolve({ status: 201, body: 'done' });
    await Promise.all(running);
    assert.equal(text(await handle(post('c'))), 'third', 'a completed key makes room');
    assert.equal(store.size, 2);
  });
});

describe('idempotent(): arguments', () => {
  it('throws a TypeError for a handler that is not a function', () => {
    for (const handler of [undefined, null, 'handler', {}]) {
      assert.throws(() => idempotent(handler as never, { store: setup() }), TypeError);
    }
  });

  it('throws a TypeError for options without a store that has begin, complete and release', () => {
    const ok = () => ({ status: 200 });
    const noop = async () => undefined;
    const bad: unknown[] = [
      undefined,
      null,
      'options',
      {},
      { store: null },
      { store: {} },
      { store: { begin: noop, complete: noop } },
      { store: { begin: noop, release: noop } },
      { store: { complete: noop, release: noop } },
      { store: { begin: 'x', complete: noop, release: noop } },
    ];
    for (const options of bad) assert.throws(() => idempotent(ok, options as never), TypeError, JSON.stringify(options));
  });

  it('throws a TypeError for replayHeaders that is not an array of strings, or a requireKey that is not a boolean', () => {
    const ok = () => ({ status: 200 });
    const store: IdempotencyStore = setup();
    for (const replayHeaders of ['content-type', [1], {}, null]) {
      assert.throws(() => idempotent(ok, { store, replayHeaders: replayHeaders as never }), TypeError);
    }
    for (const requireKey of ['yes', 1, null]) {
      assert.throws(() => idempotent(ok, { store, requireKey: requireKey as never }), TypeError);
    }
  });
});

