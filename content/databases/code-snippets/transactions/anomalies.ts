// Every classic anomaly, reproduced with two real sessions (A and B) on a PostgreSQL server,
// at each isolation level. Each scenario is a fixed interleaving: the snippet awaits each step,
// so the schedule is exactly the one printed in the lesson, not a race.
import type { Client } from 'pg';
import { attempt, closeAll, openSession } from './lib/sessions.ts';

type Level = 'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
const LEVELS: readonly Level[] = ['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'];

async function reset(a: Client): Promise<void> {
  await a.query(`
    DROP TABLE IF EXISTS account, doctor;
    CREATE TABLE account (id int PRIMARY KEY, balance int NOT NULL);
    INSERT INTO account VALUES (1, 50), (2, 50);
    CREATE TABLE doctor (name text PRIMARY KEY, on_call boolean NOT NULL);
    INSERT INTO doctor VALUES ('alice', true), ('bob', true);`);
}

const one = async (c: Client, sql: string): Promise<number> => Number(Object.values((await c.query(sql)).rows[0] as object)[0]);

// Each scenario: A runs at `level`; B at READ COMMITTED, except in the two where both write
// (lost update, write skew): there B runs at `level` too. Returns what happened.
const scenarios: Record<string, (a: Client, b: Client, level: Level) => Promise<string>> = {
  // B changes a row and has not committed. Does A see the change?
  'dirty read': async (a, b, level) => {
    await a.query(`BEGIN ISOLATION LEVEL ${level}`);
    await b.query('BEGIN');
    await b.query('UPDATE account SET balance = 0 WHERE id = 1');
    const seen = await one(a, 'SELECT balance FROM account WHERE id = 1');
    await b.query('ROLLBACK');
    await a.query('COMMIT');
    return seen === 0 ? 'ANOMALY: saw uncommitted 0' : `prevented (saw ${seen})`;
  },
  // A reads a row twice; between the reads B commits a change to it.
  'non-repeatable read': async (a, b, level) => {
    await a.query(`BEGIN ISOLATION LEVEL ${level}`);
    const first = await one(a, 'SELECT balance FROM account WHERE id = 1');
    await b.query('UPDATE account SET balance = 10 WHERE id = 1');
    const second = await one(a, 'SELECT balance FROM account WHERE id = 1');
    await a.query('COMMIT');
    return first !== second ? `ANOMALY: ${first} then ${second}` : `prevented (${first} twice)`;
  },
  // A counts the rows matching a predicate twice; between the counts B inserts a matching row.
  phantom: async (a, b, level) => {
    await a.query(`BEGIN ISOLATION LEVEL ${level}`);
    const first = await one(a, 'SELECT count(*) FROM account WHERE balance > 0');
    await b.query('INSERT INTO account VALUES (3, 70)');
    const second = await one(a, 'SELECT count(*) FROM account WHERE balance > 0');
    await a.query('COMMIT');
    return first !== second ? `ANOMALY: ${first} rows then ${second}` : `prevented (${first} rows twice)`;
  },
  // Invariant: balances sum to 100. A reads account 1, B moves 50 from 1 to 2 and commits, A reads 2.
  'read skew': async (a, b, level) => {
    await a.query(`BEGIN ISOLATION LEVEL ${level}`);
    const x = await one(a, 'SELECT balance FROM account WHERE id = 1');
    await b.query('BEGIN');
    await b.query('UPDATE account SET balance = balance - 50 WHERE id = 1');
    await b.query('UPDATE account SET balance = balance + 50 WHERE id = 2');
    await b.query('COMMIT');
    const y = await one(a, 'SELECT balance FROM account WHERE id = 2');
    await a.query('COMMIT');
    return x + y !== 100 ? `ANOMALY: sum ${x} + ${y} = ${x + y}` : `prevented (sum ${x + y})`;
  },
  // Read-modify-write in the application: A adds 10, B adds 20, both from the value they read.
  'lost update': async (a, b, level) => {
    await a.query(`BEGIN ISOLATION LEVEL ${level}`);
    await b.query(`BEGIN ISOLATION LEVEL ${level}`);
    const readByA = await one(a, 'SELECT balance FROM account WHERE id = 1');
    const readByB = await one(b, 'SELECT balance FROM account WHERE id = 1');
    await a.query('UPDATE account SET balance = $1 WHERE id = 1', [readByA + 10]);
    await a.query('COMMIT');
    const write = await attempt(b, 'UPDATE account SET balance = $1 WHERE id = 1', [readByB + 20]);
    if (!write.ok) {
      await b.query('ROLLBACK');
      return `prevented: B's UPDATE failed, ${write.code} ${write.message}`;
    }
    await b.query('COMMIT');
    const final = await one(a, 'SELECT balance FROM account WHERE id = 1');
    return final !== 80 ? `ANOMALY: 50 +10 +20 ended at ${final}` : 'prevented (80)';
  },
  // Invariant: at least one doctor on call. Each checks that two are, then takes themself off.
  'write skew': async (a, b, level) => {
    await a.query(`BEGIN ISOLATION LEVEL ${level}`);
    await b.query(`BEGIN ISOLATION LEVEL ${level}`);
    const seenByA = await one(a, 'SELECT count(*) FROM doctor WHERE on_call');
    const seenByB = await one(b, 'SELECT count(*) FROM doctor WHERE on_call');
    if (seenByA >= 2) await a.query(`UPDATE doctor SET on_call = false WHERE name = 'alice'`);
    if (seenByB >= 2) await b.query(`UPDATE doctor SET on_call = false WHERE name = 'bob'`);
    await a.query('COMMIT');
    const commit = await attempt(b, 'COMMIT');
    if (!commit.ok) {
      await b.query('ROLLBACK');
      return `prevented: B's COMMIT failed, ${commit.code} ${commit.message}`;
    }
    const onCall = await one(a, 'SELECT count(*) FROM doctor WHERE on_call');
    return onCall === 0 ? 'ANOMALY: nobody on call' : `prevented (${onCall} on call)`;
  },
};

let a: Client | undefined;
let b: Client | undefined;
try {
  a = await openSession({ name: 'A' });
  b = await openSession({ name: 'B' });
  console.log((await a.query<{ v: string }>(`SELECT split_part(version(), ' ', 2) AS v`)).rows[0]!.v.replace(/\.\d+$/, '.x'), 'server; A runs at the level shown, B at READ COMMITTED except where both write');
  for (const [name, run] of Object.entries(scenarios)) {
    console.log(`\n${name}`);
    for (const level of LEVELS) {
      if (level === 'READ UNCOMMITTED' && name !== 'dirty read') continue;
      await reset(a);
      try {
        console.log(`  ${level.padEnd(17)} ${await run(a, b, level)}`);
      } finally {
        // Whatever happened, neither session is left inside a transaction for the next scenario.
        await Promise.allSettled([a.query('ROLLBACK'), b.query('ROLLBACK')]);
      }
    }
  }
  await a.query('DROP TABLE account, doctor');
} finally {
  await closeAll([a, b]);
}
