import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { BulkheadFullError, CircuitBreaker, CircuitOpenError, TimeoutError } from '../src/circuit-breaker.ts';
import type { CircuitEvent } from '../src/circuit-breaker.ts';
import {
  advance, after, assertFulfilled, assertPending, assertRejected, base, breakerOf, dependency, fails, flush,
  got, halfOpened, liveTimerCount, observe, opened, outcomes, record, run, succeeds, useMockClock,
} from './harness.ts';

useMockClock();

class ClientError extends Error {
  readonly status = 400;
}

describe('the per-call timeout', () => {
  it('rejects with a TimeoutError at callTimeoutMs and aborts the signal with that same error', async () => {
    const breaker = breakerOf({ callTimeoutMs: 500 });
    const dep = dependency();
    const call = observe(breaker.execute(dep.fn));
    await advance(499);
    assertPending(call, 'the call at 499 ms');
    assert.equal(dep.calls[0]!.signal.aborted, false);
    await advance(1);
    assertRejected(call, (reason) => reason instanceof TimeoutError && reason instanceof Error, 'the call at 500 ms');
    const error = call.reason as TimeoutError;
    assert.equal(error.name, 'TimeoutError');
    assert.equal(error.code, 'CALL_TIMEOUT');
    assert.equal(error.timeoutMs, 500);
    assert.equal(dep.calls[0]!.signal.aborted, true, 'the function is told to stop');
    assert.equal(dep.calls[0]!.signal.reason, error);
  });

  it('records a timed-out call as a failure', async () => {
    const breaker = breakerOf({ callTimeoutMs: 100 });
    const events = record(breaker);
    for (let i = 0; i < 4; i += 1) {
      void observe(breaker.execute(() => new Promise(() => {})));
      await advance(100);
    }
    assert.equal(breaker.state, 'open');
    const failures = events.events.filter((e) => e.type === 'failure');
    assert.equal(failures.length, 4);
    for (const e of failures) assert.ok(e.type === 'failure' && e.error instanceof TimeoutError && e.durationMs === 100);
  });

  it('ignores the function settling after the timeout', async () => {
    const breaker = breakerOf({ callTimeoutMs: 100 });
    const dep = dependency();
    const events = record(breaker);
    const call = observe(breaker.execute(dep.fn));
    await advance(100);
    dep.calls[0]!.resolve('too late');
    await flush();
    assertRejected(call, (reason) => reason instanceof TimeoutError, 'the call');
    assert.deepEqual(events.types(), ['failure'], 'one event for the call, not a second one for the late value');
  });

  it('clears its timer when the call settles in time, and leaves the signal unaborted', async () => {
    const breaker = breakerOf({ callTimeoutMs: 500 });
    const dep = dependency();
    const call = observe(breaker.execute(dep.fn));
    await flush();
    assert.equal(liveTimerCount(), 1, 'one timer for the timeout');
    dep.calls[0]!.resolve('in time');
    await flush();
    assertFulfilled(call, 'in time', 'the call');
    assert.equal(liveTimerCount(), 0, 'the timeout timer is cleared');
    assert.equal(dep.calls[0]!.signal.aborted, false);
    const failing = observe(breaker.execute(fails()));
    await flush();
    assert.ok(failing.rejected);
    assert.equal(liveTimerCount(), 0, 'cleared after a failure too');
  });

  it('without callTimeoutMs, lets a call take as long as it takes and arms no timer', async () => {
    const breaker = breakerOf();
    const dep = dependency();
    const call = observe(breaker.execute(dep.fn));
    await flush();
    assert.equal(liveTimerCount(), 0);
    await advance(3_600_000);
    assertPending(call, 'an hour later');
    dep.calls[0]!.resolve('eventually');
    await flush();
    assertFulfilled(call, 'eventually', 'the call');
  });
});

