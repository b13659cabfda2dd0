import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryIdempotencyStore } from '../src/idempotency.ts';
import type { HttpResponse } from '../src/idempotency.ts';

const T0 = 1_700_000_000_000;

function response(body: string, status = 201): HttpResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body: new TextEncoder().encode(body) };
}

function bodyOf(result: { kind: string; response?: HttpResponse }): string {
  assert.equal(result.kind, 'replay');
  return Buffer.from(result.response!.body).toString('utf8');
}

describe('MemoryIdempotencyStore: begin, complete, release', () => {
  it('starts a new key, then says conflict for the same fingerprint and mismatch for another while it runs', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    assert.deepEqual(await store.begin('k', 'fp1', T0), { kind: 'started' });
    assert.deepEqual(await store.begin('k', 'fp1', T0), { kind: 'conflict' });
    assert.deepEqual(await store.begin('k', 'fp2', T0), { kind: 'mismatch' });
    assert.equal(store.size, 1);
  });

  it('replays a completed key for the same fingerprint, and says mismatch for another', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    await store.begin('k', 'fp1', T0);
    await store.complete('k', response('done', 200), T0);
    const replay = await store.begin('k', 'fp1', T0 + 1);
    assert.equal(bodyOf(replay), 'done');
    assert.equal(replay.kind === 'replay' && replay.response.status, 200);
    assert.deepEqual(replay.kind === 'replay' && replay.response.headers, { 'content-type': 'text/plain' });
    assert.deepEqual(await store.begin('k', 'fp2', T0 + 1), { kind: 'mismatch' });
    assert.equal(store.size, 1);
  });

  it('forgets a released key, so the next begin starts it again with any fingerprint', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    await store.begin('k', 'fp1', T0);
    await store.release('k');
    assert.equal(store.size, 0);
    assert.deepEqual(await store.begin('k', 'fp2', T0), { kind: 'started' });
  });

  it('never releases a completed key, and ignores complete and release for a key that is not running', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    await store.begin('k', 'fp', T0);
    await store.complete('k', response('first'), T0);
    await store.release('k');
    await store.complete('k', response('second'), T0);
    assert.equal(bodyOf(await store.begin('k', 'fp', T0)), 'first');
    await store.complete('ghost', response('x'), T0);
    await store.release('ghost');
    assert.equal(store.size, 1);
    assert.deepEqual(await store.begin('ghost', 'fp', T0), { kind: 'started' });
  });

  it('starts exactly one of two begins for the same key made at the same moment', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    const results = await Promise.all([store.begin('k', 'fp', T0), store.begin('k', 'fp', T0), store.begin('k', 'fp', T0)]);
    assert.deepEqual(results.map((result) => result.kind).sort(), ['conflict', 'conflict', 'started']);
  });

  it('keeps its own copy of a response: changing what was passed in or handed out changes no later replay', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    const original = response('abc');
    await store.begin('k', 'fp', T0);
    await store.complete('k', original, T0);
    original.body.fill(0x7a);
    original.headers['content-type'] = 'changed';
    const first = await store.begin('k', 'fp', T0);
    assert.equal(bodyOf(first), 'abc');
    if (first.kind === 'replay') {
      first.response.body.fill(0x7a);
      first.response.headers['content-type'] = 'changed';
    }
    const second = await store.begin('k', 'fp', T0);
    assert.equal(bodyOf(second), 'abc');
    assert.equal(second.kind === 'replay' && second.response.headers['content-type'], 'text/plain');
  });
});

describe('MemoryIdempotencyStore: retention', () => {
  it('replays while now − completedAt < ttlMs, and starts the key afresh from then on', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    await store.begin('k', 'fp', T0);
    await store.complete('k', response('done'), T0 + 50);
    assert.equal(bodyOf(await store.begin('k', 'fp', T0 + 1049)), 'done');
    assert.deepEqual(await store.begin('k', 'other', T0 + 1050), { kind: 'started' }, 'expired: a new key, even for another request');
  });

  it('never expires a key that is running', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    await store.begin('k', 'fp', T0);
    assert.deepEqual(await store.begin('k', 'fp', T0 + 1_000_000), { kind: 'conflict' });
  });
});

