import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SagaOrchestrator } from '../src/saga.ts';
import type { SagaLog } from '../src/saga.ts';
import { advance, assertNoViolations, Crash, finish, LogStore, resultOf, saga, settle, summary, useMockClock } from './harness.ts';

useMockClock();

const ORDER = { reserve: {}, charge: {}, ship: {} };

describe('running a saga forward', () => {
  it('runs every step once, in order, and reports the saga completed', async () => {
    const { world, orchestrator } = saga(ORDER);
    const result = await finish(orchestrator().orchestrator.run('order-1', { sku: 'book', qty: 2 }));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'completed' });
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge', 'execute:ship']);
    assert.deepEqual(world.calls.map((call) => `${call.action}:${call.step}`), ['execute:reserve', 'execute:charge', 'execute:ship']);
    assertNoViolations(world);
  });

  it('tells each step its saga, its name, its idempotency key, its attempt and the saga input', async () => {
    const { world, orchestrator } = saga(ORDER);
    await finish(orchestrator().orchestrator.run('order-1', { sku: 'book', qty: 2 }));
    for (const call of world.calls) {
      assert.equal(call.sagaId, 'order-1');
      assert.equal(call.key, `order-1:${call.step}:execute`);
      assert.equal(call.attempt, 1);
      assert.deepEqual(call.input, { sku: 'book', qty: 2 });
    }
  });

  it('gives each step the results of the steps that completed before it', async () => {
    const { world, orchestrator } = saga(ORDER);
    await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(world.callsFor('order-1', 'reserve')[0]?.results, {});
    assert.deepEqual(world.callsFor('order-1', 'charge')[0]?.results, { reserve: resultOf('order-1', 'reserve') });
    assert.deepEqual(world.callsFor('order-1', 'ship')[0]?.results, {
      reserve: resultOf('order-1', 'reserve'),
      charge: resultOf('order-1', 'charge'),
    });
  });

  it('completes a saga with no steps without calling anything', async () => {
    const store = new LogStore();
    const orchestrator = new SagaOrchestrator({ log: store.process(), steps: [] });
    assert.deepEqual(summary(await finish(orchestrator.run('empty', null))), { sagaId: 'empty', status: 'completed' });
  });

  it('running a finished saga again returns its result and calls no participant', async () => {
    const { world, orchestrator } = saga({ ...ORDER, ship: { failExecute: Infinity } });
    const first = await finish(orchestrator().orchestrator.run('order-1', {}));
    const calls = world.calls.length;
    const again = await finish(orchestrator().orchestrator.run('order-1', {}));
    const sameInstance = orchestrator();
    await finish(sameInstance.orchestrator.run('order-1', {}));
    assert.deepEqual(summary(again), summary(first));
    assert.equal(world.calls.length, calls, 'a finished saga must not call its participants again');
  });

  it('two calls of run for the same saga on one orchestrator drive it once', async () => {
    const { world, orchestrator } = saga(ORDER);
    const { orchestrator: o } = orchestrator();
    const [a, b] = await Promise.all([finish(o.run('order-1', {})), finish(o.run('order-1', {}))]);
    assert.deepEqual(summary(a), summary(b));
    assert.equal(world.callsFor('order-1', undefined, 'execute').length, 3);
  });
});

describe('compensating a saga that fails', () => {
  it('compensates the completed steps in reverse order when a step fails for good', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: {}, ship: {}, notify: { failExecute: Infinity } });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'compensated', failedStep: 'notify' });
    assert.deepEqual(world.appliedFor('order-1'), [
      'execute:reserve', 'execute:charge', 'execute:ship',
      'compensate:ship', 'compensate:charge', 'compensate:reserve',
    ]);
    assertNoViolations(world);
  });

  it('never compensates the step that failed, nor any step after it', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: { failExecute: Infinity }, ship: {} });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'compensated', failedStep: 'charge' });
    assert.deepEqual(world.callsFor('order-1', 'charge', 'compensate'), []);
    assert.deepEqual(world.callsFor('order-1', 'ship'), []);
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'compensate:reserve']);
    assertNoViolations(world);
  });

  it('a failing first step compensates nothing', async () => {
    const { world, orchestrator } = saga({ reserve: { failExecute: Infinity }, charge: {} });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'compensated', failedStep: 'reserve' });
    assert.deepEqual(world.appliedFor('order-1'), []);
    assert.equal(world.callsFor('order-1', undefined, 'compensate').length, 0);
  });

  it('skips completed steps that have no compensate', async () => {
    const { world, orchestrator } = saga({ reserve: {}, check: { noCompensate: true }, charge: {}, ship: { failExecute: Infinity } });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.equal(result.status, 'compensated');
    assert.deepEqual(world.appliedFor('order-1'), [
      'execute:reserve', 'execute:check', 'execute:charge', 'compensate:charge', 'compensate:reserve',
    ]);
  });

  it('tells each compensation its compensate key and the results, its own included', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: {}, ship: { failExecute: Infinity } });
    await finish(orchestrator().orchestrator.run('order-9', { sku: 'pen' }));
    const compensations = world.callsFor('order-9', undefined, 'compensate');
    assert.deepEqual(compensations.map((call) => call.key), ['order-9:charge:compensate', 'order-9:reserve:compensate']);
    assert.deepEqual(compensations.map((call) => call.attempt), [1, 1]);
    for (const call of compensations) {
      assert.deepEqual(call.input, { sku: 'pen' });
      assert.deepEqual(call.results[call.step], resultOf('order-9', call.step));
    }
  });
});

