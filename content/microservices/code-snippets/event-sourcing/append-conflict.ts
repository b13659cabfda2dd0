// An event store on PGlite: one table, a primary key on (stream_id, version), and an
// append that states the version it expects the stream to be at. Two command handlers
// load the same account at version 2 and both decide to withdraw; the second append
// violates the key (SQLSTATE 23505) and becomes a WrongExpectedVersion error, so the
// handler reloads and decides again against the new state.
// Only a violation of the (stream_id, version) key is a concurrency conflict: the check names
// the constraint, so a later unique index (a command id, say) is not retried as one.
// Not handled here: retries with backoff, idempotency of the command itself (a retried
// HTTP request would withdraw twice without a command id), appends across two streams.
import { PGlite } from '@electric-sql/pglite';

interface NewEvent { readonly type: string; readonly data: Record<string, unknown> }

export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  readonly code = 'WRONG_EXPECTED_VERSION';
  readonly streamId: string;
  readonly expected: number;
  constructor(streamId: string, expected: number, cause: unknown) {
    super(`stream ${streamId} is not at version ${expected}`, { cause });
    this.streamId = streamId;
    this.expected = expected;
  }
}

const db = await PGlite.create();
try {
  const { rows: [engine] } = await db.query<{ v: string }>(`SELECT split_part(version(), ' ', 2) AS v`);
  console.log(`engine: PostgreSQL ${engine!.v} (PGlite)`);
  await db.exec(`
    CREATE TABLE events (
      global_id  bigint GENERATED ALWAYS AS IDENTITY,
      stream_id  text   NOT NULL,
      version    int    NOT NULL CHECK (version >= 1),
      type       text   NOT NULL,
      data       jsonb  NOT NULL,
      CONSTRAINT events_stream_version PRIMARY KEY (stream_id, version)
    )`);

  /** Appends `events` after version `expected` (0 = the stream must not exist yet). */
  async function append(streamId: string, expected: number, events: readonly NewEvent[]): Promise<number> {
    try {
      await db.transaction(async (tx) => {
        // The key rejects a stale expected version; one ahead of the stream would leave a hole
        // (expected 5 on a stream at 3 gives 1, 2, 3, 6), so the row at `expected` must exist.
        if (expected > 0) {
          const { rows } = await tx.query('SELECT 1 FROM events WHERE stream_id = $1 AND version = $2', [streamId, expected]);
          if (rows.length === 0) throw new WrongExpectedVersion(streamId, expected, undefined);
        }
        for (const [i, event] of events.entries()) {
          await tx.query('INSERT INTO events (stream_id, version, type, data) VALUES ($1, $2, $3, $4)',
            [streamId, expected + i + 1, event.type, JSON.stringify(event.data)]);
        }
      });
      return expected + events.length;
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'events_stream_version') throw new WrongExpectedVersion(streamId, expected, error);
      throw error;
    }
  }

  async function load(streamId: string): Promise<{ version: number; balance: number }> {
    const { rows } = await db.query<{ version: number; type: string; data: { amount: number } }>(
      'SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version', [streamId]);
    let balance = 0;
    for (const row of rows) balance += row.type === 'Deposited' ? row.data.amount : -row.data.amount;
    return { version: rows.at(-1)?.version ?? 0, balance };
  }

  /** The decision: a withdrawal must not overdraw. Pure, so it can run again after a conflict. */
  function decide(state: { balance: number }, amount: number): NewEvent[] {
    if (amount > state.balance) throw Object.assign(new Error(`insufficient funds: balance ${state.balance}, asked ${amount}`), { code: 'INSUFFICIENT_FUNDS' });
    return [{ type: 'Withdrawn', data: { amount } }];
  }

  await append('account-1', 0, [{ type: 'Deposited', data: { amount: 100 } }, { type: 'Deposited', data: { amount: 50 } }]);
  try {
    await append('account-1', 0, [{ type: 'Deposited', data: { amount: 1 } }]);
  } catch (error) {
    console.log(`create again with expected 0: ${(error as Error).name} (${((error as Error).cause as { code: string }).code})`);
  }

  // Both handlers read before either writes: the interleaving that a lock-free design must survive.
  const a = await load('account-1');
  const b = await load('account-1');
  console.log(`handler A loaded version ${a.version}, balance ${a.balance}`);
  console.log(`handler B loaded version ${b.version}, balance ${b.balance}`);
  console.log(`A appends Withdrawn 120 at expected ${a.version}: now version ${await append('account-1', a.version, decide(a, 120))}`);
  try {
    await append('account-1', b.version, decide(b, 100));
  } catch (error) {
    if (!(error instanceof WrongExpectedVersion)) throw error;
    const cause = error.cause as { code: string; constraint: string };
    console.log(`B appends Withdrawn 100 at expected ${b.version}: ${error.name}, cause SQLSTATE ${cause.code} on ${cause.constraint}`);
    const again = await load('account-1');
    try {
      decide(again, 100);
    } catch (rejection) {
      console.log(`B reloads (version ${again.version}, balance ${again.balance}) and decides again: ${(rejection as Error).message}`);
    }
  }
  const final = await load('account-1');
  console.log(`final: version ${final.version}, balance ${final.balance}`);
} finally {
  await db.close();
}
