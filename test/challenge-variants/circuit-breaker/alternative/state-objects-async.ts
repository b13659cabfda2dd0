// Alternative: one object per state (its identity replaces the epoch counter), a plain array window with shift, async/await with Promise.race for the timeout, and a Set of permits for the bulkhead.
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
    super(`circuit ${state}: call not permitted`);
    this.name = 'CircuitOpenError';
    this.state = state;
  }
}

export class BulkheadFullError extends Error {
  readonly code = 'BULKHEAD_FULL';
  readonly maxConcurrentCalls: number;
  constructor(maxConcurrentCalls: number) {
    super('bulkhead full');
    this.name = 'BulkheadFullError';
    this.maxConcurrentCalls = maxConcurrentCalls;
  }
}

export class TimeoutError extends Error {
  readonly code = 'CALL_TIMEOUT';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

interface Closed { name: 'closed'; verdicts: boolean[] }
interface Open { name: 'open'; timer: ReturnType<typeof setTimeout> }
interface HalfOpen { name: 'half-open'; probes: number; successes: number }
type StateObject = Closed | Open | HalfOpen;

type Settled<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout'; error: TimeoutError };

interface Config {
  threshold: number;
  size: number;
  minimum: number;
  waitMs: number;
  probeLimit: number;
  successes: number;
  slowMs: number | undefined;
  timeoutMs: number | undefined;
  maxConcurrent: number | undefined;
  isFailure: (error: unknown) => boolean;
}

function num(o: Record<string, unknown>, key: string, required: boolean, whole: boolean, min: number, exclusive: boolean): number | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number') throw new TypeError(`${key}: expected a number`);
  if (!Number.isFinite(v) || (whole && !Number.isInteger(v)) || (exclusive ? v <= min : v < min)) throw new RangeError(`${key}: out of range`);
  return v;
}

export class CircuitBreaker {
  readonly #c: Config;
  #s: StateObject = { name: 'closed', verdicts: [] };
  readonly #permits = new Set<object>();
  readonly #listeners: CircuitListener[] = [];

  constructor(options: CircuitBreakerOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('options: expected an object');
    const o = options as unknown as Record<string, unknown>;
    const threshold = num(o, 'failureRateThreshold', true, false, 0, true)!;
    if (threshold > 100) throw new RangeError('failureRateThreshold: at most 100');
    const size = num(o, 'slidingWindowSize', true, true, 1, false)!;
    const minimum = num(o, 'minimumNumberOfCalls', false, true, 1, false) ?? size;
    if (minimum > size) throw new RangeError('minimumNumberOfCalls: above slidingWindowSize');
    const waitMs = num(o, 'waitDurationInOpenStateMs', true, false, 0, true)!;
    const probeLimit = num(o, 'halfOpenMaxConcurrent', false, true, 1, false) ?? 1;
    const successes = num(o, 'halfOpenSuccessThreshold', false, true, 1, false) ?? 1;
    const slowMs = num(o, 'slowCallDurationThresholdMs', false, false, 0, true);
    const timeoutMs = num(o, 'callTimeoutMs', false, false, 0, true);
    const maxConcurrent = num(o, 'maxConcurrentCalls', false, true, 1, false);
    if (o.isFailure !== undefined && typeof o.isFailure !== 'function') throw new TypeError('isFailure: expected a function');
    const isFailure = (o.isFailure as ((e: unknown) => boolean) | undefined) ?? (() => true);
    this.#c = { threshold, size, minimum, waitMs, probeLimit, successes, slowMs, timeoutMs, maxConcurrent, isFailure };
  }

  get state(): CircuitState {
    return this.#s.name;
  }

  on(listener: CircuitListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener: expected a function');
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
    return () => this.off(listener);
  }

