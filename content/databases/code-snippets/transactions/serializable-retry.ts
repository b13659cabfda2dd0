// SERIALIZABLE plus a retry loop. Part 1 replays the write skew of the anomalies snippet with
// B's transaction inside inTransaction(): its first attempt loses, the retry re-reads and makes
// the right decision. Part 2 runs four sessions against a cross-row invariant concurrently.
import type { Client } from 'pg';
import { closeAll, openSession } from './lib/sessions.ts';
import { inTransaction, RetriesExhausted } from './lib/tx.ts';
import type { TransactionOptions } from './lib/tx.ts';

const WORKERS = 4;
const TRANSACTIONS_PER_WORKER = 25;

const sessions: Client[] = [];
try {
  for (let i = 0; i < WORKERS; i += 1) sessions.push(await openSession({ name: `worker-${i}` }));
  const [a, b] = sessions as [Client, Client];
  await a.query(`DROP TABLE IF EXISTS doctor; CREATE TABLE doctor (name text PRIMARY KEY, on_call boolean NOT NULL);
                 INSERT INTO doctor VALUES ('alice', true), ('bob', true)`);
  const signal = AbortSignal.timeout(8_000); // the whole run, retries included, has a deadline
  const options: TransactionOptions = { isolation: 'SERIALIZABLE', maxAttempts: 8, baseDelayMs: 2, maxDelayMs: 50, signal };

  console.log('1. write skew, B retried');
  const bobGoesOff = await inTransaction(b, { ...options, onRetry: ({ attempt, code }) => console.log(`  attempt ${attempt} of B failed with ${code}; retrying`) }, async (tx, attempt) => {
    const onCall = Number((await tx.query('SELECT count(*) AS n FROM doctor WHERE on_call')).rows[0].n);
    if (attempt === 1) {
      // Interleave A's whole transaction after B's read, as in the anomalies snippet.
      await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await a.query('SELECT count(*) FROM doctor WHERE on_call');
      await a.query(`UPDATE doctor SET on_call = false WHERE name = 'alice'`);
      await a.query('COMMIT');
      console.log('  A took alice off call and committed');
    }
    if (onCall < 2) return `bob stays on call (B saw ${onCall} on call)`;
    await tx.query(`UPDATE doctor SET on_call = false WHERE name = 'bob'`);
    return 'bob went off call';
  });
  console.log(`  attempt ${bobGoesOff.attempts} of B: ${bobGoesOff.value}`);

  console.log(`2. ${WORKERS} sessions x ${TRANSACTIONS_PER_WORKER} withdrawals; invariant: the two accounts together never go below 0`);
  await a.query(`DROP TABLE IF EXISTS account; CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL);
                 INSERT INTO account VALUES (1, 100), (2, 100)`);
  let retries = 0;
  let refused = 0;
  let exhausted = 0;
  await Promise.all(sessions.map(async (session, worker) => {
    for (let i = 0; i < TRANSACTIONS_PER_WORKER; i += 1) {
      const id = 1 + ((worker + i) % 2);
      try {
        const { value } = await inTransaction(session, { ...options, onRetry: () => void (retries += 1) }, async (tx) => {
          const total = Number((await tx.query('SELECT sum(balance) AS s FROM account')).rows[0].s);
          if (total < 10) return false; // the check that write skew would defeat
          await tx.query('UPDATE account SET balance = balance - 10 WHERE id = $1', [id]);
          return true;
        });
        if (!value) refused += 1;
      } catch (error) {
        if (!(error instanceof RetriesExhausted)) throw error;
        exhausted += 1; // a real service returns 503 + Retry-After here, and counts it
      }
    }
  }));
  const { rows } = await a.query<{ balance: number }>('SELECT balance FROM account');
  const total = rows.reduce((sum, row) => sum + row.balance, 0);
  // Each account alone may go below 0 (the split varies run to run); the invariant is on the sum.
  console.log(`  final total of both accounts ${total}; invariant held: ${total >= 0 ? 'yes' : 'NO'}`);
  console.log(`  withdrawals committed ${(200 - total) / 10}, refused ${refused}, gave up ${exhausted}`);
  console.log(`  retries after 40001/40P01: ${retries}`);
  await a.query('DROP TABLE doctor, account');
} finally {
  await closeAll(sessions);
}
