// Which memory gauge grows when a handler ignores res.write()'s `false`? It depends on
// the chunk type. The response's socket queues chunks as they were written (net.Socket
// does not convert strings to Buffers), so a backlog of strings lives on the V8 heap
// (heapUsed) and a backlog of Buffers in ArrayBuffer backing stores (arrayBuffers, part
// of external). One exception: res.write() corks the socket until the next tick, so chunks
// written in one synchronous burst reach libuv together in one writev, which copies them
// into a native buffer that src/stream_base.cc sizes for UTF-8's worst case, up to 3 bytes
// per character, and here the strings stay referenced as well. The client never reads.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

declare const gc: () => void; // --expose-gc (snippets.json), for stable before/after figures

const MiB = 2 ** 20;
const CHUNK = 64 * 1024;
const CHUNKS = 512; // 32 MiB per run: far more than loopback socket buffers absorb

type Kind = 'string' | 'Buffer';

const scratch = Buffer.alloc(CHUNK, 0x61);
function chunk(kind: Kind, i: number): string | Buffer {
  // A fresh, flat chunk each time (writing one string 512 times would queue 512
  // references to the same string and grow nothing), made without temporary Buffers.
  scratch.writeUInt32BE(i);
  return kind === 'Buffer' ? Buffer.from(scratch) : scratch.toString('latin1'); // 1 byte per char
}

async function backlog(kind: Kind, spread: boolean): Promise<{ heapMiB: number; arrayBuffersMiB: number; writableMiB: number }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  let client: Socket | undefined;
  try {
    const { port } = server.address() as AddressInfo;
    client = connect(port, '127.0.0.1');
    client.pause(); // never reads: the kernel buffers fill, then Node's queue grows
    client.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const [, res] = (await once(server, 'request', { signal: AbortSignal.timeout(5_000) })) as [unknown, ServerResponse];
    res.writeHead(200, { 'content-length': String(CHUNK * CHUNKS) });
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < CHUNKS; i++) {
      res.write(chunk(kind, i)); // the bug: `false` ignored
      if (spread) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the kernel take what it will
    gc();
    const after = process.memoryUsage();
    return {
      heapMiB: (after.heapUsed - before.heapUsed) / MiB,
      arrayBuffersMiB: (after.arrayBuffers - before.arrayBuffers) / MiB,
      writableMiB: res.socket ? res.socket.writableLength / MiB : 0,
    };
  } finally {
    client?.destroy();
    server.closeAllConnections();
    server.close();
  }
}

const cases = [
  ['string', true, 'heapUsed only'],
  ['Buffer', true, 'arrayBuffers only'],
  ['string', false, 'heapUsed, and a larger native copy in arrayBuffers'],
] as const;
for (const [kind, spread, expected] of cases) {
  const r = await backlog(kind, spread);
  const label = `${kind} chunks, ${spread ? 'one write per tick' : 'all in one tick'}`;
  // Assumes the kernel's loopback buffers take well under half of the 32 MiB (about 4 MiB
  // on the Linux VM we measured on): a property of the host, not of Node.
  const big = (mib: number): boolean => mib > r.writableMiB / 2;
  const small = (mib: number): boolean => mib < 4;
  const observed =
    big(r.heapMiB) && small(r.arrayBuffersMiB) ? 'heapUsed only'
    : small(r.heapMiB) && big(r.arrayBuffersMiB) ? 'arrayBuffers only'
    : big(r.heapMiB) && r.arrayBuffersMiB > r.writableMiB ? 'heapUsed, and a larger native copy in arrayBuffers'
    : 'something else';
  console.log(`${label}: ${r.writableMiB.toFixed(1)} MiB queued, heapUsed +${r.heapMiB.toFixed(1)} MiB, arrayBuffers +${r.arrayBuffersMiB.toFixed(1)} MiB`);
  console.log(`${label}: grew ${observed}: ${observed === expected}`);
}
