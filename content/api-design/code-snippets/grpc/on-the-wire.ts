// What a grpc-js call looks like to a plain node:http2 server: the request headers, the
// 5-byte length prefix on each message, the client's flow-control settings, and the
// status in trailers. The server side here is hand-written on purpose, to show the
// protocol; a real service uses grpc.Server.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, statusName, unary } from './lib/grpc-helpers.ts';

const { definition, Client } = inventory();
const getItem = (definition['demo.v1.Inventory'] as Record<string, grpc.MethodDefinition<unknown, unknown>>).GetItem;

// gRPC message framing (PROTOCOL-HTTP2.md): 1 byte compressed flag, 4 bytes big-endian length.
const frame = (message: Buffer): Buffer => {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
};

const h2 = http2.createServer(); // cleartext HTTP/2 with prior knowledge ("h2c"), as createInsecure() speaks
h2.on('stream', (stream, headers) => {
  const { session } = stream;
  const timeout = String(headers['grpc-timeout']);
  console.log(`${headers[':method']} ${headers[':path']}`);
  console.log(`  content-type: ${headers['content-type']}, te: ${headers.te}`);
  console.log(`  grpc-timeout: ${timeout} (the 500 ms deadline, as time remaining; "m" = milliseconds)`);
  console.log(`  client SETTINGS_INITIAL_WINDOW_SIZE: ${session?.remoteSettings.initialWindowSize}`);
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    const body = Buffer.concat(chunks);
    const length = body.readUInt32BE(1);
    const request = getItem.requestDeserialize(body.subarray(5, 5 + length)) as { sku: string };
    console.log(`  body: flag=${body[0]} length=${length} -> ${JSON.stringify(request)}`);
    if (request.sku === 'missing') {
      // "Trailers-Only": an error with no messages goes out as a single HEADERS frame.
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(grpc.status.NOT_FOUND), 'grpc-message': encodeURIComponent('no such sku') }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
    stream.end(frame(getItem.responseSerialize({ sku: request.sku, name: 'bolt', quantity: 150 })));
  });
});
h2.listen(0, '127.0.0.1');
await Promise.race([
  new Promise((resolve) => h2.once('listening', resolve)),
  new Promise((_, reject) => h2.once('error', reject)),
  new Promise((_, reject) => setTimeout(() => reject(new Error('listen timed out')), 2_000).unref()),
]);
const address = `127.0.0.1:${(h2.address() as AddressInfo).port}`;

const plain = new Client(address, grpc.credentials.createInsecure());
const bigWindow = new Client(address, grpc.credentials.createInsecure(), { 'grpc-node.flow_control_window': 1 << 20 });
try {
  console.log('response:', JSON.stringify(await unary(plain, 'GetItem', { sku: 'A1' }, { deadline: Date.now() + 500 })));
  try {
    await unary(plain, 'GetItem', { sku: 'missing' }, { deadline: Date.now() + 500 });
  } catch (error) {
    const e = error as grpc.ServiceError;
    console.log(`error: ${statusName(e.code)} "${e.details}"`);
  }
  await unary(bigWindow, 'GetItem', { sku: 'A1' }, { deadline: Date.now() + 500 });
} finally {
  await closeAll(
    () => plain.close(),
    () => bigWindow.close(),
    () => new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000); // close() waits for sessions; do not wait forever
      h2.close(() => { clearTimeout(timer); resolve(); });
    }),
  );
}
