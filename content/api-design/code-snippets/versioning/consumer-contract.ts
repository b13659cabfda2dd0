// A consumer-driven contract in miniature (Pact is the production tool for this): the
// consumer's test records the requests it makes and only the response fields it reads,
// with type matchers rather than exact values. The file is the contract. The provider's
// build replays it against the real server; an extra field passes, a renamed one fails.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';

type Matcher = { like: string | number | boolean } | { [key: string]: Matcher };
interface Interaction { description: string; providerState: string; request: { method: string; path: string }; response: { status: number; body: Matcher } }
interface Contract { consumer: string; provider: string; interactions: Interaction[] }

// --- consumer side: the client code under test, and the contract it is tested against ---
async function fetchOrderTotal(base: string, id: string): Promise<{ cents: number; currency: string }> {
  const res = await fetch(`${base}/orders/${id}`, { signal: AbortSignal.timeout(2_000) });
  if (res.status !== 200) {
    await res.body?.cancel(); // not going to read it: release the connection first
    throw Object.assign(new Error(`GET /orders/${id}: ${res.status}`), { code: 'ERR_HTTP_STATUS', status: res.status });
  }
  const body = (await res.json()) as { total: { value: number; currency: string } }; // reads two fields, ignores the rest
  return { cents: body.total.value, currency: body.total.currency };
}

const contract: Contract = {
  consumer: 'checkout-web',
  provider: 'orders-api',
  interactions: [{
    description: 'get an existing order',
    providerState: 'order ord_1 exists',
    request: { method: 'GET', path: '/orders/ord_1' },
    response: { status: 200, body: { total: { value: { like: 1250 }, currency: { like: 'EUR' } } } },
  }],
};

function example(m: Matcher): unknown {
  return 'like' in m ? m.like : Object.fromEntries(Object.entries(m).map(([k, v]) => [k, example(v as Matcher)]));
}

async function withServer<T>(handler: RequestListener, fn: (base: string) => Promise<T>): Promise<T> {
  const server: Server = createServer({ requestTimeout: 5_000 }, handler);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    // close() stops accepting and closes the connections idle at that moment (Node >= 19). A
    // request still in flight keeps its connection, which then goes back to keep-alive: closing
    // idle ones every 50 ms ends it once its response is out, and closeAllConnections() cuts
    // whatever is left at the 2 s deadline.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), 2_000);
    await closed;
    clearInterval(idle);
    clearTimeout(deadline);
  }
}

// Consumer test: a stub that answers only the recorded interactions.
await withServer((req, res) => {
  const hit = contract.interactions.find((i) => i.request.method === req.method && i.request.path === req.url);
  if (!hit) {
    res.writeHead(500, { 'content-type': 'application/problem+json' });
    return void res.end(JSON.stringify({ type: 'about:blank', title: 'No recorded interaction', status: 500, detail: `${req.method} ${req.url}` }));
  }
  res.writeHead(hit.response.status, { 'content-type': 'application/json' }).end(JSON.stringify(example(hit.response.body)));
}, async (base) => {
  assert.deepEqual(await fetchOrderTotal(base, 'ord_1'), { cents: 1250, currency: 'EUR' });
});
writeFileSync('checkout-web--orders-api.json', JSON.stringify(contract, null, 2));
console.log('consumer test passed; contract written: checkout-web--orders-api.json');

// --- provider side: verify every interaction against the real handler ---
function mismatches(m: Matcher, actual: unknown, path: string): string[] {
  if ('like' in m) return typeof actual === typeof m.like ? [] : [`${path}: expected ${typeof m.like}, got ${actual === undefined ? 'nothing' : typeof actual}`];
  if (typeof actual !== 'object' || actual === null) return [`${path}: expected an object`];
  return Object.entries(m).flatMap(([k, v]) => mismatches(v as Matcher, (actual as Record<string, unknown>)[k], `${path}.${k}`));
}

async function verify(label: string, provider: RequestListener, setState: (state: string) => void): Promise<void> {
  const pact = JSON.parse(readFileSync('checkout-web--orders-api.json', 'utf8')) as Contract;
  await withServer(provider, async (base) => {
    for (const i of pact.interactions) {
      setState(i.providerState);
      const res = await fetch(base + i.request.path, { method: i.request.method, signal: AbortSignal.timeout(2_000) });
      let problems: string[];
      if (res.status === i.response.status) {
        let body: unknown;
        try {
          body = JSON.parse(await res.text());
        } catch (err) {
          body = err; // JSON.parse never returns an Error, so this is unambiguous
        }
        // A body that is not JSON fails this interaction; it must not abort the whole run.
        problems = body instanceof SyntaxError ? [`body is not JSON (${body.message})`] : mismatches(i.response.body, body, '$');
      } else {
        await res.body?.cancel(); // the body is not compared: release the connection
        problems = [`status ${res.status}, expected ${i.response.status}`];
      }
      console.log(`${label}: "${i.description}" ${problems.length === 0 ? 'OK' : `FAILED ${problems.join('; ')}`}`);
    }
  });
}

const orders = new Map<string, Record<string, unknown>>();
const setState = (state: string): void => {
  orders.clear();
  if (state === 'order ord_1 exists') orders.set('ord_1', { id: 'ord_1', total: { value: 4200, currency: 'USD' }, status: 'paid' });
};
const notFound = (res: ServerResponse): void => {
  res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
};
const providerV5: RequestListener = (req, res) => {
  const order = orders.get(req.url?.split('/')[2] ?? '');
  if (!order) return void notFound(res);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...order, created_at: '2025-01-01T00:00:00Z' })); // added a field
};
const providerV6: RequestListener = (req, res) => {
  const order = orders.get(req.url?.split('/')[2] ?? '');
  if (!order) return void notFound(res);
  const { total, ...rest } = order as { total: { value: number; currency: string } };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...rest, total: { amount: total.value, currency: total.currency } })); // "harmless" rename
};
await verify('provider v5 (adds created_at)', providerV5, setState);
await verify('provider v6 (renames total.value)', providerV6, setState);
