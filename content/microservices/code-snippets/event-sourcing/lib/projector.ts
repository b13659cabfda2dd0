// A projector child process: reads events after its checkpoint in batches of 10 and folds
// them into a balances read model. argv: <mode> <crashAfterBatches>.
//   same-tx:     apply the batch and advance the checkpoint in ONE transaction.
//   separate-tx: apply the batch, commit, then advance the checkpoint in a second transaction.
// With crashAfterBatches = n it SIGKILLs itself in batch n, after the balances were
// written and before the checkpoint moved: the crash between two writes.
import { openSession, closeAll } from './pg.ts';

const [mode, crashAt] = [process.argv[2], Number(process.argv[3] ?? 0)];
if (mode !== 'same-tx' && mode !== 'separate-tx') throw new Error(`unknown mode ${mode}`);
const client = await openSession(`projector-${mode}`);
try {
  for (let batch = 1; ; batch += 1) {
    await client.query('BEGIN');
    const { rows: [cp] } = await client.query<{ position: string }>(`SELECT position FROM checkpoints WHERE name = $1 FOR UPDATE`, [mode]);
    const { rows } = await client.query<{ id: string; account: string; amount: number }>(
      'SELECT id, account, amount FROM events WHERE id > $1 ORDER BY id LIMIT 10', [cp!.position]);
    if (rows.length === 0) { await client.query('COMMIT'); break; }
    for (const row of rows) {
      await client.query(`INSERT INTO balances (projection, account, balance) VALUES ($1, $2, $3)
        ON CONFLICT (projection, account) DO UPDATE SET balance = balances.balance + EXCLUDED.balance`, [mode, row.account, row.amount]);
    }
    const last = rows.at(-1)!.id;
    if (mode === 'separate-tx') { await client.query('COMMIT'); await client.query('BEGIN'); }
    if (batch === crashAt) process.kill(process.pid, 'SIGKILL'); // no finally runs: the server sees the socket drop and rolls back what is open
    await client.query('UPDATE checkpoints SET position = $2 WHERE name = $1', [mode, last]);
    await client.query('COMMIT');
  }
} finally {
  await closeAll([client]);
}
