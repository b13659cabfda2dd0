// A client that stops reading. The server pushes 16 KiB JSON messages; the client
// completed the handshake and then paused its socket, so the kernel buffers fill and
// every further send() queues in the server process. Three policies:
//   none:     send() and hope. bufferedAmount and memory grow with everything sent.
//   cap:      check bufferedAmount before each send; past 1 MiB close with 1013 and,
//             since the close frame is stuck behind the backlog, terminate after closeTimeout.
//   callback: send(data, cb): at most 4 messages not yet handed to the kernel. Memory is
//             bounded, but the producer stalls: fine for one stream, wrong for a fan-out loop.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { rawConnect } from './lib/frames.ts';

declare const gc: () => void; // --expose-gc (snippets.json)
const MiB = 2 ** 20;
const MESSAGES = 1_024; // 16 MiB offered per run
const CAP = 1 * MiB;
type Policy = 'none' | 'cap' | 'callback';

const message = (i: number): string => JSON.stringify({ seq: i, pad: 'x'.repeat(16 * 1024 - 30) });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function run(policy: Policy): Promise<void> {
  const server = createServer();
  const wss = new WebSocketServer({ server, closeTimeout: 300 }); // ws 8.23.1 option; default 30 s
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', { signal: AbortSignal.timeout(2_000) });
  const connection = once(wss, 'connection', { signal: AbortSignal.timeout(2_000) }) as Promise<[WebSocket]>;
  const client = await rawConnect((server.address() as AddressInfo).port);
  try {
    client.socket.pause(); // stops reading: from here on the server is on its own
    const [ws] = await connection;
    ws.on('error', () => {});
    const closed = new Promise<number>((resolve) => ws.once('close', resolve)); // bounded below
    gc();
    const m0 = process.memoryUsage();
    const before = m0.heapUsed + m0.arrayBuffers;
    let sent = 0;
    let peak = 0;
    let inFlight = 0;
    const start = performance.now();
    for (let i = 0; i < MESSAGES && ws.readyState === ws.OPEN; i++) {
      if (policy === 'cap' && ws.bufferedAmount > CAP) {
        ws.close(1013, 'slow consumer'); // 1008 if it broke a rule; 1013 says "try again later"
        break;
      }
      if (policy === 'callback') {
        const deadline = performance.now() + 500;
        while (inFlight >= 4 && performance.now() < deadline) await tick();
        if (inFlight >= 4) {
          ws.close(1013, 'slow consumer');
          break;
        }
        inFlight++;
        ws.send(message(i), () => inFlight--); // called once the frame is written to the socket
      } else {
        ws.send(message(i));
      }
      sent++;
      peak = Math.max(peak, ws.bufferedAmount);
      if (i % 16 === 0) await tick(); // let the socket make progress, as a real loop would
    }
    const elapsed = performance.now() - start;
    gc();
    const m1 = process.memoryUsage();
    const grew = (m1.heapUsed + m1.arrayBuffers - before) / MiB; // strings queue on the heap, Buffers off it
    const code = policy === 'none' ? 0 : await Promise.race([closed, new Promise<number>((r) => setTimeout(r, 3_000, -1))]);
    const state = policy === 'none' ? 'still open' : `closed, server saw code ${code}`;
    console.log(`${policy.padEnd(8)} sent ${sent} (${((sent * 16) / 1024).toFixed(1)} MiB), peak bufferedAmount ${(peak / MiB).toFixed(1)} MiB, heap+arrayBuffers +${grew.toFixed(1)} MiB, ${elapsed.toFixed(0)} ms, ${state}`);
    const ok =
      policy === 'none' ? peak > 8 * MiB && grew > 8 : policy === 'cap' ? peak < CAP + 64 * 1024 && grew < 4 && code === 1006 : sent < MESSAGES && peak < MiB && grew < 4 && code === 1006;
    console.log(`${policy.padEnd(8)} behaves as described: ${ok}`);
  } finally {
    client.socket.destroy();
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.close();
  }
}

for (const policy of ['none', 'cap', 'callback'] as const) await run(policy);
