// Shared helpers for the saga-orchestrator suites: a mocked clock, an in-memory durable log
// that can crash its writer after (or before) any append, and fake participants that
// deduplicate by idempotency key and count the effects they really applied. Not a test file
// itself (node --test still loads it and reports it as one passing file).
import { afterEach, beforeEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SagaOrchestrator } from '../src/saga.ts';
import type { SagaLog, SagaOrchestratorOptions, SagaRecord, SagaResult, SagaStep, StepContext } from '../src/saga.ts';

export const START = 1_700_000_000_000;

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function advance(ms: number): Promise<void> {
  await flush();
  mock.timers.tick(ms);
  await flush();
}

export function useMockClock(): void {
  beforeEach(() => {
    mock.timers.enable({ apis: ['Date', 'setTimeout', 'setInterval'], now: START });
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });
}

export interface Observed<T> {
  settled: boolean;
  fulfilled: boolean;
  value: T | undefined;
  reason: unknown;
}

export function observe<T>(promise: Promise<T>): Observed<T> {
  const o: Observed<T> = { settled: false, fulfilled: false, value: undefined, reason: undefined };
  promise.then(
    (value) => Object.assign(o, { settled: true, fulfilled: true, value }),
    (reason: unknown) => Object.assign(o, { settled: true, fulfilled: false, reason }),
  );
  return o;
}

/** Flushes and moves the clock a second at a time until the promise settles (at most 10 minutes). */
export async function settle<T>(promise: Promise<T>): Promise<Observed<T>> {
  const o = observe(promise);
  for (let i = 0; i < 600; i++) {
    await flush();
    if (o.settled) return o;
    mock.timers.tick(1000);
  }
  await flush();
  assert.ok(o.settled, 'the saga did not settle within 10 minutes of mocked time (are retries bounded?)');
  return o;
}

/** Settles the promise and expects it to fulfil. */
export async function finish<T>(promise: Promise<T>): Promise<T> {
  const o = await settle(promise);
  if (!o.fulfilled) throw o.reason;
  return o.value as T;
}

/** What the in-memory log throws once its writer has "crashed". */
export class Crash extends Error {
  constructor() {
    super('crash');
    this.name = 'Crash';
  }
}

export interface CrashPlan {
  /** The k-th append (1-based) of this process is stored, and then the process dies. */
  after?: number;
  /** The k-th append of this process is not stored: the process dies first. */
  before?: number;
}

/** The durable store. Each `process()` is one orchestrator process writing to it. */
export class LogStore {
  readonly records = new Map<string, SagaRecord[]>();
  appends = 0;

  process(plan: CrashPlan = {}) {
    const store = this;
    let count = 0;
    const proc = {
      crashed: false,
      appends: 0,
      async append(sagaId: string, record: SagaRecord): Promise<void> {
        if (proc.crashed) throw new Crash();
        count++;
        if (plan.before === count) {
          proc.crashed = true;
          throw new Crash();
        }
        const list = store.records.get(sagaId) ?? [];
        list.push(structuredClone(record));
        store.records.set(sagaId, list);
        store.appends++;
        proc.appends++;
        if (plan.after === count) {
          proc.crashed = true;
          throw new Crash();
        }
      },
      async read(sagaId: string): Promise<SagaRecord[]> {
        if (proc.crashed) throw new Crash();
        return structuredClone(store.records.get(sagaId) ?? []);
      },
    };
    return proc satisfies SagaLog;
  }

  has(sagaId: string): boolean {
    return (this.records.get(sagaId)?.length ?? 0) > 0;
  }
}

export interface Behaviour {
  /** The first n execute calls reject without any effect. Infinity: always. */
  failExecute?: number;
  /** The first n execute calls apply the effect (if new) and then reject: a lost reply. */
  lostReplies?: number;
  /** The first n compensate calls reject without any effect. Infinity: always. */
  failCompensate?: number;
  /** No compensate function at all. */
  noCompensate?: boolean;
  pivot?: boolean;
}

export interface Call {
  sagaId: string;
  step: string;
  action: 'execute' | 'compensate';
  key: string;
  attempt: number;
  at: number;
  input: unknown;
  results: Record<string, unknown>;
}

/** The result a participant returns for a step of a saga. */
export const resultOf = (sagaId: string, step: string) => ({ id: `${step}#${sagaId}` });

/**
 * Fake participants. They deduplicate by the idempotency key they are given, and record
 * every effect they really apply (per saga and step, whatever the key) in `applied`.
 */
export class World {
  readonly applied: string[] = [];
  readonly calls: Call[] = [];
  readonly violations: string[] = [];
  readonly #executedKeys = new Map<string, unknown>();
  readonly #compensatedKeys = new Set<string>();
  readonly #executedEffects = new Set<string>();
  readonly #behaviour = new Map<string, Behaviour>();
  readonly #counts = new Map<string, { execute: number; compensate: number }>();
  /** The input each saga is expected to see, when the test pins it. */
  readonly inputs = new Map<string, unknown>();
  readonly names: string[];

  constructor(spec: Record<string, Behaviour>) {
    this.names = Object.keys(spec);
    for (const [name, behaviour] of Object.entries(spec)) this.#behaviour.set(name, { ...behaviour });
  }

  /** Every participant recovers from its faults (the failing service is back). */
  heal(): void {
    for (const behaviour of this.#behaviour.values()) {
      behaviour.failExecute = 0;
      behaviour.lostReplies = 0;
      behaviour.failCompensate = 0;
    }
  }

