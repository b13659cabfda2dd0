// The consumer's effect: credit an account in PostgreSQL, optionally deduplicated by the
// producer-assigned message id in the SAME transaction (shared by the snippet and lib/crashing-consumer.ts).
// Throws (after ROLLBACK) for an unknown account: the caller must not ack such an entry.
import type pg from 'pg';

export type Payment = { msgId: string; account: string; cents: number };
export type Entry = { id: string; message: Record<string, string> };

export const parse = (e: Entry): Payment => ({ msgId: e.message.msgId, account: e.message.account, cents: Number(e.message.cents) });

// Every wait on the database is bounded: give the connection these settings.
export const dbTimeouts = { statement_timeout: 5000, lock_timeout: 2000, idle_in_transaction_session_timeout: 10_000 };

export async function apply(db: pg.Client, p: Payment, idempotent: boolean): Promise<'applied' | 'duplicate'> {
  await db.query('BEGIN');
  try {
    if (idempotent) {
      const seen = await db.query('INSERT INTO processed (message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1', [p.msgId]);
      if (seen.rowCount === 0) {
        await db.query('ROLLBACK'); // already applied: change nothing
        return 'duplicate';
      }
    }
    const credited = await db.query('UPDATE balances SET cents = cents + $2 WHERE account = $1', [p.account, p.cents]);
    if (credited.rowCount !== 1) { // no such account: roll back the dedup row too, do not report success
      throw Object.assign(new Error(`no account ${p.account}`), { name: 'PaymentError', code: 'EACCOUNT' });
    }
    await db.query('COMMIT');
    return 'applied';
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {}); // the original error is the one to report
    throw err;
  }
}
