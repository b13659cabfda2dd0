// A circuit breaker with a count-based sliding window, half-open probes, slow calls, a per-call
// timeout, a bulkhead, fallbacks and events. Time comes only from Date.now() and the global timers.

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  failureRateThreshold: number;
  slidingWindowSize: number;
  minimumNumberOfCalls?: number;
  waitDurationInOpenStateMs: number;
  halfOpenMaxConcurrent?: number;
  halfOpenSuccessThreshold?: number;
  slowCallDurationThresholdMs?: number;
  callTimeoutMs?: number;
  maxConcurrentCalls?: number;
  isFailure?: (error: unknown) => boolean;
}

export type CircuitEvent =
  | { type: 'state'; from: CircuitState; to: CircuitState }
  | { type: 'success'; durationMs: number }
  | { type: 'failure'; durationMs: number; slow: boolean; error?: unknown }
  | { type: 'rejected'; error: CircuitOpenError | BulkheadFullError };

export type CircuitListener = (event: CircuitEvent) => void;

export interface ExecuteOptions<T> {
  fallback?: (error: unknown) => T | Promise<T>;
}

export class CircuitOpenError extends Error {
  readonly code = 'CIRCUIT_OPEN';
  readonly state: CircuitState;
  constructor(state: CircuitState) {
    super(state === 'open' ? 'the circuit is open: call not permitted' : 'the circuit is half-open and every probe slot is taken');
    this.name = 'CircuitOpenError';
    this.state = state;
  }
}

export class BulkheadFullError extends Error {
  readonly code = 'BULKHEAD_FULL';
  readonly maxConcurrentCalls: number;
  constructor(maxConcurrentCalls: number) {
    super(`the bulkhead is full: ${maxConcurrentCalls} calls already in flight`);
    this.name = 'BulkheadFullError';
    this.maxConcurrentCalls = maxConcurrentCalls;
  }
}

export class TimeoutError extends Error {
  readonly code = 'CALL_TIMEOUT';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`the call did not settle within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

function wholeAtLeastOne(options: Record<string, unknown>, name: string, fallback?: number): number {
  const value = options[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1`);
  return value;
}

