// Advisory locks: locks on numbers that mean whatever the application says. Session-level
// ones outlive transactions (and must be unlocked); transaction-level ones end with the
// transaction; both end with the session. Two sessions, because a lock is only a lock to
// someone else.
import type { Client } from 'pg';
import { attempt, closeAll, openSession } from './lib/sessions.ts';

const tryLock = async (c: Client, fn: string, key: string): Promise<boolean> =>
  (await c.query<{ ok: boolean }>(`SELECT ${fn}(${key}) AS ok`)).rows[0]!.ok;

let a: Client | undefined;
let b: Client | undefined;
try {
  a = await openSession({ name: 'A' });
  b = await openSession({ name: 'B' });
  // One 64-bit key per resource; hashtextextended turns a name into one (collisions are possible: rare, and only cost waiting).
  const key = `hashtextextended('report:2026-12', 0)`;

  console.log('1. session-level: pg_try_advisory_lock');
  console.log(`  A takes it:                  ${await tryLock(a, 'pg_try_advisory_lock', key)}`);
  console.log(`  B tries:                     ${await tryLock(b, 'pg_try_advisory_lock', key)}`);
  await a.query('BEGIN; SELECT 1; COMMIT');
  console.log(`  B tries after A's COMMIT:    ${await tryLock(b, 'pg_try_advisory_lock', key)}  (a transaction end does not release it)`);
  // pg_locks covers the whole cluster; advisory keys are per database.
  const seen = await b.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                                              WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`);
  console.log(`  pg_locks, advisory, granted: ${seen.rows[0]!.n}`);

  console.log('2. a blocking pg_advisory_lock bounded by lock_timeout');
  await b.query(`SET lock_timeout = '200ms'`);
  const blocked = await attempt(b, `SELECT pg_advisory_lock(${key})`);
  await b.query('RESET lock_timeout');
  console.log(`  B waits:                     ${blocked.ok ? 'got it?!' : `${blocked.code} ${blocked.message}`}`);
  console.log(`  A unlocks:                   ${await tryLock(a, 'pg_advisory_unlock', key)}`);
  const notices: string[] = [];
  a.on('notice', (notice) => notices.push(`${notice.severity ?? '?'}: ${notice.message}`));
  console.log(`  A unlocks again:             ${await tryLock(a, 'pg_advisory_unlock', key)}`);
  console.log(`  and the server sent:         ${notices.join(' | ') || '(nothing)'}`);
  console.log(`  B tries:                     ${await tryLock(b, 'pg_try_advisory_lock', key)}`);
  await tryLock(b, 'pg_advisory_unlock', key);

  console.log('3. transaction-level: pg_try_advisory_xact_lock');
  await a.query('BEGIN');
  console.log(`  A takes it in a transaction: ${await tryLock(a, 'pg_try_advisory_xact_lock', key)}`);
  await b.query('BEGIN');
  console.log(`  B tries:                     ${await tryLock(b, 'pg_try_advisory_xact_lock', key)}`);
  await a.query('COMMIT');
  console.log(`  B tries after A's COMMIT:    ${await tryLock(b, 'pg_try_advisory_xact_lock', key)}`);
  await b.query('COMMIT');

  console.log('4. a session-level lock dies with its session');
  console.log(`  A takes it:                  ${await tryLock(a, 'pg_try_advisory_lock', key)}`);
  await closeAll([a]);
  a = undefined;
  // The server releases A's locks when its backend exits, a moment after the socket closes: poll, bounded.
  let got = false;
  for (const deadline = Date.now() + 3_000; !got && Date.now() < deadline; ) {
    got = await tryLock(b, 'pg_try_advisory_lock', key);
    if (!got) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  console.log(`  B tries after A disconnects: ${got}`);
} finally {
  await closeAll([a, b]);
}
