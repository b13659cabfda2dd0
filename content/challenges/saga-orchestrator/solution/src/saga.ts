// A saga orchestrator with a durable log. Every run is a recovery: it reads the saga's log,
// rebuilds where the saga stands, and drives it from there. A fresh saga is simply one
// whose log is empty.

/** What the orchestrator appends to the log. Plain, structured-cloneable data. */
export type SagaRecord = Record<string, unknown>;

export interface SagaLog {
  append(sagaId: string, record: SagaRecord): Promise<void>;
  read(sagaId: string): Promise<SagaRecord[]>;
}

export interface StepContext {
  readonly sagaId: string;
  readonly step: string;
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly input: unknown;
  readonly results: Readonly<Record<string, unknown>>;
}

export interface SagaStep {
  name: string;
  execute(ctx: StepContext): unknown;
  compensate?(ctx: StepContext): unknown;
  pivot?: boolean;
}

export interface SagaOrchestratorOptions {
  log: SagaLog;
  steps: readonly SagaStep[];
  maxAttempts?: number;
  maxCompensationAttempts?: number;
  backoffMs?: number;
}

export type SagaStatus = 'completed' | 'compensated' | 'needs-attention';

export interface SagaResult {
  sagaId: string;
  status: SagaStatus;
  failedStep?: string;
  stuckStep?: string;
}

type Phase = 'started' | 'succeeded' | 'failed';

/** Where a saga stands, rebuilt from its log. */
interface SagaState {
  started: boolean;
  input: unknown;
  results: Record<string, unknown>;
  execute: Map<string, Phase>;
  executeFailures: Map<string, number>;
  compensateStarted: Set<string>;
  compensated: Set<string>;
  compensateFailures: Map<string, number>;
  failedStep: string | undefined;
  ended: SagaResult | undefined;
}

