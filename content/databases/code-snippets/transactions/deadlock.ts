// A deadlock between two sessions, the detector that breaks it, and the lock ordering that
// prevents it. Each session sets its own deadlock_timeout (a superuser-only setting; the
// snippet runner connects as the superuser): the detector runs in a session only after it has
// waited that long, so here B (100 ms) finds the cycle long before A (10 s) would look.
import type { Client } from 'pg';
import { attempt, backendPid, closeAll, openSession, waitUntilBlocked } from './lib/sessions.ts';

let a: Client | undefined;
let b: Client | undefined;
let observer: Client | undefined;
try {
  a = await openSession({ name: 'A', lockTimeoutMs: 8_000, statementTimeoutMs: 9_000 });
  b = await openSession({ name: 'B', lockTimeoutMs: 8_000, statementTimeoutMs: 9_000 });
  observer = await openSession({ name: 'observer' });
  await a.query(`SET deadlock_timeout = '10s'`);
  await b.query(`SET deadlock_timeout = '100ms'`);
  const [pidA, pidB] = [await backendPid(a), await backendPid(b)];
  await a.query('DROP TABLE IF EXISTS account; CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO account VALUES (1, 100), (2, 100)');

  console.log('1. opposite order: A moves 1 -> 2 while B moves 2 -> 1');
  await a.query('BEGIN');
  await b.query('BEGIN');
  const xidA = (await a.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x;
  const xidB = (await b.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x;
  await a.query('UPDATE account SET balance = balance - 10 WHERE id = 1');
  await b.query('UPDATE account SET balance = balance - 10 WHERE id = 2');
  const aSecond = attempt(a, 'UPDATE account SET balance = balance + 10 WHERE id = 2');
  console.log(`  A waits for B: ${await waitUntilBlocked(observer, pidA)}`);
  const started = performance.now();
  const bSecond = await attempt(b, 'UPDATE account SET balance = balance + 10 WHERE id = 1');
  const detectedMs = performance.now() - started;
  if (bSecond.ok) throw new Error('expected a deadlock');
  // The server names the processes and transactions; replace them by role so the output is stable.
  const role = new Map([[`process ${pidA}`, 'process A'], [`process ${pidB}`, 'process B'], [`transaction ${xidA}`, 'transaction xid(A)'], [`transaction ${xidB}`, 'transaction xid(B)']]);
  const byRole = (text: string): string => text.replace(/([Pp]rocess|transaction) (\d+)/g, (match, word: string) => {
    const named = role.get(match.toLowerCase());
    return named === undefined ? match : `${word}${named.slice(word.length)}`;
  });
  const error = await b.query('ROLLBACK').then(() => bSecond);
  console.log(`  B (the victim): ${error.code} ${error.message}, after ${detectedMs >= 100 ? 'at least' : 'LESS than'} its 100 ms deadlock_timeout`);
  const aResult = await aSecond; // B's locks are gone, so A's UPDATE goes through
  console.log(`  A (the survivor): second UPDATE ${aResult.ok ? 'succeeded' : `failed ${aResult.code}`}`);
  await a.query('COMMIT');
  for (const line of byRole(error.detail ?? '(no detail)').split('\n')) console.log(`    ${line}`);

  console.log('2. the same two transfers, both locking rows in id order');
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('SELECT id FROM account WHERE id IN (1, 2) ORDER BY id FOR UPDATE');
  const bLocks = attempt(b, 'SELECT id FROM account WHERE id IN (1, 2) ORDER BY id FOR UPDATE');
  console.log(`  B waits for A: ${await waitUntilBlocked(observer, pidB)}`);
  await a.query('UPDATE account SET balance = balance - 10 WHERE id = 1');
  await a.query('UPDATE account SET balance = balance + 10 WHERE id = 2');
  await a.query('COMMIT');
  const locked = await bLocks;
  await b.query('UPDATE account SET balance = balance - 10 WHERE id = 2');
  await b.query('UPDATE account SET balance = balance + 10 WHERE id = 1');
  await b.query('COMMIT');
  const { rows } = await a.query<{ id: number; balance: number }>('SELECT id, balance FROM account ORDER BY id');
  console.log(`  B ${locked.ok ? 'got its locks after A committed' : `failed ${locked.code}`}; balances ${rows.map((r) => r.balance).join(', ')}`);
  await a.query('DROP TABLE account');
} finally {
  await closeAll([a, b, observer]);
}
