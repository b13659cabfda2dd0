// Backward recovery: T1, T2, T3 commit, T4 is rejected, so C3, C2, C1 run, newest first. The refund
// (C2) fails twice with a transient error and is retried with the same idempotency key; it is never
// skipped, because skipping it leaves the customer charged for an order that does not exist.
// In-process functions stand in for services: the process boundary is not the point here.
import { Rejected, runSaga } from './lib/run-saga.ts';
import type { SagaStep } from './lib/run-saga.ts';

const effects: string[] = []; // what the outside world saw, in order
const applied = new Set<string>(); // each service's idempotency table, merged for brevity
let refundFailuresLeft = 2;

function effect(key: string, what: string): (signal: AbortSignal) => Promise<void> {
  return async (signal) => {
    signal.throwIfAborted();
    if (applied.has(key)) return; // a retry of something already applied: no second effect
    applied.add(key);
    effects.push(what);
  };
}

const steps: SagaStep[] = [
  { name: 'create order', kind: 'compensatable', run: effect('o1:create', 'order o1 PENDING'), compensate: effect('o1:reject', 'order o1 REJECTED (kept, not deleted)') },
  { name: 'reserve stock', kind: 'compensatable', run: effect('o1:reserve', 'stock -2'), compensate: effect('o1:release', 'stock +2') },
  {
    name: 'charge card', kind: 'compensatable', run: effect('o1:charge', 'ledger: charge 40.00'),
    compensate: async (signal) => {
      if (refundFailuresLeft > 0) { refundFailuresLeft -= 1; throw Object.assign(new Error('payment gateway 503'), { code: 'EUNAVAILABLE' }); }
      await effect('o1:refund', 'ledger: refund 40.00 (a new entry; the charge stays on the statement)')(signal);
    },
  },
  { name: 'book courier', kind: 'pivot', run: async () => { throw new Rejected('no courier for this address'); } },
];

const result = await runSaga(steps, { attempts: 5, baseMs: 5, attemptTimeoutMs: 500 }, (line) => console.log(`  ${line}`));
console.log(`saga ${result}; effects in order:`);
for (const e of effects) console.log(`  ${e}`);