describe('MemoryIdempotencyStore: maxKeys', () => {
  it('holds at most maxKeys and makes room by dropping the earliest completed key; a replay does not keep a key longer', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 60_000, maxKeys: 2 });
    for (const [key, at] of [['a', T0], ['b', T0 + 10]] as const) {
      await store.begin(key, 'fp', at);
      await store.complete(key, response(key), at);
    }
    assert.equal(bodyOf(await store.begin('a', 'fp', T0 + 20)), 'a', 'a replayed: still the earliest completed');
    assert.deepEqual(await store.begin('c', 'fp', T0 + 30), { kind: 'started' });
    assert.equal(store.size, 2);
    assert.equal(bodyOf(await store.begin('b', 'fp', T0 + 40)), 'b', 'b kept');
    assert.deepEqual(await store.begin('a', 'fp', T0 + 50), { kind: 'started' }, 'a was dropped');
  });

  it('never drops a running key to make room', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 60_000, maxKeys: 2 });
    await store.begin('running', 'fp', T0);
    await store.begin('done', 'fp', T0 + 1);
    await store.complete('done', response('done'), T0 + 2);
    assert.deepEqual(await store.begin('new', 'fp', T0 + 3), { kind: 'started' });
    assert.deepEqual(await store.begin('running', 'fp', T0 + 4), { kind: 'conflict' });
    assert.equal(store.size, 2);
  });

  it('rejects a begin for a new key when maxKeys requests are running, and accepts it once one ends', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 60_000, maxKeys: 2 });
    await store.begin('a', 'fp', T0);
    await store.begin('b', 'fp', T0);
    await assert.rejects(store.begin('c', 'fp', T0), Error);
    assert.equal(store.size, 2);
    assert.deepEqual(await store.begin('a', 'fp', T0), { kind: 'conflict' });
    assert.deepEqual(await store.begin('b', 'fp', T0), { kind: 'conflict' });
    await store.release('a');
    assert.deepEqual(await store.begin('c', 'fp', T0), { kind: 'started' });
    await store.complete('b', response('b'), T0);
    assert.deepEqual(await store.begin('d', 'fp', T0), { kind: 'started' }, 'a completed key can be dropped');
    assert.equal(store.size, 2);
  });

  it('makes no room for a key it already holds', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 60_000, maxKeys: 1 });
    await store.begin('a', 'fp', T0);
    await store.complete('a', response('a'), T0);
    assert.equal(bodyOf(await store.begin('a', 'fp', T0 + 1)), 'a');
    assert.deepEqual(await store.begin('a', 'other', T0 + 2), { kind: 'mismatch' });
    assert.equal(bodyOf(await store.begin('a', 'fp', T0 + 3)), 'a');
  });

  it('never grows beyond maxKeys under a flood of new keys', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) {
      await store.begin(`k${i}`, 'fp', T0 + i);
      await store.complete(`k${i}`, response(String(i)), T0 + i);
      assert.ok(store.size <= 100);
    }
    assert.equal(store.size, 100);
    assert.equal(bodyOf(await store.begin('k999', 'fp', T0 + 1000)), '999');
    assert.equal(bodyOf(await store.begin('k900', 'fp', T0 + 1000)), '900');
  });

  it('treats any string as a key, __proto__ included', async () => {
    const store = new MemoryIdempotencyStore({ ttlMs: 1000 });
    for (const key of ['__proto__', 'constructor', 'toString']) {
      assert.deepEqual(await store.begin(key, 'fp', T0), { kind: 'started' }, key);
      await store.complete(key, response(key), T0);
      assert.equal(bodyOf(await store.begin(key, 'fp', T0)), key);
    }
  });
});

describe('MemoryIdempotencyStore: arguments', () => {
  it('throws a TypeError for options that are not an object or numbers that are not numbers', () => {
    for (const options of [undefined, null, 5, 'x', {}, { ttlMs: '1000' }, { ttlMs: 1000, maxKeys: '5' }]) {
      assert.throws(() => new MemoryIdempotencyStore(options as never), TypeError, JSON.stringify(options));
    }
  });

  it('throws a RangeError for a ttlMs or maxKeys that is not a whole number of at least 1', () => {
    for (const options of [{ ttlMs: 0 }, { ttlMs: -1 }, { ttlMs: 1.5 }, { ttlMs: Infinity }, { ttlMs: NaN }, { ttlMs: 1000, maxKeys: 0 }, { ttlMs: 1000, maxKeys: 2.5 }]) {
      assert.throws(() => new MemoryIdempotencyStore(options), RangeError, JSON.stringify(options));
    }
  });
});
