// An HTTP export endpoint that streams a large result set, and what happens when the
// client misbehaves. With pipe() the source (a database cursor, a file) stays open, paused,
// holding its buffer, when the client disconnects. With pipeline(), a deadline and an idle
// bound, it is destroyed whether the client disconnects, stops reading or reads too slowly,
// and each outcome is counted as what it is: a client problem or a server error.
import { createServer, get } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { once } from 'node:events';

const TOTAL_ROWS = 1_000_000; // about 44 MB of NDJSON: far more than the socket buffers hold

interface Limits {
  /** The whole export, however the client behaves. */
  readonly deadlineMs: number;
  /** No bytes moved on the socket for this long: someone stopped making progress. */
  readonly idleMs: number;
}
// Short values so that the demonstration finishes in seconds. In a service: an idle bound
// of tens of seconds and a deadline sized to the largest export you are willing to serve.
const LIMITS: Limits = { deadlineMs: 2_000, idleMs: 500 };

interface Cursor {
  readonly stream: Readable;
  rowsProduced(): number;
}

/** Stands in for a database cursor: produces rows only when the consumer asks (_read). */
function openCursor(failAfterRows = Infinity): Cursor {
  let produced = 0;
  const stream = new Readable({
    read() {
      // Produce one batch per _read call; push() returning false ends the batch early.
      while (produced < TOTAL_ROWS) {
        if (produced === failAfterRows) {
          this.destroy(Object.assign(new Error('cursor: connection to the database lost'), { code: 'ECONNRESET' }));
          return;
        }
        const more = this.push(`{"row":${produced},"payload":"xxxxxxxxxxxxxxxx"}\n`);
        produced += 1;
        if (!more) return;
      }
      this.push(null);
    },
    destroy(err, callback) {
      // Here a real cursor would be closed and its connection returned to the pool.
      callback(err);
    },
  });
  return { stream, rowsProduced: () => produced };
}

/** The idle bound fired: `side` is who stopped making progress. */
class IdleTimeoutError extends Error {
  readonly side: 'client' | 'cursor';
  constructor(side: 'client' | 'cursor', idleMs: number) {
    super(`${side} made no progress for ${idleMs} ms`);
    this.name = 'IdleTimeoutError';
    this.side = side;
  }
}

type Kind = 'completed' | 'client aborted' | 'client stalled' | 'deadline' | 'server error';

/** Maps a pipeline rejection to a metric. Only the last kind is a server error (a 5xx, a page). */
function classify(err: unknown, signal: AbortSignal): Kind {
  // Ask the signal first, not the error: when the signal stops the pipeline, Node 22.18
  // rejects with an AbortError, but Node 24.15 and later keep the response's own
  // ERR_STREAM_PREMATURE_CLOSE instead (nodejs/node#62113).
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof IdleTimeoutError) return reason.side === 'client' ? 'client stalled' : 'server error';
    return 'deadline'; // a slow client or a slow cursor: a warning, and a reason to look at both
  }
  if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return 'client aborted';
  return 'server error';
}

interface Outcome {
  readonly label: string;
  readonly kind: Kind | 'none reported';
  readonly sourceDestroyed: boolean;
  readonly rows: number;
}

/** Stands in for a structured logger (logger.error({ err }) and the like). */
function log(level: 'warn' | 'error', err: Error): void {
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  console.log(`[${level}] ${err.message}: ${cause?.name}: ${cause?.message} (code ${cause?.code})`);
}

const metrics = new Map<string, number>();
const outcomes: Outcome[] = [];
const done = new EventTarget();