describe('the bulkhead', () => {
  it('rejects a call beyond maxConcurrentCalls at once with a BulkheadFullError and never calls it later', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 2 });
    const dep = dependency();
    const calls = [observe(breaker.execute(dep.fn)), observe(breaker.execute(dep.fn))];
    const third = observe(breaker.execute(dep.fn));
    await flush();
    assertRejected(third, (reason) => reason instanceof BulkheadFullError && reason.name === 'BulkheadFullError' && reason.code === 'BULKHEAD_FULL' && reason.maxConcurrentCalls === 2, 'the third call');
    dep.calls[0]!.resolve('a');
    await flush();
    assertFulfilled(calls[0]!, 'a', 'the first call');
    assert.equal(dep.calls.length, 2, 'the rejected call was not queued');
    const fourth = observe(breaker.execute(dep.fn));
    await flush();
    assert.equal(dep.calls.length, 3, 'a freed slot admits the next call');
    assertPending(fourth, 'the fourth call');
  });

  it('does not record a bulkhead rejection in the window', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 1 });
    const dep = dependency();
    const held = observe(breaker.execute(dep.fn));
    for (let i = 0; i < 6; i += 1) assertRejected(await run(breaker, succeeds()), (reason) => reason instanceof BulkheadFullError, `call ${i}`);
    assert.equal(breaker.state, 'closed');
    dep.calls[0]!.resolve('done');
    await flush();
    assertFulfilled(held, 'done', 'the held call');
    await outcomes(breaker, 'SSS');
    assert.equal(breaker.state, 'closed');
  });

  it('frees the slot of a function that throws synchronously', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 1 });
    const boom = new Error('sync');
    const call = await run(breaker, () => {
      throw boom;
    });
    assertRejected(call, (reason) => reason === boom, 'the throwing call');
    assertFulfilled(await run(breaker, succeeds('next')), 'next', 'the call after it');
  });

  it('frees the slot of a call that failed or was declined by isFailure', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 1, isFailure: (e) => !(e instanceof ClientError) });
    await run(breaker, fails());
    await run(breaker, fails(new ClientError('400')));
    assertFulfilled(await run(breaker, succeeds('next')), 'next', 'the call after them');
  });

  it('frees the slot when a call times out, even if the function never settles', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 1, callTimeoutMs: 100 });
    const stuck = observe(breaker.execute(() => new Promise(() => {})));
    await advance(100);
    assertRejected(stuck, (reason) => reason instanceof TimeoutError, 'the stuck call');
    assertFulfilled(await run(breaker, succeeds('next')), 'next', 'the call after the timeout');
  });

  it('asks the breaker first: with every probe slot and the bulkhead taken, the rejection is a CircuitOpenError', async () => {
    const breaker = await halfOpened({ maxConcurrentCalls: 1 });
    const dep = dependency();
    const probe = observe(breaker.execute(dep.fn));
    const call = await got(breaker.execute(dep.fn));
    assertRejected(call, (reason) => reason instanceof CircuitOpenError && reason.state === 'half-open', 'a call beyond the probe and the bulkhead');
    assertPending(probe, 'the probe');
  });

  it('counts half-open probes against the bulkhead, and a call the bulkhead rejects takes no probe slot', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 2, halfOpenMaxConcurrent: 2, halfOpenSuccessThreshold: 3 });
    const dep = dependency();
    const held = observe(breaker.execute(dep.fn));
    await outcomes(breaker, 'FFFF');
    await advance(1000);
    assert.equal(breaker.state, 'half-open');
    const probe = observe(breaker.execute(dep.fn));
    const full = await got(breaker.execute(dep.fn));
    assertRejected(full, (reason) => reason instanceof BulkheadFullError, 'a second probe while the held call and the first probe fill the bulkhead');
    dep.calls[0]!.resolve('held');
    await flush();
    assertFulfilled(held, 'held', 'the held call');
    const second = observe(breaker.execute(dep.fn));
    await flush();
    assert.equal(dep.calls.length, 3, 'the second probe slot is still free');
    assertPending(probe, 'the first probe');
    assertPending(second, 'the second probe');
  });
});

