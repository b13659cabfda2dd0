// Request-scoped context with AsyncLocalStorage: a request id that every log
// line picks up, across awaits, timers and concurrent requests, without
// passing it through every function. Then the classic leak: a callback queue
// flushed from another request's timer runs in THAT request's context, until
// the callbacks are bound.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

type RequestContext = { requestId: string; signal: AbortSignal };
const requestContext = new AsyncLocalStorage<RequestContext>();

// The logger reads the id from the current async context: no parameter needed.
type LogLine = { requestId: string; message: string };
const logLines: LogLine[] = [];
function log(message: string): void {
  logLines.push({ requestId: requestContext.getStore()?.requestId ?? '(none)', message });
}

// Business code, several awaits deep, that knows nothing about requests.
async function loadOrder(id: string): Promise<{ id: string }> {
  const { signal } = requestContext.getStore() ?? {};
  log(`loading order ${id}`);
  await sleep(Number(id) * 10, undefined, { signal }); // stands in for a database call
  log(`loaded order ${id}`);
  return { id };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const id = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').pop() ?? '';
  const order = await loadOrder(id);
  const mine = logLines.filter((l) => l.message.endsWith(` ${id}`));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ order, logLines: mine }));
}

const server = createServer((req, res) => {
  const requestId = req.headers['x-request-id']?.toString() ?? randomUUID();
  const controller = new AbortController();
  // Client went away before we answered: cancel the work done on its behalf.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  requestContext.run({ requestId, signal: controller.signal }, () => {
    handle(req, res).catch((err: unknown) => {
      log(`failed: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
});

await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
const { port } = server.address() as AddressInfo;

try {
  // Three concurrent requests whose awaits interleave: 3 finishes last, 1 first.
  const ids = ['3', '1', '2'];
  const bodies = await Promise.all(
    ids.map(async (id) => {
      const res = await fetch(`http://127.0.0.1:${port}/orders/${id}`, {
        headers: { 'x-request-id': `req-${id}` },
        signal: AbortSignal.timeout(5_000),
      });
      return (await res.json()) as { order: { id: string }; logLines: LogLine[] };
    }),
  );
  for (const [i, body] of bodies.entries()) {
    const expected = `req-${ids[i]}`;
    const tagged = body.logLines.every((l) => l.requestId === expected);
    console.log(`order ${body.order.id}: ${body.logLines.length} log lines, all tagged ${expected}: ${tagged}`);
  }
} finally {
  server.closeAllConnections(); // fetch keeps connections alive; do not wait for them
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

// --- the leak: callbacks queued by one context, run from another ------------

// A write-behind buffer that flushes on a timer. The timer is created by
// whichever caller arrives first, so it carries THAT caller's context, and
// every queued callback runs inside it.
class FlushQueue {
  #pending: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #bind: boolean;
  constructor({ bindCallbacks }: { bindCallbacks: boolean }) {
    this.#bind = bindCallbacks;
  }
  push(callback: () => void): void {
    // AsyncResource.bind captures the caller's context now and restores it
    // when the callback runs. (AsyncLocalStorage.bind, added in v19.8.0 and
    // v18.16.0, does the same; it was still marked experimental in Node 20.)
    this.#pending.push(this.#bind ? AsyncResource.bind(callback) : callback);
    this.#timer ??= setTimeout(() => this.#flush(), 1);
  }
  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#timer = undefined;
    for (const callback of batch) callback();
  }
}

for (const bindCallbacks of [false, true]) {
  const queue = new FlushQueue({ bindCallbacks });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    const signal = new AbortController().signal;
    requestContext.run({ requestId: 'req-A', signal }, () =>
      queue.push(() => seen.push(`A's callback sees ${requestContext.getStore()?.requestId}`)),
    );
    requestContext.run({ requestId: 'req-B', signal }, () =>
      queue.push(() => {
        seen.push(`B's callback sees ${requestContext.getStore()?.requestId}`);
        resolve();
      }),
    );
  });
  console.log(`${bindCallbacks ? 'bound:  ' : 'unbound:'} ${seen.join('; ')}`);
}
