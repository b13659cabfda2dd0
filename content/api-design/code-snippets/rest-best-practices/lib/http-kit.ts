// Shared plumbing for the snippets: a server that starts and stops with bounded waits, JSON
// bodies read with a size limit, and errors sent as RFC 9457 problem details.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { addAbortListener, once } from 'node:events';

/** RFC 9457, section 3.1: the standard members; extension members sit beside them. */
export interface Problem {
  readonly type: string; // a URI that identifies the problem type; clients dispatch on it
  readonly title: string; // short, human-readable, the same for every occurrence of the type
  readonly status: number; // advisory copy of the HTTP status code
  readonly detail?: string; // this occurrence, for a human; not for parsing
  readonly instance?: string; // this occurrence, as a URI
  readonly [extension: string]: unknown;
}

/** An error a handler throws to send a problem; keeps cause for the server's own log. */
export class HttpProblem extends Error {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  constructor(problem: Problem, options: { cause?: unknown; headers?: Record<string, string> } = {}) {
    super(problem.detail ?? problem.title, { cause: options.cause });
    this.name = 'HttpProblem';
    this.problem = problem;
    this.headers = options.headers ?? {};
  }
}

export const PROBLEM_BASE = 'https://api.example.com/problems/';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(problem);
  res.writeHead(problem.status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Reads a JSON body: 415 for another media type, 413 past the limit, 400 for bad JSON. */
export async function readJson(req: IncomingMessage, limitBytes: number, signal: AbortSignal): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpProblem(
      { type: `${PROBLEM_BASE}unsupported-media-type`, title: 'Unsupported media type', status: 415, detail: `expected application/json, got ${type || 'nothing'}` },
      { headers: { 'accept-post': 'application/json' } },
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  signal.throwIfAborted();
  // The deadline bounds the whole read: a client that stalls mid-body gets its request destroyed,
  // instead of holding the handler until Node's requestTimeout (300 s by default).
  const stop = addAbortListener(signal, () => req.destroy(signal.reason as Error));
  try {
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) {
        // Answer now and close the connection rather than read the rest of an oversized upload.
        throw new HttpProblem(
          { type: `${PROBLEM_BASE}body-too-large`, title: 'Request body too large', status: 413, detail: `limit is ${limitBytes} bytes` },
          { headers: { connection: 'close' } },
        );
      }
      chunks.push(chunk);
    }
  } finally {
    stop[Symbol.dispose]();
  }
  signal.throwIfAborted();
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpProblem({ type: `${PROBLEM_BASE}malformed-json`, title: 'Malformed JSON', status: 400 }, { cause: err });
  }
}

export type Handler = (req: IncomingMessage, res: ServerResponse, signal: AbortSignal) => Promise<void>;

export interface Running {
  readonly origin: string;
  /** Stops accepting, aborts in-flight handlers, waits at most `graceMs`, then cuts connections. */
  close(graceMs?: number): Promise<void>;
}

/** Logs what a client must never see: the name, code and cause chain of an unexpected error. */
export function logUnexpected(err: unknown): void {
  const e = err as Error & { code?: string };
  const cause = e.cause as (Error & { code?: string }) | undefined;
  console.log(`[error] ${e.name}: ${e.message}${e.code ? ` (code ${e.code})` : ''}${cause ? `; cause ${cause.name}: ${cause.message}${cause.code ? ` (code ${cause.code})` : ''}` : ''}`);
}

function abortProblem(shuttingDown: boolean): Problem {
  return shuttingDown
    ? { type: `${PROBLEM_BASE}shutting-down`, title: 'The server is shutting down', status: 503 }
    : { type: `${PROBLEM_BASE}deadline-exceeded`, title: 'The request did not complete within its deadline', status: 503 };
}

export async function startServer(handler: Handler, requestTimeoutMs = 5_000): Promise<Running> {
  const shutdown = new AbortController();
  const server = createServer((req, res) => {
    // Every handler gets a deadline and learns about shutdown through one signal.
    const signal = AbortSignal.any([shutdown.signal, AbortSignal.timeout(requestTimeoutMs)]);
    // The deadline holds even for a handler that ignores the signal: shortly after it fires, an
    // unanswered request gets a 503 (or, if the response had started, its connection is cut).
    let enforcer: NodeJS.Timeout | undefined;
    const stopWatch = addAbortListener(signal, () => {
      enforcer = setTimeout(() => {
        if (res.writableEnded || res.destroyed) return;
        if (res.headersSent) res.destroy();
        else sendProblem(res, abortProblem(shutdown.signal.aborted), { connection: 'close', 'retry-after': '1' });
      }, 100);
    });
    res.once('close', () => {
      stopWatch[Symbol.dispose]();
      clearTimeout(enforcer);
    });
    handler(req, res, signal).catch((err: unknown) => {
      if (res.writableEnded || res.destroyed) {
        // Already answered by the deadline, or the client went away: nobody to tell.
        if (!(signal.aborted || req.destroyed)) logUnexpected(err);
        return;
      }
      if (res.headersSent) {
        logUnexpected(err);
        res.destroy();
        return;
      }
      if (err instanceof HttpProblem) {
        sendProblem(res, err.problem, err.headers);
        return;
      }
      if (signal.aborted && err === signal.reason) {
        // Our own deadline or shutdown, not a bug: 503 with Retry-After, no error log.
        sendProblem(res, abortProblem(shutdown.signal.aborted), { 'retry-after': '1' });
        return;
      }
      logUnexpected(err);
      // The client learns that it failed and how to quote it, not why: no stack, no SQL.
      sendProblem(res, { type: 'about:blank', title: 'Internal Server Error', status: 500 });
    });
  });
  // Connections that never carried a request hold no work; closeIdleConnections() does not
  // count them as idle, so shutdown would wait the whole grace period for them.
  const sockets = new Set<Socket>();
  const used = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage) => used.add(req.socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', { signal: AbortSignal.timeout(5_000) }); // rejects on 'error' too
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  async function closeOnce(graceMs: number): Promise<void> {
    shutdown.abort(new Error('server shutting down'));
    const closed = once(server, 'close');
    server.close();
    server.closeIdleConnections();
    for (const socket of sockets) if (!used.has(socket)) socket.destroy();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    // A second call returns the first call's promise ('close' fires only once).
    close(graceMs = 2_000) {
      closing ??= closeOnce(graceMs);
      return closing;
    },
  };
}