function isWhole(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

function checkNumber(name: string, value: unknown, fallback: number, whole: boolean, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (whole ? !isWhole(value, min) : !(Number.isFinite(value) && value >= min)) {
    throw new RangeError(`${name} must be ${whole ? 'a whole number' : 'a finite number'} >= ${min}`);
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SagaOrchestrator {
  readonly #log: SagaLog;
  readonly #steps: readonly SagaStep[];
  readonly #pivot: number;
  readonly #maxAttempts: number;
  readonly #maxCompensationAttempts: number;
  readonly #backoffMs: number;
  readonly #running = new Map<string, Promise<SagaResult>>();

  constructor(options: SagaOrchestratorOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const { log, steps } = options;
    if (typeof log !== 'object' || log === null || typeof log.append !== 'function' || typeof log.read !== 'function') {
      throw new TypeError('log must have append and read methods');
    }
    if (!Array.isArray(steps)) throw new TypeError('steps must be an array');
    const names = new Set<string>();
    let pivot = -1;
    steps.forEach((step: SagaStep, index: number) => {
      if (typeof step !== 'object' || step === null) throw new TypeError(`step ${index} must be an object`);
      if (typeof step.name !== 'string' || step.name === '') throw new TypeError(`step ${index} needs a non-empty name`);
      if (names.has(step.name)) throw new TypeError(`duplicate step name "${step.name}"`);
      names.add(step.name);
      if (typeof step.execute !== 'function') throw new TypeError(`step "${step.name}" needs an execute function`);
      if (step.compensate !== undefined && typeof step.compensate !== 'function') {
        throw new TypeError(`step "${step.name}": compensate must be a function`);
      }
      if (step.pivot !== undefined && typeof step.pivot !== 'boolean') throw new TypeError(`step "${step.name}": pivot must be a boolean`);
      if (step.pivot) {
        if (pivot !== -1) throw new TypeError('at most one step may be the pivot');
        pivot = index;
      }
    });
    this.#log = log;
    this.#steps = [...steps];
    this.#pivot = pivot;
    this.#maxAttempts = checkNumber('maxAttempts', options.maxAttempts, 3, true, 1);
    this.#maxCompensationAttempts = checkNumber('maxCompensationAttempts', options.maxCompensationAttempts, 5, true, 1);
    this.#backoffMs = checkNumber('backoffMs', options.backoffMs, 100, false, 0);
  }

  run(sagaId: string, input?: unknown): Promise<SagaResult> {
    if (typeof sagaId !== 'string' || sagaId === '') return Promise.reject(new TypeError('sagaId must be a non-empty string'));
    const running = this.#running.get(sagaId);
    if (running) return running;
    const promise = this.#drive(sagaId, input).finally(() => this.#running.delete(sagaId));
    this.#running.set(sagaId, promise);
    return promise;
  }

  async #drive(sagaId: string, input: unknown): Promise<SagaResult> {
    const state = this.#replay(sagaId, await this.#log.read(sagaId));
    if (state.ended) return state.ended;
    const append = (record: SagaRecord) => this.#log.append(sagaId, record);

    if (!state.started) {
      await append({ type: 'saga-started', input });
      state.started = true;
      state.input = input;
    }

    if (state.failedStep === undefined) {
      // Forward: the first step whose execute has not succeeded. A step logged as started
      // without an outcome is in doubt; it is re-driven with the same key, and the
      // participant's deduplication makes that safe.
      for (let index = 0; index < this.#steps.length; index++) {
        const step = this.#steps[index]!;
        if (state.execute.get(step.name) === 'succeeded') continue;
        if (state.execute.get(step.name) !== 'started') {
          await append({ type: 'execute-started', step: step.name });
          state.execute.set(step.name, 'started');
        }
        const ok = await this.#execute(sagaId, step, state, append);
        if (ok) continue;
        // The decision, logged before any compensation acts on it: a recovery must never
        // re-drive a step the saga has given up on.
        await append({ type: 'execute-failed', step: step.name });
        state.execute.set(step.name, 'failed');
        state.failedStep = step.name;
        break;
      }
      if (state.failedStep === undefined) return this.#end(sagaId, append, { sagaId, status: 'completed' });
    }

    const failedIndex = this.#steps.findIndex((step) => step.name === state.failedStep);
    if (this.#pivot !== -1 && failedIndex > this.#pivot) {
      // Past the pivot the saga can only go forward: nothing is compensated.
      return this.#end(sagaId, append, { sagaId, status: 'needs-attention', failedStep: state.failedStep, stuckStep: state.failedStep });
    }
    for (let index = failedIndex - 1; index >= 0; index--) {
      const step = this.#steps[index]!;
      if (!step.compensate || state.execute.get(step.name) !== 'succeeded' || state.compensated.has(step.name)) continue;
      if (!state.compensateStarted.has(step.name)) {
        await append({ type: 'compensate-started', step: step.name });
        state.compensateStarted.add(step.name);
      }
      const ok = await this.#compensate(sagaId, step, state, append);
      if (!ok) {
        return this.#end(sagaId, append, { sagaId, status: 'needs-attention', failedStep: state.failedStep, stuckStep: step.name });
      }
    }
    return this.#end(sagaId, append, { sagaId, status: 'compensated', failedStep: state.failedStep });
  }

  async #end(sagaId: string, append: (record: SagaRecord) => Promise<void>, result: SagaResult): Promise<SagaResult> {
    await append({ type: 'saga-ended', ...result });
    return result;
  }

  #context(sagaId: string, step: SagaStep, action: 'execute' | 'compensate', attempt: number, state: SagaState): StepContext {
    return Object.freeze({
      sagaId,
      step: step.name,
      idempotencyKey: `${sagaId}:${step.name}:${action}`,
      attempt,
      input: state.input,
      results: Object.freeze({ ...state.results }),
    });
  }

  /** Attempts a step's execute until it succeeds or runs out of attempts. Log failures throw. */
  async #execute(sagaId: string, step: SagaStep, state: SagaState, append: (record: SagaRecord) => Promise<void>): Promise<boolean> {
    for (;;) {
      const failures = state.executeFailures.get(step.name) ?? 0;
      if (failures >= this.#maxAttempts) return false;
      if (failures > 0) await sleep(this.#backoffMs * 2 ** (failures - 1));
      let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await step.execute(this.#context(sagaId, step, 'execute', failures + 1, state)) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (outcome.ok) {
        await append({ type: 'execute-succeeded', step: step.name, result: outcome.value });
        state.execute.set(step.name, 'succeeded');
        state.results[step.name] = outcome.value;
        return true;
      }
      await append({ type: 'execute-attempt-failed', step: step.name, attempt: failures + 1, error: messageOf(outcome.error) });
      state.executeFailures.set(step.name, failures + 1);
    }
  }

  async #compensate(sagaId: string, step: SagaStep, state: SagaState, append: (record: SagaRecord) => Promise<void>): Promise<boolean> {
    for (;;) {
      const failures = state.compensateFailures.get(step.name) ?? 0;
      if (failures >= this.#maxCompensationAttempts) return false;
      if (failures > 0) await sleep(this.#backoffMs * 2 ** (failures - 1));
      let failed = false;
      let error: unknown;
      try {
        await step.compensate!(this.#context(sagaId, step, 'compensate', failures + 1, state));
      } catch (caught) {
        failed = true;
        error = caught;
      }
      if (!failed) {
        await append({ type: 'compensate-succeeded', step: step.name });
        state.compensated.add(step.name);
        return true;
      }
      await append({ type: 'compensate-attempt-failed', step: step.name, attempt: failures + 1, error: messageOf(error) });
      state.compensateFailures.set(step.name, failures + 1);
    }
  }

  #replay(sagaId: string, records: SagaRecord[]): SagaState {
    const state: SagaState = {
      started: false,
      input: undefined,
      results: {},
      execute: new Map(),
      executeFailures: new Map(),
      compensateStarted: new Set(),
      compensated: new Set(),
      compensateFailures: new Map(),
      failedStep: undefined,
      ended: undefined,
    };
    for (const record of records) {
      const step = record.step as string;
      switch (record.type) {
        case 'saga-started':
          state.started = true;
          state.input = record.input;
          break;
        case 'execute-started':
          state.execute.set(step, 'started');
          break;
        case 'execute-attempt-failed':
          state.executeFailures.set(step, record.attempt as number);
          break;
        case 'execute-succeeded':
          state.execute.set(step, 'succeeded');
          state.results[step] = record.result;
          break;
        case 'execute-failed':
          state.execute.set(step, 'failed');
          state.failedStep = step;
          break;
        case 'compensate-started':
          state.compensateStarted.add(step);
          break;
        case 'compensate-attempt-failed':
          state.compensateFailures.set(step, record.attempt as number);
          break;
        case 'compensate-succeeded':
          state.compensated.add(step);
          break;
        case 'saga-ended': {
          const result: SagaResult = { sagaId, status: record.status as SagaStatus };
          if (record.failedStep !== undefined) result.failedStep = record.failedStep as string;
          if (record.stuckStep !== undefined) result.stuckStep = record.stuckStep as string;
          state.ended = result;
          break;
        }
      }
    }
    return state;
  }
}
