import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitOpenError, TimeoutError } from '../src/circuit-breaker.ts';
import {
  advance, after, assertFulfilled, assertPending, assertRejected, at, breakerOf, dependency, fails, flush,
  halfOpened, liveTimerCount, observe, opened, outcomes, record, run, succeeds, useMockClock,
} from './harness.ts';

useMockClock();

class ClientError extends Error {
  readonly status = 404;
}
const serverErrorsOnly = { isFailure: (error: unknown) => !(error instanceof ClientError) };

describe('the sliding window of the closed state', () => {
  it('does not judge the failure rate before minimumNumberOfCalls calls are recorded', async () => {
    const breaker = breakerOf();
    await outcomes(breaker, 'FFF');
    assert.equal(breaker.state, 'closed', 'three failures of three, but the minimum is four');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open');
  });

  it('judges the rate from minimumNumberOfCalls on, before the window is full', async () => {
    const breaker = breakerOf({ slidingWindowSize: 10, minimumNumberOfCalls: 2 });
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'closed');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open', '1 failure in 2 calls is 50 %');
  });

  it('opens when the failure rate reaches the threshold exactly', async () => {
    const breaker = breakerOf();
    await outcomes(breaker, 'SSF');
    assert.equal(breaker.state, 'closed');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open', '2 of 4 is 50 %, the threshold');
  });

  it('stays closed below the threshold', async () => {
    const breaker = breakerOf({ failureRateThreshold: 75 });
    await outcomes(breaker, 'SFSFSSFS');
    assert.equal(breaker.state, 'closed', 'never more than 2 failures in the last 4');
  });

  it('slides: it judges the last slidingWindowSize calls, not all calls since it closed nor a window that restarts', async () => {
    const breaker = breakerOf();
    await outcomes(breaker, 'SSSSSF');
    assert.equal(breaker.state, 'closed', 'the last 4 are S S S F');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open', 'the last 4 are S S F F: 50 %, though only 2 of all 7 failed');
  });

  it('forgets a failure once slidingWindowSize newer calls are recorded', async () => {
    const breaker = breakerOf({ failureRateThreshold: 75 });
    await outcomes(breaker, 'FFSSS');
    assert.equal(breaker.state, 'closed');
    await outcomes(breaker, 'FF');
    assert.equal(breaker.state, 'closed', 'the last 4 are S S F F: the first two failures are out of the window');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open', 'S F F F');
  });

  it('records an error that isFailure declines as a success, and rejects the caller with that very error', async () => {
    const breaker = breakerOf(serverErrorsOnly);
    const notFound = new ClientError('no such user');
    for (let i = 0; i < 6; i += 1) {
      const call = await run(breaker, fails(notFound));
      assertRejected(call, (reason) => reason === notFound, `call ${i}`);
    }
    assert.equal(breaker.state, 'closed', 'six 404s must not open the breaker');
    await outcomes(breaker, 'FF');
    assert.equal(breaker.state, 'open', 'the 404s were recorded as successes: the last 4 are S S F F');
  });

  it('counts an error as a failure when isFailure returns true for it', async () => {
    const breaker = breakerOf({ isFailure: (error) => (error as { status?: number }).status === 503 });
    const unavailable = Object.assign(new Error('unavailable'), { status: 503 });
    for (let i = 0; i < 4; i += 1) await run(breaker, fails(unavailable));
    assert.equal(breaker.state, 'open');
  });

  it('counts a call slower than slowCallDurationThresholdMs as a failure, and still gives the caller its value', async () => {
    const breaker = breakerOf({ slowCallDurationThresholdMs: 100 });
    for (let i = 0; i < 4; i += 1) {
      const call = observe(breaker.execute(after(101, { value: i })));
      await advance(101);
      assertFulfilled(call, i, `slow call ${i}`);
    }
    assert.equal(breaker.state, 'open');
  });

  it('does not count a call of exactly slowCallDurationThresholdMs as slow', async () => {
    const breaker = breakerOf({ slowCallDurationThresholdMs: 100 });
    for (let i = 0; i < 4; i += 1) {
      const call = observe(breaker.execute(after(100)));
      await advance(100);
      assertFulfilled(call, 'ok', `call ${i}`);
    }
    assert.equal(breaker.state, 'closed');
  });

  it('counts a slow call as a failure even when it failed with an error that isFailure declines', async () => {
    const breaker = breakerOf({ ...serverErrorsOnly, slowCallDurationThresholdMs: 100 });
    for (let i = 0; i < 4; i += 1) {
      const call = observe(breaker.execute(after(150, { error: new ClientError('late 404') })));
      await advance(150);
      assertRejected(call, (reason) => reason instanceof ClientError, `call ${i}`);
    }
    assert.equal(breaker.state, 'open');
  });

  it('counts a timeout as a failure, whatever isFailure says', async () => {
    const breaker = breakerOf({ callTimeoutMs: 200, isFailure: () => false });
    for (let i = 0; i < 4; i += 1) {
      const call = observe(breaker.execute(after(1000)));
      await advance(200);
      assertRejected(call, (reason) => reason instanceof TimeoutError, `call ${i}`);
    }
    assert.equal(breaker.state, 'open');
  });
});

