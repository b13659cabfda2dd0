// Benchmark: five node:http backends in this process, one of them 10x slower, and five
// client-side balancing policies. Each backend serves at most 4 requests at a time (a
// worker pool) and queues the rest, so load on an endpoint turns into queueing delay, as
// it does in a real service. 32 closed-loop callers keep 32 requests in flight.
// BENCH_ITERATIONS = requests per policy. One process: the process boundary is not the
// point here, and in-process servers keep the run short.
import { createServer, request, Agent } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { mulberry32 } from './lib/rng.ts';
import { endpoint, roundRobin, random, leastOutstanding, powerOfTwo, peakEwma, observe } from './lib/balancers.ts';
import type { Balancer, Endpoint } from './lib/balancers.ts';

const REQUESTS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const CALLERS = 32;
const WORKERS_PER_BACKEND = 4;
const FAST_MS = 4;
const SLOW_MS = 40; // backend "e" is 10x slower
const TAU_MS = 200; // peak-EWMA decay time constant (Finagle's default is 10 s; scaled down for a short run)

function backend(serviceMs: number): Server {
  let busy = 0;
  const queue: Array<() => void> = [];
  const release = (): void => {
    busy -= 1;
    queue.shift()?.();
  };
  return createServer((_req, res) => {
    const work = (): void => {
      busy += 1;
      setTimeout(() => {
        res.end('ok');
        release();
      }, serviceMs);
    };
    if (busy < WORKERS_PER_BACKEND) work();
    else queue.push(work);
  });
}

interface Target { ep: Endpoint; port: number; agent: Agent }

// One request. A kept-alive socket can be closed by the server just as a request goes out
// on it (ECONNRESET, "socket hang up"; the Node docs for request.reusedSocket), so it is
// retried once on the same backend. That is safe only because every request here is a GET:
// the server may have received the request before the reset. Anything else is an error.
function call(t: Target, retried = false): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: t.port, path: '/', agent: t.agent, signal: AbortSignal.timeout(5000) },
      (res) => {
        res.resume();
        res.once('end', resolve);
        res.once('error', reject);
      },
    );
    req.once('error', (err: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') call(t, true).then(resolve, reject);
      else reject(err);
    });
    req.end();
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function run(targets: Target[], balancer: Balancer, total: number): Promise<{ lat: number[]; toSlow: number; errors: number; ms: number }> {
  const eps = targets.map((t) => t.ep);
  for (const e of eps) { e.outstanding = 0; e.ewmaMs = FAST_MS; e.lastUpdate = performance.now(); }
  const byEp = new Map(targets.map((t) => [t.ep, t]));
  const lat: number[] = [];
  let issued = 0;
  let toSlow = 0;
  let errors = 0; // failed requests are counted, not fatal, and their latency is left out
  const start = performance.now();
  const caller = async (): Promise<void> => {
    while (issued < total) {
      issued += 1;
      const ep = balancer.pick(eps);
      if (ep.id === 'e') toSlow += 1;
      ep.outstanding += 1;
      const t0 = performance.now();
      const ok = await call(byEp.get(ep)!).then(() => true, () => false);
      ep.outstanding -= 1;
      const rtt = performance.now() - t0;
      observe(ep, rtt, TAU_MS); // a failure still tells the balancer how long it took
      if (ok) lat.push(rtt);
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  if (lat.length === 0) throw new Error(`${balancer.name}: all ${total} requests failed`);
  return { lat: lat.sort((a, b) => a - b), toSlow, errors, ms: performance.now() - start };
}

const servers: Server[] = [];
const targets: Target[] = [];
try {
  for (const id of ['a', 'b', 'c', 'd', 'e']) {
    const server = backend(id === 'e' ? SLOW_MS : FAST_MS);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    targets.push({ ep: endpoint(id, FAST_MS), port: (server.address() as AddressInfo).port, agent: new Agent({ keepAlive: true }) });
  }
  const policies: Balancer[] = [roundRobin(), random(mulberry32(7)), leastOutstanding(), powerOfTwo(mulberry32(7)), peakEwma(mulberry32(7))];
  console.log(`${REQUESTS} requests per policy, ${CALLERS} in flight, backends a-d ${FAST_MS} ms, e ${SLOW_MS} ms, ${WORKERS_PER_BACKEND} workers each, ${process.version}`);
  // Only the load-blind shares are timing-free (round robin exactly 1 in 5, seeded random a
  // fixed sequence); the load-aware shares and all latencies depend on scheduling, so they
  // are measurements to read, not results to check.
  let failed = 0;
  console.log('policy                    p50 ms   p99 ms   max ms   req/s  errors   share sent to e');
  for (const policy of policies) {
    await run(targets, policy, Math.ceil(REQUESTS / 4)); // warm-up pass, discarded (keep-alive pools, JIT)
    const { lat, toSlow, errors, ms } = await run(targets, policy, REQUESTS);
    failed += errors;
    const share = `${((100 * toSlow) / REQUESTS).toFixed(1)}%`;
    console.log(
      `${policy.name.padEnd(22)} ${pct(lat, 50).toFixed(1).padStart(8)} ${pct(lat, 99).toFixed(1).padStart(8)}` +
        ` ${lat.at(-1)!.toFixed(1).padStart(8)} ${((REQUESTS / ms) * 1000).toFixed(0).padStart(7)} ${String(errors).padStart(7)}   ${share}`,
    );
  }
  console.log(`failed requests, all policies: ${failed}`);
} finally {
  for (const t of targets) t.agent.destroy();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
