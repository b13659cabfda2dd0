// fetch() resolves when the headers arrive; the body is still on the connection. Until the
// body is read to the end or cancelled, undici (Node's fetch) cannot reuse that
// connection, so a handler that checks `res.ok` and returns leaves it busy: the next request
// to the same origin opens another one, and with a bounded pool it waits. (undici cancels
// an unread body when the Response is garbage-collected, which is neither soon nor certain.)
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.alloc(4 * 2 ** 20, 0x61); // 4 MiB: more than the socket buffers hold

let connections = 0;
const closed = new Map<number, Promise<void>>(); // request id -> the server's response closed
let requests = 0;
const server = createServer((_req, res) => {
  const id = ++requests;
  closed.set(id, once(res, 'close').then(() => {}, () => {})); // sent completely, or the connection died
  res.end(BODY);
});
server.on('connection', () => {
  connections++;
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
const url = `http://127.0.0.1:${port}/export`;

/** Waits for the server to close response `id`, for at most `ms`: true if it did. */
async function closedWithin(id: number, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([(closed.get(id) ?? Promise.reject(new Error(`no request ${id}`))).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

try {
  // Every call is bounded: the timeout covers the headers and the body read.
  const first = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  console.log(`first: ${first.status}, body left unread`);
  const second = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  // The server accepted the connection before it answered, so the count is already final.
  console.log(`second request needed a new connection: ${connections === 2}`);
  console.log(`first response still unsent on the server after 200 ms: ${!(await closedWithin(1, 200))}`);

  await first.body?.cancel(); // the fix when you do not want the body
  // A half-read response cannot be reused: cancelling closes that connection.
  console.log(`after cancel: first response's connection closed: ${await closedWithin(1, 2_000)}`);

  await second.arrayBuffer(); // the other fix: read it to the end (undici then frees the connection)
  const opened = connections;
  const third = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  await third.arrayBuffer();
  console.log(`third request, after the second was read to the end, opened no connection: ${connections === opened}`);
} finally {
  server.closeAllConnections();
  server.close();
}
