// Benchmark: a job queue in a table, drained by several worker sessions at once. Each worker
// claims one job per transaction, holds its row lock while it "works" (WORK_MS of waiting,
// standing in for a call to another service), records the result and deletes the job in the
// same transaction. BENCH_ITERATIONS is the number of jobs per case. Every case then checks
// that each job was processed exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { closeAll, openSession } from './lib/sessions.ts';

const JOBS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const WORK_MS = 2;
const MAX_WORKERS = 8;

type Mode = 'SKIP LOCKED' | 'plain FOR UPDATE';
const CLAIM: Record<Mode, string> = {
  'SKIP LOCKED': 'SELECT id FROM job ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED',
  'plain FOR UPDATE': 'SELECT id FROM job ORDER BY id LIMIT 1 FOR UPDATE',
};

interface Result { ms: number; perWorker: number[]; emptyClaims: number }

async function drain(sessions: readonly Client[], mode: Mode, signal: AbortSignal): Promise<Result> {
  const perWorker = sessions.map(() => 0);
  let emptyClaims = 0; // claims that returned no row while jobs were still queued
  const started = performance.now();
  await Promise.all(sessions.map(async (session, worker) => {
    for (;;) {
      signal.throwIfAborted();
      await session.query('BEGIN');
      try {
        const { rows } = await session.query<{ id: string }>(CLAIM[mode]);
        if (rows.length === 0) {
          await session.query('COMMIT');
          const left = Number((await session.query('SELECT count(*) AS n FROM job')).rows[0].n);
          if (left === 0) return;
          emptyClaims += 1;
          continue;
        }
        const id = rows[0]!.id;
        await sleep(WORK_MS, undefined, { signal });
        await session.query('INSERT INTO processed (job_id, worker) VALUES ($1, $2)', [id, worker]); // PK: a second processing would fail
        await session.query('DELETE FROM job WHERE id = $1', [id]);
        await session.query('COMMIT');
        perWorker[worker]! += 1;
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined); // the original error is the one to report
        throw error;
      }
    }
  }));
  return { ms: performance.now() - started, perWorker, emptyClaims };
}

const sessions: Client[] = [];
try {
  for (let i = 0; i < MAX_WORKERS; i += 1) sessions.push(await openSession({ name: `worker-${i}` }));
  const admin = sessions[0]!;
  await admin.query(`DROP TABLE IF EXISTS job, processed;
    CREATE TABLE job (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL);
    CREATE TABLE processed (job_id bigint PRIMARY KEY, worker int NOT NULL)`);
  const signal = AbortSignal.timeout(110_000);
  console.log(`${JOBS} jobs per case, ${WORK_MS} ms of work per job with the row lock held`);
  console.log('claim              workers   jobs/s   jobs per worker (min-max)   empty claims   processed exactly once');
  const cases: [Mode, number][] = [['SKIP LOCKED', 1], ['SKIP LOCKED', 2], ['SKIP LOCKED', 4], ['SKIP LOCKED', 8], ['plain FOR UPDATE', 4]];
  for (const [mode, workers] of cases) {
    await admin.query('TRUNCATE job, processed');
    await admin.query(`INSERT INTO job (payload) SELECT 'job ' || g FROM generate_series(1, $1) AS g`, [JOBS]);
    const result = await drain(sessions.slice(0, workers), mode, signal);
    const check = (await admin.query<{ done: string; distinct: string; left: string }>(
      'SELECT count(*) AS done, count(DISTINCT job_id) AS distinct, (SELECT count(*) FROM job) AS left FROM processed')).rows[0]!;
    const exactlyOnce = Number(check.done) === JOBS && Number(check.distinct) === JOBS && Number(check.left) === 0;
    const rate = Math.round(JOBS / (result.ms / 1000));
    console.log(`${mode.padEnd(18)} ${String(workers).padStart(7)}   ${String(rate).padStart(6)}   ${`${Math.min(...result.perWorker)}-${Math.max(...result.perWorker)}`.padStart(25)}   ${String(result.emptyClaims).padStart(12)}   ${exactlyOnce ? 'yes' : 'NO'}`);
  }
  await admin.query('DROP TABLE job, processed');
} finally {
  await closeAll(sessions);
}
