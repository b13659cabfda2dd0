// Telling clients about a quota before and after they exceed it: 429 with Retry-After
// (RFC 6585 section 4, RFC 9110 section 10.2.3) and the RateLimit-Policy / RateLimit fields
// of draft-ietf-httpapi-ratelimit-headers, in the syntax of revision -11 (23 May 2026). It is an
// Internet-Draft whose syntax has changed between revisions (newer ones exist, and later work
// renames r/t), so pin the revision you implement. A fixed window of 3 requests per second
// per client keeps the demonstration short; the rate-limiter challenge builds a real one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpProblem, PROBLEM_BASE, sendJson, startServer } from './lib/http-kit.ts';

const QUOTA = 3;
const WINDOW_S = 1;
const windows = new Map<string, { start: number; used: number }>();

let lastPrune = 0;
function rateLimit(client: string, now: number): { allowed: boolean; remaining: number; resetS: number } {
  if (now - lastPrune >= WINDOW_S * 1000) {
    // Drop finished windows, at most once per window, so the map does not keep every key forever.
    lastPrune = now;
    for (const [k, old] of windows) if (now - old.start >= WINDOW_S * 1000) windows.delete(k);
  }
  let w = windows.get(client);
  if (w === undefined || now - w.start >= WINDOW_S * 1000) {
    w = { start: now, used: 0 };
    windows.set(client, w);
  }
  const resetS = Math.max(1, Math.ceil((w.start + WINDOW_S * 1000 - now) / 1000));
  if (w.used >= QUOTA) return { allowed: false, remaining: 0, resetS };
  w.used += 1;
  return { allowed: true, remaining: QUOTA - w.used, resetS };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const client = String(req.headers['x-api-key'] ?? 'anonymous');
  const limit = rateLimit(client, Date.now());
  const headers = {
    'ratelimit-policy': `"default";q=${QUOTA};w=${WINDOW_S}`,
    ratelimit: `"default";r=${limit.remaining};t=${limit.resetS}`,
  };
  if (!limit.allowed) {
    // -11 section 6: Retry-After SHOULD NOT point earlier than the end of the effective window;
    // here both are the window's end.
    throw new HttpProblem(
      { type: `${PROBLEM_BASE}rate-limited`, title: 'Too many requests', status: 429, detail: `quota is ${QUOTA} per ${WINDOW_S} s` },
      { headers: { ...headers, 'retry-after': String(limit.resetS) } },
    );
  }
  sendJson(res, 200, { ok: true }, headers);
}

/** Reads one parameter of the first item of a RateLimit field; a sketch, not a full RFC 9651 parser. */
function param(field: string | null, name: string): number | undefined {
  const m = field === null ? null : new RegExp(`;${name}=(\\d+)`).exec(field);
  return m ? Number(m[1]) : undefined;
}

const server = await startServer(handle);
try {
  const statuses: string[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${server.origin}/things`, { headers: { 'x-api-key': 'k1' }, signal: AbortSignal.timeout(2_000) });
    statuses.push(`${res.status} r=${param(res.headers.get('ratelimit'), 'r')}`);
    if (res.status === 429) retryAfter = res.headers.get('retry-after');
    if (i === 0) console.log(`policy: ${res.headers.get('ratelimit-policy')}; first response: ${res.headers.get('ratelimit')}`);
    await res.body?.cancel();
  }
  console.log(`burst of 5: ${statuses.join(', ')}`);
  console.log(`Retry-After on the 429s: ${retryAfter}`);
  const other = await fetch(`${server.origin}/things`, { headers: { 'x-api-key': 'k2' }, signal: AbortSignal.timeout(2_000) });
  console.log(`another key meanwhile: ${other.status}`);
  await other.body?.cancel();
  // A well-behaved client waits as told (bounded), instead of retrying in a tight loop.
  await sleep(Math.min(Number(retryAfter ?? '1'), 5) * 1000, undefined, { signal: AbortSignal.timeout(6_000) });
  const later = await fetch(`${server.origin}/things`, { headers: { 'x-api-key': 'k1' }, signal: AbortSignal.timeout(2_000) });
  console.log(`after waiting Retry-After: ${later.status} ${later.headers.get('ratelimit')}`);
  await later.body?.cancel();
} finally {
  await server.close();
}
