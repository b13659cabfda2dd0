// A supervised cluster: zero-downtime rolling restart under load, respawn of a
// crashed worker with backoff, and graceful shutdown on SIGTERM. The primary
// keeps the listening socket the whole time.
import cluster from 'node:cluster';
import http from 'node:http';
import { once } from 'node:events';
import type { Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { get } from './lib/http-get.ts';

const STOP_TIMEOUT_MS = 5_000; // then SIGKILL: a stuck worker must not block a deploy forever
const CRASH_WINDOW_MS = 60_000;
const MAX_CRASHES = 5; // per window; beyond it we stop respawning and exit non-zero

async function startWorker(generation: number): Promise<{ worker: Worker; port: number }> {
  const worker = cluster.fork({ GENERATION: String(generation) });
  const [address] = (await once(worker, 'listening')) as [AddressInfo];
  return { worker, port: address.port };
}

/** Ask a worker to finish in-flight requests and exit; kill it if it takes too long. */
async function stopWorker(worker: Worker): Promise<string> {
  const exited = once(worker, 'exit') as Promise<[number | null, string | null]>;
  worker.send('shutdown'); // application-level: stop keep-alive, end long-lived connections
  worker.disconnect(); // cluster-level: close the server, then the IPC channel
  const timer = setTimeout(() => worker.kill('SIGKILL'), STOP_TIMEOUT_MS);
  const [code, signal] = await exited;
  clearTimeout(timer);
  return signal ?? `code ${code}`;
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
}

if (cluster.isPrimary) {
  let generation = 1;
  let shuttingDown = false;
  const crashes: number[] = [];
  let onRespawn: ((line: string) => void) | undefined;

  // Supervision: a worker that exits without having been asked to is a crash.
  cluster.on('exit', (worker, code, signal) => {
    if (worker.exitedAfterDisconnect || shuttingDown) return; // we stopped it on purpose
    const now = Date.now();
    crashes.push(now);
    while (crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_CRASHES) {
      console.error('crash loop: no more respawns');
      process.exitCode = 1;
      shuttingDown = true;
      for (const w of liveWorkers()) void stopWorker(w);
      return;
    }
    const backoff = Math.min(100 * 2 ** (crashes.length - 1), 5_000);
    setTimeout(() => {
      if (shuttingDown) return; // SIGTERM arrived during the backoff
      void startWorker(generation).then(({ worker: replacement }) => {
        onRespawn?.(`worker ${worker.id} crashed (${signal ?? `code ${code}`}, ` +
          `exitedAfterDisconnect ${worker.exitedAfterDisconnect}); ` +
          `respawned as worker ${replacement.id} after ${backoff} ms`);
      });
    }, backoff);
  });

  const started = await Promise.all([startWorker(generation), startWorker(generation)]);
  const port = started[0]!.port; // every worker reports the primary's one port
  const first = started.map((s) => s.worker);
  console.log(`generation 1 up: workers ${first.map((w) => w.id).join(', ')}`);

  // Background load: two clients in a loop, a new connection per request.
  let loadRunning = true;
  const load = { ok: 0, failed: 0, errors: new Set<string>() };
  const client = async () => {
    while (loadRunning) {
      try {
        const { status } = await get(port);
        if (status === 200) load.ok++;
        else load.failed++;
      } catch (err) {
        load.failed++;
        load.errors.add((err as NodeJS.ErrnoException).code ?? String(err));
      }
    }
  };
  const clients = [client(), client()];
  // Two slow requests are in flight on generation 1 when the restart begins.
  const slow = [get(port, '/slow'), get(port, '/slow')];
  await new Promise((r) => setTimeout(r, 50));

  // Rolling restart: start the replacement, wait until it listens, then drain the old one.
  generation = 2;
  for (const old of first) {
    const { worker: replacement } = await startWorker(generation);
    const how = await stopWorker(old);
    console.log(`replaced worker ${old.id} with worker ${replacement.id}; old one exited with ${how}`);
  }

  const slowStatuses = (await Promise.all(slow)).map((r) => r.status);
  console.log(`slow requests in flight during the restart: ${slowStatuses.join(', ')}`);
  loadRunning = false;
  await Promise.all(clients);
  const codes = load.errors.size > 0 ? ` (${[...load.errors].join(', ')})` : '';
  console.log(`load during the restart: ${load.ok} ok, ${load.failed} failed${codes}`);
  const after = await Promise.all(Array.from({ length: 4 }, () => get(port)));
  console.log(`after the restart, generations answering: ${[...new Set(after.map((r) => r.body))].join(', ')}`);

  // A bug kills one worker: the supervisor notices and respawns it.
  const respawned = new Promise<string>((resolve) => { onRespawn = resolve; });
  await get(port, '/crash').catch(() => undefined); // the connection dies with the worker
  console.log(await respawned);

  // Graceful shutdown on SIGTERM (what an orchestrator sends before SIGKILL).
  process.once('SIGTERM', () => {
    shuttingDown = true;
    const workers = liveWorkers();
    void Promise.all(workers.map(stopWorker)).then((results) => {
      console.log(`SIGTERM: ${workers.length} workers stopped with ${results.join(', ')}`);
    });
  });
  process.kill(process.pid, 'SIGTERM');
} else {
  const generation = process.env.GENERATION ?? '?';
  let draining = false;
  const server = http.createServer((req, res) => {
    // While draining, tell keep-alive clients not to reuse this connection.
    if (draining) res.setHeader('connection', 'close');
    const reply = () => res.end(generation);
    if (req.url === '/crash') process.exit(1); // stands in for a fatal bug
    else if (req.url === '/slow') setTimeout(reply, 400);
    else reply();
  });
  server.listen(0, '127.0.0.1');
  // 'shutdown' arrives just before the primary's disconnect(), which calls
  // server.close(): no new connections, idle keep-alive sockets closed (Node 19+),
  // in-flight requests allowed to finish. Long-lived connections (WebSockets,
  // streams) are the application's job: end them here.
  process.on('message', (msg) => {
    if (msg === 'shutdown') draining = true;
  });
}