describe('the open state', () => {
  it('rejects every call at once with a CircuitOpenError, without calling the function', async () => {
    const breaker = await opened();
    const fn = mock.fn(succeeds());
    const call = await run(breaker, fn);
    assertRejected(call, (reason) => reason instanceof CircuitOpenError && reason.name === 'CircuitOpenError' && reason.code === 'CIRCUIT_OPEN' && reason.state === 'open', 'a call while open');
    assert.equal(fn.mock.callCount(), 0);
  });

  it('moves to half-open by itself waitDurationInOpenStateMs after it opened, counted from the opening, not from the first failure', async () => {
    const breaker = breakerOf();
    for (const t of [0, 300, 600, 900]) {
      await at(t);
      await outcomes(breaker, 'F');
    }
    assert.equal(breaker.state, 'open', 'opened at 900 ms');
    await at(1899);
    assert.equal(breaker.state, 'open', 'still open at 1899 ms');
    await at(1900);
    assert.equal(breaker.state, 'half-open', 'half-open at 1900 ms, with no call made');
  });

  it('rejects calls for the whole wait, and keeps no count of them', async () => {
    const breaker = await opened();
    for (let i = 0; i < 10; i += 1) {
      await advance(99);
      assertRejected(await run(breaker, succeeds()), (reason) => reason instanceof CircuitOpenError, `call at ${99 * (i + 1)} ms`);
    }
    await advance(10);
    assert.equal(breaker.state, 'half-open');
  });

  it('after a failed probe, waits the whole waitDurationInOpenStateMs again from the moment it reopened', async () => {
    const breaker = await halfOpened();
    await advance(250);
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open');
    await advance(999);
    assert.equal(breaker.state, 'open');
    await advance(1);
    assert.equal(breaker.state, 'half-open');
  });
});

