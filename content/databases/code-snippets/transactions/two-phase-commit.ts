// Two-phase commit on the PostgreSQL server: PREPARE TRANSACTION needs max_prepared_transactions
// > 0, a setting read only at server start. The snippet runner's server keeps the default, 0, so
// this shows what an application gets then; two-phase-pglite.ts runs the whole protocol on an
// embedded engine configured for it. On a server with 2PC enabled it prepares and rolls back.
import type { Client } from 'pg';
import { closeAll, openSession } from './lib/sessions.ts';

const GID_PREFIX = 'tx-lesson-transfer-';
const gid = `${GID_PREFIX}${process.pid}-${Date.now()}`; // per run: never collides with a leftover

/** Rolls back the prepared transactions this snippet left behind (an interrupted run); reports others. */
async function cleanUpPrepared(a: Client): Promise<void> {
  const { rows } = await a.query<{ gid: string; database: string; here: boolean; age: string }>(
    `SELECT gid, database, database = current_database() AS here, date_trunc('second', now() - prepared)::text AS age
       FROM pg_prepared_xacts ORDER BY prepared`);
  for (const row of rows) {
    if (row.gid.startsWith(GID_PREFIX) && row.here) {
      await a.query(`ROLLBACK PREPARED '${row.gid.replaceAll("'", "''")}'`); // it holds locks on account otherwise
      console.log(`rolled back a prepared transaction left by an earlier run: ${row.gid} (prepared ${row.age} ago)`);
    } else {
      console.log(`note: prepared transaction ${row.gid} in database ${row.database} (prepared ${row.age} ago) is not ours;`
        + ' its coordinator must finish it (COMMIT PREPARED or ROLLBACK PREPARED, run in that database)');
    }
  }
}

let a: Client | undefined;
try {
  a = await openSession({ name: 'A' });
  const { rows: [setting] } = await a.query<{ setting: string; context: string; pending_restart: boolean }>(
    `SELECT setting, context, pending_restart FROM pg_settings WHERE name = 'max_prepared_transactions'`);
  console.log(`max_prepared_transactions = ${setting!.setting} (context ${setting!.context}: changed only by a server restart)`);
  await cleanUpPrepared(a); // before DROP TABLE, which a leftover's locks would block (55P03)
  await a.query('DROP TABLE IF EXISTS account; CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO account VALUES (1, 100)');

  await a.query('BEGIN');
  await a.query('UPDATE account SET balance = balance - 10 WHERE id = 1');
  let prepareError: (Error & { code?: string; hint?: string }) | undefined;
  try {
    await a.query(`PREPARE TRANSACTION '${gid}'`);
  } catch (error) {
    prepareError = error as Error & { code?: string; hint?: string };
  }
  if (prepareError === undefined) {
    // A server configured for 2PC (max_prepared_transactions > 0): undo what we did.
    await a.query(`ROLLBACK PREPARED '${gid}'`);
    console.log('this server has 2PC enabled: run two-phase-pglite.ts for the walk-through');
  } else if (prepareError.code === '55000') { // object_not_in_prerequisite_state: 2PC disabled
    console.log(`PREPARE TRANSACTION: ${prepareError.code} ${prepareError.message}`);
    console.log(`  hint: ${prepareError.hint}`);
    const notices: string[] = [];
    a.on('notice', (notice) => notices.push(`${notice.severity}: ${notice.message}`));
    await a.query('COMMIT');
    console.log(`COMMIT afterwards: ${notices.join(' | ') || '(no notice)'}`);
    console.log(`balance ${(await a.query('SELECT balance FROM account')).rows[0].balance}: the failed PREPARE rolled the UPDATE back`);
  } else {
    throw prepareError; // anything else (e.g. 42710, gid in use) is not "2PC disabled"
  }
  await cleanUpPrepared(a);
  const listed = await a.query('SELECT count(*) AS n FROM pg_prepared_xacts');
  console.log(`pg_prepared_xacts rows: ${listed.rows[0].n}`);
  await a.query('DROP TABLE account');
} finally {
  // If we prepared and then failed, do not leave our prepared transaction holding its locks.
  await a?.query('ROLLBACK').catch(() => undefined); // a transaction left open by a failure above
  await a?.query('SELECT 1 FROM pg_prepared_xacts WHERE gid = $1', [gid])
    .then(async ({ rows }) => { if (rows.length > 0) await a!.query(`ROLLBACK PREPARED '${gid}'`); })
    .catch((error: unknown) => console.error(`could not roll back ${gid}: ${(error as Error).message}`));
  await closeAll([a]);
}
