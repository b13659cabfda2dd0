// Authenticate before the upgrade, not after: the 'upgrade' handler checks Origin and a
// short-lived, single-use ticket, and answers 401/403 on the raw socket before ws ever
// sees the request. Only a verified request reaches handleUpgrade().
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const SECRET = Buffer.from('demo-secret-rotate-me'); // from a secret store in real life
const ALLOWED_ORIGINS = new Set(['https://app.example.com']);
const TICKET_TTL_MS = 30_000;
const VERIFY_DEADLINE_MS = 500; // the whole check, store call included (short here so the demo runs fast)
const MAX_USED_TICKETS = 100_000; // hard bound on the replay set: over it, fail closed with 503
// jti -> expiry; single use. One process only: a fleet needs a shared store (Redis
// `SET jti 1 NX PX <ttl>`), or a ticket can be replayed against another node.
const usedTickets = new Map<string, number>();

interface Principal {
  readonly userId: string;
}

/** Issued by an authenticated HTTPS endpoint; the browser puts it in the URL. */
function issueTicket(userId: string, now = Date.now()): string {
  const body = Buffer.from(JSON.stringify({ sub: userId, exp: now + TICKET_TTL_MS, jti: randomUUID() })).toString('base64url');
  const mac = createHmac('sha256', SECRET).update(body).digest('base64url');
  return `${body}.${mac}`;
}

class AuthError extends Error {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
  }
}

/** Records a ticket as used. Expired entries are swept first, so the set holds about one TTL of tickets, and never more than the cap. */
function rememberTicket(jti: string, exp: number, now = Date.now()): void {
  // A Map iterates in redemption order, which is close to expiry order (every ticket has the
  // same TTL and is redeemed soon after it is issued) but not the same: stop at the first
  // live entry, and an expired one left behind it goes on a later sweep.
  for (const [key, expiry] of usedTickets) {
    if (expiry >= now) break;
    usedTickets.delete(key);
  }
  if (usedTickets.size >= MAX_USED_TICKETS) {
    throw Object.assign(new Error(`replay set full (${MAX_USED_TICKETS} live tickets)`), { code: 'ETICKETS_FULL' });
  }
  usedTickets.set(jti, exp);
}

/**
 * Stand-in for a session-store call (is the user still active?). It honours the signal,
 * except for user "stuck", which simulates a store brownout: it never answers and ignores
 * the signal, as a client library without cancellation would.
 */
function lookupSession(userId: string, signal: AbortSignal): Promise<void> {
  if (userId === 'stuck') return new Promise<void>(() => {});
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, 5);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs fn with a deadline that rejects when it passes, whether or not fn honours the
 * signal: the signal asks fn to stop; the race is what guarantees the caller stops waiting.
 */
