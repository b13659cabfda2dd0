// Backpressure between services: a bounded queue in front of a fixed concurrency, and load
// shedding with 503 + Retry-After when it is full. A burst of 24 requests hits a service
// that runs 4 at a time, 200 ms each. Unbounded, every request is accepted and the last
// waits ~1.2 s: latency grows with the queue, and a caller with a 500 ms timeout gets
// nothing useful from most of them. Bounded (queue 4), 8 are served fast and 16 are told
// at once to come back later. Servers and client in one process: the process boundary is
// not the point here, the queue is.
// Not handled: per-client fairness (one noisy caller fills the queue: rate-limit per
// client with 429), queue timeouts (drop requests that waited longer than their deadline),
// adaptive limits (measure latency and move the limit, as TCP congestion control does).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const BURST = 24;
const CONCURRENCY = 4;
const WORK_MS = 200;

function service(maxQueue: number): Server {
  let running = 0;
  const waiting: Array<() => void> = [];
  return createServer(async (_req, res) => {
    if (running >= CONCURRENCY) {
      if (waiting.length >= maxQueue) {
        res.writeHead(503, { 'retry-after': '1', connection: 'close' }).end('overloaded'); // shed: costs microseconds
        return;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running += 1;
    }
    try {
      await sleep(WORK_MS);
      res.end('ok');
    } finally {
      const next = waiting.shift();
      if (next) next(); // hand the slot over directly
      else running -= 1;
    }
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function burst(label: string, maxQueue: number): Promise<void> {
  const server = service(maxQueue).listen(0, '127.0.0.1');
  try {
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const results = await Promise.all(Array.from({ length: BURST }, async () => {
      const t0 = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      return { status: r.status, ms: performance.now() - t0, retryAfter: r.headers.get('retry-after') };
    }));
    const ok = results.filter((r) => r.status === 200).map((r) => r.ms).sort((a, b) => a - b);
    const shed = results.filter((r) => r.status === 503);
    const within500 = ok.filter((ms) => ms <= 500).length;
    console.log(`${label}: 200 x${ok.length}, 503 x${shed.length} (Retry-After: ${shed[0]?.retryAfter ?? '-'})`);
    console.log(`  served latency p50 ${pct(ok, 50).toFixed(0)} ms, max ${pct(ok, 100).toFixed(0)} ms; served within 500 ms: [${within500}]`);
    if (shed.length > 0) console.log(`  rejections answered in at most ${Math.max(...shed.map((r) => r.ms)).toFixed(0)} ms`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

await burst('unbounded queue', Infinity);
await burst(`queue bounded at ${CONCURRENCY}`, CONCURRENCY);