describe('fallbacks', () => {
  it('calls the fallback with the CircuitOpenError when open, and resolves with what it returns', async () => {
    const breaker = await opened();
    const fn = mock.fn(succeeds());
    const fallback = mock.fn((error: unknown) => `cached (${(error as Error).name})`);
    const call = observe(breaker.execute(fn, { fallback }));
    await flush();
    assertFulfilled(call, 'cached (CircuitOpenError)', 'the call');
    assert.equal(fn.mock.callCount(), 0);
    assert.equal(fallback.mock.callCount(), 1);
  });

  it('calls the fallback with the BulkheadFullError when the bulkhead is full', async () => {
    const breaker = breakerOf({ maxConcurrentCalls: 1 });
    const dep = dependency();
    void observe(breaker.execute(dep.fn));
    const call = observe(breaker.execute(dep.fn, { fallback: async (error) => error instanceof BulkheadFullError }));
    await flush();
    assertFulfilled(call, true, 'the rejected call');
  });

  it('calls the fallback with the error of a failed call and with a TimeoutError', async () => {
    const breaker = breakerOf({ callTimeoutMs: 100 });
    const boom = new Error('boom');
    const failed = observe(breaker.execute(fails(boom), { fallback: (error) => error }));
    const timed = observe(breaker.execute(() => new Promise(() => {}), { fallback: (error) => error }));
    await flush();
    assertFulfilled(failed, boom, 'the failed call');
    await advance(100);
    assert.ok(timed.fulfilled && timed.value instanceof TimeoutError, 'the timed-out call falls back with its TimeoutError');
  });

  it('does not call the fallback for a success, a slow success or an error isFailure declines', async () => {
    const breaker = breakerOf({ slowCallDurationThresholdMs: 10, isFailure: (e) => !(e instanceof ClientError) });
    const fallback = mock.fn(() => 'fallback');
    assertFulfilled(await got(breaker.execute(succeeds('fine'), { fallback })), 'fine', 'a success');
    const slow = observe(breaker.execute(after(20, { value: 'slow but fine' }), { fallback }));
    await advance(20);
    assertFulfilled(slow, 'slow but fine', 'a slow success');
    const bad = new ClientError('bad request');
    const declined = await got(breaker.execute(fails(bad), { fallback }));
    assertRejected(declined, (reason) => reason === bad, 'a declined error');
    assert.equal(fallback.mock.callCount(), 0);
  });

  it('rejects with the fallback\'s own error when the fallback throws or rejects', async () => {
    const breaker = await opened();
    const thrown = new Error('fallback threw');
    const rejected = new Error('fallback rejected');
    const a = observe(breaker.execute(succeeds(), { fallback: () => { throw thrown; } }));
    const b = observe(breaker.execute(succeeds(), { fallback: () => Promise.reject(rejected) }));
    await flush();
    assertRejected(a, (reason) => reason === thrown, 'a throwing fallback');
    assertRejected(b, (reason) => reason === rejected, 'a rejecting fallback');
  });

  it('still records the failure that a fallback covers', async () => {
    const breaker = breakerOf();
    for (let i = 0; i < 4; i += 1) assertFulfilled(await got(breaker.execute(fails(), { fallback: () => 'dflt' })), 'dflt', `call ${i}`);
    assert.equal(breaker.state, 'open');
  });
});

