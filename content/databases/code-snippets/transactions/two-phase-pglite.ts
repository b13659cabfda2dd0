// The participant's side of two-phase commit, on an embedded PostgreSQL (PGlite) started with
// max_prepared_transactions = 4 (the snippet runner's server has 0: see two-phase-commit.ts).
// A prepared transaction belongs to no session: it survives a shutdown and reopen, keeps its row locks,
// and waits for a COMMIT PREPARED or ROLLBACK PREPARED that only the coordinator can decide.
// The data folder lives in the working directory, so the reopen reads it back from disk; it is
// removed at the start (a leftover from an interrupted run) and at the end.
import { rm } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';

const DATA = './participant';
const open = async (): Promise<PGlite> => {
  const db = new PGlite(DATA, { postgresqlconf: ['max_prepared_transactions = 4'] });
  await db.waitReady;
  return db;
};
const failure = (error: unknown): string => `${(error as { code?: string }).code ?? '?'} ${(error as Error).message}`;
const balance = async (db: PGlite): Promise<number> => (await db.query<{ balance: number }>('SELECT balance FROM account WHERE id = 1')).rows[0]!.balance;
const preparedGids = async (db: PGlite): Promise<string> => `[${(await db.query<{ gid: string }>('SELECT gid FROM pg_prepared_xacts ORDER BY gid')).rows.map((r) => r.gid).join(', ')}]`;

/** Phase 1: do the work and PREPARE. A failure is a NO vote; nothing is left behind. */
async function prepare(db: PGlite, gid: string, sql: string): Promise<'yes' | 'no'> {
  try {
    await db.exec(`BEGIN; ${sql}; PREPARE TRANSACTION '${gid}'`);
    return 'yes';
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => undefined);
    console.log(`  votes no: ${failure(error)}`);
    return 'no';
  }
}

/** Phase 2: idempotent, so a coordinator can replay its decision after any crash. */
async function finish(db: PGlite, gid: string, decision: 'commit' | 'abort'): Promise<string> {
  const { rows } = await db.query('SELECT 1 FROM pg_prepared_xacts WHERE gid = $1', [gid]);
  if (rows.length === 0) return 'nothing to do (already finished)';
  await db.exec(`${decision === 'commit' ? 'COMMIT' : 'ROLLBACK'} PREPARED '${gid}'`);
  return decision === 'commit' ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED';
}

let db: PGlite | undefined;
try {
  await rm(DATA, { recursive: true, force: true });
  db = await open();
  const { v, m } = (await db.query<{ v: string; m: string }>(`SELECT split_part(version(), ' ', 2) AS v, current_setting('max_prepared_transactions') AS m`)).rows[0]!;
  console.log(`PGlite, PostgreSQL ${v.replace(/\.\d+$/, '.x')}, max_prepared_transactions = ${m}`);
  await db.exec('CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0)); INSERT INTO account VALUES (1, 100)');

  console.log('1. phase 1 for "debit 500": the CHECK fails, so this participant votes no');
  await prepare(db, 'debit-500', 'UPDATE account SET balance = balance - 500 WHERE id = 1');
  console.log(`  prepared: ${await preparedGids(db)}; balance ${await balance(db)}`);

  console.log('2. phase 1 for "debit 10": votes yes; then the engine is shut down and reopened before phase 2');
  console.log(`  vote: ${await prepare(db, 'debit-10', 'UPDATE account SET balance = balance - 10 WHERE id = 1')}`);
  await db.close();
  db = await open();
  console.log(`  after reopening, prepared: ${await preparedGids(db)}`);
  try {
    await db.query('SELECT balance FROM account WHERE id = 1 FOR UPDATE NOWAIT');
    console.log('  a writer got the row?!');
  } catch (error) {
    console.log(`  a writer that wants the row: ${failure(error)}`);
  }
  console.log(`  a reader is not blocked and sees the old value: ${await balance(db)}`);

  console.log('3. the coordinator sends its logged decision, commit, twice');
  console.log(`  first:  ${await finish(db, 'debit-10', 'commit')}`);
  console.log(`  second: ${await finish(db, 'debit-10', 'commit')}`);
  console.log(`  balance ${await balance(db)}; prepared: ${await preparedGids(db)}`);
} finally {
  await db?.close().catch((error: unknown) => console.error('close failed:', error));
  await rm(DATA, { recursive: true, force: true });
}