  appliedFor(sagaId: string): string[] {
    const prefix = `${sagaId}/`;
    return this.applied.filter((effect) => effect.startsWith(prefix)).map((effect) => effect.slice(prefix.length));
  }

  callsFor(sagaId: string, step?: string, action?: 'execute' | 'compensate'): Call[] {
    return this.calls.filter((call) => call.sagaId === sagaId && (step === undefined || call.step === step) && (action === undefined || call.action === action));
  }

  steps(): SagaStep[] {
    return this.names.map((name) => {
      const behaviour = this.#behaviour.get(name)!;
      const step: SagaStep = { name, execute: (ctx) => this.#execute(name, ctx) };
      if (!behaviour.noCompensate) step.compensate = (ctx) => this.#compensate(name, ctx);
      if (behaviour.pivot) step.pivot = true;
      return step;
    });
  }

  #record(name: string, action: 'execute' | 'compensate', ctx: StepContext): number {
    this.calls.push({
      sagaId: ctx.sagaId, step: name, action, key: ctx.idempotencyKey, attempt: ctx.attempt, at: Date.now(),
      input: ctx.input, results: { ...ctx.results },
    });
    if (this.inputs.has(ctx.sagaId)) {
      try {
        assert.deepEqual(ctx.input, this.inputs.get(ctx.sagaId));
      } catch {
        this.violations.push(`${ctx.sagaId}/${action}:${name} saw input ${JSON.stringify(ctx.input)}`);
      }
    }
    // Every step that ran before this one must be in ctx.results with its own result.
    const index = this.names.indexOf(name);
    for (const earlier of this.names.slice(0, action === 'compensate' ? index + 1 : index)) {
      if (!this.#executedEffects.has(`${ctx.sagaId}/${earlier}`)) continue;
      try {
        assert.deepEqual(ctx.results[earlier], resultOf(ctx.sagaId, earlier));
      } catch {
        this.violations.push(`${ctx.sagaId}/${action}:${name} saw results.${earlier} = ${JSON.stringify(ctx.results[earlier])}`);
      }
    }
    const key = `${ctx.sagaId}/${name}`;
    const counts = this.#counts.get(key) ?? { execute: 0, compensate: 0 };
    counts[action]++;
    this.#counts.set(key, counts);
    return counts[action];
  }

  async #execute(name: string, ctx: StepContext): Promise<unknown> {
    const nth = this.#record(name, 'execute', ctx);
    const behaviour = this.#behaviour.get(name)!;
    await Promise.resolve();
    if (nth <= (behaviour.failExecute ?? 0)) throw new Error(`${name} is unavailable`);
    if ((ctx.input as { fail?: string } | null)?.fail === name) throw new Error(`${name} refuses this saga`);
    const effect = `${ctx.sagaId}/${name}`;
    if (this.#executedKeys.has(ctx.idempotencyKey)) return this.#executedKeys.get(ctx.idempotencyKey);
    const result = resultOf(ctx.sagaId, name);
    this.#executedKeys.set(ctx.idempotencyKey, result);
    this.#executedEffects.add(effect);
    this.applied.push(`${ctx.sagaId}/execute:${name}`);
    if (nth <= (behaviour.lostReplies ?? 0)) throw new Error(`${name}: the reply was lost`);
    return result;
  }

  async #compensate(name: string, ctx: StepContext): Promise<void> {
    const nth = this.#record(name, 'compensate', ctx);
    const behaviour = this.#behaviour.get(name)!;
    await Promise.resolve();
    if (nth <= (behaviour.failCompensate ?? 0)) throw new Error(`${name} cannot compensate now`);
    if (this.#compensatedKeys.has(ctx.idempotencyKey)) return;
    this.#compensatedKeys.add(ctx.idempotencyKey);
    if (!this.#executedEffects.has(`${ctx.sagaId}/${name}`)) this.violations.push(`${ctx.sagaId}: ${name} compensated but never executed`);
    this.applied.push(`${ctx.sagaId}/compensate:${name}`);
  }
}

export interface Saga {
  world: World;
  store: LogStore;
  orchestrator: (plan?: CrashPlan, extra?: Partial<SagaOrchestratorOptions>) => { orchestrator: SagaOrchestrator; log: ReturnType<LogStore['process']> };
}

export const FAST = { backoffMs: 10, maxAttempts: 3, maxCompensationAttempts: 4 };

/** A world, a store, and a way to start orchestrator processes on them. */
export function saga(spec: Record<string, Behaviour>, options: Partial<SagaOrchestratorOptions> = {}): Saga {
  const world = new World(spec);
  const store = new LogStore();
  return {
    world,
    store,
    orchestrator(plan = {}, extra = {}) {
      const log = store.process(plan);
      return { orchestrator: new SagaOrchestrator({ ...FAST, ...options, ...extra, log, steps: world.steps() }), log };
    },
  };
}

export function assertNoViolations(world: World): void {
  assert.deepEqual(world.violations, [], 'a participant saw something it must never see');
}

/** The result's meaningful fields, so that absent and undefined compare equal. */
export function summary(result: SagaResult | undefined): Record<string, unknown> {
  assert.ok(result, 'expected a result');
  const out: Record<string, unknown> = { sagaId: result.sagaId, status: result.status };
  if (result.failedStep !== undefined) out.failedStep = result.failedStep;
  if (result.stuckStep !== undefined) out.stuckStep = result.stuckStep;
  return out;
}