describe('events', () => {
  it('emits each call\'s outcome, then the state change it caused, in order through a whole cycle', async () => {
    const breaker = breakerOf();
    const events = record(breaker);
    await outcomes(breaker, 'SFFF');
    assert.deepEqual(events.types(), ['success', 'failure', 'failure', 'failure', 'closed->open']);
    await run(breaker, succeeds());
    await advance(1000);
    await outcomes(breaker, 'F');
    await advance(1000);
    await outcomes(breaker, 'S');
    assert.deepEqual(events.types(), [
      'success', 'failure', 'failure', 'failure', 'closed->open',
      'rejected', 'open->half-open', 'failure', 'half-open->open', 'open->half-open', 'success', 'half-open->closed',
    ]);
  });

  it('describes each outcome: duration, slowness and error', async () => {
    const breaker = breakerOf({ slowCallDurationThresholdMs: 100 });
    const events = record(breaker);
    const boom = new Error('boom');
    const quick = observe(breaker.execute(after(30)));
    await advance(30);
    const slow = observe(breaker.execute(after(150)));
    await advance(150);
    const failed = observe(breaker.execute(after(40, { error: boom })));
    await advance(40);
    assert.ok(quick.fulfilled && slow.fulfilled && failed.rejected);
    const [a, b, c] = events.events as CircuitEvent[];
    assert.deepEqual(a, { type: 'success', durationMs: 30 });
    assert.ok(b?.type === 'failure' && b.durationMs === 150 && b.slow === true && b.error === undefined, 'a slow success');
    assert.ok(c?.type === 'failure' && c.durationMs === 40 && c.slow === false && c.error === boom, 'a failed call');
  });

  it('emits rejected with the rejection\'s error', async () => {
    const breaker = await opened();
    const events = record(breaker);
    const call = await run(breaker, succeeds());
    assert.equal(events.events.length, 1);
    const [e] = events.events;
    assert.ok(e?.type === 'rejected' && e.error === call.reason && e.error instanceof CircuitOpenError);
  });

  it('emits the move to half-open when the wait ends, with no call', async () => {
    const breaker = await opened();
    const events = record(breaker);
    await advance(1000);
    assert.deepEqual(events.events, [{ type: 'state', from: 'open', to: 'half-open' }]);
  });

  it('stops calling a listener once unsubscribed, by the function on returns or by off', async () => {
    const breaker = breakerOf();
    const a = mock.fn();
    const b = mock.fn();
    const c = mock.fn();
    const unsubscribeA = breaker.on(a);
    breaker.on(b);
    breaker.on(c);
    await outcomes(breaker, 'S');
    unsubscribeA();
    breaker.off(b);
    await outcomes(breaker, 'S');
    assert.equal(a.mock.callCount(), 1);
    assert.equal(b.mock.callCount(), 1);
    assert.equal(c.mock.callCount(), 2);
  });

  it('treats a second unsubscribe, and off for a listener never subscribed, as no-ops', async () => {
    const breaker = breakerOf();
    const a = mock.fn();
    const b = mock.fn();
    const unsubscribeA = breaker.on(a);
    breaker.on(b);
    unsubscribeA();
    unsubscribeA();
    breaker.off(() => {});
    await outcomes(breaker, 'S');
    assert.equal(a.mock.callCount(), 0);
    assert.equal(b.mock.callCount(), 1);
  });

  it('calls listeners in the order they subscribed, and a throwing listener breaks neither the call nor the others', async () => {
    const breaker = breakerOf();
    const order: string[] = [];
    breaker.on(() => {
      order.push('first');
      throw new Error('listener bug');
    });
    breaker.on((e) => order.push(`second ${e.type}`));
    await outcomes(breaker, 'FFF');
    const last = await run(breaker, fails());
    assertRejected(last, (reason) => reason.message === 'boom', 'the call whose listeners threw');
    assert.equal(breaker.state, 'open', 'the transition still happened');
    assert.deepEqual(order.slice(-4), ['first', 'second failure', 'first', 'second state']);
  });
});

describe('errors', () => {
  it('passes a failure to the caller as the very error object, with its name, code and cause', async () => {
    const cause = new Error('ECONNRESET');
    const error = Object.assign(new Error('upstream failed', { cause }), { code: 'UPSTREAM' });
    error.name = 'UpstreamError';
    const call = await run(breakerOf(), fails(error));
    assertRejected(call, (reason) => reason === error && reason.name === 'UpstreamError' && reason.code === 'UPSTREAM' && reason.cause === cause, 'the call');
  });

  it('accepts a function that returns a plain value, and one that throws a non-Error', async () => {
    const breaker = breakerOf();
    assertFulfilled(await run(breaker, () => 42), 42, 'a plain value');
    assertRejected(await run(breaker, () => Promise.reject('a string')), (reason) => reason === 'a string', 'a string rejection');
  });
});

