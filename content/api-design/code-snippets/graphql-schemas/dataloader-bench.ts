// Benchmark: what N+1 costs when each backend call is a real HTTP round trip. A users
// service listens on 127.0.0.1 (port 0); the GraphQL layer resolves a 50-post page with
// authors either one GET per post or one batched GET per request through DataLoader 2.2.3.
// BENCH_ITERATIONS is the number of GraphQL requests per mode and round (3 rounds, interleaved).
import { Agent, createServer, get } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { graphql } from 'graphql';
import { Backend } from './lib/backend.ts';
import type { UserRow } from './lib/backend.ts';
import { createContext, schema } from './lib/schema.ts';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const ROUNDS = 3;
const PAGE = 50;
const data = new Backend(50, 1000);

let httpRequests = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  httpRequests += 1;
  const ids = (new URL(req.url ?? '/', 'http://x').searchParams.get('ids') ?? '').split(',').filter(Boolean);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ids.map((id) => data.users.get(id) ?? null)));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening', { signal: AbortSignal.timeout(5_000) }); // rejects on 'error' or after 5 s
const { port } = server.address() as AddressInfo;
const agent = new Agent({ keepAlive: true, maxSockets: 16 }); // a bounded pool, as a real client has

function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`users service answered ${res.statusCode}`));
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T); } catch (err) { reject(err); }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

class HttpBackend extends Backend {
  override async userById(id: string): Promise<UserRow | null> {
    this.count('userById');
    const [user] = await getJson<Array<UserRow | null>>(`/users?ids=${encodeURIComponent(id)}`, AbortSignal.timeout(2_000));
    return user ?? null;
  }
  override async usersByIds(ids: readonly string[]): Promise<Array<UserRow | null>> {
    this.count('usersByIds');
    return getJson<Array<UserRow | null>>(`/users?ids=${ids.map(encodeURIComponent).join(',')}`, AbortSignal.timeout(2_000));
  }
}
const backend = new HttpBackend(50, 1000);
const source = `{ posts(first: ${PAGE}) { edges { node { title author { name } } } } }`;

type Sample = { ms: number[]; cpuMs: number; http: number };
const samples: Record<'naive' | 'DataLoader', Sample> = {
  naive: { ms: [], cpuMs: 0, http: 0 },
  DataLoader: { ms: [], cpuMs: 0, http: 0 },
};

try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const mode of ['naive', 'DataLoader'] as const) {
      const sample = samples[mode];
      const httpBefore = httpRequests;
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < iterations; i++) {
        const start = performance.now();
        const result = await graphql({ schema, source, contextValue: createContext(backend, { batched: mode === 'DataLoader' }) });
        if (result.errors) throw new AggregateError(result.errors, 'query failed');
        if (round > 0) sample.ms.push(performance.now() - start); // round 0 is warm-up
      }
      if (round > 0) {
        const cpu = process.cpuUsage(cpuBefore);
        sample.cpuMs += (cpu.user + cpu.system) / 1000;
        sample.http += httpRequests - httpBefore;
      }
    }
  }
} finally {
  agent.destroy();
  server.close();
  server.closeAllConnections();
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
console.log(`${iterations} requests x ${ROUNDS} rounds per mode, posts(first: ${PAGE}) with authors, ${process.version}`);
console.log('mode         HTTP calls/request   p50 ms   p95 ms   CPU ms/request (client and users service share this process)');
for (const mode of ['naive', 'DataLoader'] as const) {
  const s = samples[mode];
  const sorted = [...s.ms].sort((a, b) => a - b);
  const n = s.ms.length;
  console.log(
    `${mode.padEnd(11)}  ${(s.http / n).toFixed(0).padStart(18)}   ${pct(sorted, 0.5).toFixed(2).padStart(6)}   ${pct(sorted, 0.95).toFixed(2).padStart(6)}   ${(s.cpuMs / n).toFixed(2).padStart(6)}`,
  );
}
