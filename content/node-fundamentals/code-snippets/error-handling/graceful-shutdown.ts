// Graceful shutdown on SIGTERM or SIGINT for an HTTP service: fail readiness, keep serving
// while the load balancer notices, stop accepting, let in-flight requests finish within a
// grace period, then cancel what is left through its AbortSignal, force-close, release
// resources in reverse order (each with its own timeout, one failure not skipping the rest),
// and exit explicitly, with code 1 if anything failed to close: a real service always has
// some handle left that would keep the loop alive. A repeated signal is ignored.
// The snippet runs the service in a child process and plays the orchestrator and the
// clients around it: it sends SIGTERM twice and reads the exit code.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { serializeError } from './lib/errors.ts';

const DRAIN_DELAY_MS = 100; // time for the load balancer to see readiness fail
const GRACE_MS = 600; // how long in-flight requests may take after the listener closes
const CANCEL_GRACE_MS = 200; // how long cancelled handlers get to answer before sockets are cut
const RESOURCE_CLOSE_MS = 200; // per resource: a hung close() must not use up the whole budget
const FLUSH_MS = 1_000; // left for the last log writes after the resources are closed
const HARD_EXIT_MS = 5_000; // last resort if clean-up itself hangs
const ORCHESTRATOR_GRACE_MS = 30_000; // terminationGracePeriodSeconds: SIGKILL after this

// Messages to the orchestrator script, so that it knows where the service is. A real service
// has no such hooks: its orchestrator watches readiness and the exit code.
type Progress = { event: 'listening'; port: number } | { event: 'two-in-flight' | 'draining' | 'listener-closed' };

