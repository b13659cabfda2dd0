// A participant's step as ONE local transaction: the idempotency key, the business effect and the
// reply to the orchestrator (an outbox row) commit together or not at all. The command "charge
// order-7" is delivered three times (the broker redelivers), and the first delivery crashes between
// the effect and the reply. Compare a handler that commits the effect and then publishes the reply
// directly (a dual write): the crash loses the reply, and its deduplication then swallows the
// redeliveries, so the orchestrator never hears back. One process suffices: PGlite.
// Not shown: the relay that moves outbox rows to the broker (the transactions lesson has one).
import { PGlite } from '@electric-sql/pglite';

class Crash extends Error { override readonly name = 'Crash'; }
interface Command { readonly messageId: string; readonly saga: string; readonly amount: number }
type Handler = (db: PGlite, command: Command, crash: boolean, broker: string[]) => Promise<void>;

const dualWrite: Handler = async (db, command, crash, broker) => {
  const fresh = await db.transaction(async (tx) => {
    const seen = await tx.query('INSERT INTO processed (message_id) VALUES ($1) ON CONFLICT DO NOTHING', [command.messageId]);
    if (seen.affectedRows === 0) return false; // duplicate: ignore it
    await tx.query('INSERT INTO ledger (saga, amount) VALUES ($1, $2)', [command.saga, command.amount]);
    return true;
  });
  if (!fresh) return;
  if (crash) throw new Crash('process died after COMMIT, before publishing the reply');
  broker.push(`charged ${command.saga}`);
};

const outbox: Handler = async (db, command, crash) => {
  await db.transaction(async (tx) => {
    const seen = await tx.query('INSERT INTO processed (message_id) VALUES ($1) ON CONFLICT DO NOTHING', [command.messageId]);
    if (seen.affectedRows === 0) return; // duplicate: the reply is already in the outbox, nothing to add
    await tx.query('INSERT INTO ledger (saga, amount) VALUES ($1, $2)', [command.saga, command.amount]);
    if (crash) throw new Crash('process died between the effect and the reply'); // rolls back both
    await tx.query('INSERT INTO outbox (payload) VALUES ($1)', [`charged ${command.saga}`]);
  });
};

const db = new PGlite();
try {
  for (const [name, handle] of [['dual write', dualWrite], ['outbox', outbox]] as const) {
    await db.exec(`DROP TABLE IF EXISTS processed, ledger, outbox;
      CREATE TABLE processed (message_id text PRIMARY KEY);
      CREATE TABLE ledger (id serial PRIMARY KEY, saga text NOT NULL, amount numeric NOT NULL);
      CREATE TABLE outbox (id serial PRIMARY KEY, payload text NOT NULL);`);
    const broker: string[] = [];
    const command: Command = { messageId: 'cmd-7', saga: 'order-7', amount: 40 };
    for (let delivery = 1; delivery <= 3; delivery += 1) {
      try {
        await handle(db, command, delivery === 1, broker);
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
        console.log(`${name}: delivery 1 crashed (${error.message})`);
      }
    }
    const count = async (table: string): Promise<number> => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
    const replies = broker.length + (await count('outbox'));
    console.log(`${name}: deliveries 3, ledger rows ${await count('ledger')}, replies for the orchestrator ${replies}`);
  }
} finally {
  await db.close();
}
