// Alternative: per-call tickets invalidated on each state change (instead of an epoch number), a linked-list window, options checked from a table, and the timeout settled from the abort event of the call's own signal.
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

interface Ticket {
  live: boolean;
  probe: boolean;
}

interface Node {
  failed: boolean;
  next: Node | undefined;
}

/** A queue of verdicts with a running failure count: a linked list instead of a ring. */
class Window {
  #head: Node | undefined;
  #tail: Node | undefined;
  length = 0;
  failures = 0;
  readonly #capacity: number;
  constructor(capacity: number) {
    this.#capacity = capacity;
  }
  push(failed: boolean): void {
    const node: Node = { failed, next: undefined };
    if (this.#tail) this.#tail.next = node;
    else this.#head = node;
    this.#tail = node;
    this.length += 1;
    if (failed) this.failures += 1;
    if (this.length > this.#capacity) {
      const old = this.#head!;
      this.#head = old.next;
      this.length -= 1;
      if (old.failed) this.failures -= 1;
    }
  }
}

const RANGE: Record<string, { whole: boolean; min: number; strict: boolean; max?: number }> = {
  failureRateThreshold: { whole: false, min: 0, strict: true, max: 100 },
  slidingWindowSize: { whole: true, min: 1, strict: false },
  minimumNumberOfCalls: { whole: true, min: 1, strict: false },
  waitDurationInOpenStateMs: { whole: false, min: 0, strict: true },
  halfOpenMaxConcurrent: { whole: true, min: 1, strict: false },
  halfOpenSuccessThreshold: { whole: true, min: 1, strict: false },
  slowCallDurationThresholdMs: { whole: false, min: 0, strict: true },
  callTimeoutMs: { whole: false, min: 0, strict: true },
  maxConcurrentCalls: { whole: true, min: 1, strict: false },
};
const REQUIRED = ['failureRateThreshold', 'slidingWindowSize', 'waitDurationInOpenStateMs'];

export class CircuitBreaker {
  readonly #o: Required<Omit<CircuitBreakerOptions, 'slowCallDurationThresholdMs' | 'callTimeoutMs' | 'maxConcurrentCalls'>> & CircuitBreakerOptions;
  #state: CircuitState = 'closed';
  #window: Window;
  #tickets = new Set<Ticket>();
  #probes = 0;
  #successes = 0;
  #inFlight = 0;
  #halfOpenTimer: ReturnType<typeof setTimeout> | undefined;
  #listeners = new Map<CircuitListener, true>();

  constructor(options: CircuitBreakerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const o = options as unknown as Record<string, unknown>;
    for (const [key, r] of Object.entries(RANGE)) {
      const v = o[key];
      if (v === undefined) {
        if (REQUIRED.includes(key)) throw new TypeError(`${key} is required`);
        continue;
      }
      if (typeof v !== 'number') throw new TypeError(`${key} must be a number`);
      const low = r.strict ? v <= r.min : v < r.min;
      if (!Number.isFinite(v) || (r.whole && !Number.isInteger(v)) || low || (r.max !== undefined && v > r.max)) throw new RangeError(`${key} is out of range`);
    }
    if (o.isFailure !== undefined && typeof o.isFailure !== 'function') throw new TypeError('isFailure must be a function');
    const minimum = options.minimumNumberOfCalls ?? options.slidingWindowSize;
    if (minimum > options.slidingWindowSize) throw new RangeError('minimumNumberOfCalls exceeds slidingWindowSize');
    this.#o = {
      ...options,
      minimumNumberOfCalls: minimum,
      halfOpenMaxConcurrent: options.halfOpenMaxConcurrent ?? 1,
      halfOpenSuccessThreshold: options.halfOpenSuccessThreshold ?? 1,
      isFailure: options.isFailure ?? (() => true),
    };
    this.#window = new Window(options.slidingWindowSize);
  }

  get state(): CircuitState {
    return this.#state;
  }

  on(listener: CircuitListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.#listeners.set(listener, true);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  off(listener: CircuitListener): void {
    this.#listeners.delete(listener);
  }

  reset(): void {
    this.#change('closed', this.#state !== 'closed');
  }

