// Lost-update protection with ETag and If-Match (RFC 9110, sections 8.8.3 and 13.1.1), and
// revalidation with If-None-Match and 304. Node's http server implements none of this for
// you: the handler computes the validator and evaluates the preconditions itself.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpProblem, PROBLEM_BASE, readJson, sendJson, startServer } from './lib/http-kit.ts';

interface Doc {
  readonly title: string;
  readonly body: string;
}
const store = new Map<string, Doc>([['42', { title: 'Runbook', body: 'v1' }]]);

/** A strong validator: changes whenever the selected representation's bytes change. */
const etagOf = (doc: Doc): string => `"${createHash('sha256').update(JSON.stringify(doc)).digest('base64url').slice(0, 16)}"`;

/** If-Match / If-None-Match hold a list of entity-tags or "*" (RFC 9110, 13.1.1 and 13.1.2). */
function matches(header: string | undefined, current: string | undefined, comparison: 'strong' | 'weak'): boolean {
  if (header === undefined || current === undefined) return false;
  if (header.trim() === '*') return true;
  const tags = header.split(',').map((t) => t.trim());
  // If-Match uses the strong comparison (13.1.1): a weak tag W/"..." never matches.
  if (comparison === 'strong') return tags.some((t) => !t.startsWith('W/') && t === current);
  // If-None-Match uses the weak comparison (13.1.2): W/ is ignored on both sides.
  const opaque = (t: string): string => (t.startsWith('W/') ? t.slice(2) : t);
  return tags.some((t) => opaque(t) === opaque(current));
}

async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const id = /^\/docs\/(\w+)$/.exec(req.url ?? '')?.[1];
  const doc = id === undefined ? undefined : store.get(id);
  if (id === undefined || doc === undefined) {
    throw new HttpProblem({ type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404 });
  }
  const etag = etagOf(doc);
  if (req.method === 'GET' || req.method === 'HEAD') {
    // HEAD: the same headers as GET; Node's ServerResponse sends no body for it.
    // no-cache: a cache may store it but must revalidate before each reuse (RFC 9111, 5.2.2.4).
    const headers = { etag, 'cache-control': 'private, no-cache' };
    if (matches(req.headers['if-none-match'], etag, 'weak')) {
      res.writeHead(304, headers).end(); // no body: the client reuses what it has
      return;
    }
    sendJson(res, 200, doc, headers);
    return;
  }
  if (req.method === 'PUT') {
    const ifMatch = req.headers['if-match'];
    if (ifMatch === undefined) {
      // RFC 6585, section 3: the server requires the request to be conditional.
      throw new HttpProblem({ type: `${PROBLEM_BASE}precondition-required`, title: 'Precondition required', status: 428, detail: 'send If-Match with the ETag you last read' });
    }
    if (!matches(ifMatch, etag, 'strong')) {
      throw new HttpProblem(
        { type: `${PROBLEM_BASE}edit-conflict`, title: 'Resource changed since you read it', status: 412, detail: 'GET it again, merge, and retry with the new ETag' },
        { headers: { etag } },
      );
    }
    const next = (await readJson(req, 16 * 1024, signal)) as Doc;
    // Check-and-write with no await in between: one event-loop turn, so no interleaving here.
    // With a database, the same rule is UPDATE ... WHERE id = ? AND version = ?.
    store.set(id, { title: String(next.title), body: String(next.body) });
    sendJson(res, 200, store.get(id), { etag: etagOf(store.get(id)!) });
    return;
  }
  throw new HttpProblem({ type: `${PROBLEM_BASE}method-not-allowed`, title: 'Method not allowed', status: 405 }, { headers: { allow: 'GET, HEAD, PUT' } });
}

const server = await startServer(handle);
const url = `${server.origin}/docs/42`;
const timeout = (): AbortSignal => AbortSignal.timeout(2_000); // every call is bounded

async function read(who: string): Promise<{ doc: Doc; etag: string }> {
  const res = await fetch(url, { signal: timeout() });
  const etag = res.headers.get('etag') ?? '';
  console.log(`${who} GET -> ${res.status}, cache-control: ${res.headers.get('cache-control')}`);
  return { doc: (await res.json()) as Doc, etag };
}

async function write(who: string, doc: Doc, etag: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (etag !== undefined) headers['if-match'] = etag;
  const res = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(doc), signal: timeout() });
  const type = res.headers.get('content-type');
  const detail = type === 'application/problem+json' ? ((await res.json()) as { title: string }).title : 'ok';
  if (type !== 'application/problem+json') await res.body?.cancel();
  console.log(`${who} PUT ${etag === undefined ? 'without If-Match' : 'If-Match'} -> ${res.status} (${detail})`);
  return res;
}

try {
  const alice = await read('alice');
  const bob = await read('bob');
  console.log(`both hold the same ETag: ${alice.etag === bob.etag}`);
  await write('alice', { ...alice.doc, body: 'v2 by alice' }, alice.etag);
  await write('bob', { ...bob.doc, body: 'v2 by bob' }, undefined);
  const stale = await write('bob', { ...bob.doc, body: 'v2 by bob' }, bob.etag);
  console.log(`412 carries the current ETag: ${stale.headers.get('etag') !== bob.etag}`);
  const fresh = await read('bob');
  await write('bob', { ...fresh.doc, body: `${fresh.doc.body} + bob` }, fresh.etag);
  const reval = await fetch(url, { headers: { 'if-none-match': fresh.etag }, signal: timeout() });
  await reval.body?.cancel();
  console.log(`revalidate with the pre-write ETag -> ${reval.status}`);
  const latest = await read('carol');
  const again = await fetch(url, { headers: { 'if-none-match': latest.etag }, signal: timeout() });
  console.log(`revalidate with the current ETag -> ${again.status}, body bytes: ${(await again.arrayBuffer()).byteLength}`);
  const weak = await fetch(url, { headers: { 'if-none-match': `W/${latest.etag}` }, signal: timeout() });
  await weak.body?.cancel();
  console.log(`revalidate with W/ + the current ETag -> ${weak.status} (If-None-Match compares weakly)`);
  const head = await fetch(url, { method: 'HEAD', signal: timeout() });
  console.log(`HEAD -> ${head.status}, etag present: ${head.headers.get('etag') === latest.etag}, body bytes: ${(await head.arrayBuffer()).byteLength}`);
  console.log(`final body: ${latest.doc.body}`);
} finally {
  await server.close();
}
