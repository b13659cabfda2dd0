// Rules for this file (the tests depend on them):
// - Read time only with Date.now(); wait only with the global setTimeout/clearTimeout.
//   No node:timers imports, no performance.now().
// - The statement (README.md) is the full contract; the comments below are a summary.

/** What the orchestrator appends to the log: your own format, plain structured-cloneable data. */
export type SagaRecord = Record<string, unknown>;

/** The durable log. A record is durable once append resolves; read returns a saga's records in order. */
export interface SagaLog {
  append(sagaId: string, record: SagaRecord): Promise<void>;
  read(sagaId: string): Promise<SagaRecord[]>;
}

export interface StepContext {
  readonly sagaId: string;
  /** The step's name. */
  readonly step: string;
  /** `${sagaId}:${step}:execute` or `${sagaId}:${step}:compensate`: the same for every attempt and every recovery. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt of this execute (or compensate), 2 for its first retry, ... */
  readonly attempt: number;
  /** The input the saga was started with. */
  readonly input: unknown;
  /** What each step whose execute succeeded returned, by step name. */
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
  maxAttempts?: number;             // whole number >= 1; default 3 (per execute)
  maxCompensationAttempts?: number; // whole number >= 1; default 5 (per compensate)
  backoffMs?: number;               // finite, >= 0; default 100: retry n waits backoffMs × 2^(n−1)
}

export type SagaStatus = 'completed' | 'compensated' | 'needs-attention';

export interface SagaResult {
  sagaId: string;
  status: SagaStatus;
  failedStep?: string;
  stuckStep?: string;
}

export class SagaOrchestrator {
  constructor(options: SagaOrchestratorOptions) {
    void options;
    throw new Error('Not implemented');
  }

  /** Starts the saga, or, if the log holds records for sagaId, recovers it from them. */
  run(sagaId: string, input?: unknown): Promise<SagaResult> {
    void sagaId;
    void input;
    return Promise.reject(new Error('Not implemented'));
  }
}
