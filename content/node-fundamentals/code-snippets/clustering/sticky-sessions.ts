// Sticky sessions by hand: the primary accepts raw TCP connections, picks a
// worker from a hash of the client address, and passes the socket itself.
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { get } from './lib/http-get.ts';

/** FNV-1a, 32 bit: cheap and stable across restarts (unlike a random seed). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

if (cluster.isPrimary) {
  const workers: Worker[] = [cluster.fork(), cluster.fork()];
  await Promise.all(workers.map((w) => once(w, 'message'))); // each says 'ready'

  // pauseOnConnect: the primary must not read a byte, or those bytes would be
  // lost to the worker. The handle goes over the IPC channel (SCM_RIGHTS on Unix).
  const balancer = net.createServer({ pauseOnConnect: true }, (socket) => {
    const key = socket.remoteAddress ?? '';
    const worker = workers[fnv1a(key) % workers.length]!;
    worker.send('sticky:connection', socket);
  });
  balancer.listen(0, '127.0.0.1');
  await once(balancer, 'listening');
  const { port } = balancer.address() as AddressInfo;

  const servedBy: string[] = [];
  for (let i = 0; i < 6; i++) servedBy.push((await get(port)).body);
  const distinct = new Set(servedBy);
  console.log(`6 connections from 127.0.0.1 served by: ${servedBy.join(' ')}`);
  console.log(`distinct workers used: ${distinct.size} of ${workers.length}`);

  balancer.close();
  await Promise.all(workers.map(async (w) => {
    const exited = once(w, 'exit');
    w.disconnect();
    await exited;
  }));
  console.log('balancer closed, workers exited');
} else {
  const id = String(cluster.worker?.id);
  // This server never listens: connections arrive as handles from the primary.
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    res.end(`worker-${id}`);
  });
  process.on('message', (msg: unknown, socket?: net.Socket) => {
    if (msg !== 'sticky:connection' || socket === undefined) return;
    server.emit('connection', socket);
    socket.resume();
  });
  process.send?.('ready');
}
