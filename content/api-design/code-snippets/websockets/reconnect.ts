// Reconnect, resume and replay. The server stamps every message with a sequence number
// and keeps the last 200 in a ring. The client (Node's global WebSocket) remembers the
// last sequence it processed and reconnects with ?since=<seq>&resume=<token>, with
// full-jitter exponential backoff and a give-up limit. The server drops the connection
// twice and refuses the reconnect after the second drop once; the client must see 1..N exactly
// once, in order.
// Then four hostile servers: one that accepts and closes at once (the client must back off
// and give up), one that revokes the session with 1008 (the client must stop at once), one
// that sheds healthy connections with 1013 seven times (the client must not give up), and
// one that accepts and then sends nothing (the client must notice within IDLE_MS and retry).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket as WsSocket, WebSocketServer } from 'ws';
import { fullJitter, sleep } from './lib/backoff.ts';

const TOTAL = 120;
const RING = 200;
const SEND_BUDGET = 256 * 1024; // bytes a connection may have queued (bufferedAmount); see backpressure.ts
const MAX_FAILURES = 6; // consecutive failed connections before the client gives up
const BASE_MS = 20; // backoff base and cap, small so that the demo runs quickly
const CAP_MS = 1_000;
// One rule for the failure count: a connection that stayed open (and, if the client dropped it
// as silent, heard from) for HEALTHY_MS resets it, whatever code closed it; every other end is
// one failure, so a server that accepts and then fails is a crash loop like one that refuses.
// Demo value; in production use tens of seconds (longer than any accept-then-fail path:
// authentication, replay, the first heartbeat).
const HEALTHY_MS = 100;
// The server sends an application heartbeat every HEARTBEAT_MS (the global WebSocket answers
// protocol pings itself and never shows them to the page, so the client cannot use them). A
// connection that brings no message for IDLE_MS (three heartbeats) is dead: the client drops it.
const HEARTBEAT_MS = 100;
const IDLE_MS = 3 * HEARTBEAT_MS;
// Close codes after which reconnecting cannot help: 1008 (policy violation, e.g. authorisation
// revoked) and the application's "log in again" code. Codes 4000-4999 are private to the
// application, so it lists its own terminal ones; 4000 (the client's own "gap") is not one.
const TERMINAL_CODES: ReadonlySet<number> = new Set([1008, 4401]);
const TRY_AGAIN_LATER = 1013; // the next wait is drawn two steps further up the ladder

// ---- server --------------------------------------------------------------------
interface Msg {
  readonly seq: number;
  readonly body: string;
}
const ring: Msg[] = [];
let seq = 0;
let refuseNext = false;
/**
 * 'feed': the normal stream; 'close-at-once': accept, then close with 1011 at once; 'revoke': 1008
 * after the client is healthy; 'shed': 1013 after the client is healthy; 'silent': accept, then nothing.
 */
type Mode = 'feed' | 'close-at-once' | 'revoke' | 'shed' | 'silent';
let mode: Mode = 'feed';
let hostileLeft = 0; // how many more connections get `mode`; the ones after them get the feed
function misbehave(m: Mode, connections = Number.POSITIVE_INFINITY): void {
  mode = m;
  hostileLeft = connections;
}
const server = createServer();
const wss = new WebSocketServer({ noServer: true, closeTimeout: 1_000 }); // a stuck close frame is not waited on for 30 s