async function handle(req: IncomingMessage, res: ServerResponse, limits: Limits): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const label = `${url.pathname} (${url.searchParams.get('client') ?? 'client'})`;
  const cursor = openCursor(url.searchParams.has('fail') ? 50_000 : Infinity);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  if (url.pathname === '/pipeline') {
    const idle = new AbortController();
    const signal = AbortSignal.any([idle.signal, AbortSignal.timeout(limits.deadlineMs)]);
    res.setTimeout(limits.idleMs, () => {
      // Waiting for 'drain' means the client stopped reading; otherwise the cursor stalled.
      idle.abort(new IdleTimeoutError(res.writableNeedDrain ? 'client' : 'cursor', limits.idleMs));
    });
    let kind: Kind = 'completed';
    try {
      await pipeline(cursor.stream, res, { signal }); // destroys both on any failure
    } catch (err) {
      kind = classify(err, signal);
      // Client outcomes are only counted. The server's own failure is logged as an error,
      // wrapped so that the original error (its name, message and code) travels as `cause`.
      if (kind === 'server error') log('error', new Error(`export ${label} failed`, { cause: err }));
      if (kind === 'deadline') log('warn', new Error(`export ${label} hit the ${limits.deadlineMs} ms deadline`, { cause: err }));
    }
    metrics.set(kind, (metrics.get(kind) ?? 0) + 1);
    outcomes.push({ label, kind, sourceDestroyed: cursor.stream.destroyed, rows: cursor.rowsProduced() });
  } else {
    cursor.stream.pipe(res); // the anti-pattern, for comparison
    await once(res, 'close', { signal: AbortSignal.timeout(5_000) });
    for (let i = 0; i < 5; i++) await new Promise(setImmediate);
    outcomes.push({ label, kind: 'none reported', sourceDestroyed: cursor.stream.destroyed, rows: cursor.rowsProduced() });
    cursor.stream.destroy(); // the clean-up pipe() never did
  }
  done.dispatchEvent(new Event('outcome'));
}

const server = createServer((req, res) => {
  handle(req, res, LIMITS).catch((err: unknown) => {
    console.error('handler failed', err);
    res.destroy();
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

// ---- Clients, each bounded so that a bug here cannot hang the run ---------------------
type Behaviour = 'impatient' | 'stalled' | 'trickle' | 'reads-all';

/** Reads the first chunk, then: disconnects, stops reading, reads slowly, or reads everything. */
async function client(path: string, behaviour: Behaviour): Promise<{ truncated: boolean }> {
  const signal = AbortSignal.timeout(10_000);
  const outcome = once(done, 'outcome', { signal });
  const sep = path.includes('?') ? '&' : '?';
  const req = get({ host: '127.0.0.1', port, path: `${path}${sep}client=${behaviour}`, agent: false, signal });
  try {
    const [res] = (await once(req, 'response', { signal })) as [IncomingMessage];
    let truncated = false;
    res.on('error', () => (truncated = true)); // 'aborted': the connection ended mid-body
    await once(res, 'data', { signal });
    if (behaviour === 'impatient') req.destroy();
    else if (behaviour === 'stalled') res.pause(); // keeps the connection open, reads nothing
    else if (behaviour === 'trickle') {
      let sinceBreak = 0; // a slow link: 64 KiB, then a 10 ms break (at most about 6 MB/s)
      res.on('data', (chunk: Buffer) => {
        sinceBreak += chunk.length;
        if (sinceBreak < 64 * 1024) return;
        sinceBreak = 0;
        res.pause();
        setTimeout(() => res.resume(), 10);
      });
    } else res.resume();
    await outcome;
    if (behaviour === 'reads-all') await finished(res, { signal }).catch(() => {}); // recorded by the listener
    return { truncated };
  } finally {
    req.destroy();
  }
}

try {
  await client('/pipe', 'impatient');
  await client('/pipeline', 'impatient');
  await client('/pipeline', 'stalled');
  await client('/pipeline', 'trickle');
  const failed = await client('/pipeline?fail', 'reads-all');
  console.log(`client of the failed export saw a truncated response: ${failed.truncated}`);
} finally {
  server.closeAllConnections();
  server.close();
}

for (const o of outcomes) {
  console.log(`${o.label}: outcome=${o.kind}, source destroyed=${o.sourceDestroyed}`);
  console.log(`${o.label}: rows produced: ${o.rows} of ${TOTAL_ROWS}; bounded: ${o.rows < TOTAL_ROWS}`);
}
console.log(`metrics: ${[...metrics].map(([k, v]) => `${k}=${v}`).join(', ')}`);
