// Alternative: an explicit phase-and-cursor state machine that logs an intent before every single attempt and an explicit abort decision; recovery re-drives a pending intent with its own attempt number.
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

type Action = 'execute' | 'compensate';

interface Machine {
  input: unknown;
  begun: boolean;
  phase: 'forward' | 'backward' | 'done';
  /** forward: the step being executed; backward: the step being compensated (or -1). */
  cursor: number;
  failed: number;
  /** Attempts finished (failed) for the call at the cursor. */
  failures: number;
  /** An attempt whose intent is logged and whose outcome is not. */
  pending: number | undefined;
  results: Record<string, unknown>;
  executed: Set<number>;
  result: SagaResult | undefined;
}

function numberOption(name: string, value: unknown, fallback: number, whole: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  const good = whole ? Number.isInteger(value) && value >= 1 : Number.isFinite(value) && value >= 0;
  if (!good) throw new RangeError(`${name} is out of range`);
  return value;
}

export class SagaOrchestrator {
  #log: SagaLog;
  #steps: SagaStep[];
  #pivot: number;
  #max: number;
  #maxCompensation: number;
  #backoff: number;
  #runs = new Map<string, Promise<SagaResult>>();

  constructor(options: SagaOrchestratorOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options');
    const { log, steps } = options;
    if (typeof log?.append !== 'function' || typeof log?.read !== 'function') throw new TypeError('log');
    if (!Array.isArray(steps)) throw new TypeError('steps');
    const pivots: number[] = [];
    steps.forEach((step: SagaStep, i: number) => {
      if (typeof step !== 'object' || step === null) throw new TypeError('step');
      if (typeof step.name !== 'string' || !step.name) throw new TypeError('step name');
      if (steps.findIndex((other: SagaStep) => other?.name === step.name) !== i) throw new TypeError('duplicate step name');
      if (typeof step.execute !== 'function') throw new TypeError('execute');
      if ('compensate' in step && step.compensate !== undefined && typeof step.compensate !== 'function') throw new TypeError('compensate');
      if ('pivot' in step && step.pivot !== undefined && typeof step.pivot !== 'boolean') throw new TypeError('pivot');
      if (step.pivot) pivots.push(i);
    });
    if (pivots.length > 1) throw new TypeError('more than one pivot');
    this.#log = log;
    this.#steps = [...steps];
    this.#pivot = pivots[0] ?? steps.length;
    this.#max = numberOption('maxAttempts', options.maxAttempts, 3, true);
    this.#maxCompensation = numberOption('maxCompensationAttempts', options.maxCompensationAttempts, 5, true);
    this.#backoff = numberOption('backoffMs', options.backoffMs, 100, false);
  }

  run(sagaId: string, input?: unknown): Promise<SagaResult> {
    if (typeof sagaId !== 'string' || sagaId === '') return Promise.reject(new TypeError('sagaId'));
    const existing = this.#runs.get(sagaId);
    if (existing) return existing;
    const run = (async () => {
      try {
        return await this.#drive(sagaId, input);
      } finally {
        this.#runs.delete(sagaId);
      }
    })();
    this.#runs.set(sagaId, run);
    return run;
  }

  /** Applies one record to the machine: the same function replays the log and moves a live run. */
  #apply(m: Machine, sagaId: string, r: SagaRecord): void {
    switch (r.op) {
      case 'begin':
        m.begun = true;
        m.input = r.input;
        return;
      case 'intent':
        m.pending = r.attempt as number;
        return;
      case 'outcome':
        m.pending = undefined;
        if (!r.ok) {
          m.failures++;
          return;
        }
        m.failures = 0;
        if (m.phase === 'forward') {
          m.results[this.#steps[m.cursor]!.name] = r.value;
          m.executed.add(m.cursor);
          m.cursor++;
        } else {
          m.cursor--;
        }
        return;
      case 'abort':
        m.failed = m.cursor;
        m.phase = 'backward';
        m.cursor = m.cursor - 1;
        m.failures = 0;
        return;
      case 'end':
        m.phase = 'done';
        m.result = { sagaId, status: r.status as SagaStatus };
        if (typeof r.failedStep === 'string') m.result.failedStep = r.failedStep;
        if (typeof r.stuckStep === 'string') m.result.stuckStep = r.stuckStep;
        return;
    }
  }

  async #drive(sagaId: string, input: unknown): Promise<SagaResult> {
    const m: Machine = {
      input, begun: false, phase: 'forward', cursor: 0, failed: -1, failures: 0, pending: undefined,
      results: {}, executed: new Set(), result: undefined,
    };
    for (const record of await this.#log.read(sagaId)) this.#apply(m, sagaId, record);
    const write = async (record: SagaRecord) => {
      await this.#log.append(sagaId, record);
      this.#apply(m, sagaId, record);
    };
    if (!m.begun) await write({ op: 'begin', input });
    for (;;) {
      if (m.phase === 'done') return m.result!;
      if (m.phase === 'backward') {
        // Skip what needs no compensation.
        while (m.cursor >= 0 && !this.#steps[m.cursor]!.compensate) m.cursor--;
        if (m.cursor < 0) {
          await write({ op: 'end', status: 'compensated', failedStep: this.#steps[m.failed]!.name });
          continue;
        }
        if (m.pending === undefined && m.failures >= this.#maxCompensation) {
          await write({ op: 'end', status: 'needs-attention', failedStep: this.#steps[m.failed]!.name, stuckStep: this.#steps[m.cursor]!.name });
          continue;
        }
        await this.#attempt(m, sagaId, 'compensate', write);
        continue;
      }
      if (m.cursor >= this.#steps.length) {
        await write({ op: 'end', status: 'completed' });
        continue;
      }
      if (m.pending === undefined && m.failures >= this.#max) {
        const name = this.#steps[m.cursor]!.name;
        if (m.cursor > this.#pivot) await write({ op: 'end', status: 'needs-attention', failedStep: name, stuckStep: name });
        else await write({ op: 'abort' });
        continue;
      }
      await this.#attempt(m, sagaId, 'execute', write);
    }
  }

  async #attempt(m: Machine, sagaId: string, action: Action, write: (record: SagaRecord) => Promise<void>): Promise<void> {
    const step = this.#steps[m.cursor]!;
    let attempt = m.pending;
    if (attempt === undefined) {
      attempt = m.failures + 1;
      if (m.failures > 0) await new Promise<void>((resolve) => setTimeout(resolve, this.#backoff * 2 ** (m.failures - 1)));
      await write({ op: 'intent', action, attempt });
    }
    const ctx: StepContext = Object.freeze({
      sagaId,
      step: step.name,
      idempotencyKey: `${sagaId}:${step.name}:${action}`,
      attempt,
      input: m.input,
      results: Object.freeze({ ...m.results }),
    });
    let ok = true;
    let value: unknown;
    try {
      value = action === 'execute' ? await step.execute(ctx) : await step.compensate!(ctx);
    } catch {
      ok = false;
    }
    await write(ok ? { op: 'outcome', ok, value: action === 'execute' ? value : null } : { op: 'outcome', ok });
  }
}
