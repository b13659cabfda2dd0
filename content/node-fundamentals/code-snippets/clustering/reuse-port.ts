// SO_REUSEPORT (net's reusePort option, Linux): two listening sockets on one port, each with
// its own accept queue, and the kernel spreading new connections between them. Closing one
// of them resets the connections already waiting in its queue: they are not handed to the
// other socket. Here both servers live in one process, so blocking its event loop lets
// connections pile up in both queues while a worker thread opens them.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';

const CONNECTIONS = 40;

function serve(name: string): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(name); // answer with the server's name and close
  });
}
const a = serve('A');
a.listen({ port: 0, host: '127.0.0.1', reusePort: true });
await once(a, 'listening');
const { port } = a.address() as AddressInfo;
const b = serve('B');
b.listen({ port, host: '127.0.0.1', reusePort: true });
await once(b, 'listening');

// The clients run on another thread, so they can connect while this thread is blocked:
// the kernel completes each handshake and queues the connection on one of the sockets.
const clients = new Worker(`
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const results = [];
for (let i = 0; i < workerData.n; i++) {
  const socket = net.connect(workerData.port, '127.0.0.1');
  let reply = '';
  socket.setEncoding('utf8');
  socket.setTimeout(5000, () => socket.destroy(new Error('ETIMEDOUT')));
  socket.on('data', (d) => { reply += d; });
  socket.on('error', (e) => { reply = e.code || e.message; });
  socket.on('close', () => { results.push(reply || 'closed without data'); if (results.length === workerData.n) parentPort.postMessage(results); });
}`, { eval: true, workerData: { port, n: CONNECTIONS } });

// Block this event loop while the clients connect: nothing is accepted, so every connection
// waits in the accept queue of whichever socket the kernel chose. 1.5 s is ample for 40
// local handshakes.
const until = Date.now() + 1_500;
while (Date.now() < until) { /* the kernel queues connections meanwhile */ }
a.close(); // closes A's listening socket before this loop ever accepts from it

const [list] = (await once(clients, 'message')) as [string[]];
const count = (value: string) => list.filter((r) => r === value).length;
console.log(`node ${process.version}: ${CONNECTIONS} connections queued while the loop was blocked`);
console.log(`served by B: ${count('B')}, served by A: ${count('A')}, reset: ${count('ECONNRESET')}, other: ${CONNECTIONS - count('A') - count('B') - count('ECONNRESET')}`);
console.log(`some connections queued on A were reset instead of moving to B: ${count('ECONNRESET') > 0 && count('A') === 0}`);
let migrate = 'not available';
try { migrate = readFileSync('/proc/sys/net/ipv4/tcp_migrate_req', 'utf8').trim(); } catch { /* not Linux 5.14+ */ }
console.log(`net.ipv4.tcp_migrate_req on this kernel: ${migrate} (1 would move them to B instead)`);
b.close();
await clients.terminate();