function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, rejectDeadline) => {
    timer = setTimeout(() => {
      const err = Object.assign(new Error(`verification exceeded ${ms} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
      controller.abort(err);
      rejectDeadline(err);
    }, ms);
  });
  return Promise.race([fn(controller.signal), deadline]).finally(() => clearTimeout(timer));
}

async function verify(req: IncomingMessage, signal: AbortSignal): Promise<Principal> {
  if (!ALLOWED_ORIGINS.has(req.headers.origin ?? '')) throw new AuthError(403, 'origin not allowed');
  const ticket = new URL(req.url ?? '/', 'http://placeholder').searchParams.get('ticket') ?? '';
  const [body = '', mac = ''] = ticket.split('.');
  const expected = createHmac('sha256', SECRET).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new AuthError(401, 'bad ticket');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub: string; exp: number; jti: string };
  if (claims.exp < Date.now()) throw new AuthError(401, 'ticket expired');
  if (usedTickets.has(claims.jti)) throw new AuthError(401, 'ticket replayed');
  // Used up before the session lookup, so a replay cannot slip in while it runs. The price:
  // a 503 from a slow store burns the ticket too, and the client gets a new one to retry.
  rememberTicket(claims.jti, claims.exp);
  await lookupSession(claims.sub, signal);
  return { userId: claims.sub };
}

function reject(socket: Socket, status: number, reason: string): void {
  if (socket.destroyed) return;
  const text = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Service Unavailable';
  // Plain HTTP on the raw socket; no WebSocket exists yet. Then close it.
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  socket.setTimeout(1_000, () => socket.destroy()); // a peer that never reads the answer
}

const server = createServer((_req, res) => res.writeHead(426, { Upgrade: 'websocket' }).end());
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
wss.on('connection', (ws: WebSocket, _req: IncomingMessage, principal: Principal) => {
  // Log the code (WS_ERR_*), not only the message: it is what alerts and dashboards group by.
  ws.on('error', (err: Error & { code?: string }) => console.error(JSON.stringify({ event: 'ws_error', user: principal.userId, name: err.name, code: err.code, message: err.message })));
  ws.send(`hello ${principal.userId}`);
});

server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
  socket.on('error', () => socket.destroy()); // a reset during verification must not crash us
  withDeadline(VERIFY_DEADLINE_MS, (signal) => verify(req, signal)).then(
    (principal) => {
      if (socket.destroyed) return; // the client gave up while we were checking
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, principal));
    },
    (err: unknown) => {
      if (err instanceof AuthError) return reject(socket, err.status, err.message);
      // Timeout, store down or a bug: retryable for the client (503, not 401), but logged
      // with name, code and cause, because the client is told nothing specific.
      const e = err as Error & { code?: string };
      console.error(JSON.stringify({ event: 'upgrade_auth_unavailable', name: e.name, code: e.code, message: e.message, cause: e.cause === undefined ? undefined : String(e.cause) }));
      reject(socket, 503, 'auth unavailable');
    },
  );
});

server.listen(0, '127.0.0.1');
await once(server, 'listening', { signal: AbortSignal.timeout(2_000) });
const { port } = server.address() as AddressInfo;
const url = `ws://127.0.0.1:${port}/live`;

/** Opens a ws client and resolves with what happened first, bounded by a timeout. */
function attempt(ticket: string, origin: string): Promise<string> {
  const ws = new WebSocket(`${url}?ticket=${encodeURIComponent(ticket)}`, { origin, handshakeTimeout: 2_000 });
  return new Promise<string>((resolve) => {
    ws.once('message', (data) => resolve(`open, server says "${data}"`));
    ws.once('unexpected-response', (_req, res) => resolve(`rejected with HTTP ${res.statusCode}`));
    ws.once('error', (err) => resolve(`error: ${err.message}`));
  }).finally(() => ws.terminate());
}

const origin = 'https://app.example.com';
try {
  const good = issueTicket('alice');
  console.log(`valid ticket:      ${await attempt(good, origin)}`);
  console.log(`same ticket again: ${await attempt(good, origin)}`);
  console.log(`forged ticket:     ${await attempt(good.slice(0, -2) + 'xx', origin)}`);
  console.log(`wrong origin:      ${await attempt(issueTicket('alice'), 'https://evil.example')}`);
  console.log(`store hangs:       ${await attempt(issueTicket('stuck'), origin)}`);

  // The browser-compatible global client cannot see the status: it gets an 'error' event
  // and no status, so the app cannot tell "log in again" from "retry". (Node 24.22.3
  // then fires 'close' with 1006; 22.18.0 fired no 'close' within 2 s in our runs, so wait
  // for 'error' only.) Node's global client sends no Origin header: this is a 403.
  const ws = new globalThis.WebSocket(`${url}?ticket=${encodeURIComponent(issueTicket('bob'))}`);
  const seen = await new Promise<string>((resolve) => {
    const timer = setTimeout(resolve, 2_000, 'timed out');
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      resolve("an 'error' event, no status code");
    }, { once: true });
  });
  ws.close();
  console.log(`global WebSocket:  ${seen}`);
} finally {
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.closeAllConnections();
  server.close();
}