  execute<T>(fn: (context: { signal: AbortSignal }) => T | Promise<T>, options?: ExecuteOptions<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (typeof fn !== 'function' || (options !== undefined && (typeof options !== 'object' || options === null)) || (options?.fallback !== undefined && typeof options.fallback !== 'function')) {
        reject(new TypeError('execute(fn, { fallback }) takes functions'));
        return;
      }
      const fallback = options?.fallback;
      const giveUp = (error: unknown): void => {
        if (!fallback) return reject(error);
        try {
          resolve(fallback(error));
        } catch (fallbackError) {
          reject(fallbackError);
        }
      };
      const full = this.#o.maxConcurrentCalls !== undefined && this.#inFlight >= this.#o.maxConcurrentCalls;
      const shut = this.#state === 'open' || (this.#state === 'half-open' && this.#probes >= this.#o.halfOpenMaxConcurrent);
      if (shut || full) {
        const error = shut ? new CircuitOpenError(this.#state) : new BulkheadFullError(this.#o.maxConcurrentCalls!);
        this.#emit({ type: 'rejected', error });
        giveUp(error);
        return;
      }
      const ticket: Ticket = { live: true, probe: this.#state === 'half-open' };
      this.#tickets.add(ticket);
      if (ticket.probe) this.#probes += 1;
      this.#inFlight += 1;
      const startedAt = Date.now();
      const controller = new AbortController();
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (result: { value: T } | { error: unknown; timedOut: boolean }): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        this.#inFlight -= 1;
        this.#tickets.delete(ticket);
        if (ticket.live && ticket.probe) this.#probes -= 1;
        const durationMs = Date.now() - startedAt;
        const slow = this.#o.slowCallDurationThresholdMs !== undefined && durationMs > this.#o.slowCallDurationThresholdMs;
        let counts = false;
        if ('error' in result) {
          if (result.timedOut) counts = true;
          else {
            try {
              counts = !!this.#o.isFailure(result.error);
            } catch {
              counts = true;
            }
          }
        }
        if (counts || slow) this.#emit('error' in result ? { type: 'failure', durationMs, slow, error: result.error } : { type: 'failure', durationMs, slow });
        else this.#emit({ type: 'success', durationMs });
        if (ticket.live) this.#verdict(counts || slow);
        if ('value' in result) resolve(result.value);
        else if (counts) giveUp(result.error);
        else reject(result.error);
      };
      if (this.#o.callTimeoutMs !== undefined) {
        const ms = this.#o.callTimeoutMs;
        controller.signal.addEventListener('abort', () => settle({ error: controller.signal.reason, timedOut: true }), { once: true });
        timer = setTimeout(() => controller.abort(new TimeoutError(ms)), ms);
      }
      try {
        Promise.resolve(fn({ signal: controller.signal })).then(
          (value) => settle({ value }),
          (error: unknown) => settle({ error, timedOut: false }),
        );
      } catch (error) {
        settle({ error, timedOut: false });
      }
    });
  }

  #verdict(failed: boolean): void {
    if (this.#state === 'closed') {
      this.#window.push(failed);
      const w = this.#window;
      if (w.length >= this.#o.minimumNumberOfCalls && w.failures * 100 >= this.#o.failureRateThreshold * w.length) this.#change('open', true);
    } else if (this.#state === 'half-open') {
      if (failed) this.#change('open', true);
      else if (++this.#successes === this.#o.halfOpenSuccessThreshold) this.#change('closed', true);
    }
  }

  /** Enters a state afresh: every ticket in flight stops counting, every count starts at zero. */
  #change(to: CircuitState, announce: boolean): void {
    const from = this.#state;
    for (const ticket of this.#tickets) ticket.live = false;
    this.#tickets = new Set();
    this.#state = to;
    this.#window = new Window(this.#o.slidingWindowSize);
    this.#probes = 0;
    this.#successes = 0;
    clearTimeout(this.#halfOpenTimer);
    this.#halfOpenTimer = undefined;
    if (to === 'open') {
      this.#halfOpenTimer = setTimeout(() => this.#change('half-open', true), this.#o.waitDurationInOpenStateMs);
      this.#halfOpenTimer.unref?.();
    }
    if (announce) this.#emit({ type: 'state', from, to });
  }

  #emit(event: CircuitEvent): void {
    for (const listener of [...this.#listeners.keys()]) {
      try {
        listener(event);
      } catch {
        // swallowed on purpose
      }
    }
  }
}
