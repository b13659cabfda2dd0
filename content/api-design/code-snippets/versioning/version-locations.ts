// Three places to put a version: the path, a custom header, a media-type parameter.
// A shared cache (a CDN, a reverse proxy) keys on the URL. It only tells header- or
// media-type-versioned responses apart if the origin sends Vary (RFC 9111, section 4.1).
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

const bodies: Record<string, object> = {
  '1': { id: 42, total: '12.50' },
  '2': { id: 42, total: { value: 1250, currency: 'EUR' } },
};

// Where is the version? Returns the version, or an error status for the client.
// /orders/42 selects on Api-Version first, then on Accept, so every response from it
// (each branch, and the default) must name *both* in Vary: a response chosen by Accept
// also depends on Api-Version being absent.
const VARY = 'Accept, Api-Version';
type Found = { version: string; vary?: string } | { status: number; vary?: string; detail?: string };
function versionOf(req: IncomingMessage, url: URL): Found {
  const path = /^\/v(\d+)\/orders\/42$/.exec(url.pathname);
  if (path) return bodies[path[1]!] ? { version: path[1]! } : { status: 404 };
  if (url.pathname !== '/orders/42') return { status: 404 };
  const known = Object.keys(bodies).join(', ');
  const header = req.headers['api-version'];
  if (typeof header === 'string') {
    return bodies[header] ? { version: header, vary: VARY } : { status: 400, vary: VARY, detail: `unknown Api-Version ${JSON.stringify(header)}; known: ${known}` };
  }
  const accept = /^application\/vnd\.acme\.order\+json;\s*version=(\d+)$/.exec(req.headers.accept ?? '');
  if (accept) return bodies[accept[1]!] ? { version: accept[1]!, vary: VARY } : { status: 406, vary: VARY, detail: `unknown media-type version ${accept[1]}; known: ${known}` };
  return { version: '1', vary: VARY }; // the default must also vary
}

let sendVary = true;
let originHits = 0;
const server = createServer({ requestTimeout: 5_000 }, (req, res) => {
  originHits += 1;
  const url = new URL(req.url ?? '/', 'http://origin');
  const found = versionOf(req, url);
  const headers: Record<string, string> = {};
  if (found.vary && sendVary) headers.vary = found.vary;
  if ('status' in found) {
    headers['content-type'] = 'application/problem+json'; // RFC 9457; a version error lists the valid versions
    const problem = found.detail ? { type: 'about:blank', title: 'Unsupported version', detail: found.detail } : { type: 'about:blank', title: 'Not Found' };
    return void res.writeHead(found.status, headers).end(JSON.stringify(problem));
  }
  Object.assign(headers, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' });
  res.writeHead(200, headers).end(JSON.stringify(bodies[found.version]));
});
await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// A minimal shared cache: the key is the URL; a stored response is reused only if the
// request headers it names in Vary match the ones it was stored for, byte for byte
// (RFC 9111 allows a cache to normalise whitespace and equivalent values, but does not
// require it).
type Entry = { body: string; vary: string[]; requestHeaders: Record<string, string> };
const cache = new Map<string, Entry[]>();
async function viaCache(path: string, headers: Record<string, string> = {}): Promise<string> {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const entries = cache.get(path) ?? [];
  const hit = entries.find((e) => e.vary.every((h) => e.requestHeaders[h] === lower[h]));
  if (hit) return `HIT  ${hit.body}`;
  const res = await fetch(origin + path, { headers, signal: AbortSignal.timeout(2_000) });
  const body = res.status === 200 ? await res.text() : `${res.status} ${await res.text()}`;
  const vary = (res.headers.get('vary') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (res.status === 200) cache.set(path, [...entries, { body, vary, requestHeaders: lower }]);
  return `MISS ${body}`;
}

try {
  console.log('path versions: two URLs, two cache entries, no Vary needed');
  console.log(' ', await viaCache('/v1/orders/42'));
  console.log(' ', await viaCache('/v2/orders/42'));
  console.log(' ', await viaCache('/v2/orders/42'));

  console.log('header versions, origin forgets Vary: the cache serves v1 to a v2 client');
  sendVary = false;
  console.log(' ', await viaCache('/orders/42', { 'Api-Version': '1' }));
  console.log(' ', await viaCache('/orders/42', { 'Api-Version': '2' }));

  console.log('header versions with Vary: Accept, Api-Version');
  sendVary = true;
  cache.clear();
  console.log(' ', await viaCache('/orders/42', { 'Api-Version': '1' }));
  console.log(' ', await viaCache('/orders/42', { 'Api-Version': '2' }));
  console.log(' ', await viaCache('/orders/42', { 'Api-Version': '2' }));

  console.log(' ', await viaCache('/orders/42', { 'Api-Version': '9' }));

  console.log('media-type versions: every Accept spelling is its own entry');
  cache.clear();
  console.log(' ', await viaCache('/orders/42', { Accept: 'application/vnd.acme.order+json; version=2' }));
  console.log(' ', await viaCache('/orders/42', { Accept: 'application/vnd.acme.order+json;version=2' }));
  console.log(' ', await viaCache('/orders/42', { Accept: 'application/vnd.acme.order+json; version=3' }));
  // Same Accept plus Api-Version: 1. With only "Vary: Accept" the v2 entry would match here.
  console.log(' ', await viaCache('/orders/42', { Accept: 'application/vnd.acme.order+json; version=2', 'Api-Version': '1' }));
  console.log(`origin requests: ${originHits}`);
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