describe('the half-open state', () => {
  it('admits at most halfOpenMaxConcurrent probes at once and rejects the others at once with CircuitOpenError', async () => {
    const breaker = await halfOpened({ halfOpenMaxConcurrent: 2, halfOpenSuccessThreshold: 3 });
    const dep = dependency();
    const probes = [observe(breaker.execute(dep.fn)), observe(breaker.execute(dep.fn))];
    const third = observe(breaker.execute(dep.fn));
    await flush();
    assert.equal(dep.calls.length, 2, 'two probes called the function');
    assertRejected(third, (reason) => reason instanceof CircuitOpenError && reason.state === 'half-open', 'the third call');
    probes.forEach((probe, i) => assertPending(probe, `probe ${i}`));
    dep.calls[0]!.resolve('one');
    await flush();
    assertFulfilled(probes[0]!, 'one', 'probe 0');
    assert.equal(breaker.state, 'half-open');
    const next = observe(breaker.execute(dep.fn));
    const over = observe(breaker.execute(dep.fn));
    await flush();
    assert.equal(dep.calls.length, 3, 'a finished probe frees its slot for one more');
    assertRejected(over, (reason) => reason instanceof CircuitOpenError, 'a call beyond the limit again');
    assertPending(next, 'the new probe');
  });

  it('closes only after halfOpenSuccessThreshold successful probes', async () => {
    const breaker = await halfOpened({ halfOpenSuccessThreshold: 3 });
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'half-open', 'one success of three');
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'half-open', 'two successes of three');
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'closed');
  });

  it('reopens on the first failed probe, even after successful ones', async () => {
    const breaker = await halfOpened({ halfOpenSuccessThreshold: 3 });
    await outcomes(breaker, 'SS');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open');
  });

  it('reopens on a probe that is slow or that times out', async () => {
    const slow = await halfOpened({ slowCallDurationThresholdMs: 100 });
    const call = observe(slow.execute(after(101)));
    await advance(101);
    assertFulfilled(call, 'ok', 'the slow probe');
    assert.equal(slow.state, 'open', 'a slow probe is a failed probe');

    const timed = await halfOpened({ callTimeoutMs: 50 });
    const probe = observe(timed.execute(after(500)));
    await advance(50);
    assertRejected(probe, (reason) => reason instanceof TimeoutError, 'the probe');
    assert.equal(timed.state, 'open');
  });

  it('closes on a probe that fails with an error isFailure declines', async () => {
    const breaker = await halfOpened(serverErrorsOnly);
    await run(breaker, fails(new ClientError('404')));
    assert.equal(breaker.state, 'closed');
  });

  it('counts successful probes afresh each time it is half-open', async () => {
    const breaker = await halfOpened({ halfOpenSuccessThreshold: 2 });
    await outcomes(breaker, 'SF');
    assert.equal(breaker.state, 'open');
    await advance(1000);
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'half-open', 'the success before the reopening does not count');
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'closed');
  });

  it('starts the closed state with an empty window after it closes', async () => {
    const breaker = await halfOpened();
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'closed');
    await outcomes(breaker, 'FFF');
    assert.equal(breaker.state, 'closed', 'three failures are fewer than minimumNumberOfCalls: nothing from before the opening counts');
    await outcomes(breaker, 'F');
    assert.equal(breaker.state, 'open');
  });

  it('ignores the outcome of a call admitted before the breaker opened, and still settles it for its caller', async () => {
    const breaker = breakerOf({ halfOpenSuccessThreshold: 1 });
    const dep = dependency();
    const early = [observe(breaker.execute(dep.fn)), observe(breaker.execute(dep.fn))];
    await flush();
    await outcomes(breaker, 'FFFF');
    assert.equal(breaker.state, 'open', 'the two slow calls are not recorded yet: four failures of four');
    await advance(1000);
    assert.equal(breaker.state, 'half-open');
    dep.calls[0]!.reject(new Error('late failure'));
    await flush();
    assertRejected(early[0]!, (reason) => reason.message === 'late failure', 'the first early call');
    assert.equal(breaker.state, 'half-open', 'a failure of a call admitted while closed is no failed probe');
    dep.calls[1]!.resolve('late value');
    await flush();
    assertFulfilled(early[1]!, 'late value', 'the second early call');
    assert.equal(breaker.state, 'half-open', 'a success of a call admitted while closed is no successful probe');
    await outcomes(breaker, 'S');
    assert.equal(breaker.state, 'closed');
  });

  it('ignores a probe that settles after another probe already decided', async () => {
    const breaker = await halfOpened({ halfOpenMaxConcurrent: 2, halfOpenSuccessThreshold: 1 });
    const dep = dependency();
    const probes = [observe(breaker.execute(dep.fn)), observe(breaker.execute(dep.fn))];
    await flush();
    dep.calls[0]!.resolve('first');
    await flush();
    assert.equal(breaker.state, 'closed');
    dep.calls[1]!.reject(new Error('second'));
    await flush();
    assertRejected(probes[1]!, (reason) => reason.message === 'second', 'the second probe');
    assert.equal(breaker.state, 'closed');
    await outcomes(breaker, 'FFF');
    assert.equal(breaker.state, 'closed', 'the late probe is not in the new window');
  });
});

describe('reset', () => {
  it('closes an open breaker, forgets the window and cancels the half-open timer', async () => {
    const breaker = await opened();
    const events = record(breaker);
    breaker.reset();
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(events.transitions(), ['open->closed']);
    assert.equal(liveTimerCount(), 0, 'no timer is left armed');
    await advance(5000);
    assert.equal(breaker.state, 'closed', 'the wait of the old opening must not move it to half-open');
    await outcomes(breaker, 'FFF');
    assert.equal(breaker.state, 'closed');
  });

  it('on a closed breaker empties the window and emits no state event', async () => {
    const breaker = breakerOf();
    await outcomes(breaker, 'FFF');
    const events = record(breaker);
    breaker.reset();
    await outcomes(breaker, 'FFF');
    assert.equal(breaker.state, 'closed');
    assert.deepEqual(events.transitions(), []);
  });

  it('leaves no timer behind once the breaker has gone from open to half-open to closed', async () => {
    const breaker = await halfOpened();
    assert.equal(liveTimerCount(), 0);
    await outcomes(breaker, 'S');
    assert.equal(liveTimerCount(), 0);
  });
});
