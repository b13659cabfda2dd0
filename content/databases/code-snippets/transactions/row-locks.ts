// Row locks between two sessions: SELECT ... FOR UPDATE turns the lost update of the
// anomalies snippet into a wait; NOWAIT and lock_timeout bound that wait; and at REPEATABLE
// READ the wait ends in a serialization failure instead of a re-read.
import type { Client } from 'pg';
import { attempt, backendPid, closeAll, openSession, waitUntilBlocked } from './lib/sessions.ts';

const balance = async (c: Client, suffix = ''): Promise<number> =>
  (await c.query<{ balance: number }>(`SELECT balance FROM account WHERE id = 1 ${suffix}`)).rows[0]!.balance;

let a: Client | undefined;
let b: Client | undefined;
let observer: Client | undefined;
try {
  a = await openSession({ name: 'A' });
  b = await openSession({ name: 'B' });
  observer = await openSession({ name: 'observer' });
  const pidB = await backendPid(b);
  const reset = (): Promise<unknown> => a!.query('DROP TABLE IF EXISTS account; CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO account VALUES (1, 50)');

  console.log('1. READ COMMITTED, both sessions read with FOR UPDATE, then add 10 and 20');
  await reset();
  await a.query('BEGIN');
  const readByA = await balance(a, 'FOR UPDATE');
  await b.query('BEGIN');
  const pending = balance(b, 'FOR UPDATE'); // sent now; the server makes it wait
  console.log(`  A read ${readByA}; B is waiting: ${await waitUntilBlocked(observer, pidB)}`);
  await a.query('UPDATE account SET balance = $1 WHERE id = 1', [readByA + 10]);
  await a.query('COMMIT');
  const readByB = await pending; // re-reads the row version A committed
  await b.query('UPDATE account SET balance = $1 WHERE id = 1', [readByB + 20]);
  await b.query('COMMIT');
  console.log(`  after A commits, B reads ${readByB}; final balance ${await balance(a)} (50 + 10 + 20: nothing lost)`);

  console.log('2. NOWAIT: fail at once instead of waiting');
  await a.query('BEGIN');
  await balance(a, 'FOR UPDATE');
  const nowait = await attempt(b, 'SELECT balance FROM account WHERE id = 1 FOR UPDATE NOWAIT');
  console.log(`  B: ${nowait.ok ? 'got the lock?!' : `${nowait.code} ${nowait.message}`}`);

  console.log('3. lock_timeout: wait at most 200 ms (A still holds the lock)');
  await b.query('BEGIN');
  await b.query(`SET LOCAL lock_timeout = '200ms'`);
  const started = performance.now();
  const timedOut = await attempt(b, 'SELECT balance FROM account WHERE id = 1 FOR UPDATE');
  const waited = performance.now() - started;
  await b.query('ROLLBACK');
  console.log(`  B: ${timedOut.ok ? 'got the lock?!' : `${timedOut.code} ${timedOut.message}`}; waited at least 200 ms: ${waited >= 200 ? 'yes' : 'no'}`);
  await a.query('ROLLBACK');

  console.log('4. REPEATABLE READ: the wait ends in a serialization failure');
  await reset();
  await b.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await balance(b); // B's snapshot is taken here
  await a.query('BEGIN');
  await a.query('UPDATE account SET balance = 60 WHERE id = 1');
  const rr = attempt(b, 'SELECT balance FROM account WHERE id = 1 FOR UPDATE');
  await waitUntilBlocked(observer, pidB);
  await a.query('COMMIT');
  const outcome = await rr;
  await b.query('ROLLBACK');
  console.log(`  B: ${outcome.ok ? `read ${outcome.rows[0]!.balance}` : `${outcome.code} ${outcome.message}`}`);
  await a.query('DROP TABLE account');
} finally {
  await closeAll([a, b, observer]);
}
