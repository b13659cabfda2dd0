// Benchmark: what a new TCP connection per call costs between two services on one machine.
// BENCH_ITERATIONS sequential GETs per case (default 2000) against a node:http server on
// 127.0.0.1; per-request latency percentiles, and the connections the server accepted.
// Loopback has no network round trip to speak of, so this is the floor: across machines
// every new connection adds at least one round trip (TCP handshake), two or more with TLS.
import http from 'node:http';
import type { Agent } from 'node:http';
import { once } from 'node:events';

const N = Number(process.env.BENCH_ITERATIONS ?? 2000);
const server = http.createServer((_req, res) => res.end('ok'));
let accepted = 0;
server.on('connection', () => { accepted += 1; });

function get(port: number, agent: Agent | false): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, signal: AbortSignal.timeout(2000) }, (res) => {
      res.resume(); // read the body, or a keep-alive socket is never freed for reuse
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const pct = (sorted: number[], p: number): string => (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN).toFixed(3);

const agents: Array<[string, () => Agent | false]> = [
  ['agent: false (new connection per request)', () => false],
  ['new Agent({ keepAlive: true })', () => new http.Agent({ keepAlive: true })],
  ['http.globalAgent (the default)', () => http.globalAgent],
];

try {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  console.log(`${N} sequential requests per case, ${process.version}; http.globalAgent keepAlive: ${http.globalAgent.options.keepAlive}`);
  console.log('case                                    new connections  p50 ms  p99 ms  req/s');
  for (const [label, make] of agents) {
    const agent = make();
    for (let i = 0; i < 50; i++) await get(port, agent); // warm-up
    accepted = 0;
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      await get(port, agent);
      lat.push(performance.now() - s);
    }
    const seconds = (performance.now() - t0) / 1000;
    lat.sort((a, b) => a - b);
    console.log(`${label.padEnd(44)}${String(accepted).padStart(11)}  ${pct(lat, 50).padStart(6)}  ${pct(lat, 99).padStart(6)}  ${(N / seconds).toFixed(0).padStart(5)}`);
    if (agent && agent !== http.globalAgent) agent.destroy();
  }
} finally {
  http.globalAgent.destroy();
  server.closeAllConnections();
  server.close();
}