async function serve(): Promise<void> {
  const log = (message: string): void => console.log(`[server] ${message}`);
  const notify = (progress: Progress): void => { process.send?.(progress); };

  // Resources the service opened at start-up, closed in reverse order at shutdown. Three of
  // them misbehave on purpose: one close() throws, one rejects with no value at all, and one
  // never settles.
  interface Resource {
    readonly name: string;
    close(): Promise<void>;
  }
  const resources: Resource[] = [
    { name: 'telemetry exporter', close: async () => { await sleep(5); } }, // flushed last
    { name: 'database pool', close: () => new Promise<void>(() => {}) }, // hangs: a stuck connection
    { name: 'cache client', close: async () => { throw Object.assign(new Error('socket already closed'), { code: 'ERR_SOCKET_CLOSED' }); } },
    // A hand-written wrapper around a callback API whose error path calls reject() with nothing.
    { name: 'job scheduler', close: () => new Promise<void>((_resolve, reject) => { setImmediate(() => reject()); }) },
    { name: 'queue consumer', close: async () => { await sleep(5); } }, // stops new work first
  ];
  // Each step has its own bound, and they run one after another, so their sum is the worst
  // case. Checked at start-up: adding a resource must not let the hard exit fire mid-clean-up,
  // and the hard exit must come before the orchestrator's SIGKILL.
  const worstCaseMs = DRAIN_DELAY_MS + GRACE_MS + CANCEL_GRACE_MS + resources.length * RESOURCE_CLOSE_MS + FLUSH_MS;
  if (!(worstCaseMs < HARD_EXIT_MS && HARD_EXIT_MS < ORCHESTRATOR_GRACE_MS)) {
    throw new RangeError(`shutdown budget: worst case ${worstCaseMs} ms, hard exit ${HARD_EXIT_MS} ms, SIGKILL after ${ORCHESTRATOR_GRACE_MS} ms`);
  }
  // Started at start-up and never cleared: the kind of handle every real service has somewhere.
  // It keeps the event loop alive, which is why shutdown ends with an explicit exit.
  setInterval(() => {}, 10_000);

  /** Any thrown value, described without assuming an Error: a close() may reject with nothing. */
  function describeFailure(error: unknown): string {
    if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return `rejected with ${String(error)}`;
    const { name, message, code } = serializeError(error); // never throws, whatever it is given
    return `${typeof code === 'string' ? code : name}: ${message}`;
  }

  /** Closes one resource within its own deadline; reports instead of throwing. */
  async function closeResource(resource: Resource): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        resource.close(),
        new Promise<never>((_, reject) => {
          // Tagged as a timeout itself: a failure without a `code` is not necessarily one.
          timer = setTimeout(() => reject(new DOMException(`close() did not settle within ${RESOURCE_CLOSE_MS} ms`, 'TimeoutError')), RESOURCE_CLOSE_MS);
        }),
      ]);
      log(`${resource.name} closed`);
      return true;
    } catch (error) {
      // This catch must not throw (destructuring `null` would): the loop in gracefulShutdown
      // would end there, and every resource after this one would stay open.
      log(`${resource.name} FAILED to close (${describeFailure(error)}); continuing`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  const shutdown = new AbortController(); // aborted when draining begins
  const inFlight = new Set<AbortController>(); // one per request, aborted at the grace deadline
  const sockets = new Set<Socket>();

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
    if (inFlight.size === 2) notify({ event: 'two-in-flight' });
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

  /** The whole sequence; resolves with the number of resources that failed to close. */
  async function gracefulShutdown(reason: string): Promise<number> {
    log(`${reason}: readiness now fails; ${inFlight.size} requests in flight, ${openConnections()} connections open`);
    shutdown.abort(new DOMException(`received ${reason}`, 'AbortError'));
    notify({ event: 'draining' });

    await sleep(DRAIN_DELAY_MS); // keep serving while the load balancer takes us out of rotation

    // close() also stops the sweep that enforces headersTimeout and requestTimeout, so from
    // here on only the force-close below bounds a client that stalls mid-request.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    log(`listener closed; idle keep-alive connections closed too: ${openConnections()} connections open`);
    notify({ event: 'listener-closed' });

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

    // Sequential, in reverse order of creation, but isolated: each close has its own deadline
    // and its failure is logged, so one stuck pool does not keep the consumer or telemetry open.
    let failures = 0;
    for (const resource of resources.toReversed()) {
      if (!(await closeResource(resource))) failures++;
    }
    return failures;
  }

  let stopping = false;
  let exitCode = 0;
  function beginShutdown(reason: string): void {
    if (stopping) {
      // Without a listener a second SIGTERM would kill the process mid-drain. The hard-exit
      // timer and the orchestrator's SIGKILL already bound the shutdown.
      log(`${reason} again while draining: ignored`);
      return;
    }
    stopping = true;
    // Armed until process.exit(): it bounds the final log flush too. Unref'd, so a safety net
    // that cannot itself keep the process alive.
    setTimeout(() => {
      console.error('[server] shutdown hung, exiting');
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    gracefulShutdown(reason).then(async (failures) => {
      // A close that failed may have lost data (an unflushed buffer, an unacked message):
      // the exit code tells the orchestrator's records, and whoever reads them, that it did.
      if (failures > 0) exitCode = 1;
      const timers = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
      log(`done; ${failures} of ${resources.length} resources failed to close; ${timers} timer(s) still keep the loop alive, so exit explicitly with code ${exitCode}`);
      // process.exit() can cut off asynchronous writes to stdout (a pipe, on POSIX); wait for them.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(exitCode);
    }, (error: unknown) => {
      console.error('[server] shutdown failed', error);
      process.exit(1);
    });
  }

  function onSignal(signal: NodeJS.Signals): void {
    if (stopping && signal === 'SIGINT' && isatty(0)) {
      // Ctrl-C twice at a terminal means "now": skip the rest of the drain (128 + SIGINT).
      log('SIGINT again at a terminal: exiting now');
      process.exit(130);
    }
    beginShutdown(signal);
  }
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  server.listen(0, '127.0.0.1');
  await once(server, 'listening'); // rejects on a listen error (EADDRINUSE): start-up fails, exit 1
  // From here on, server errors (EMFILE from accept(), for one) are emitted as 'error'; with
  // no listener they would crash the process mid-request. Log them and replace the process.
  server.on('error', (error: NodeJS.ErrnoException) => {
    log(`server error ${error.code ?? error.name}: ${error.message}`);
    exitCode = 1;
    beginShutdown('server error');
  });
  notify({ event: 'listening', port: (server.address() as AddressInfo).port });
}

// ---- the orchestrator and the clients -----------------------------------------------------
async function orchestrate(): Promise<void> {
  const service = fork(fileURLToPath(import.meta.url), ['serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ended = new Promise<string>((resolve) => {
    service.once('exit', (code, signal) => resolve(code === null ? `signal ${signal}` : `code ${code}`));
    service.once('error', (error) => resolve(`error ${error.message}`));
  });
  const progress = new Map<string, PromiseWithResolvers<Progress>>(
    ['listening', 'two-in-flight', 'draining', 'listener-closed'].map((event) => [event, Promise.withResolvers<Progress>()]),
  );
  service.on('message', (message: Progress) => progress.get(message.event)?.resolve(message));
  // Every wait on the service races its exit and a timeout, so a service that crashes or
  // hangs fails the script instead of hanging it.
  async function expect(event: string, timeoutMs = 5_000): Promise<Progress> {
    const timeout = new AbortController();
    try {
      return await Promise.race([
        progress.get(event)!.promise,
        ended.then((how) => { throw new Error(`service ended (${how}) before "${event}"`); }),
        sleep(timeoutMs, undefined, { signal: timeout.signal }).then(() => { throw new Error(`no "${event}" within ${timeoutMs} ms`); }),
      ]);
    } finally {
      timeout.abort();
    }
  }

  const agents: Agent[] = [];
  try {
    const { port } = (await expect('listening')) as { port: number };
    // A request that always settles, to a line of text: nothing here can reject unhandled.
    const get = (path: string, agent: Agent | false): Promise<string> => new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(`${res.statusCode} ${body} (connection: ${res.headers.connection})`));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('no response within 10 s')));
      req.on('error', reject);
      req.end();
    }).catch((error: NodeJS.ErrnoException) => error.code ?? error.message);

    const keepAlive = new Agent({ keepAlive: true });
    // Keep-alive clients, as a load balancer's are: any `Connection: close` below comes from the server.
    const workAgent = new Agent({ keepAlive: true });
    agents.push(keepAlive, workAgent);
    const results: string[] = [];
    results.push(`GET /healthz before shutdown -> ${await get('/healthz', keepAlive)}; its connection stays open, idle`);
    const quick = get('/work?ms=300', workAgent);
    const stuck = get('/work?ms=5000', workAgent);
    await expect('two-in-flight');

    service.kill('SIGTERM');
    await expect('draining');
    service.kill('SIGTERM'); // an impatient orchestrator
    results.push(`GET /readyz during the drain delay -> ${await get('/readyz', false)}`);
    await expect('listener-closed');
    results.push(`new connection after close() -> ${await get('/healthz', false)}`);
    results.push(`GET /work?ms=300 (in flight at SIGTERM) -> ${await quick}`);
    results.push(`GET /work?ms=5000 (in flight at SIGTERM) -> ${await stuck}`);
    const waitForExit = new AbortController();
    const exit = await Promise.race([
      ended,
      sleep(HARD_EXIT_MS + 1_000, 'none: still running, so SIGKILL', { signal: waitForExit.signal }),
    ]).finally(() => waitForExit.abort());
    for (const line of results) console.log(`[client] ${line}`);
    console.log(`[orchestrator] service exited with ${exit}`);
  } finally {
    for (const agent of agents) agent.destroy();
    if (service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
  }
}

if (process.argv[2] === 'serve') await serve();
else await orchestrate();
