// HTTP caching with node:http: the origin sends Cache-Control (RFC 9111) with
// stale-while-revalidate (RFC 5861) and a strong ETag, and answers If-None-Match with 304.
// A small private cache in front of it follows those rules with an injected clock, so the
// run is exact: fresh hits send nothing, stale-within-window hits are served at once and
// revalidated in the background, later requests revalidate before answering. Only 200 and 304
// count as an answer: the origin first fails with 503 (as a load balancer answers for a dead
// backend), then goes down. A background revalidation that fails either way is counted and the
// stored entry kept, so it is still served until the stale-while-revalidate window ends; past it
// the caller gets the error, never the error page as the resource.
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

let body = JSON.stringify({ id: 1, name: 'alice' });
let failing = false; // the origin answers 503 while true
const originLog: string[] = [];
const etagOf = (text: string): string => `"${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"`;

const server = createServer((req, res) => {
  if (failing) {
    originLog.push('503');
    res.writeHead(503, { 'Content-Type': 'text/html', 'Retry-After': '10' }).end('<h1>503 Service Unavailable</h1>');
    return;
  }
  const etag = etagOf(body);
  const conditional = req.headers['if-none-match'];
  res.setHeader('Cache-Control', 'max-age=60, stale-while-revalidate=30');
  res.setHeader('ETag', etag);
  if (conditional === etag) {
    originLog.push('304');
    res.writeHead(304).end(); // no body: the client reuses the stored one
    return;
  }
  originLog.push(conditional ? '200 (changed)' : '200');
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
});

type Response = { status: number; headers: IncomingHttpHeaders; body: string };
function get(port: number, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/users/1', headers, agent: false, signal: AbortSignal.timeout(2000) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

type Stored = { body: string; etag: string; storedAt: number; maxAge: number; swr: number };
const directive = (cacheControl: string | undefined, name: string): number => {
  const match = new RegExp(`(?:^|,)\\s*${name}=(\\d+)`).exec(cacheControl ?? '');
  return match ? Number(match[1]) : 0;
};

class PrivateCache {
  revalidationErrors = 0; // a real service exports this and logs at warn, rate-limited
  #stored: Stored | undefined;
  #revalidating: Promise<void> | undefined;
  readonly #port: number;
  readonly #now: () => number;
  constructor(port: number, now: () => number) { this.#port = port; this.#now = now; }

  async #fetch(): Promise<void> {
    const stored = this.#stored;
    const res = await get(this.#port, stored?.etag ? { 'If-None-Match': stored.etag } : {});
    // Anything but 200, or 304 to our own If-None-Match, is a failure, not a resource: it must not
    // replace the stored entry (a 503 carries no max-age, so it would end the stale window at once)
    // nor reach the caller as the body. (RFC 9111 §3 lets a cache store some other final statuses,
    // such as a 404 with explicit freshness; this one stores none.)
    if (res.status !== 200 && !(res.status === 304 && stored)) {
      throw Object.assign(new Error(`origin answered ${res.status}`), { code: 'EORIGINSTATUS', status: res.status });
    }
    const cc = res.headers['cache-control'];
    const base = res.status === 304 ? stored!.body : res.body;
    const etag = res.headers.etag ?? (res.status === 304 ? stored!.etag : undefined);
    this.#stored = { body: base, etag: etag ?? '', storedAt: this.#now(), maxAge: directive(cc, 'max-age'), swr: directive(cc, 'stale-while-revalidate') };
  }

  async get(): Promise<{ body: string; how: string }> {
    const s = this.#stored;
    const age = s ? this.#now() - s.storedAt : Infinity;
    if (s && age < s.maxAge) return { body: s.body, how: `fresh (age ${age} s), nothing sent` };
    if (s && age < s.maxAge + s.swr) {
      // A failed background revalidation must not reject into nothing (an unhandled rejection ends
      // the process): count it and keep the stored entry, which RFC 5861 lets us serve until the
      // window ends. The next stale hit tries again.
      this.#revalidating ??= this.#fetch()
        .catch(() => { this.revalidationErrors++; })
        .finally(() => { this.#revalidating = undefined; });
      return { body: s.body, how: `stale (age ${age} s) within stale-while-revalidate: served now, revalidating` };
    }
    await this.#fetch();
    return { body: this.#stored!.body, how: s ? `stale (age ${age} s) past the window: revalidated first` : 'miss: fetched' };
  }

  settled(): Promise<void> { return this.#revalidating ?? Promise.resolve(); }
}

await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve); });
try {
  const { port } = server.address() as AddressInfo;
  let clock = 0;
  const cache = new PrivateCache(port, () => clock);
  const step = async (at: number, note = ''): Promise<void> => {
    clock = at;
    const before = originLog.length;
    const { body: b, how } = await cache.get();
    await cache.settled();
    console.log(`t=${String(at).padStart(3)} s  ${how}; origin saw: ${originLog.slice(before).join(', ') || 'nothing'}; body ${b}${note}`);
  };
  await step(0);
  await step(30);
  await step(70);
  await step(80);
  body = JSON.stringify({ id: 1, name: 'alicia' });
  await step(150, '  <- origin changed at t=145');
  await step(160);
  await step(260);

  const failed = async (at: number, what: string): Promise<void> => {
    clock = at;
    const before = originLog.length;
    try {
      const { body: b, how } = await cache.get();
      await cache.settled();
      console.log(`t=${at} s  ${what}: ${how}; origin saw: ${originLog.slice(before).join(', ') || 'nothing'}; revalidation errors ${cache.revalidationErrors}; body ${b}`);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      console.log(`t=${at} s  ${what}: past the window, the caller gets ${e.code}${e.code === 'EORIGINSTATUS' ? ` (${e.message})` : ''}; revalidation errors ${cache.revalidationErrors}`);
    }
  };
  failing = true; // the origin's backend dies; the load balancer answers 503
  await failed(330, 'origin 503'); // stored at 260: age 70, inside stale-while-revalidate
  await failed(345, 'origin 503'); // age 85: the entry was kept, so still inside; the retry fails too
  await failed(355, 'origin 503'); // age 95: past max-age + swr, nothing may be served stale
  failing = false;
  await step(360, '  <- origin back'); // the kept entry's ETag still matches: 304

  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve())); // the origin goes down
  await failed(430, 'origin down'); // stored at 360: age 70
  await failed(445, 'origin down'); // age 85
  await failed(455, 'origin down'); // age 95
} finally {
  if (server.listening) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
