// Echo endpoint for bench-boundary.ts. As a worker thread it talks over
// parentPort; as a forked process over the IPC channel. It announces 'ready'
// once loaded, answers large ArrayBuffers with a tiny ack, and echoes the rest.
import { parentPort } from 'node:worker_threads';

type Send = (value: unknown) => void;

function reply(send: Send, msg: unknown): void {
  if (msg instanceof ArrayBuffer) send(msg.byteLength); // ack without sending the bytes back
  else send(msg);
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (msg: unknown) => reply((v) => port.postMessage(v), msg));
  port.postMessage('ready');
} else if (process.send !== undefined) {
  process.on('message', (msg: unknown) => reply((v) => process.send?.(v), msg));
  process.send('ready');
} else {
  throw new Error('bench-echo.ts runs as a worker thread or a forked child');
}
