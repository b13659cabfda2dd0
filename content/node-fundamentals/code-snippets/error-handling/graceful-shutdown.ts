// Graceful shutdown on SIGTERM for an HTTP service: fail readiness, keep serving while the
// load balancer notices, stop accepting, let in-flight requests finish within a grace period,
// then cancel what is left through its AbortSignal, force-close, release resources in reverse
// order, and let the process exit on its own. The snippet sends itself SIGTERM.
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const DRAIN_DELAY_MS = 100; // time for the load balancer to see readiness fail
const GRACE_MS = 600; // how long in-flight requests may take after the listener closes
const CANCEL_GRACE_MS = 200; // how long cancelled handlers get to answer before sockets are cut
const HARD_EXIT_MS = 5_000; // last resort if clean-up itself hangs

const log = (message: string): void => console.log(`[server] ${message}`);

// Resources the service opened at start-up, closed in reverse order at shutdown.
interface Resource {
  readonly name: string;
  close(): Promise<void>;
}
const resources: Resource[] = [
  { name: 'database pool', close: async () => { await sleep(5); } },
  { name: 'queue consumer', close: async () => { await sleep(5); } },
];

const shutdown = new AbortController(); // aborted when draining begins
const inFlight = new Set<AbortController>(); // one per request, aborted at the grace deadline
const sockets = new Set<Socket>();
const twoInFlight = Promise.withResolvers<void>();
const listenerClosed = Promise.withResolvers<void>();
const shutdownDone = Promise.withResolvers<void>();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (shutdown.signal.aborted) res.setHeader('connection', 'close'); // no keep-alive while draining
  if (url.pathname === '/readyz') {
    res.writeHead(shutdown.signal.aborted ? 503 : 200).end(shutdown.signal.aborted ? 'draining' : 'ready');
    return;
  }
  if (url.pathname !== '/work') {
    res.writeHead(200).end('ok');
    return;
  }
  const controller = new AbortController();
  inFlight.add(controller);
  if (inFlight.size === 2) twoInFlight.resolve();
  // The client going away cancels the work too.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
  });
  const ms = Number(url.searchParams.get('ms'));
  try {
    await sleep(ms, undefined, { signal: controller.signal }); // stands for real work that honours the signal
    // Node does not add `Connection: close` to responses in flight when close() is called: a
    // keep-alive socket would stay open until keepAliveTimeout. Say it while draining.
    res.writeHead(200, shutdown.signal.aborted ? { connection: 'close' } : {}).end('done');
    log(`/work?ms=${ms} finished normally`);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    log(`/work?ms=${ms} cancelled (${(controller.signal.reason as Error).message}), answering 503`);
    if (!res.headersSent && !res.destroyed) res.writeHead(503, { connection: 'close', 'retry-after': '1' }).end('shutting down');
  } finally {
    inFlight.delete(controller);
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    log(`unexpected error: ${String(error)}`);
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  });
});
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});
const openConnections = (): number => [...sockets].filter((socket) => !socket.destroyed).length;

async function gracefulShutdown(signal: string): Promise<void> {
  const hardExit = setTimeout(() => {
    console.error('[server] shutdown hung, exiting');
    process.exit(1);
  }, HARD_EXIT_MS);
  hardExit.unref(); // a safety net must not itself keep the process alive
  log(`${signal}: readiness now fails; ${inFlight.size} requests in flight, ${openConnections()} connections open`);
  shutdown.abort(new DOMException(`received ${signal}`, 'AbortError'));

  await sleep(DRAIN_DELAY_MS); // keep serving while the load balancer takes us out of rotation

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  log(`listener closed; idle keep-alive connections closed too: ${openConnections()} connections open`);
  listenerClosed.resolve();

  const graceTimer = new AbortController();
  const drained = await Promise.race([
    closed.then(() => true),
    sleep(GRACE_MS, false, { signal: graceTimer.signal }).catch(() => false),
  ]);
  graceTimer.abort(); // cancel the grace timer if the drain won the race
  if (!drained) {
    log(`grace period over: cancelling ${inFlight.size} request(s)`);
    for (const controller of inFlight) controller.abort(new DOMException('server shutting down', 'AbortError'));
    const cancelTimer = new AbortController();
    const answered = await Promise.race([
      closed.then(() => true),
      sleep(CANCEL_GRACE_MS, false, { signal: cancelTimer.signal }).catch(() => false),
    ]);
    cancelTimer.abort();
    if (!answered) server.closeAllConnections(); // whatever is still open gets cut
    await closed;
  }
  log('all connections closed');

  for (const resource of resources.toReversed()) {
    await resource.close();
    log(`${resource.name} closed`);
  }
  clearTimeout(hardExit);
  process.exitCode = 0; // no process.exit(): the loop is empty, so the process ends by itself
  log('done; the event loop is empty and the process exits with code 0');
  shutdownDone.resolve();
}

process.once('SIGTERM', () => {
  gracefulShutdown('SIGTERM').catch((error: unknown) => {
    console.error('[server] shutdown failed', error);
    process.exit(1);
  });
});

// ---- a client that exercises it -------------------------------------------------------
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

interface Reply {
  status: number;
  body: string;
  connection: string | undefined;
}
function get(path: string, agent: Agent | false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
const show = (reply: Reply): string => `${reply.status} ${reply.body} (connection: ${reply.connection})`;

const keepAlive = new Agent({ keepAlive: true });
const results: string[] = [];
results.push(`GET /healthz before shutdown -> ${show(await get('/healthz', keepAlive))}; its connection stays open, idle`);
// Keep-alive clients, as a load balancer's are: any `Connection: close` below comes from the server.
const workAgent = new Agent({ keepAlive: true });
const quick = get('/work?ms=300', workAgent);
const stuck = get('/work?ms=5000', workAgent);
await twoInFlight.promise;

process.kill(process.pid, 'SIGTERM');
await once(shutdown.signal, 'abort');
results.push(`GET /readyz during the drain delay -> ${show(await get('/readyz', false))}`);
await listenerClosed.promise;
results.push(`new connection after close() -> ${await get('/healthz', false).then(show, (error: NodeJS.ErrnoException) => error.code)}`);
results.push(`GET /work?ms=300 (in flight at SIGTERM) -> ${show(await quick)}`);
results.push(`GET /work?ms=5000 (in flight at SIGTERM) -> ${show(await stuck)}`);
keepAlive.destroy();
workAgent.destroy();
await shutdownDone.promise;
for (const line of results) console.log(`[client] ${line}`);