describe('bad arguments', () => {
  it('throws a TypeError for options of the wrong type', () => {
    assert.throws(() => new CircuitBreaker(undefined as never), TypeError);
    assert.throws(() => new CircuitBreaker({ ...base, failureRateThreshold: '50' as never }), TypeError);
    assert.throws(() => new CircuitBreaker({ ...base, slidingWindowSize: undefined as never }), TypeError);
    assert.throws(() => new CircuitBreaker({ ...base, waitDurationInOpenStateMs: undefined as never }), TypeError);
    assert.throws(() => new CircuitBreaker({ ...base, callTimeoutMs: '5' as never }), TypeError);
    assert.throws(() => new CircuitBreaker({ ...base, isFailure: true as never }), TypeError);
  });

  it('throws a RangeError for numbers out of range', () => {
    for (const [name, value] of [
      ['failureRateThreshold', 0], ['failureRateThreshold', 101], ['failureRateThreshold', NaN],
      ['slidingWindowSize', 0], ['slidingWindowSize', 2.5], ['minimumNumberOfCalls', 0], ['minimumNumberOfCalls', 5],
      ['waitDurationInOpenStateMs', 0], ['waitDurationInOpenStateMs', Infinity], ['halfOpenMaxConcurrent', 0],
      ['halfOpenSuccessThreshold', 0], ['slowCallDurationThresholdMs', -1], ['callTimeoutMs', 0], ['maxConcurrentCalls', 0],
    ] as const) {
      assert.throws(() => new CircuitBreaker({ ...base, [name]: value }), RangeError, `${name}: ${value}`);
    }
  });

  it('rejects an execute whose fn is not a function with a TypeError, and records nothing', async () => {
    const breaker = breakerOf({ minimumNumberOfCalls: 1 });
    const events = record(breaker);
    const call = observe(breaker.execute(42 as never));
    await flush();
    assertRejected(call, (reason) => reason instanceof TypeError, 'the call');
    assert.deepEqual(events.events, []);
    assert.equal(breaker.state, 'closed');
  });

  it('throws a TypeError from on for a listener that is not a function', () => {
    assert.throws(() => breakerOf().on('listener' as never), TypeError);
  });
});

describe('a breaker under load', () => {
  it('keeps its counts right while many calls are in flight across a whole cycle', async () => {
    const breaker = breakerOf({ slidingWindowSize: 10, minimumNumberOfCalls: 10, maxConcurrentCalls: 10, halfOpenMaxConcurrent: 3, halfOpenSuccessThreshold: 3 });
    const dep = dependency();
    const calls = Array.from({ length: 12 }, () => observe(breaker.execute(dep.fn)));
    await flush();
    assert.equal(dep.calls.length, 10);
    assert.equal(calls.filter((c) => c.rejected).length, 2);
    dep.calls.slice(0, 5).forEach((c) => c.reject(new Error('x')));
    dep.calls.slice(5).forEach((c) => c.resolve('y'));
    await flush();
    assert.equal(breaker.state, 'open', '5 of 10');
    await advance(1000);
    const probes = Array.from({ length: 5 }, () => observe(breaker.execute(dep.fn)));
    await flush();
    assert.equal(dep.calls.length, 13);
    assert.equal(probes.filter((p) => p.rejected).length, 2);
    dep.calls.slice(10).forEach((c) => c.resolve('z'));
    await flush();
    assert.equal(breaker.state, 'closed');
    const more = Array.from({ length: 10 }, () => observe(breaker.execute(dep.fn)));
    await flush();
    assert.equal(dep.calls.length, 23, 'every slot of the bulkhead is free again');
    more.forEach((m) => assertPending(m, 'a call'));
  });
});