/** Fan-out send with the lesson's slow-consumer policy: over budget, close with 1013; the client resumes with replay. */
function sendOrShed(ws: WsSocket, data: string): boolean {
  if (ws.readyState !== WsSocket.OPEN) return false;
  if (ws.bufferedAmount > SEND_BUDGET) {
    ws.close(1013, 'slow consumer');
    return false;
  }
  ws.send(data);
  return true;
}
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  if (refuseNext) {
    refuseNext = false; // a node that is restarting: 503, and the client must back off
    socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://x');
    const since = Number(url.searchParams.get('since') ?? '0');
    const act: Mode = hostileLeft-- > 0 ? mode : 'feed';
    if (act === 'silent') return; // a half-open connection as the client sees it: no data, no close
    const heartbeat = setInterval(() => sendOrShed(ws, JSON.stringify({ type: 'heartbeat' })), HEARTBEAT_MS);
    ws.on('close', () => clearInterval(heartbeat));
    if (act === 'close-at-once') return ws.close(1011, 'internal error'); // a node that crashes after accepting
    if (act === 'revoke' || act === 'shed') {
      // After the connection proved healthy: the session is revoked (the broker says this user was
      // banned), or the client is shed as a slow consumer.
      const [code, why]: [number, string] = act === 'revoke' ? [1008, 'session revoked'] : [TRY_AGAIN_LATER, 'slow consumer'];
      const timer = setTimeout(() => ws.close(code, why), act === 'revoke' ? 2 * HEALTHY_MS : 1.5 * HEALTHY_MS);
      ws.on('close', () => clearTimeout(timer));
      return;
    }
    const oldest = ring[0]?.seq ?? seq + 1;
    // A real server checks the resume token (signed, bound to the user and stream) here.
    if (since + 1 < oldest) sendOrShed(ws, JSON.stringify({ type: 'reset', seq })); // too far behind: resync from a snapshot
    else for (const m of ring) if (m.seq > since && !sendOrShed(ws, JSON.stringify({ type: 'msg', ...m, replay: true }))) break;
  });
});
function publish(): void {
  const m = { seq: ++seq, body: `event ${seq}` };
  ring.push(m);
  if (ring.length > RING) ring.shift();
  for (const ws of wss.clients) sendOrShed(ws, JSON.stringify({ type: 'msg', ...m }));
  if (seq === 30 || seq === 80) {
    if (seq === 80) refuseNext = true;
    for (const ws of wss.clients) ws.terminate(); // the node dies, or the load balancer drops us
  }
}
server.listen(0, '127.0.0.1');
await once(server, 'listening', { signal: AbortSignal.timeout(2_000) });
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
const producer = setInterval(() => {
  if (seq < TOTAL) publish();
}, 5);

// ---- client --------------------------------------------------------------------
interface Stats {
  received: number[];
  connects: number;
  replayed: number;
  delays: number[];
  windows: number[]; // the full-jitter window each delay was drawn from
  openMs: number[]; // how long each opened connection stayed open
}

/** How an opened connection ended. */
interface ConnectionEnd {
  readonly code: number;
  readonly reason: string;
  readonly healthy: boolean;
  readonly openMs: number;
  readonly silent: boolean; // the client dropped it after IDLE_MS without a message
}

