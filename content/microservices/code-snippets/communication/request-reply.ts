// Request-reply over a broker (Redis lists): each request carries a correlation id and the
// name of the requester's own reply queue; the responder pushes the answer there; the
// requester matches replies to pending calls by correlation id and gives up after a timeout.
// Fault injected: the responder is slow for one request, so that call times out, and its
// late reply arrives later and must be discarded, not delivered to the wrong caller.
// Not handled: a requester that restarts (its reply queue and pending map are gone: give
// replies a TTL), a responder that crashes mid-request (the request is lost: BLMOVE to a
// processing list), duplicate requests (the responder is not idempotent here).
import { createClient } from 'redis';
import { randomUUID } from 'node:crypto';

type Pending = { resolve: (v: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set (this snippet needs a Redis server)');
const opts = { url, socket: { connectTimeout: 2000, reconnectStrategy: false as const } };
// A blocking pop holds its connection: each blocking loop gets its own client.
const requester = createClient(opts);
const replyListener = createClient(opts);
const responder = createClient(opts); // blocks in BLPOP
const responderOut = createClient(opts); // sends replies without waiting for the pop to return
const clients = [requester, replyListener, responder, responderOut];
for (const c of clients) c.on('error', (err: Error) => console.error('redis client error:', err.message));

const REQUESTS = 'rpc:pricing:requests';
const REPLY_TO = `rpc:replies:${randomUUID()}`; // this requester instance's own queue
const pending = new Map<string, Pending>();
const stats = { lateReplies: 0 };
let stopping = false;

async function call(body: string, timeoutMs: number): Promise<string> {
  const correlationId = randomUUID();
  const result = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(correlationId); // forget it: a late reply will find no entry
      reject(Object.assign(new Error(`no reply within ${timeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' }));
    }, timeoutMs);
    pending.set(correlationId, { resolve, reject, timer });
  });
  try {
    await requester.rPush(REQUESTS, JSON.stringify({ correlationId, replyTo: REPLY_TO, body }));
  } catch (err) { // not sent: forget the call and stop its timer, or `result` rejects unhandled later
    clearTimeout(pending.get(correlationId)?.timer);
    pending.delete(correlationId);
    throw err;
  }
  return result;
}

async function listenForReplies(): Promise<void> {
  while (!stopping) {
    const item = await replyListener.blPop(REPLY_TO, 0.1); // seconds; wakes up to check `stopping`
    if (!item) continue;
    const { correlationId, body } = JSON.parse(item.element) as { correlationId: string; body: string };
    const call = pending.get(correlationId);
    if (!call) { stats.lateReplies += 1; continue; } // the caller already timed out
    pending.delete(correlationId);
    clearTimeout(call.timer);
    call.resolve(body);
  }
}

async function handle(req: { correlationId: string; replyTo: string; body: string }): Promise<void> {
  if (req.body === 'sku-slow') await new Promise((r) => setTimeout(r, 2000)); // the injected fault
  const reply = JSON.stringify({ correlationId: req.correlationId, body: `price(${req.body})=42` });
  await responderOut.multi().rPush(req.replyTo, reply).expire(req.replyTo, 60).exec(); // replies to a dead requester expire
}

// Requests are handled concurrently: a serial loop would make every request queued behind
// the slow one time out too (head-of-line blocking).
const inFlight = new Set<Promise<void>>();
async function serve(): Promise<void> {
  while (!stopping) {
    const item = await responder.blPop(REQUESTS, 0.1); // seconds; wakes up to check `stopping`
    if (!item) continue;
    const p = handle(JSON.parse(item.element)).catch((err: Error) => console.error('handler failed:', err.message));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.allSettled(inFlight);
}

let loops: Promise<void>[] = [];
try {
  await Promise.all(clients.map((c) => c.connect()));
  loops = [listenForReplies(), serve()];
  const skus = ['sku-1', 'sku-slow', 'sku-2', 'sku-3'];
  const results = await Promise.allSettled(skus.map((sku) => call(sku, 1000)));
  for (const [i, r] of results.entries()) {
    console.log(`${skus[i]}: ${r.status === 'fulfilled' ? r.value : `${r.reason.name} (${r.reason.message})`}`);
  }
  await new Promise((r) => setTimeout(r, 1500)); // the slow reply arrives after its caller gave up
  console.log(`late replies discarded: ${stats.lateReplies}; calls still pending: ${pending.size}`);
} finally {
  stopping = true;
  await Promise.allSettled(loops); // each loop wakes within 0.1 s and exits
  for (const p of pending.values()) clearTimeout(p.timer);
  await Promise.allSettled(clients.map((c) => c.quit()));
}
