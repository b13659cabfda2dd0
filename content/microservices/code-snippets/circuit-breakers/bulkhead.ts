// A slow dependency takes every slot of a shared concurrency limit, and calls to a healthy
// dependency time out waiting behind it. One bulkhead per dependency keeps them apart.
// Two node:http servers in this process: the process boundary is not the point here.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { Bulkhead, BulkheadFullError } from './lib/bulkhead.ts';

async function listen(delayMs: number): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    const t = setTimeout(() => res.end('ok'), delayMs);
    res.on('close', () => clearTimeout(t));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/` };
}

const healthy = await listen(5);
const slow = await listen(1000);
try {
  const get = async (url: string, signal: AbortSignal): Promise<void> => {
    const res = await fetch(url, { signal });
    await res.text();
  };
  const scenario = async (label: string, slowGate: Bulkhead, healthyGate: Bulkhead): Promise<void> => {
    const tally = (): Record<string, number> => ({ ok: 0, TimeoutError: 0, BulkheadFullError: 0 });
    const t = { slow: tally(), healthy: tally() };
    const one = async (kind: 'slow' | 'healthy', deadlineMs: number): Promise<void> => {
      const signal = AbortSignal.timeout(deadlineMs); // the deadline covers queueing and the call
      const gate = kind === 'slow' ? slowGate : healthyGate;
      try {
        await gate.run(() => get(kind === 'slow' ? slow.url : healthy.url, signal), signal);
        t[kind].ok += 1;
      } catch (err) {
        const name = err instanceof BulkheadFullError ? 'BulkheadFullError' : (err as Error).name;
        if (!(name in t[kind])) throw err;
        t[kind][name] += 1;
      }
    };
    const calls = [
      ...Array.from({ length: 16 }, () => one('slow', 1500)), // arrive first and hold their slots
      // 800 ms: room for a cold, loaded process, and still below the 1,000 ms a slow call holds a slot
      ...Array.from({ length: 20 }, () => one('healthy', 800)),
    ];
    await Promise.all(calls);
    const fmt = (r: Record<string, number>): string => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`${label}\n  slow dependency:    ${fmt(t.slow)}\n  healthy dependency: ${fmt(t.healthy)}`);
  };
  const shared = new Bulkhead('shared', 8, 100);
  await scenario('one shared limit of 8 (a pool both dependencies draw from):', shared, shared);
  await scenario(
    'a bulkhead each (slow: 4 running, no queue; healthy: 4 running, queue of 100):',
    new Bulkhead('slow', 4, 0),
    new Bulkhead('healthy', 4, 100),
  );
} finally {
  // close() first (it stops listening and reports errors to a callback, not by throwing), then
  // drop kept-alive sockets; each step has its own try, so no throw skips another step.
  const errors: unknown[] = [];
  const step = (fn: () => void): void => {
    try { fn(); } catch (err) { errors.push(err); }
  };
  for (const { server } of [healthy, slow]) {
    step(() => server.close());
    step(() => server.closeAllConnections());
  }
  // Reported, not thrown: a throw from finally would hide an error from the scenarios.
  for (const err of errors) console.error('closing a server failed:', err);
  if (errors.length > 0) process.exitCode = 1;
}
