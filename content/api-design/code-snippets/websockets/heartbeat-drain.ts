// Two lifecycle duties of a WebSocket server.
// 1. Heartbeat: ping every 250 ms (seconds in production); a connection that has not answered the previous ping
//    is terminated. A `ws` client answers automatically; a peer whose process is stuck
//    (here: a raw socket that stopped reading) does not, and is reaped.
// 2. Drain on deploy: the old server stops accepting, closes its clients with 1001
//    ("going away") in batches spread over a window (here 10 every 100 ms; in production a
//    minute or more), terminates stragglers at a hard deadline, then exits. Clients also
//    reconnect after a random delay, so they arrive spread out, not all at once.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { sleep } from './lib/backoff.ts';
import { rawConnect } from './lib/frames.ts';

interface Node {
  readonly name: string;
  readonly http: Server;
  readonly wss: WebSocketServer;
  readonly port: number;
  stopHeartbeat(): void;
}

async function startNode(name: string, pingEveryMs: number): Promise<Node> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => {});
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate(); // no pong since the last ping: the peer or the path is dead
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, pingEveryMs);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening', { signal: AbortSignal.timeout(2_000) });
  return { name, http, wss, port: (http.address() as AddressInfo).port, stopHeartbeat: () => clearInterval(timer) };
}

interface DrainPlan {
  readonly batchSize: number; // connections closed per step
  readonly stepMs: number; // pause between steps: the window is about (n / batchSize) * stepMs
  readonly deadlineMs: number; // from the start of the drain; then stragglers are terminated
}

/** Drain: refuse new connections, send 1001 in batches over a window, bounded wait, then force. */
async function drain(node: Node, plan: DrainPlan): Promise<{ clean: number; forced: number }> {
  const hardDeadline = AbortSignal.timeout(plan.deadlineMs);
  node.stopHeartbeat();
  node.http.close(); // stops accepting; existing upgraded sockets are not affected
  const clients = [...node.wss.clients];
  const closed = clients.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))));
  // Closing everyone in the same tick would send the whole node's share of the fleet to the
  // other nodes at once; batches spread the reconnects over the window.
  try {
    for (let i = 0; i < clients.length; i += plan.batchSize) {
      for (const ws of clients.slice(i, i + plan.batchSize)) ws.close(1001, 'server restarting');
      if (i + plan.batchSize < clients.length) await sleep(plan.stepMs, hardDeadline);
    }
  } catch {
    // the hard deadline passed mid-window: whoever was not closed yet is terminated below
  }
  const timeout = new Promise<'timeout'>((resolve) => {
    if (hardDeadline.aborted) return resolve('timeout');
    hardDeadline.addEventListener('abort', () => resolve('timeout'), { once: true });
  });
  await Promise.race([Promise.all(closed), timeout]);
  let forced = 0;
  for (const ws of clients) {
    if (ws.readyState !== ws.CLOSED) {
      ws.terminate();
      forced++;
    }
  }
  node.wss.close();
  return { clean: clients.length - forced, forced };
}

const cleanup: Array<() => void> = [];
try {
  // ---- 1. heartbeat -------------------------------------------------------------
  const a = await startNode('a', 250);
  cleanup.push(() => { a.stopHeartbeat(); a.wss.close(); a.http.close(); });
  const healthy = new WebSocket(`ws://127.0.0.1:${a.port}`);
  healthy.on('error', () => {});
  cleanup.push(() => healthy.terminate());
  await once(healthy, 'open', { signal: AbortSignal.timeout(2_000) });
  const accepted = once(a.wss, 'connection', { signal: AbortSignal.timeout(2_000) }) as Promise<[WebSocket]>;
  const stuck = await rawConnect(a.port);
  cleanup.push(() => stuck.socket.destroy());
  stuck.socket.pause(); // never reads, so never answers a ping (and never notices the close)
  const [serverSide] = await accepted;
  const t0 = performance.now();
  const [code] = (await once(serverSide, 'close', { signal: AbortSignal.timeout(2_000) })) as [number];
  console.log(`stuck peer terminated by the server after ${Math.round(performance.now() - t0)} ms, close code ${code}`);
  console.log(`healthy ws client still open: ${healthy.readyState === WebSocket.OPEN}`);
  healthy.close();

  // ---- 2. drain -------------------------------------------------------------------
  const b = await startNode('b', 10_000);
  cleanup.push(() => { b.stopHeartbeat(); b.wss.close(); b.http.close(); });
  const N = 50;
  const JITTER_MS = 500;
  const arrivals: number[] = [];
  let reconnected = 0;
  const codes = new Map<number, number>();
  const done = Promise.all(
    Array.from({ length: N }, async () => {
      const first = new WebSocket(`ws://127.0.0.1:${a.port}`);
      first.on('error', () => {});
      cleanup.push(() => first.terminate());
      await once(first, 'open', { signal: AbortSignal.timeout(5_000) });
      const [code] = (await once(first, 'close', { signal: AbortSignal.timeout(5_000) })) as [number];
      codes.set(code, (codes.get(code) ?? 0) + 1);
      // 1001 is a planned restart: reconnect soon, but at a random point in the window.
      // (In production the load balancer picks the new node; here we name it.)
      await sleep(Math.random() * JITTER_MS, AbortSignal.timeout(5_000));
      const next = new WebSocket(`ws://127.0.0.1:${b.port}`);
      next.on('error', () => {});
      cleanup.push(() => next.terminate());
      await once(next, 'open', { signal: AbortSignal.timeout(5_000) });
      arrivals.push(performance.now());
      reconnected++;
      next.close(1000);
    }),
  );
  const allConnected = AbortSignal.timeout(5_000); // one deadline for the whole wait
  while (a.wss.clients.size < N) await sleep(10, allConnected);
  const start = performance.now();
  const result = await drain(a, { batchSize: 10, stepMs: 100, deadlineMs: 3_000 });
  await done;
  console.log(`drain: ${result.clean} closed cleanly, ${result.forced} forced, close codes seen by clients: ${[...codes].map(([c, n]) => `${c} x${n}`).join(', ')}`);
  const spread = Math.max(...arrivals) - Math.min(...arrivals);
  console.log(`${reconnected} of ${N} reconnected to the new node, first to last over ${Math.round(spread)} ms (${Math.round(arrivals.length ? Math.min(...arrivals) - start : 0)} ms after the drain began)`);
  console.log(`reconnects spread over at least 40% of the ${JITTER_MS} ms jitter window: ${spread >= 0.4 * JITTER_MS}`);
} finally {
  for (const fn of cleanup.reverse()) {
    try {
      fn();
    } catch (err) {
      console.error('cleanup failed:', err);
    }
  }
}
