// The orchestrator process dies between every pair of log writes; a fresh orchestrator on the
// same log must finish the saga with every effect applied exactly once.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SagaOrchestratorOptions, SagaResult } from '../src/saga.ts';
import { advance, assertNoViolations, Crash, finish, saga, settle, summary, useMockClock } from './harness.ts';
import type { Behaviour, CrashPlan } from './harness.ts';

useMockClock();

const ID = 'order-42';
const INPUT = { sku: 'book', qty: 2 };

interface Scenario {
  name: string;
  spec: Record<string, Behaviour>;
  options?: Partial<SagaOrchestratorOptions>;
}

const scenarios: Scenario[] = [
  { name: 'whose steps all succeed', spec: { reserve: {}, charge: {}, ship: {} } },
  { name: 'whose last step fails for good', spec: { reserve: {}, charge: {}, ship: { failExecute: Infinity } }, options: { maxAttempts: 2 } },
  {
    name: 'whose compensation fails twice before it succeeds',
    spec: { reserve: { failCompensate: 2 }, charge: {}, ship: { failExecute: Infinity } },
    options: { maxAttempts: 2, maxCompensationAttempts: 4 },
  },
  { name: 'whose step loses a reply and is retried', spec: { reserve: {}, charge: { lostReplies: 1 }, ship: {} } },
  { name: 'that retries a step after its pivot', spec: { reserve: {}, capture: { pivot: true }, ship: { failExecute: 1 }, notify: {} } },
  {
    name: 'whose step after the pivot fails for good',
    spec: { reserve: {}, capture: { pivot: true }, ship: { failExecute: Infinity }, notify: {} },
    options: { maxAttempts: 2 },
  },
  {
    name: 'whose compensation gives up',
    spec: { reserve: {}, charge: { failCompensate: Infinity }, ship: { failExecute: Infinity } },
    options: { maxAttempts: 1, maxCompensationAttempts: 2 },
  },
];

interface Clean {
  result: SagaResult;
  applied: string[];
  calls: number;
  appends: number;
}

async function cleanRun(scenario: Scenario): Promise<Clean> {
  const { world, store, orchestrator } = saga(scenario.spec, scenario.options);
  const result = await finish(orchestrator().orchestrator.run(ID, INPUT));
  assertNoViolations(world);
  return { result, applied: world.appliedFor(ID), calls: world.calls.length, appends: store.appends };
}

/**
 * Runs one process per plan, each on the log the previous one left; every process but the
 * last must crash. Recoveries are given another input: a saga that has records goes on with
 * the input it started with.
 */
async function crashingRuns(scenario: Scenario, plans: CrashPlan[], heal = false) {
  const s = saga(scenario.spec, scenario.options);
  const { world, store } = s;
  world.inputs.set(ID, INPUT);
  const where = JSON.stringify(plans);
  let appliedAtCrash: string[] = [];
  for (const plan of plans) {
    const { orchestrator, log } = s.orchestrator(plan);
    const run = await settle(orchestrator.run(ID, store.has(ID) ? { other: 'input' } : INPUT));
    if (!log.crashed) return { result: run.value, crashed: false, world, appliedAtCrash, where };
    assert.equal(run.fulfilled, false, `${where}: run must reject when its log append fails`);
    assert.ok(run.reason instanceof Crash, `${where}: run must reject with the log's own error`);
    const calls = world.calls.length;
    await advance(60_000);
    await advance(60_000);
    assert.equal(world.calls.length, calls, `${where}: the crashed orchestrator called a participant after its log failed`);
    appliedAtCrash = world.appliedFor(ID);
  }
  if (heal) world.heal();
  const { orchestrator } = s.orchestrator();
  const result = await finish(orchestrator.run(ID, store.has(ID) ? { other: 'input' } : INPUT));
  return { result, crashed: true, world, appliedAtCrash, where };
}

function assertSameOutcome(clean: Clean, run: Awaited<ReturnType<typeof crashingRuns>>): void {
  const { world, where } = run;
  assert.deepEqual(world.violations, [], `${where}: a participant saw something it must never see`);
  assert.deepEqual(summary(run.result), summary(clean.result), `${where}: a crash must not change the saga's outcome`);
  assert.deepEqual(world.appliedFor(ID), clean.applied, `${where}: the effects applied must be exactly those of a run without a crash`);
}

for (const scenario of scenarios) {
  describe(`recovering a saga ${scenario.name}`, () => {
    for (const mode of ['after', 'before'] as const) {
      it(`finishes it with each effect applied once after a crash ${mode} every log append`, async () => {
        const clean = await cleanRun(scenario);
        assert.ok(clean.appends >= 2, 'a saga must write its log');
        for (let k = 1; k <= clean.appends; k++) {
          const run = await crashingRuns(scenario, [{ [mode]: k }]);
          assert.ok(run.crashed, `the crash ${mode} append ${k} of ${clean.appends} did not happen`);
          assertSameOutcome(clean, run);
          assert.ok(
            run.world.calls.length <= clean.calls + 1,
            `${run.where}: ${run.world.calls.length} participant calls against ${clean.calls} without a crash: ` +
              'a recovery may repeat only the one call whose outcome was not logged',
          );
        }
      });
    }
  });
}

describe('recovering from crashes during recovery', () => {
  for (const scenario of [scenarios[2]!, scenarios[4]!]) {
    it(`finishes a saga ${scenario.name} after a crash, then a crash of its recovery, at every pair of appends`, async () => {
      const clean = await cleanRun(scenario);
      for (let k = 1; k <= clean.appends; k++) {
        for (let j = 1; ; j++) {
          assert.ok(j <= 4 * clean.appends, 'a recovery kept writing to its log');
          const run = await crashingRuns(scenario, [{ after: k }, { after: j }]);
          if (!run.crashed) {
            assertSameOutcome(clean, run);
            break;
          }
          assertSameOutcome(clean, run);
        }
      }
    });
  }
});

describe('the decision to compensate survives a crash', () => {
  it('once a compensation has been applied, a recovery finishes compensating even if the failed step would now succeed', async () => {
    const scenario: Scenario = { name: 'x', spec: { reserve: {}, charge: {}, ship: { failExecute: Infinity } }, options: { maxAttempts: 2 } };
    const failed = await cleanRun(scenario);
    const completed = ['execute:reserve', 'execute:charge', 'execute:ship'];
    let sawBoth = 0;
    for (const mode of ['after', 'before'] as const) {
      for (let k = 1; k <= failed.appends; k++) {
        const run = await crashingRuns(scenario, [{ [mode]: k }], true);
        const { world, where } = run;
        assert.deepEqual(world.violations, [], `${where}: a participant saw something it must never see`);
        const compensating = run.appliedAtCrash.some((effect) => effect.startsWith('compensate:'));
        if (compensating) {
          assert.deepEqual(summary(run.result), summary(failed.result), `${where}: compensations had begun, the saga must end compensated`);
        }
        if (run.result?.status === 'completed') {
          sawBoth |= 1;
          assert.deepEqual(world.appliedFor(ID), completed, `${where}: a saga that completes after recovery applies each step once and compensates none`);
        } else {
          sawBoth |= 2;
          assert.deepEqual(summary(run.result), summary(failed.result), where);
          assert.deepEqual(world.appliedFor(ID), failed.applied, `${where}: compensated in reverse order, each once`);
        }
      }
    }
    assert.equal(sawBoth, 3, 'an early crash lets the healed step complete the saga; a late one finds it compensating');
  });
});
