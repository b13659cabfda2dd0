// A long-running operation: POST answers 202 Accepted at once with a status resource
// (Location), the client polls it honouring Retry-After, and it can cancel with DELETE.
// The server bounds each job with a deadline and aborts running jobs when it shuts down.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpProblem, PROBLEM_BASE, sendJson, startServer } from './lib/http-kit.ts';

type State = 'running' | 'succeeded' | 'failed' | 'cancelled';
interface Operation {
  readonly id: string;
  state: State;
  progress: number;
  result?: string; // where the finished resource lives
  error?: { type: string; title: string };
  readonly controller: AbortController;
}
const operations = new Map<string, Operation>();
const JOB_DEADLINE_MS = 5_000;
let exportsMade = 0;

/** The work: 4 steps of 250 ms, cancellable at every step through the signal. */
async function runExport(op: Operation): Promise<void> {
  const signal = AbortSignal.any([op.controller.signal, AbortSignal.timeout(JOB_DEADLINE_MS)]);
  try {
    for (let step = 1; step <= 4; step++) {
      await sleep(250, undefined, { signal });
      op.progress = step / 4;
    }
    exportsMade += 1;
    op.state = 'succeeded';
    op.result = `/exports/${op.id}`;
  } catch (err) {
    if (op.controller.signal.aborted) op.state = 'cancelled';
    else {
      op.state = 'failed';
      op.error = { type: `${PROBLEM_BASE}export-timeout`, title: (err as Error).name };
    }
  }
}

function statusBody(op: Operation): object {
  return { id: op.id, state: op.state, progress: op.progress, ...(op.result && { result: op.result }), ...(op.error && { error: op.error }) };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (req.method === 'POST' && url === '/exports') {
    const op: Operation = { id: randomUUID(), state: 'running', progress: 0, controller: new AbortController() };
    operations.set(op.id, op);
    void runExport(op); // never rejects: runExport records every outcome on the operation
    // RFC 9110, 15.3.3: 202 means accepted, not done; the body should point to a status monitor.
    sendJson(res, 202, statusBody(op), { location: `/operations/${op.id}`, 'retry-after': '1' });
    return;
  }
  const id = /^\/operations\/([\w-]+)$/.exec(url)?.[1];
  const op = id === undefined ? undefined : operations.get(id);
  if (op === undefined) throw new HttpProblem({ type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404 });
  if (req.method === 'GET') {
    // Status changes from moment to moment: never serve it from a cache.
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (op.state === 'running') headers['retry-after'] = '1';
    sendJson(res, 200, statusBody(op), headers);
    return;
  }
  if (req.method === 'DELETE') {
    if (op.state === 'running') op.controller.abort(new Error('cancelled by client'));
    await sleep(0); // let the job observe the abort before reporting
    sendJson(res, 200, statusBody(op), { 'cache-control': 'no-store' });
    return;
  }
  throw new HttpProblem({ type: `${PROBLEM_BASE}method-not-allowed`, title: 'Method not allowed', status: 405 }, { headers: { allow: 'GET, DELETE' } });
}

/** Below this a poll never comes sooner, whatever the server says: a monitor answering 0 (or a value we cannot read) must not be polled in a tight loop. */
const MIN_POLL_MS = 250;
// The three HTTP-date forms a recipient must accept (RFC 9110 §5.6.7): IMF-fixdate, which
// senders must use ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete rfc850-date
// ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime-date ("Sun Nov  6 08:49:37 1994", which is in
// GMT but carries no zone, so " GMT" is added before parsing; V8 would read it as local time).
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

function httpDateMs(text: string): number {
  if (IMF_FIXDATE.test(text) || RFC850_DATE.test(text)) return Date.parse(text);
  if (ASCTIME_DATE.test(text)) return Date.parse(`${text} GMT`);
  return Number.NaN;
}

/** Parses Retry-After: delay-seconds or an HTTP-date (RFC 9110, 10.2.3); caps it, and never below MIN_POLL_MS. Anything else gets the default wait. */
function retryAfterMs(value: string | null, fallbackMs: number, capMs: number): number {
  if (value === null) return fallbackMs;
  const text = value.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : httpDateMs(text) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, MIN_POLL_MS), capMs) : fallbackMs;
}

interface Status {
  readonly state: State;
  readonly progress: number;
  readonly result?: string;
}

/** Starts an export and polls until a terminal state, within an overall deadline. */
async function exportAndWait(origin: string, signal: AbortSignal, onPoll: (s: Status) => void): Promise<Status> {
  const start = await fetch(`${origin}/exports`, { method: 'POST', signal });
  if ((start.status !== 202 && start.status !== 200) || start.headers.get('location') === null) {
    await start.body?.cancel();
    throw new Error(`export not started: HTTP ${start.status}`);
  }
  const monitor = new URL(start.headers.get('location') ?? '', origin);
  let status = (await start.json()) as Status;
  let wait = retryAfterMs(start.headers.get('retry-after'), 1_000, 5_000);
  while (status.state === 'running') {
    await sleep(wait, undefined, { signal }); // rejects with the signal's reason on the deadline
    const res = await fetch(monitor, { signal });
    if (res.status !== 200 || !(res.headers.get('content-type') ?? '').startsWith('application/json')) {
      await res.body?.cancel();
      throw new Error(`status monitor answered HTTP ${res.status}`);
    }
    status = (await res.json()) as Status;
    onPoll(status);
    wait = retryAfterMs(res.headers.get('retry-after'), 1_000, 5_000);
  }
  return status;
}

const server = await startServer(handle);
try {
  const polls: string[] = [];
  const done = await exportAndWait(server.origin, AbortSignal.timeout(8_000), (s) => polls.push(`${s.state}@${s.progress}`));
  console.log(`polls: ${polls.length >= 1 && polls.length <= 3}, last: ${polls.at(-1)}`);
  console.log(`finished: state=${done.state}, result is a link: ${done.result?.startsWith('/exports/')}`);

  // Cancellation: start another, then DELETE its status resource.
  const start = await fetch(`${server.origin}/exports`, { method: 'POST', signal: AbortSignal.timeout(2_000) });
  console.log(`202 with Location: ${start.status} ${start.headers.get('location')?.startsWith('/operations/')}, retry-after: ${start.headers.get('retry-after')}`);
  await start.body?.cancel();
  const monitor = new URL(start.headers.get('location') ?? '', server.origin);
  await sleep(300);
  const del = await fetch(monitor, { method: 'DELETE', signal: AbortSignal.timeout(2_000) });
  const cancelled = (await del.json()) as Status;
  console.log(`after DELETE: state=${cancelled.state}, progress=${cancelled.progress}`);

  // A client deadline shorter than the job: the client stops waiting; the job is not its to kill.
  const early = await exportAndWait(server.origin, AbortSignal.timeout(400), () => {}).catch((err: Error) => err);
  console.log(`short client deadline -> ${(early as Error).name}`);
} finally {
  for (const op of operations.values()) op.controller.abort(new Error('server shutting down')); // no orphan timers
  await server.close();
}
const states = [...operations.values()].map((o) => o.state).sort();
console.log(`exports completed: ${exportsMade}; operation states: ${states.join(', ')}`);