describe('the pivot', () => {
  it('a pivot that fails for good compensates the steps before it', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: {}, capture: { pivot: true, failExecute: Infinity }, ship: {} });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'compensated', failedStep: 'capture' });
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:charge', 'compensate:charge', 'compensate:reserve']);
  });

  it('a step after the pivot that fails for good compensates nothing and needs attention', async () => {
    const { world, orchestrator } = saga({ reserve: {}, capture: { pivot: true }, ship: { failExecute: Infinity }, notify: {} });
    const result = await finish(orchestrator().orchestrator.run('order-1', {}));
    assert.deepEqual(summary(result), { sagaId: 'order-1', status: 'needs-attention', failedStep: 'ship', stuckStep: 'ship' });
    assert.deepEqual(world.appliedFor('order-1'), ['execute:reserve', 'execute:capture']);
    assert.equal(world.callsFor('order-1', undefined, 'compensate').length, 0);
    assert.equal(world.callsFor('order-1', 'notify').length, 0);
    assert.equal(world.callsFor('order-1', 'ship').length, 3, 'a step after the pivot is retried up to maxAttempts');
  });
});

describe('bad arguments and a failing log', () => {
  const log: SagaLog = { append: async () => {}, read: async () => [] };
  const step = { name: 'a', execute: async () => 1 };

  it('the constructor throws a TypeError for a bad log or bad steps', () => {
    assert.throws(() => new SagaOrchestrator(undefined as never), TypeError);
    assert.throws(() => new SagaOrchestrator({ steps: [step] } as never), TypeError);
    assert.throws(() => new SagaOrchestrator({ log: { append: async () => {} }, steps: [step] } as never), TypeError);
    assert.throws(() => new SagaOrchestrator({ log, steps: 'a' } as never), TypeError);
    assert.throws(() => new SagaOrchestrator({ log, steps: [{ name: '', execute: async () => 1 }] }), TypeError);
    assert.throws(() => new SagaOrchestrator({ log, steps: [{ name: 'a' }] } as never), TypeError);
    assert.throws(() => new SagaOrchestrator({ log, steps: [{ ...step, compensate: 'no' }] } as never), TypeError);
    assert.throws(() => new SagaOrchestrator({ log, steps: [step, { ...step }] }), TypeError, 'duplicate names');
    assert.throws(() => new SagaOrchestrator({ log, steps: [{ ...step, pivot: true }, { name: 'b', execute: async () => 1, pivot: true }] }), TypeError);
  });

  it('the constructor throws a RangeError for retry settings out of range', () => {
    for (const bad of [0, 1.5, -1, NaN, Infinity]) {
      assert.throws(() => new SagaOrchestrator({ log, steps: [step], maxAttempts: bad }), RangeError, `maxAttempts ${bad}`);
      assert.throws(() => new SagaOrchestrator({ log, steps: [step], maxCompensationAttempts: bad }), RangeError, `maxCompensationAttempts ${bad}`);
    }
    for (const bad of [-1, NaN, Infinity]) {
      assert.throws(() => new SagaOrchestrator({ log, steps: [step], backoffMs: bad }), RangeError, `backoffMs ${bad}`);
    }
    assert.throws(() => new SagaOrchestrator({ log, steps: [step], maxAttempts: '3' } as never), TypeError);
  });

  it('run rejects a sagaId that is not a non-empty string with a TypeError, calling nothing', async () => {
    const { world, store, orchestrator } = saga(ORDER);
    const { orchestrator: o } = orchestrator();
    for (const bad of ['', 42, undefined]) {
      await assert.rejects(o.run(bad as never, {}), TypeError);
    }
    assert.equal(world.calls.length, 0);
    assert.equal(store.appends, 0);
  });

  it('when the log fails, run rejects with that error and the saga calls no participant afterwards', async () => {
    const { world, orchestrator } = saga({ reserve: {}, charge: { failExecute: 1 }, ship: {} });
    let crashes = 0;
    for (let k = 1; k <= 100; k++) {
      const { orchestrator: o, log } = orchestrator({ after: k });
      const before = world.calls.length;
      const o1 = await settle(o.run(`order-${k}`, {}));
      if (!log.crashed) break;
      crashes++;
      assert.equal(o1.fulfilled, false, `crash after append ${k}: run must reject`);
      assert.ok(o1.reason instanceof Crash, `crash after append ${k}: run must reject with the log's error`);
      const calls = world.calls.length;
      assert.ok(calls >= before);
      for (let i = 0; i < 5; i++) await advance(10_000);
      assert.equal(world.calls.length, calls, `crash after append ${k}: a participant was called after the log failed`);
    }
    assert.ok(crashes >= 4, 'a saga of three steps, one of them retried, must write its log');
  });

  it('when the log cannot be read, run rejects with that error and calls no participant', async () => {
    const { world } = saga(ORDER);
    const failure = new Error('log unavailable');
    const unreadable: SagaLog = { append: async () => {}, read: async () => { throw failure; } };
    const o = new SagaOrchestrator({ log: unreadable, steps: world.steps() });
    const run = await settle(o.run('order-1', {}));
    assert.equal(run.fulfilled, false);
    assert.equal(run.reason, failure);
    assert.equal(world.calls.length, 0);
  });
});
