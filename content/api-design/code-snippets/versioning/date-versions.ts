// Stripe-style date versions: every account is pinned to the version that was current
// at its first request, a header overrides the pin per request, and the handler only
// ever sees and returns the newest shape. The chain of version changes translates.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { orderVersions } from './lib/order-versions.ts';
import { UnknownVersionError } from './lib/version-changes.ts';
import type { JsonObject } from './lib/version-changes.ts';

const MAX_BODY = 64 * 1024;
const pins = new Map<string, string>([
  ['key_2023', '2023-10-16'], // an integration written in 2023, never upgraded
  ['key_2024', '2024-03-01'],
]);
const store = new Map<string, JsonObject>();

// The newest-shape handler: knows nothing about old versions.
function createOrder(input: JsonObject): JsonObject {
  const id = `ord_${store.size + 1}`;
  const order: JsonObject = { id, object: 'order', amount: input.amount ?? null, status: 'requires_capture', description: input.description ?? null };
  store.set(id, order);
  return order;
}

async function readJson(req: IncomingMessage): Promise<JsonObject> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (cause) {
    throw Object.assign(new Error('body is not JSON', { cause }), { status: 400 });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw Object.assign(new Error('body must be an object'), { status: 400 });
  return parsed as JsonObject;
}

function send(res: ServerResponse, status: number, body: JsonObject, version?: string): void {
  const headers: Record<string, string> = { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' };
  if (version) headers['api-version'] = version; // tell the client which version it got
  res.writeHead(status, headers).end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const key = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
  // (Authentication is elided: any key is accepted.) The pin is written once, at first use.
  if (!pins.has(key)) pins.set(key, orderVersions.current);
  let version: string;
  try {
    version = orderVersions.resolve(req.headers['api-version'] as string | undefined, pins.get(key)!);
  } catch (err) {
    if (err instanceof UnknownVersionError) return send(res, 400, { type: 'about:blank', title: 'Unknown API version', detail: err.message });
    throw err;
  }
  if (req.method === 'POST' && req.url === '/orders') {
    const input = orderVersions.requestUp(version, 'order', await readJson(req));
    const created = createOrder(input);
    return send(res, 201, orderVersions.responseDown(version, 'order', created), version);
  }
  send(res, 404, { type: 'about:blank', title: 'Not Found' });
}

const server = createServer({ requestTimeout: 5_000, headersTimeout: 5_000 }, (req, res) => {
  handle(req, res).catch((err: unknown) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status === 500) {
      // An unexpected failure: keep everything needed to find it, then answer generically.
      const e = err as { name?: string; code?: string; cause?: unknown; stack?: string };
      console.error(JSON.stringify({ level: 'error', msg: 'unhandled error', method: req.method, url: req.url, name: e.name, code: e.code, cause: String(e.cause ?? ''), stack: e.stack }));
    }
    if (!res.headersSent) send(res, status, { type: 'about:blank', title: status === 500 ? 'Internal Server Error' : (err as Error).message });
    else res.destroy(err as Error);
  });
});
await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function call(key: string, body: JsonObject, version?: string): Promise<void> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (version) headers['api-version'] = version;
  const res = await fetch(`${base}/orders`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(2_000) });
  console.log(`${key} ${version ? `(header ${version})` : '(pinned)'} -> ${res.status} api-version=${res.headers.get('api-version')}`);
  console.log(`  ${await res.text()}`);
}

try {
  console.log(`versions: ${orderVersions.versions.join(' < ')}`);
  await call('key_2023', { amount: 1250, currency: 'eur', note: 'leave at door' });
  await call('key_2024', { amount: { value: 990, currency: 'eur' }, note: 'gift' });
  await call('key_new', { amount: { value: 500, currency: 'usd' }, description: 'new integration' });
  await call('key_2023', { amount: { value: 700, currency: 'eur' }, description: 'testing an upgrade' }, '2025-02-01');
  await call('key_2023', { amount: 100, currency: 'eur' }, '2025-13-01');
  console.log(`stored (newest shape): ${JSON.stringify(store.get('ord_1'))}`);
  // A new-shape order stored without an amount, read by a 2023 pin (a GET or a webhook):
  const bare: JsonObject = { id: 'ord_9', object: 'order', amount: null, status: 'requires_payment', description: null };
  console.log(`2023 view of an order without amount: ${JSON.stringify(orderVersions.responseDown('2023-10-16', 'order', bare))}`);
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
