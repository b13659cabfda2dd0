// How cluster's round-robin policy hands connections to workers, and what it
// does when one worker's event loop is blocked.
import cluster from 'node:cluster';
import http from 'node:http';
import { once } from 'node:events';
import type { Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { get } from './lib/http-get.ts';

if (cluster.isPrimary) {
  // SCHED_RR is already the default on every platform except Windows; the
  // policy is frozen by the first fork() (or NODE_CLUSTER_SCHED_POLICY=rr|none).
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const workers: Worker[] = [cluster.fork(), cluster.fork()];
  const addresses = await Promise.all(workers.map(async (w) => {
    const [address] = (await once(w, 'listening')) as [AddressInfo];
    return address.port;
  }));
  const port = addresses[0]!;
  console.log(`2 workers called listen(0); ports they got are equal: ${addresses[0] === addresses[1]}`);

  // 1. Sequential requests, each on a new connection: strict alternation.
  const servedBy: string[] = [];
  for (let i = 0; i < 10; i++) servedBy.push((await get(port)).body);
  const alternates = servedBy.every((id, i) => i === 0 || id !== servedBy[i - 1]);
  console.log(`10 sequential connections served by: ${servedBy.join(' ')}`);
  console.log(`strict alternation: ${alternates}`);

  // 2. Block one worker's event loop for 400 ms, then open 6 connections at once.
  const spinning = once(cluster, 'message'); // the worker reports before it spins
  const blocking = get(port, '/block');
  await spinning;
  const burst = await Promise.all(Array.from({ length: 6 }, async () => {
    const started = performance.now();
    const { body } = await get(port);
    return { id: body, ms: performance.now() - started };
  }));
  const blockedId = (await blocking).body;
  const toBlocked = burst.filter((r) => r.id === blockedId);
  const toOther = burst.filter((r) => r.id !== blockedId);
  const slowest = (rs: typeof burst) => Math.round(Math.max(0, ...rs.map((r) => r.ms)));
  console.log(`burst of 6 while worker ${blockedId} is blocked: ${toBlocked.length} to it, ${toOther.length} to the other`);
  console.log(`  slowest via blocked worker: ${slowest(toBlocked)} ms; slowest via the other: ${slowest(toOther)} ms`);

  // 3. Graceful stop: disconnect() closes each worker's server, then its IPC channel.
  await Promise.all(workers.map(async (w) => {
    const exited = once(w, 'exit');
    w.disconnect();
    const [code] = (await exited) as [number];
    return code;
  })).then((codes) => console.log(`workers exited with codes ${codes.join(', ')}`));
} else {
  const id = String(cluster.worker?.id);
  const server = http.createServer((req, res) => {
    if (req.url === '/block') {
      process.send?.('blocking');
      const until = Date.now() + 400;
      while (Date.now() < until); // synchronous CPU work: this worker's loop is stuck
    }
    res.setHeader('content-type', 'text/plain');
    res.end(id);
  });
  server.listen(0, '127.0.0.1');
}
