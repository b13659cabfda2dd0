// A deliberately small saga orchestrator, run as a child process: its state is ONLY the saga log in
// PostgreSQL, so a new process that reads the log carries on where a killed one stopped. It logs
// completions only (step_done, step_failed, comp_done): a step with no completion record is sent
// again, which is safe because every participant deduplicates by idempotency key.
// Only a saga that failed for good is parked as saga_stuck (with the error chain; alert on it): a
// compensation refused or failing after its 5 attempts, or a request answered 4xx other than 409.
// Recovery skips parked sagas; an operator fixes the cause and deletes the saga_stuck row to re-drive.
// Any other error (a participant down during a forward step, this process's own database) leaves the saga as its log
// says, for the next run, and the process exits 1 so a supervisor sees it; the next saga is driven.
// Not handled here: two orchestrators driving the same saga at once (needs a lease with fencing),
// timeouts on a whole saga, parallel steps, backoff across runs (a saga whose participant stays
// down is retried, and the run fails, every time), and a longer retry budget for compensations
// (a participant refusing connections for about 0.6 s, or hanging for about 5.6 s, parks the saga; the saga-orchestrator challenge
// has one, maxCompensationAttempts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { closePool, openPool } from './db.ts';

interface Step { readonly name: string; readonly service: string; readonly compensable: boolean }
const STEPS: readonly Step[] = [
  { name: 'reserve', service: 'inventory', compensable: true }, // undo: release the stock
  { name: 'charge', service: 'payment', compensable: true }, // undo: refund (a new ledger entry, not a rollback)
  { name: 'ship', service: 'shipping', compensable: false }, // the last step: the paper's Cn is never needed
];

const participants = JSON.parse(process.env.SAGA_PARTICIPANTS ?? '{}') as Record<string, string>;

async function send(service: string, saga: string, step: string, action: 'do' | 'undo'): Promise<'ok' | 'rejected'> {
  const key = `${saga}:${step}:${action}`;
  for (let attempt = 1; ; attempt += 1) {
    let permanent = false;
    try {
      const res = await fetch(`${participants[service]}/${step}`, { method: 'POST', body: JSON.stringify({ key, saga, step, action }), signal: AbortSignal.timeout(1_000) });
      const body = (await res.json().catch(() => ({}))) as { error?: unknown }; // read, so the socket is free
      if (res.status === 200) return 'ok';
      if (res.status === 409 && action === 'do') return 'rejected'; // a business "no": the saga goes backward
      // A refused compensation is a failure, never "done"; another 4xx will not change on a resend.
      permanent = res.status >= 400 && res.status < 500 && res.status !== 409;
      throw Object.assign(new Error(`${service} answered ${res.status}`, { cause: body.error }), { code: 'EPARTICIPANT' });
    } catch (error) {
      // Out of attempts: a compensation (or a permanent answer) parks the saga; a forward step waits for the next run.
      if (permanent || attempt === 5) throw Object.assign(new Error(`${key}: gave up after ${attempt} attempts`, { cause: error }), { code: permanent || action === 'undo' ? 'ESAGASTUCK' : 'ERETRYLATER' });
      await sleep(20 * 2 ** attempt); // transport failure, 5xx or refused undo: the same key again, so a retry is safe
    }
  }
}

async function log(pool: Pool, saga: string, event: string, step = '', detail: unknown = null): Promise<void> {
  await pool.query('INSERT INTO saga_log (saga, event, step, detail) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [saga, event, step, detail]);
}

/** The error and its causes as plain data (name, code, message), for the log and for the printed line. */
function chain(error: unknown, depth = 0): { name?: string; code?: string; message?: string; cause?: unknown } | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error !== 'object' || depth > 4) return { message: String(error) };
  const { name, code, message, cause } = error as { name?: string; code?: string; message?: string; cause?: unknown };
  return { name, code, message, cause: chain(cause, depth + 1) };
}
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = chain(error); e; e = e.cause as typeof e) parts.push(`${e.code ?? e.name ?? 'Error'}: ${e.message}`);
  return parts.join('; cause: ');
}

/** Drives one saga from whatever its log says: forward, then (if a step was rejected) backward. */
async function drive(pool: Pool, saga: string): Promise<void> {
  const { rows } = await pool.query<{ event: string; step: string }>('SELECT event, step FROM saga_log WHERE saga = $1 ORDER BY seq', [saga]);
  const has = (event: string, step = ''): boolean => rows.some((r) => r.event === event && r.step === step);
  if (has('saga_done') || has('saga_compensated')) return;
  let failed = rows.some((r) => r.event === 'step_failed');
  for (const step of STEPS) {
    if (failed) break;
    if (has('step_done', step.name)) continue;
    if ((await send(step.service, saga, step.name, 'do')) === 'ok') {
      await log(pool, saga, 'step_done', step.name);
      rows.push({ event: 'step_done', step: step.name });
    } else {
      await log(pool, saga, 'step_failed', step.name);
      failed = true;
    }
  }
  if (!failed) return log(pool, saga, 'saga_done');
  for (const step of [...STEPS].reverse()) { // backward recovery: Cj ... C1, newest first
    if (!step.compensable || !has('step_done', step.name) || has('comp_done', step.name)) continue;
    await send(step.service, saga, step.name, 'undo'); // 'ok' or it throws: retried, never skipped
    await log(pool, saga, 'comp_done', step.name);
  }
  await log(pool, saga, 'saga_compensated');
}

const pool = openPool('orchestrator');
try {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM saga s WHERE NOT EXISTS
      (SELECT 1 FROM saga_log l WHERE l.saga = s.id AND l.event IN ('saga_done', 'saga_compensated', 'saga_stuck')) ORDER BY created`);
  for (const { id } of rows) {
    try {
      await drive(pool, id);
    } catch (error) { // one saga's failure must not stop the others
      if ((error as { code?: string }).code !== 'ESAGASTUCK') { // not the saga's fault: leave it for the next run
        console.error(`${id}: left unfinished for the next run (${describe(error)})`);
        process.exitCode = 1;
        continue;
      }
      console.log(`${id}: saga_stuck, needs an operator (${describe(error)})`);
      await log(pool, id, 'saga_stuck', '', chain(error)).catch((logError: unknown) => {
        console.error(`${id}: could not log saga_stuck (${describe(logError)})`); // so the next run re-drives it
        process.exitCode = 1;
      });
    }
  }
} finally {
  await closePool(pool);
}
