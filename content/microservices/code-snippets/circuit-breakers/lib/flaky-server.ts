// A dependency in its own process: an HTTP server on 127.0.0.1 port 0 that reports its port
// over IPC. The parent switches it between 'ok', 'fail' (HTTP 503) and 'slow' (answers after
// SLOW_MS) with IPC messages. It exits when the IPC channel closes.
import { createServer } from 'node:http';

type Mode = 'ok' | 'fail' | 'slow';
let mode: Mode = 'ok';
const SLOW_MS = 300;
let served = 0;

const server = createServer((req, res) => {
  served += 1;
  const reply = (status: number): void => {
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'unavailable');
  };
  if (mode === 'fail') return reply(503);
  if (mode === 'slow') {
    const t = setTimeout(() => reply(200), SLOW_MS);
    res.on('close', () => clearTimeout(t)); // the client gave up: stop the work
    return;
  }
  reply(200);
});
server.keepAliveTimeout = 500;

process.on('message', (msg: { mode?: Mode; stats?: boolean }) => {
  if (msg.mode) mode = msg.mode;
  process.send?.({ ack: msg.mode ?? 'stats', served });
});
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.send?.({ port: addr.port });
});
