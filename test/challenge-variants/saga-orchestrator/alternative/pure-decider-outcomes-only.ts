// Alternative: a pure decide(records) function picks the next participant call from the log alone; only outcomes are logged (no intent records), and the driver just loops act, append, decide.
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
type Decision =
  | { kind: 'call'; action: Action; index: number; attempt: number }
  | { kind: 'end'; status: SagaStatus; failedStep?: string; stuckStep?: string };

interface Config {
  steps: readonly SagaStep[];
  pivot: number;
  maxAttempts: number;
  maxCompensationAttempts: number;
}

function wholeAtLeastOne(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name}: not a number`);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name}: want a whole number >= 1`);
  return value;
}

/** From the log alone: what to do next. */
function decide(config: Config, records: SagaRecord[]): Decision {
  const ok = new Set<string>();
  const errors = new Map<string, number>();
  for (const record of records) {
    const id = `${record.action}:${record.step}`;
    if (record.kind === 'ok') ok.add(id);
    else if (record.kind === 'err') errors.set(id, (errors.get(id) ?? 0) + 1);
  }
  const { steps } = config;
  let failed = -1;
  for (let i = 0; i < steps.length; i++) {
    const id = `execute:${steps[i]!.name}`;
    if (ok.has(id)) continue;
    const failures = errors.get(id) ?? 0;
    if (failures < config.maxAttempts) return { kind: 'call', action: 'execute', index: i, attempt: failures + 1 };
    failed = i;
    break;
  }
  if (failed === -1) return { kind: 'end', status: 'completed' };
  const failedStep = steps[failed]!.name;
  if (config.pivot !== -1 && failed > config.pivot) return { kind: 'end', status: 'needs-attention', failedStep, stuckStep: failedStep };
  for (let j = failed - 1; j >= 0; j--) {
    const step = steps[j]!;
    if (!step.compensate || !ok.has(`execute:${step.name}`) || ok.has(`compensate:${step.name}`)) continue;
    const failures = errors.get(`compensate:${step.name}`) ?? 0;
    if (failures >= config.maxCompensationAttempts) return { kind: 'end', status: 'needs-attention', failedStep, stuckStep: step.name };
    return { kind: 'call', action: 'compensate', index: j, attempt: failures + 1 };
  }
  return { kind: 'end', status: 'compensated', failedStep };
}

function resultOf(sagaId: string, record: SagaRecord): SagaResult {
  const result: SagaResult = { sagaId, status: record.status as SagaStatus };
  if (typeof record.failedStep === 'string') result.failedStep = record.failedStep;
  if (typeof record.stuckStep === 'string') result.stuckStep = record.stuckStep;
  return result;
}

export class SagaOrchestrator {
  #log: SagaLog;
  #config: Config;
  #backoffMs: number;
  #inFlight = new Map<string, Promise<SagaResult>>();

  constructor(options: SagaOrchestratorOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('options: want an object');
    const log = options.log as Partial<SagaLog> | undefined;
    if (!log || typeof log !== 'object' || typeof log.append !== 'function' || typeof log.read !== 'function') throw new TypeError('log: want append and read');
    if (!Array.isArray(options.steps)) throw new TypeError('steps: want an array');
    const seen = new Set<string>();
    let pivot = -1;
    for (const [i, step] of (options.steps as unknown[]).entries()) {
      const s = step as Partial<SagaStep> | null;
      if (s === null || typeof s !== 'object') throw new TypeError(`steps[${i}]: want an object`);
      if (typeof s.name !== 'string' || s.name.length === 0 || seen.has(s.name)) throw new TypeError(`steps[${i}]: want a unique non-empty name`);
      seen.add(s.name);
      if (typeof s.execute !== 'function') throw new TypeError(`steps[${i}]: want execute`);
      if (!(s.compensate === undefined || typeof s.compensate === 'function')) throw new TypeError(`steps[${i}]: compensate`);
      if (!(s.pivot === undefined || typeof s.pivot === 'boolean')) throw new TypeError(`steps[${i}]: pivot`);
      if (s.pivot === true) {
        if (pivot !== -1) throw new TypeError('two pivots');
        pivot = i;
      }
    }
    const backoff = options.backoffMs;
    if (backoff !== undefined && typeof backoff !== 'number') throw new TypeError('backoffMs: not a number');
    if (backoff !== undefined && !(backoff >= 0 && backoff < Infinity)) throw new RangeError('backoffMs: want a finite number >= 0');
    this.#backoffMs = backoff ?? 100;
    this.#log = log as SagaLog;
    this.#config = {
      steps: options.steps.slice(),
      pivot,
      maxAttempts: wholeAtLeastOne('maxAttempts', options.maxAttempts, 3),
      maxCompensationAttempts: wholeAtLeastOne('maxCompensationAttempts', options.maxCompensationAttempts, 5),
    };
  }

  run(sagaId: string, input?: unknown): Promise<SagaResult> {
    if (typeof sagaId !== 'string' || sagaId.length === 0) return Promise.reject(new TypeError('sagaId: want a non-empty string'));
    let promise = this.#inFlight.get(sagaId);
    if (!promise) {
      promise = this.#loop(sagaId, input);
      this.#inFlight.set(sagaId, promise);
      const forget = () => { if (this.#inFlight.get(sagaId) === promise) this.#inFlight.delete(sagaId); };
      promise.then(forget, forget);
    }
    return promise;
  }

  async #loop(sagaId: string, given: unknown): Promise<SagaResult> {
    const records = await this.#log.read(sagaId);
    const write = async (record: SagaRecord) => {
      await this.#log.append(sagaId, record);
      records.push(record);
    };
    const ended = records.find((record) => record.kind === 'end');
    if (ended) return resultOf(sagaId, ended);
    const begun = records.find((record) => record.kind === 'input');
    if (!begun) await write({ kind: 'input', input: given });
    const input = begun ? begun.input : given;
    for (;;) {
      const decision = decide(this.#config, records);
      if (decision.kind === 'end') {
        const { kind: _, ...rest } = decision;
        await write({ kind: 'end', ...rest });
        return resultOf(sagaId, { ...rest });
      }
      const step = this.#config.steps[decision.index]!;
      if (decision.attempt > 1) await new Promise((resolve) => setTimeout(resolve, this.#backoffMs * 2 ** (decision.attempt - 2)));
      const results: Record<string, unknown> = {};
      for (const record of records) {
        if (record.kind === 'ok' && record.action === 'execute') results[record.step as string] = record.value;
      }
      const ctx: StepContext = {
        sagaId,
        step: step.name,
        idempotencyKey: `${sagaId}:${step.name}:${decision.action}`,
        attempt: decision.attempt,
        input,
        results,
      };
      const fn = decision.action === 'execute' ? step.execute : step.compensate!;
      let record: SagaRecord;
      try {
        const value = await fn.call(step, ctx);
        record = { kind: 'ok', action: decision.action, step: step.name, value: decision.action === 'execute' ? value : null };
      } catch (error) {
        record = { kind: 'err', action: decision.action, step: step.name, error: String(error) };
      }
      await write(record);
    }
  }
}
