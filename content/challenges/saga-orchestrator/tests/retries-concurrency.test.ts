import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advance, assertNoViolations, finish, flush, observe, saga, START, summary, useMockClock } from './harness.ts';

useMockClock();

describe('retrying a step', () => {
  it('retries a failing execute with the same key, backoffMs after the first failure, then twice that', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: { failExecute: 2 } }, { backoffMs: 100, maxAttempts: 3 });
    const run = observe(orchestrator().orchestrator.run('order-1', {}));
    await flush();
    const charges = () => world.callsFor('order-1', 'charge', 'execute');
    assert.equal(charges().length, 1);
    await advance(99);
    assert.equal(charges().length, 1, 'the second attempt must wait backoffMs');
    await advance(26);
    assert.equal(charges().length, 2, 'the second attempt is due backoffMs after the first failed');
    const second = charges()[1]!.at;
    await advance(second + 199 - Date.now());
    assert.equal(charges().length, 2, 'the third attempt must wait 2 × backoffMs');
    await advance(51);
    await flush();
    assert.equal(charges().length, 3, 'the third attempt is due 2 × backoffMs after the second failed');
    assert.ok(run.settled && run.fulfilled);
    assert.equal(run.value?.status, 'completed');
    assert.deepEqual(charges().map((call) => call.attempt), [1, 2, 3]);
    assert.equal(charges()[0]!.at, START);
    assert.deepEqual(new Set(charges().map((call) => call.key)), new Set(['order-1:charge:execute']));
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge']);
  });

  it('makes exactly maxAttempts attempts before the step fails for good', async () => {
    for (const maxAttempts of [1, 2, 4]) {
      const { world, orchestrator } = saga({ reserve: {}, charge: { failExecute: Infinity } }, { maxAttempts });
      const result = await finish(orchestrator().orchestrator.run('order-1', {}));
      assert.equal(result.status, 'compensated');
      assert.equal(world.callsFor('order-1', 'charge', 'execute').length, maxAttempts, `maxAttempts ${maxAttempts}`);
    }
  });

  it('a step that succeeds on its last attempt completes the saga', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: { failExecute: 2 } }, { maxAttempts: 3 });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.equal(result.status, 'completed');
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge']);
  });

  it('a retry after a lost reply does not apply the effect twice', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: { lostReplies: 2 }, ship: {} }, { maxAttempts: 3 });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.equal(result.status, 'completed');
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge', 'execute:ship']);
    assertNoViolations(world);
  });
});

describe('retrying a compensation', () => {
  it('retries a compensation that fails transiently, with backoff, until it succeeds', async () => {
    const { world, orchestrator } = saga(
      { reserve: {}, charge: { failCompensate: 3 }, ship: { failExecute: Infinity } },
      { backoffMs: 100, maxAttempts: 1, maxCompensationAttempts: 5 },
    );
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'compensated', failedStep: 'ship' });
    const tries = world.callsFor('order-1', 'charge', 'compensate');
    assert.deepEqual(tries.map((call) => call.attempt), [1, 2, 3, 4]);
    assert.deepEqual(new Set(tries.map((call) => call.key)), new Set(['order-1:charge:compensate']));
    const gaps = tries.slice(1).map((call, i) => call.at - tries[i]!.at);
    for (const [i, gap] of gaps.entries()) assert.ok(gap >= 100 * 2 ** i, `retry ${i + 2} came after ${gap} ms, before its backoff of ${100 * 2 ** i} ms`);
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge', 'compensate:charge', 'compensate:reserve']);
  });

  it('gives up after maxCompensationAttempts and reports the saga as needing attention', async () => {
    const { world, orchestrator } = saga(
      { reserve: {}, charge: { failCompensate: Infinity }, ship: { failExecute: Infinity } },
      { maxAttempts: 2, maxCompensationAttempts: 3 },
    );
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'needs-attention', failedStep: 'ship', stuckStep: 'charge' });
    assert.equal(world.callsFor('order-1', 'charge', 'compensate').length, 3);
    assert.deepEqual(world.callsFor('order-1', 'reserve', 'compensate'), [], 'compensation stops at the stuck step');
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge']);
  });

  it('a saga that needs attention stays so when it is run again', async () => {
    const { world, orchestrator } = saga(
      { reserve: {}, charge: { failCompensate: Infinity }, ship: { failExecute: Infinity } },
      { maxAttempts: 1, maxCompensationAttempts: 2 },
    );
    const first = await finish(orchestrator().orchestrator.run('order-1', {}));
    const calls = world.calls.length;
    const again = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(again), summary(first));
    assert.equal(world.calls.length, calls);
  });
});

describe('concurrent sagas', () => {
  it('sagas with different ids run at once without interfering', async () => {
    const { world, store, orchestrator } = saga(
      { reserve: { failExecute: 1 }, charge: { lostReplies: 1 }, ship: {} },
      { maxAttempts: 2 },
    );
    const { orchestrator: o } = orchestrator();
    const ids = ['a', 'b', 'c', 'd'];
    const results = await finish(Promise.all(ids.map((id) => o.run(id, { id }))));
    for (const [i, id] of ids.entries()) {
      assert.deepEqual(summary(results[i]), { sagaId: id, status: 'completed' });
      assert.deepEqual(world.appliedFor(id), ['execute:reserve', 'execute:charge', 'execute:ship'], `saga ${id}`);
      for (const call of world.callsFor(id)) {
        assert.deepEqual(call.input, { id });
        assert.ok(call.key.startsWith(`${id}:`), `saga ${id} was given the key ${call.key}`);
      }
    }
    assertNoViolations(world);
    // Each saga's log is its own: a fresh orchestrator sees each one finished.
    const calls = world.calls.length;
    for (const id of ids) assert.equal((await finish(orchestrator().orchestrator.run(id, {}))).status, 'completed');
    assert.equal(world.calls.length, calls);
    assert.deepEqual([...store.records.keys()].sort(), ids);
  });

  it('one saga failing and compensating leaves a concurrent saga alone', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: {}, ship: {} }, { maxAttempts: 3 });
    const { orchestrator: o } = orchestrator();
    const [x, y] = await finish(Promise.all([o.run('x', { fail: 'ship' }), o.run('y', {})]));
    assert.deepEqual(summary(x), { sagaId: 'x', status: 'compensated', failedStep: 'ship' });
    assert.deepEqual(summary(y), { sagaId: 'y', status: 'completed' });
    assert.deepEqual(world.appliedFor('x'), ['execute:reserve', 'execute:charge', 'compensate:charge', 'compensate:reserve']);
    assert.deepEqual(world.appliedFor('y'), ['execute:reserve', 'execute:charge', 'execute:ship']);
    assertNoViolations(world);
  });
});