function positive(options: Record<string, unknown>, name: string): number {
  const value = options[name];
  if (value === undefined) return Infinity;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a finite number > 0`);
  return value;
}

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #windowSize: number;
  readonly #minimumCalls: number;
  readonly #waitMs: number;
  readonly #probeLimit: number;
  readonly #successesToClose: number;
  readonly #slowMs: number;
  readonly #timeoutMs: number;
  readonly #maxConcurrent: number;
  readonly #isFailure: (error: unknown) => boolean;

  #state: CircuitState = 'closed';
  /** Bumped on every state change and reset: an outcome counts only in the epoch it was admitted in. */
  #epoch = 0;
  // The closed state's window: a ring of the last #windowSize outcomes (1 = failure).
  #ring: Uint8Array;
  #next = 0;
  #recorded = 0;
  #failures = 0;
  // The half-open state's counts.
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = 0;
  readonly #listeners = new Set<CircuitListener>();

  constructor(options: CircuitBreakerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const o = options as unknown as Record<string, unknown>;
    const threshold = o.failureRateThreshold;
    if (typeof threshold !== 'number') throw new TypeError('failureRateThreshold must be a number');
    if (!(threshold > 0 && threshold <= 100)) throw new RangeError('failureRateThreshold must be in (0, 100]');
    this.#threshold = threshold;
    this.#windowSize = wholeAtLeastOne(o, 'slidingWindowSize');
    this.#minimumCalls = wholeAtLeastOne(o, 'minimumNumberOfCalls', this.#windowSize);
    if (this.#minimumCalls > this.#windowSize) throw new RangeError('minimumNumberOfCalls must not exceed slidingWindowSize');
    if (o.waitDurationInOpenStateMs === undefined) throw new TypeError('waitDurationInOpenStateMs must be a number');
    this.#waitMs = positive(o, 'waitDurationInOpenStateMs');
    this.#probeLimit = wholeAtLeastOne(o, 'halfOpenMaxConcurrent', 1);
    this.#successesToClose = wholeAtLeastOne(o, 'halfOpenSuccessThreshold', 1);
    this.#slowMs = positive(o, 'slowCallDurationThresholdMs');
    this.#timeoutMs = positive(o, 'callTimeoutMs');
    this.#maxConcurrent = wholeAtLeastOne(o, 'maxConcurrentCalls', Infinity);
    const isFailure = o.isFailure;
    if (isFailure !== undefined && typeof isFailure !== 'function') throw new TypeError('isFailure must be a function');
    this.#isFailure = (isFailure as ((error: unknown) => boolean) | undefined) ?? (() => true);
    this.#ring = new Uint8Array(this.#windowSize);
  }

  get state(): CircuitState {
    return this.#state;
  }

  on(listener: CircuitListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.#listeners.add(listener);
    return () => this.off(listener);
  }

  off(listener: CircuitListener): void {
    this.#listeners.delete(listener);
  }

  reset(): void {
    if (this.#state === 'closed') this.#enter('closed');
    else this.#transition('closed');
  }

  execute<T>(fn: (context: { signal: AbortSignal }) => T | Promise<T>, options?: ExecuteOptions<T>): Promise<T> {
    if (typeof fn !== 'function') return Promise.reject(new TypeError('fn must be a function'));
    if (options !== undefined && (typeof options !== 'object' || options === null)) return Promise.reject(new TypeError('options must be an object'));
    const fallback = options?.fallback;
    if (fallback !== undefined && typeof fallback !== 'function') return Promise.reject(new TypeError('fallback must be a function'));

    let rejection: CircuitOpenError | BulkheadFullError | undefined;
    if (this.#state === 'open') rejection = new CircuitOpenError('open');
    else if (this.#state === 'half-open' && this.#probesInFlight >= this.#probeLimit) rejection = new CircuitOpenError('half-open');
    else if (this.#inFlight >= this.#maxConcurrent) rejection = new BulkheadFullError(this.#maxConcurrent);
    if (rejection) {
      this.#emit({ type: 'rejected', error: rejection });
      return this.#fail(rejection, fallback);
    }

    const epoch = this.#epoch;
    const probe = this.#state === 'half-open';
    if (probe) this.#probesInFlight += 1;
    this.#inFlight += 1;
    const startedAt = Date.now();
    const controller = new AbortController();

    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (outcome: 'value' | 'error' | 'timeout', result: unknown): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        this.#inFlight -= 1;
        if (probe && epoch === this.#epoch) this.#probesInFlight -= 1;
        const durationMs = Date.now() - startedAt;
        const slow = durationMs > this.#slowMs;
        let counted = outcome === 'timeout';
        if (outcome === 'error') {
          try {
            counted = this.#isFailure(result) !== false;
          } catch {
            counted = true;
          }
        }
        if (counted || slow) {
          this.#emit(outcome === 'value' ? { type: 'failure', durationMs, slow } : { type: 'failure', durationMs, slow, error: result });
        } else {
          this.#emit({ type: 'success', durationMs });
        }
        if (epoch === this.#epoch) this.#record(counted || slow);
        if (outcome === 'value') resolve(result as T);
        else if (counted) this.#fail(result, fallback).then(resolve, reject);
        else reject(result);
      };
      if (this.#timeoutMs !== Infinity) {
        timer = setTimeout(() => {
          const error = new TimeoutError(this.#timeoutMs);
          finish('timeout', error);
          controller.abort(error);
        }, this.#timeoutMs);
      }
      let result: T | Promise<T>;
      try {
        result = fn({ signal: controller.signal });
      } catch (error) {
        finish('error', error);
        return;
      }
      Promise.resolve(result).then(
        (value) => finish('value', value),
        (error: unknown) => finish('error', error),
      );
    });
  }

  #fail<T>(error: unknown, fallback: ExecuteOptions<T>['fallback']): Promise<T> {
    if (!fallback) return Promise.reject(error);
    try {
      return Promise.resolve(fallback(error));
    } catch (fallbackError) {
      return Promise.reject(fallbackError);
    }
  }

  #record(failed: boolean): void {
    if (this.#state === 'closed') {
      if (this.#recorded === this.#windowSize) this.#failures -= this.#ring[this.#next]!;
      else this.#recorded += 1;
      this.#ring[this.#next] = failed ? 1 : 0;
      this.#next = (this.#next + 1) % this.#windowSize;
      if (failed) this.#failures += 1;
      if (this.#recorded >= this.#minimumCalls && this.#failures * 100 >= this.#threshold * this.#recorded) this.#transition('open');
    } else if (this.#state === 'half-open') {
      if (failed) this.#transition('open');
      else if (++this.#probeSuccesses >= this.#successesToClose) this.#transition('closed');
    }
  }

  #transition(to: CircuitState): void {
    const from = this.#state;
    this.#enter(to);
    this.#emit({ type: 'state', from, to });
  }

  #enter(to: CircuitState): void {
    this.#state = to;
    this.#epoch += 1;
    this.#ring.fill(0);
    this.#next = 0;
    this.#recorded = 0;
    this.#failures = 0;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    if (this.#openTimer !== undefined) {
      clearTimeout(this.#openTimer);
      this.#openTimer = undefined;
    }
    if (to === 'open') {
      this.#openTimer = setTimeout(() => {
        this.#openTimer = undefined;
        this.#transition('half-open');
      }, this.#waitMs);
      (this.#openTimer as { unref?: () => void }).unref?.();
    }
  }

  #emit(event: CircuitEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A monitoring listener must never break a call or the listeners after it.
      }
    }
  }
}