  off(listener: CircuitListener): void {
    const i = this.#listeners.indexOf(listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  reset(): void {
    if (this.#s.name === 'closed') this.#s = { name: 'closed', verdicts: [] };
    else this.#go('closed');
  }

  async execute<T>(fn: (context: { signal: AbortSignal }) => T | Promise<T>, options?: ExecuteOptions<T>): Promise<T> {
    if (typeof fn !== 'function') throw new TypeError('fn: expected a function');
    if (options !== undefined && (options === null || typeof options !== 'object')) throw new TypeError('options: expected an object');
    const fallback = options?.fallback;
    if (fallback !== undefined && typeof fallback !== 'function') throw new TypeError('fallback: expected a function');

    const s = this.#s;
    let rejection: CircuitOpenError | BulkheadFullError | undefined;
    if (s.name === 'open' || (s.name === 'half-open' && s.probes >= this.#c.probeLimit)) rejection = new CircuitOpenError(s.name);
    else if (this.#c.maxConcurrent !== undefined && this.#permits.size >= this.#c.maxConcurrent) rejection = new BulkheadFullError(this.#c.maxConcurrent);
    if (rejection) {
      this.#emit({ type: 'rejected', error: rejection });
      if (!fallback) throw rejection;
      return await fallback(rejection);
    }

    const permit = {};
    this.#permits.add(permit);
    if (s.name === 'half-open') s.probes += 1;
    const started = Date.now();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt: Promise<Settled<T>> = (async () => {
      try {
        return { kind: 'value', value: await fn({ signal: controller.signal }) } as const;
      } catch (error) {
        return { kind: 'error', error } as const;
      }
    })();
    const contenders: Promise<Settled<T>>[] = [attempt];
    if (this.#c.timeoutMs !== undefined) {
      const ms = this.#c.timeoutMs;
      contenders.push(new Promise<Settled<T>>((resolve) => {
        timer = setTimeout(() => {
          const error = new TimeoutError(ms);
          controller.abort(error);
          resolve({ kind: 'timeout', error });
        }, ms);
      }));
    }
    const settled = await Promise.race(contenders);
    clearTimeout(timer);
    this.#permits.delete(permit);
    if (s.name === 'half-open' && this.#s === s) s.probes -= 1;

    const durationMs = Date.now() - started;
    const slow = this.#c.slowMs !== undefined && durationMs > this.#c.slowMs;
    let counts = settled.kind === 'timeout';
    if (settled.kind === 'error') {
      try {
        counts = Boolean(this.#c.isFailure(settled.error));
      } catch {
        counts = true;
      }
    }
    const failed = counts || slow;
    if (!failed) this.#emit({ type: 'success', durationMs });
    else if (settled.kind === 'value') this.#emit({ type: 'failure', durationMs, slow });
    else this.#emit({ type: 'failure', durationMs, slow, error: settled.error });
    if (this.#s === s) this.#verdict(failed);

    if (settled.kind === 'value') return settled.value;
    if (counts && fallback) return await fallback(settled.error);
    throw settled.error;
  }

  #verdict(failed: boolean): void {
    const s = this.#s;
    if (s.name === 'closed') {
      s.verdicts.push(failed);
      if (s.verdicts.length > this.#c.size) s.verdicts.shift();
      const failures = s.verdicts.filter(Boolean).length;
      if (s.verdicts.length >= this.#c.minimum && failures * 100 >= this.#c.threshold * s.verdicts.length) this.#go('open');
    } else if (s.name === 'half-open') {
      if (failed) this.#go('open');
      else {
        s.successes += 1;
        if (s.successes >= this.#c.successes) this.#go('closed');
      }
    }
  }

  #go(to: CircuitState): void {
    const from = this.#s;
    if (from.name === 'open') clearTimeout(from.timer);
    if (to === 'closed') this.#s = { name: 'closed', verdicts: [] };
    else if (to === 'half-open') this.#s = { name: 'half-open', probes: 0, successes: 0 };
    else {
      const timer = setTimeout(() => {
        if (this.#s.name === 'open' && this.#s.timer === timer) this.#go('half-open');
      }, this.#c.waitMs);
      timer.unref?.();
      this.#s = { name: 'open', timer };
    }
    this.#emit({ type: 'state', from: from.name, to });
  }

  #emit(event: CircuitEvent): void {
    for (const listener of this.#listeners.slice()) {
      try {
        listener(event);
      } catch {
        // ignored: monitoring must not break calls
      }
    }
  }
}
