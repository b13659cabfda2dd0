// The pivot decides the direction of recovery. Richardson's Create Order saga (Microservices
// Patterns, 1st ed., ch. 4): compensatable steps, then the pivot (authorize the card), then retriable steps.
// Run 1: the pivot is declined, so the saga goes backward. Run 2: the pivot succeeds and the first
// retriable step fails three times; it is retried forward, and nothing is compensated.
import { Rejected, runSaga } from './lib/run-saga.ts';
import type { SagaStep } from './lib/run-saga.ts';

function saga(cardDeclined: boolean, approveTicketFailures: number): SagaStep[] {
  let failuresLeft = approveTicketFailures;
  const ok = async (signal: AbortSignal): Promise<void> => signal.throwIfAborted();
  return [
    { name: 'createOrder (APPROVAL_PENDING)', kind: 'compensatable', run: ok, compensate: ok },
    { name: 'verifyConsumerDetails', kind: 'compensatable', run: ok }, // a read: nothing to undo
    { name: 'createTicket (CREATE_PENDING)', kind: 'compensatable', run: ok, compensate: ok },
    { name: 'authorizeCreditCard', kind: 'pivot', run: async () => { if (cardDeclined) throw new Rejected('card declined'); } },
    {
      name: 'approveTicket', kind: 'retriable',
      run: async () => { if (failuresLeft > 0) { failuresLeft -= 1; throw Object.assign(new Error('kitchen service timeout'), { code: 'ETIMEDOUT' }); } },
    },
    { name: 'approveOrder', kind: 'retriable', run: ok },
  ];
}

for (const [label, declined, failures] of [['run 1: card declined', true, 0], ['run 2: card authorized, approveTicket fails 3 times', false, 3]] as const) {
  console.log(label);
  const result = await runSaga(saga(declined, failures), { attempts: 5, baseMs: 5, attemptTimeoutMs: 500 }, (line) => console.log(`  ${line}`));
  console.log(`  => ${result}`);
}
