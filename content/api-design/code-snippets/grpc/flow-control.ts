// HTTP/2 flow control as end-to-end backpressure on a real grpc-js server stream.
// The server writes 16 KiB messages as fast as write()/'drain' allow. The client reads 20,
// then stops reading: how far the server gets is set by the client's receive window
// (grpc-node.flow_control_window) plus fixed local buffers. Last case: a client that
// never starts reading at all.
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, startServer } from './lib/grpc-helpers.ts';

const MESSAGE_BYTES = 16 * 1024;
const MESSAGE = 'x'.repeat(MESSAGE_BYTES);
const LIMIT = 2_000; // 31 MiB if nothing stops the server
const { Client } = inventory();
let written = 0;

const running = await startServer((server) => {
  server.addService(Client.service, {
    async ListItems(call: grpc.ServerWritableStream<{ limit: number }, unknown>) {
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      try {
        for (let i = 0; i < call.request.limit && !call.cancelled; i++) {
          written += 1;
          // write() false = buffers full; wait for 'drain', or stop if the call is cancelled
          if (!call.write({ sku: String(i), name: MESSAGE })) await once(call, 'drain', { signal: ac.signal });
        }
        call.end();
      } catch {
        // cancelled while waiting for 'drain': the client is gone, nothing to send
      }
    },
  });
});

async function run(label: string, options: grpc.ChannelOptions, readFirst: number): Promise<number> {
  written = 0;
  const client = new Client(running.address, grpc.credentials.createInsecure(), options);
  const stream = client.ListItems({ limit: LIMIT }, { deadline: Date.now() + 5_000 }) as grpc.ClientReadableStream<unknown>;
  stream.on('error', () => {}); // the cancel() below ends it with CANCELLED
  try {
    let got = 0;
    if (readFirst > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no data in time')), 3_000);
        stream.on('data', () => {
          if (++got === readFirst) { stream.pause(); clearTimeout(timer); resolve(); }
        });
      });
    }
    // The consumer is stuck. Wait until the server has written nothing for 200 ms (bounded).
    let last = -1;
    for (const end = Date.now() + 4_000; written !== last && Date.now() < end; ) {
      last = written;
      await new Promise((r) => setTimeout(r, 200));
    }
    const result = written;
    const inFlightKiB = ((result - got) * MESSAGE_BYTES) / 1024;
    console.log(`${label.padEnd(40)} server wrote ${String(result).padStart(4)} messages, ${String(Math.round(inFlightKiB)).padStart(5)} KiB not yet consumed`);
    return result;
  } finally {
    stream.cancel();
    client.close();
  }
}

try {
  const small = await run('read 20, pause; default 65,535 B window', {}, 20);
  const mid = await run('read 20, pause; 1 MiB window', { 'grpc-node.flow_control_window': 1 << 20 }, 20);
  const big = await run('read 20, pause; 8 MiB window', { 'grpc-node.flow_control_window': 8 << 20 }, 20);
  console.log(`bigger window -> more bytes in flight: ${small < mid && mid < big}`);
  const never = await run('never read; default window', {}, 0);
  console.log(`client that never read let the server write all ${LIMIT}: ${never === LIMIT}`);
} finally {
  await closeAll(() => running.close());
}
