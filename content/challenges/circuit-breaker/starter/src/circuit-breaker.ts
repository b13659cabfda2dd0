// Implement the circuit breaker described in README.md. The tests in test/ use only this public API.
// Read time only with Date.now() and wait only with the global setTimeout/clearTimeout.

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

export class CircuitBreaker {
  constructor(options: CircuitBreakerOptions) {
    void options;
    throw new Error('Not implemented');
  }

  /** The current state. */
  get state(): CircuitState {
    throw new Error('Not implemented');
  }

  /** Runs fn through the breaker, the bulkhead and the timeout. */
  execute<T>(fn: (context: { signal: AbortSignal }) => T | Promise<T>, options?: ExecuteOptions<T>): Promise<T> {
    void fn;
    void options;
    return Promise.reject(new Error('Not implemented'));
  }

  /** Subscribes a listener; returns the function that unsubscribes it. */
  on(listener: CircuitListener): () => void {
    void listener;
    throw new Error('Not implemented');
  }

  off(listener: CircuitListener): void {
    void listener;
    throw new Error('Not implemented');
  }

  /** Forces the breaker closed with an empty window. */
  reset(): void {
    throw new Error('Not implemented');
  }
}
