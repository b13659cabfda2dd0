// A deliberately small circuit breaker: a count-based window of the last N outcomes, a
// failure-rate threshold that is evaluated only after minimumNumberOfCalls, an open state
// that rejects without calling, and a half-open state that admits a fixed number of probes.
// It is modelled on Resilience4j's CircuitBreaker (same parameter names) but is NOT it.
// Not handled here (the circuit-breaker challenge builds these): time-based windows,
// slow-call rate, a per-call timeout (wrap the call yourself: see timeout-first.ts),
// which errors count as failures, and a probe that never settles (it holds its slot).
export type State = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface BreakerOptions {
  slidingWindowSize: number; // outcomes remembered while CLOSED
  minimumNumberOfCalls: number; // no verdict before this many outcomes
  failureRateThreshold: number; // percent; opens when rate >= threshold
  waitDurationInOpenStateMs: number;
  permittedNumberOfCallsInHalfOpenState: number;
  now?: () => number; // injectable clock (Date.now by default)
  onStateChange?: (from: State, to: State, why: string) => void;
}

export class CallNotPermittedError extends Error {
  readonly code = 'ERR_CIRCUIT_OPEN';
  constructor(name: string, state: State) {
    super(`circuit '${name}' is ${state}; call not permitted`);
    this.name = 'CallNotPermittedError';
  }
}

export class CircuitBreaker {
  readonly name: string;
  #opts: Required<Omit<BreakerOptions, 'onStateChange'>> & Pick<BreakerOptions, 'onStateChange'>;
  #state: State = 'CLOSED';
  #ring: boolean[] = []; // true = failure; a ring of at most slidingWindowSize entries
  #next = 0;
  #failures = 0;
  #openedAt = 0;
  #probesStarted = 0;
  #probeResults: boolean[] = [];
  #generation = 0;

  constructor(name: string, opts: BreakerOptions) {
    if (opts.minimumNumberOfCalls < 1 || opts.slidingWindowSize < 1) throw new RangeError('window sizes must be >= 1');
    if (!(opts.failureRateThreshold > 0 && opts.failureRateThreshold <= 100)) throw new RangeError('failureRateThreshold must be in (0, 100]');
    this.name = name;
    this.#opts = { now: Date.now, ...opts };
  }

  get state(): State {
    return this.#state;
  }

  async execute<T>(call: () => Promise<T>): Promise<T> {
    this.#acquire();
    const generation = this.#generation; // outcomes count only in the state they started in
    let failed = true;
    try {
      const value = await call();
      failed = false;
      return value;
    } finally {
      if (generation === this.#generation) {
        if (this.#state === 'HALF_OPEN') this.#onProbe(failed);
        else this.#record(failed);
      } // else: the state changed while the call was in flight; its outcome is dropped
    }
  }

  #acquire(): void {
    if (this.#state === 'OPEN') {
      if (this.#opts.now() - this.#openedAt < this.#opts.waitDurationInOpenStateMs) throw new CallNotPermittedError(this.name, 'OPEN');
      this.#transition('HALF_OPEN', 'wait duration elapsed');
    }
    if (this.#state === 'HALF_OPEN') {
      if (this.#probesStarted >= this.#opts.permittedNumberOfCallsInHalfOpenState) throw new CallNotPermittedError(this.name, 'HALF_OPEN');
      this.#probesStarted += 1;
    }
  }

  #record(failed: boolean): void {
    const size = this.#opts.slidingWindowSize;
    if (this.#ring.length < size) this.#ring.push(failed);
    else {
      if (this.#ring[this.#next]) this.#failures -= 1; // subtract on evict
      this.#ring[this.#next] = failed;
    }
    this.#next = (this.#next + 1) % size;
    if (failed) this.#failures += 1;
    const calls = this.#ring.length;
    if (calls < this.#opts.minimumNumberOfCalls) return;
    const rate = (this.#failures / calls) * 100;
    if (rate >= this.#opts.failureRateThreshold) this.#open(`failure rate ${rate.toFixed(0)}% of ${calls} calls`);
  }

  #onProbe(failed: boolean): void {
    this.#probeResults.push(failed);
    if (failed) return this.#open('a half-open probe failed');
    if (this.#probeResults.length === this.#opts.permittedNumberOfCallsInHalfOpenState) {
      this.#ring = [];
      this.#next = 0;
      this.#failures = 0;
      this.#transition('CLOSED', `${this.#probeResults.length} probes succeeded`);
    }
  }

  #open(why: string): void {
    this.#openedAt = this.#opts.now();
    this.#transition('OPEN', why);
  }

  #transition(to: State, why: string): void {
    const from = this.#state;
    this.#state = to;
    this.#generation += 1;
    this.#probesStarted = 0;
    this.#probeResults = [];
    this.#opts.onStateChange?.(from, to, why);
  }
}
