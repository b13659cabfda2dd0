// An HTTP export endpoint that streams a large result set, and what happens when the
// client disconnects half-way: with pipeline() the source (a database cursor, a file)
// is destroyed at once; with pipe() it stays open, paused, holding its buffer.
import { createServer, get } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';

const TOTAL_ROWS = 1_000_000; // about 44 MB of NDJSON: far more than the socket buffers hold

interface Cursor {
  readonly stream: Readable;
  rowsProduced(): number;
}

/** Stands in for a database cursor: produces rows only when the consumer asks (_read). */
function openCursor(): Cursor {
  let produced = 0;
  const stream = new Readable({
    read() {
      // Produce one batch per _read call; push() returning false ends the batch early.
      while (produced < TOTAL_ROWS) {
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

interface Outcome {
  readonly route: string;
  readonly error: string;
  readonly sourceDestroyed: boolean;
  readonly rows: number;
}

const outcomes: Outcome[] = [];
const done = new EventTarget();

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const cursor = openCursor();
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  if (req.url === '/pipeline') {
    try {
      await pipeline(cursor.stream, res);
      outcomes.push({ route: 'pipeline', error: 'none', sourceDestroyed: cursor.stream.destroyed, rows: cursor.rowsProduced() });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      outcomes.push({ route: 'pipeline', error: code, sourceDestroyed: cursor.stream.destroyed, rows: cursor.rowsProduced() });
    }
  } else {
    cursor.stream.pipe(res);
    await once(res, 'close');
    for (let i = 0; i < 5; i++) await new Promise(setImmediate);
    outcomes.push({ route: 'pipe', error: 'none reported', sourceDestroyed: cursor.stream.destroyed, rows: cursor.rowsProduced() });
    cursor.stream.destroy(); // the clean-up pipe() never did
  }
  done.dispatchEvent(new Event('outcome'));
}

const server = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => {
    console.error('handler failed', err);
    res.destroy();
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

/** A client that reads the first chunk of the body and then disconnects. */
async function impatientClient(path: string): Promise<void> {
  const outcome = once(done, 'outcome');
  const req = get({ host: '127.0.0.1', port, path, agent: false });
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  await once(res, 'data');
  req.destroy();
  await outcome;
}

await impatientClient('/pipe');
await impatientClient('/pipeline');
server.close();

for (const o of outcomes) {
  console.log(`${o.route}: error=${o.error}, source destroyed=${o.sourceDestroyed}`);
  console.log(`${o.route}: rows produced before the disconnect was noticed: ${o.rows} of ${TOTAL_ROWS}`);
  console.log(`${o.route}: backpressure bounded the work: ${o.rows < TOTAL_ROWS}`);
}
