// One service in a call chain, run as a child process by the snippets.
// Configured by environment variables, or later by an IPC {type: 'config', env} message
// (which also resets the counters), so that one process serves several scenarios:
//   ROLE          'hop' forwards to NEXT; 'leaf' does the work
//   NEXT          the next service's base URL (hops only)
//   TRIES         attempts per incoming request (hops only), 1 = no retries
//   PER_TRY_MS    timeout of each attempt (hops only)
//   PROPAGATE     '1': read x-deadline-ms, subtract elapsed time, pass the rest on
//   STOP_RETRIES  '1': when retries are exhausted, say so (x-retry-exhausted: 1), and do
//                 not retry a response that says so: only the hop next to the failure retries
//   LEAF_MODE     'overloaded' (503 at once) or 'slow' (LEAF_COST_MS of work, then 200)
// With STOP_RETRIES the final failure of its attempts is marked exhausted (not the 504 it
// answers when the deadline has already run out), but the mark only stops the retrying of
// 503 answers: own per-try timeouts and network errors are retried regardless,
// so timeouts still multiply k^n (a real service does not retry a timeout of a call whose
// deadline it propagated).
// Not handled (on purpose, to keep one mechanism per file): backoff and jitter between
// attempts, idempotency of the forwarded request, capping an incoming x-deadline-ms.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

let env: Record<string, string | undefined> = process.env;
let role = '', tries = 1, perTryMs = 1000, propagate = false, stopRetries = false, leafCostMs = 400;
const zero = { received: 0, forwarded: 0, workStarted: 0, workFinished: 0, rejectedForDeadline: 0 };
let stats = { ...zero };
let inFlight = 0; // requests arrived and not yet answered; not reset by configure()
function configure(next: Record<string, string | undefined>): void {
  env = next;
  role = env.ROLE ?? 'hop';
  tries = Number(env.TRIES ?? 1);
  perTryMs = Number(env.PER_TRY_MS ?? 1000);
  propagate = env.PROPAGATE === '1';
  stopRetries = env.STOP_RETRIES === '1';
  leafCostMs = Number(env.LEAF_COST_MS ?? 400);
  stats = { ...zero };
}
configure(process.env);

function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(String(status));
}

// The deadline as an absolute time on this machine's clock; only remaining milliseconds
// cross the wire (like grpc-timeout), so the hops' clocks need not agree.
function deadlineOf(req: IncomingMessage, arrivedAt: number): number {
  const header = req.headers['x-deadline-ms'];
  if (!propagate || typeof header !== 'string') return Infinity;
  const ms = Number(header);
  return Number.isFinite(ms) ? arrivedAt + ms : Infinity;
}

async function leaf(req: IncomingMessage, res: ServerResponse, deadline: number): Promise<void> {
  if (env.LEAF_MODE === 'overloaded') return reply(res, 503);
  if (deadline - performance.now() < leafCostMs) {
    stats.rejectedForDeadline += 1; // do not start work that cannot finish in time
    return reply(res, 504);
  }
  stats.workStarted += 1;
  await sleep(leafCostMs); // the work; it does not watch the caller (most real work does not)
  stats.workFinished += 1;
  reply(res, 200);
}

async function hop(req: IncomingMessage, res: ServerResponse, deadline: number): Promise<void> {
  let last = 502;
  let exhaustedBelow = false;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return reply(res, 504);
    const headers: Record<string, string> = {};
    if (Number.isFinite(remaining)) headers['x-deadline-ms'] = String(Math.floor(remaining));
    stats.forwarded += 1;
    try {
      const r = await fetch(`${env.NEXT}/work`, { headers, signal: AbortSignal.timeout(Math.max(1, Math.floor(Math.min(perTryMs, remaining)))) });
      await r.arrayBuffer(); // always consume the body, or the connection is not reused
      if (r.status < 500) return reply(res, r.status);
      last = r.status;
      exhaustedBelow = r.headers.get('x-retry-exhausted') === '1';
      if (r.status !== 503 || (stopRetries && exhaustedBelow)) break; // not retryable
    } catch (err) {
      last = (err as Error).name === 'TimeoutError' ? 504 : 502;
    }
  }
  reply(res, last, stopRetries ? { 'x-retry-exhausted': '1' } : {});
}

const server = createServer((req, res) => {
  const arrivedAt = performance.now();
  stats.received += 1;
  const handler = role === 'leaf' ? leaf : hop;
  inFlight += 1;
  handler(req, res, deadlineOf(req, arrivedAt))
    .catch((err: Error) => { console.error(`handler failed: ${err.name}: ${err.message}`); reply(res, 500); })
    .finally(() => { inFlight -= 1; });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
process.send?.({ type: 'ready', port: address.port });
process.on('message', (msg: { type: string; env?: Record<string, string> }) => {
  if (msg.type === 'stats') process.send?.({ type: 'stats', stats: { ...stats, inFlight } });
  if (msg.type === 'config' && msg.env) {
    configure(msg.env);
    process.send?.({ type: 'configured' });
  }
});
// The parent closes the IPC channel to stop us: stop accepting, let requests in progress
// finish (server.close() also closes idle keep-alive sockets), cut the rest after 1 s.
process.on('disconnect', () => {
  server.close();
  setTimeout(() => server.closeAllConnections(), 1000).unref();
});