/** One connection's life: resolves when it closes, rejects if it never opens. */
function connectOnce(since: number, stats: Stats, signal: AbortSignal): Promise<ConnectionEnd> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}?since=${since}&resume=demo-token`);
    let opened = false;
    let openedAt = 0;
    let heardAt = 0; // the open, then every message: the last sign of life
    let silent = false;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let abortTimer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    let closeCode = 1006; // if we stop waiting before a close event arrives
    let closeReason = '';
    let failure = 'handshake timed out after 2000 ms';
    let cause: unknown;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(openTimer);
      clearTimeout(idleTimer);
      clearTimeout(abortTimer);
      signal.removeEventListener('abort', onAbort);
      const openMs = Math.round(performance.now() - openedAt);
      // A dropped silent connection was alive only until its last message.
      const aliveMs = silent ? heardAt - openedAt : openMs;
      if (opened) resolve({ code: closeCode, reason: closeReason, healthy: aliveMs >= HEALTHY_MS, openMs, silent });
      else reject(Object.assign(new Error(`connect failed: ${failure}`, { cause }), { code: 'ECONNECTFAILED' }));
    };
    // A handshake that hangs counts as a failure; settle without waiting for events that
    // a CONNECTING socket may never fire. Settle first: close() on a CONNECTING socket fires
    // 'error' synchronously, which would otherwise be reported instead of the timeout.
    const openTimer = setTimeout(() => {
      finish();
      ws.close();
    }, 2_000);
    // No message for IDLE_MS: the server or the path is dead (TCP may not notice for minutes,
    // since this client never sends). Settle at once as an abnormal end (1006), then close: the
    // global WebSocket has no terminate(), and a dead peer will never answer the close frame.
    const onIdle = (): void => {
      silent = true;
      closeReason = `no message for ${IDLE_MS} ms`;
      finish();
      ws.close();
    };
    const heard = (): void => {
      heardAt = performance.now();
      clearTimeout(idleTimer);
      idleTimer = setTimeout(onIdle, IDLE_MS);
    };
    const onAbort = (): void => {
      if (!opened) finish(); // settle first, as in the open timer
      else abortTimer = setTimeout(finish, 1_000); // do not wait forever for a close handshake
      ws.close(1000, 'client shutting down');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.addEventListener('open', () => {
      opened = true;
      openedAt = performance.now();
      clearTimeout(openTimer);
      heard();
      stats.connects++;
    });
    ws.addEventListener('message', (e) => {
      if (settled) return; // a connection we already gave up on applies nothing
      heard();
      const m = JSON.parse(String(e.data)) as { type: string; seq: number; replay?: boolean };
      const last = stats.received.at(-1) ?? 0;
      if (m.type === 'msg' && m.seq === last + 1) {
        stats.received.push(m.seq); // idempotent apply: duplicates and gaps are detected, not applied
        if (m.replay) stats.replayed++;
        if (m.seq === TOTAL) ws.close(1000, 'done'); // the demo's end; a real feed stays open
      } else if (m.type === 'msg' && m.seq > last + 1) {
        ws.close(4000, 'gap'); // never apply past a gap: reconnect, and replay fills it
      }
      // m.type === 'reset': the log no longer reaches back to us; a real client reloads a snapshot
      // m.type === 'heartbeat': nothing to apply; heard() above has already reset the idle timer
    });
    // Node 22.18's global WebSocket may fire 'error' without 'close' on a refused handshake.
    // The browser-compatible client says little: an ErrorEvent whose `error`, when present, is the cause.
    ws.addEventListener('error', (event) => {
      failure = "'error' event before open";
      cause = (event as Event & { error?: unknown }).error;
      if (!opened) finish();
    });
    ws.addEventListener('close', (e) => {
      closeCode = e.code;
      closeReason = e.reason;
      if (opened) finish();
    });
  });
}

async function run(stats: Stats, signal: AbortSignal): Promise<void> {
  let failures = 0; // consecutive connections that failed or closed before proving healthy
  let lastFailure: Error | undefined;
  while (!signal.aborted && (stats.received.at(-1) ?? 0) < TOTAL) {
    let extraSteps = 0;
    let end: ConnectionEnd | undefined;
    try {
      end = await connectOnce(stats.received.at(-1) ?? 0, stats, signal);
    } catch (err) {
      failures++; // never opened: refused, reset or timed out
      lastFailure = err as Error;
    }
    signal.throwIfAborted();
    if (end) stats.openMs.push(end.openMs);
    if ((stats.received.at(-1) ?? 0) >= TOTAL) break;
    if (end && TERMINAL_CODES.has(end.code)) {
      // Reconnecting cannot fix a revoked session: stop, and let the app ask the user to log in again.
      const where = end.healthy ? ' on a healthy connection' : '';
      const err = new Error(`closed with ${end.code} (${end.reason || 'no reason'})${where}: terminal, not reconnecting`);
      throw Object.assign(err, { code: 'ETERMINALCLOSE', closeCode: end.code });
    }
    if (end?.healthy) {
      failures = 0; // it was up and working, whatever closed it: the ladder starts again
    } else if (end) {
      failures++; // an early close (or a silent connection) is a failure like a refused connect
      const how = end.silent ? `dropped as silent (${end.reason})` : `closed with ${end.code}`;
      lastFailure = new Error(`${how} after ${end.openMs} ms, before the connection proved healthy`);
    }
    // The server asked for time: this one wait is drawn from a window 4 times wider (up to the cap).
    if (end?.code === TRY_AGAIN_LATER) extraSteps = 2;
    // Crash-loop limit: surface it, with the last failure as the cause.
    if (failures >= MAX_FAILURES) throw new Error(`giving up after ${MAX_FAILURES} consecutive failures`, { cause: lastFailure });
    const steps = failures + extraSteps;
    const delay = fullJitter(steps, BASE_MS, CAP_MS);
    stats.windows.push(Math.min(CAP_MS, BASE_MS * 2 ** steps));
    stats.delays.push(delay);
    await sleep(delay, signal);
  }
}

const newStats = (): Stats => ({ received: [], connects: 0, replayed: 0, delays: [], windows: [], openMs: [] });
/** Runs a client to its end and returns how it stopped ('' if it finished the feed). */
async function runClient(stats: Stats, signal: AbortSignal): Promise<string> {
  try {
    await run(stats, signal);
    return '';
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    return `client stopped: ${(err as Error).message}${cause ? ` (last: ${cause.message})` : ''}`;
  }
}

try {
  const stats = newStats();
  const stopped = await runClient(stats, AbortSignal.timeout(8_000));
  clearInterval(producer);
  if (stopped) console.log(stopped);
  const inOrder = stats.received.every((s, i) => s === i + 1);
  console.log(`received ${stats.received.length} of ${TOTAL}, each exactly once and in order: ${inOrder && stats.received.length === TOTAL}`);
  console.log(`connections opened: ${stats.connects}, backoff delays (ms): ${stats.delays.join(', ')}`);
  console.log(`messages recovered by replay: ${stats.replayed}`);
  console.log(`replay closed every gap: ${stats.connects === 3 && stats.replayed > 0}`);

  // A server that accepts and closes at once: each connection opens, so only the health rule
  // keeps this from being a reconnect storm at the smallest delay.
  misbehave('close-at-once');
  const flap = newStats();
  const flapStopped = await runClient(flap, AbortSignal.timeout(4_000));
  const within = flap.delays.every((d, i) => d < flap.windows[i]);
  console.log(`accept-then-close server: connections opened: ${flap.connects}, backoff windows (ms): ${flap.windows.join(', ')}`);
  console.log(`accept-then-close server: every delay inside its window: ${within}; ${flapStopped}`);

  misbehave('revoke');
  const revoked = newStats();
  const revokedStopped = await runClient(revoked, AbortSignal.timeout(2_000));
  console.log(`revoking server: connections opened: ${revoked.connects}, reconnects: ${revoked.delays.length}; ${revokedStopped}`);

  // Seven healthy connections shed with 1013, more than MAX_FAILURES: each one resets the count,
  // and its 1013 only widens the next wait. Then the server recovers and replay delivers the feed.
  misbehave('shed', 7);
  const shed = newStats();
  const shedStopped = await runClient(shed, AbortSignal.timeout(6_000));
  const fed = (s: Stats): string => `received ${s.received.length} of ${TOTAL} once the server recovered`;
  console.log(`1013-shedding server: connections opened: ${shed.connects}, backoff windows (ms): ${shed.windows.join(', ')}`);
  console.log(`1013-shedding server: gave up: ${shedStopped !== ''}; ${shedStopped || fed(shed)}`);

  // Two connections that open and then hear nothing (a dead node, an expired NAT mapping).
  misbehave('silent', 2);
  const quiet = newStats();
  const quietStopped = await runClient(quiet, AbortSignal.timeout(4_000));
  const detected = quiet.openMs.slice(0, 2).every((ms) => ms >= IDLE_MS && ms < IDLE_MS + HEALTHY_MS);
  console.log(`silent server: connections opened: ${quiet.connects}, silent ones dropped after (ms): ${quiet.openMs.slice(0, 2).join(', ')}`);
  console.log(`silent server: each dropped within IDLE_MS (${IDLE_MS} ms) + ${HEALTHY_MS} ms: ${detected}; backoff windows (ms): ${quiet.windows.join(', ')}; ${quietStopped || fed(quiet)}`);
} finally {
  clearInterval(producer);
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.close();
}
