import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitOpenError, TimeoutError } from '../src/circuit-breaker.ts';
import type { CircuitState } from '../src/circuit-breaker.ts';
import { advance, after, breakerOf, flush, observe, record, useMockClock } from './harness.ts';

useMockClock();

/** mulberry32: a small seeded generator, so that every run of a seed is the same sequence. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const config = {
  slidingWindowSize: 5,
  minimumNumberOfCalls: 3,
  failureRateThreshold: 60,
  waitDurationInOpenStateMs: 1000,
  halfOpenSuccessThreshold: 2,
  slowCallDurationThresholdMs: 200,
  callTimeoutMs: 500,
};

type Kind = 'success' | 'failure' | 'client';

/**
 * The reference model: the rules of the statement for calls made one at a time, written as
 * plainly as possible (an array for the window, a deadline for the open state).
 */
class Model {
  state: CircuitState = 'closed';
  now = 0;
  window: boolean[] = [];
  probeSuccesses = 0;
  halfOpenAt = 0;
  transitions: string[] = [];

  #go(to: CircuitState): void {
    this.transitions.push(`${this.state}->${to}`);
    this.state = to;
    this.window = [];
    this.probeSuccesses = 0;
    if (to === 'open') this.halfOpenAt = this.now + config.waitDurationInOpenStateMs;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    if (this.state === 'open' && this.halfOpenAt <= until) {
      this.now = this.halfOpenAt;
      this.#go('half-open');
    }
    this.now = until;
  }

  /** Whether a call is admitted now. */
  admits(): boolean {
    return this.state !== 'open';
  }

  /** Records the outcome of an admitted call: failed is true for a failure, a slow call or a timeout. */
  record(failed: boolean): void {
    if (this.state === 'closed') {
      this.window.push(failed);
      if (this.window.length > config.slidingWindowSize) this.window.shift();
      const failures = this.window.filter(Boolean).length;
      if (this.window.length >= config.minimumNumberOfCalls && failures / this.window.length >= config.failureRateThreshold / 100) this.#go('open');
    } else if (failed) {
      this.#go('open');
    } else if (++this.probeSuccesses >= config.halfOpenSuccessThreshold) {
      this.#go('closed');
    }
  }
}

async function randomRun(seed: number, steps: number): Promise<void> {
  const next = random(seed);
  const breaker = breakerOf({ ...config, isFailure: (error) => (error as { code?: string }).code !== 'CLIENT' });
  const events = record(breaker);
  const model = new Model();
  const seen = { rejected: 0, timeouts: 0, slow: 0, opened: 0 };
  for (let step = 0; step < steps; step += 1) {
    const where = `seed ${seed}, step ${step}`;
    if (next() < 0.25) {
      const ms = 1 + Math.floor(next() * 1500);
      await advance(ms);
      model.advance(ms);
    } else {
      const kind: Kind = (['success', 'success', 'failure', 'client'] as const)[Math.floor(next() * 4)]!;
      const r = next();
      // Mostly quick calls, some slow, a few past the timeout, and the slow threshold itself.
      const duration = r < 0.6 ? 1 + Math.floor(next() * 150) : r < 0.85 ? 201 + Math.floor(next() * 250) : r < 0.95 ? 600 + Math.floor(next() * 200) : 200;
      const error = kind === 'failure' ? new Error('server error') : Object.assign(new Error('client error'), { code: 'CLIENT' });
      const call = observe(breaker.execute(after(duration, kind === 'success' ? { value: step } : { error })));
      await flush();
      if (!model.admits()) {
        assert.ok(call.rejected && call.reason instanceof CircuitOpenError, `${where}: a call while open is rejected at once`);
        seen.rejected += 1;
      } else {
        const capped = Math.min(duration, config.callTimeoutMs);
        await advance(capped);
        model.advance(capped);
        const timedOut = duration > config.callTimeoutMs;
        const slow = capped > config.slowCallDurationThresholdMs;
        model.record(timedOut || slow || kind === 'failure');
        if (timedOut) {
          assert.ok(call.rejected && call.reason instanceof TimeoutError, `${where}: a call of ${duration} ms times out`);
          seen.timeouts += 1;
        } else if (kind === 'success') {
          assert.ok(call.fulfilled && call.value === step, `${where}: a call of ${duration} ms gives its value`);
        } else {
          assert.ok(call.rejected && call.reason === error, `${where}: a call of ${duration} ms rejects with its error`);
        }
        if (slow && !timedOut) seen.slow += 1;
        if (duration > capped) {
          await advance(duration - capped);
          model.advance(duration - capped);
        }
      }
    }
    assert.equal(breaker.state, model.state, `${where}: the state`);
    assert.deepEqual(events.transitions(), model.transitions, `${where}: the state changes so far`);
  }
  seen.opened = model.transitions.filter((t) => t.endsWith('->open')).length;
  // The run must have exercised every rule, or it proves little.
  assert.ok(seen.rejected > 5 && seen.timeouts > 5 && seen.slow > 5 && seen.opened > 5, `seed ${seed} covered too little: ${JSON.stringify(seen)}`);
  assert.ok(model.transitions.includes('half-open->closed') && model.transitions.includes('half-open->open'), `seed ${seed} never closed or reopened from half-open`);
}

describe('a seeded random run against a reference model', () => {
  for (const seed of [1, 7, 2024, 31337]) {
    it(`changes state exactly as the model does, call after call, over 300 random steps (seed ${seed})`, async () => {
      await randomRun(seed, 300);
    });
  }
});
