// RFC 6455 on the wire, against the real `ws` server: the accept hash (checked against the
// RFC's own example), a masked text frame, the length encodings, ping/pong, the closing
// handshake, and what a server does with an unmasked client frame.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { acceptFor, encodeFrame, OP, rawConnect } from './lib/frames.ts';

// Section 1.3: key "dGhlIHNhbXBsZSBub25jZQ==" must give "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
const rfcAccept = acceptFor('dGhlIHNhbXBsZSBub25jZQ==');
console.log(`accept for the RFC's example key: ${rfcAccept} (matches RFC: ${rfcAccept === 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='})`);

const server = createServer();
const wss = new WebSocketServer({ server });
const errors: string[] = [];
wss.on('connection', (ws) => {
  // Without this listener a protocol error from one peer is an unhandled 'error' event,
  // which crashes the whole process (try deleting it).
  ws.on('error', (err: Error & { code?: string }) => errors.push(err.code ?? err.name));
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })); // echo
});
server.listen(0, '127.0.0.1');
await once(server, 'listening', { signal: AbortSignal.timeout(2_000) });
const { port } = server.address() as AddressInfo;

const sockets = [];
try {
  const c = await rawConnect(port);
  sockets.push(c.socket);
  console.log(`status ${c.status}, upgrade: ${c.headers['upgrade']}, accept valid: ${c.headers['sec-websocket-accept'] === acceptFor(c.key)}`);

  c.socket.write(encodeFrame(OP.text, Buffer.from('hello'), true));
  let f = await c.nextFrame(2_000);
  console.log(`echo: opcode ${f.opcode}, fin ${f.fin}, masked ${f.masked}, header ${f.headerBytes} bytes, "${f.payload}"`);

  for (const size of [125, 126, 65_536]) {
    c.socket.write(encodeFrame(OP.binary, Buffer.alloc(size, 1), true));
    f = await c.nextFrame(2_000);
    console.log(`echo of ${size} bytes: header ${f.headerBytes} bytes`);
  }

  c.socket.write(encodeFrame(OP.ping, Buffer.from('hb-1'), true));
  f = await c.nextFrame(2_000);
  console.log(`ping answered with opcode 0x${f.opcode.toString(16)} carrying "${f.payload}"`);

  const code = Buffer.alloc(2);
  code.writeUInt16BE(1000);
  c.socket.write(encodeFrame(OP.close, Buffer.concat([code, Buffer.from('bye')]), true));
  f = await c.nextFrame(2_000);
  console.log(`close answered with opcode 0x${f.opcode.toString(16)}, code ${f.payload.readUInt16BE(0)}`);

  const bad = await rawConnect(port);
  sockets.push(bad.socket);
  bad.socket.write(encodeFrame(OP.text, Buffer.from('not masked'), false));
  f = await bad.nextFrame(2_000);
  console.log(`unmasked client frame: server closes with code ${f.payload.readUInt16BE(0)} "${f.payload.subarray(2)}"`);
  console.log(`server-side 'error' events: ${errors.join(', ')}`);
} finally {
  for (const s of sockets) s.destroy();
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  server.close();
}
