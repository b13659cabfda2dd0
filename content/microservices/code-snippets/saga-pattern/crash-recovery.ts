// Crash recovery from a durable saga log. Three participants (node:http services in this process,
// each with its own pool and its own rows, keyed (service, key), in one shared idempotency table) and
// an orchestrator in a CHILD PROCESS, because the point is a process that dies: the payment service
// SIGKILLs the orchestrator right after it committed a charge and before the orchestrator could log
// the reply. A fresh orchestrator process reads the log and finishes (order-2) or compensates
// (order-3). Shipping refuses order-1 and order-3 (a business rejection); payment also refuses
// order-1's refund, so order-1 is parked as stuck and order-2 and order-3 are driven anyway; before
// run 3 an "operator" fixes the refund and deletes order-1's saga_stuck row, and run 3 compensates it.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Pool } from 'pg';
import { closeEach, closePool, openPool } from './lib/db.ts';
import { sagaSchema } from './lib/saga-schema.ts';
import { participantSchema, startParticipant } from './lib/participant.ts';
import type { Command, Participant } from './lib/participant.ts';

const killAt = new Set(['order-2:charge:do', 'order-3:charge:undo']); // one crash each, between two writes
let orchestrator: ChildProcess | undefined;
let refundBug = true; // payment refuses order-1's refund until the operator's fix

function killOrchestrator(command: Command): void {
  if (!killAt.delete(command.key) || !orchestrator) return;
  console.log(`payment committed ${command.key}; SIGKILL to the orchestrator before it logs the reply`);
  orchestrator.kill('SIGKILL');
}

/** Runs one orchestrator process to its end; resolves with how it ended. Bounded by a deadline. */
async function runOrchestrator(urls: Record<string, string>): Promise<string> {
  const child = fork(new URL('./lib/orchestrator.ts', import.meta.url), [], { env: { ...process.env, SAGA_PARTICIPANTS: JSON.stringify(urls) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  orchestrator = child;
  try {
    const [code, signal] = (await Promise.race([once(child, 'exit'), once(child, 'error').then(([e]) => Promise.reject(e)), new Promise((_r, reject) => setTimeout(reject, 8_000, new Error('orchestrator: no exit within 8000 ms')).unref())])) as [number | null, string | null];
    return signal ? `killed by ${signal}` : `exited with code ${code}`;
  } finally {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await once(child, 'exit'); }
    orchestrator = undefined;
  }
}

const pools: Pool[] = [];
const services: Participant[] = [];
try {
  const admin = openPool('admin');
  pools.push(admin);
  // Its own tables, dropped and created, so a rerun against a reused database starts clean.
  await admin.query('DROP TABLE IF EXISTS saga_log, saga, processed, ledger;' + participantSchema + sagaSchema);
  await admin.query(`INSERT INTO saga (id) VALUES ('order-1'), ('order-2'), ('order-3')`);
  for (const name of ['inventory', 'payment', 'shipping']) {
    const pool = openPool(name);
    pools.push(pool);
    services.push(await startParticipant({ name, pool, rejects: (c) => (name === 'shipping' && c.saga !== 'order-2') || (refundBug && c.key === 'order-1:charge:undo'), afterCommit: name === 'payment' ? killOrchestrator : undefined }));
  }
  const urls = { inventory: services[0]!.url, payment: services[1]!.url, shipping: services[2]!.url };
  for (let run = 1; run <= 3; run += 1) {
    if (run === 3) { // the operator's re-drive: fix the cause, then delete the saga_stuck record
      refundBug = false;
      await admin.query(`DELETE FROM saga_log WHERE saga = 'order-1' AND event = 'saga_stuck'`);
      console.log('operator: refund fixed, saga_stuck of order-1 deleted');
    }
    console.log(`orchestrator run ${run}: ${await runOrchestrator(urls)}`);
  }

  for (const saga of ['order-1', 'order-2', 'order-3']) {
    const { rows } = await admin.query<{ e: string }>(`SELECT event || CASE WHEN step = '' THEN '' ELSE ' ' || step END AS e FROM saga_log WHERE saga = $1 ORDER BY seq`, [saga]);
    console.log(`${saga} log: ${rows.map((r) => r.e).join(', ')}`);
  }
  const { rows } = await admin.query<{ key: string; n: number }>(`SELECT saga || ':' || step || ':' || action AS key, count(*)::int AS n FROM ledger GROUP BY 1 ORDER BY min(id)`);
  console.log('command              received  applied');
  for (const { key, n } of rows) {
    const received = services.reduce((sum, s) => sum + (s.received.get(key) ?? 0), 0);
    console.log(`${key.padEnd(20)} ${String(received).padStart(8)} ${String(n).padStart(8)}`);
  }
  const refused = await admin.query<{ key: string }>(`SELECT key FROM processed WHERE reply->>'outcome' = 'rejected' ORDER BY key`);
  for (const { key } of refused.rows) {
    const received = services.reduce((sum, s) => sum + (s.received.get(key) ?? 0), 0);
    console.log(`${key.padEnd(20)} ${String(received).padStart(8)}        0 (rejected: nothing to apply)`);
  }
} finally {
  if (orchestrator) orchestrator.kill('SIGKILL');
  await closeEach([...services.map((s) => () => s.close()), ...pools.map((p) => () => closePool(p))]);
}
