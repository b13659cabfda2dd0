// Safe retries of an unsafe POST with an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header,
// an Internet-Draft). The client's first attempt times out while the server is still charging;
// the retry arrives during the charge (409), a later retry gets the stored response replayed,
// and there is exactly one charge. The same retry policy without a key charges three times.
// When the server's own deadline cuts the charge short, the outcome is unknown: the key is kept
// and the retry reconciles through the key passed to the provider, still one charge. A failed
// reconciliation puts the record back; a slow one answers concurrent retries with 409. Past the
// provider's key retention nothing is re-sent: the record goes to review and answers 503.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpProblem, PROBLEM_BASE, readJson, sendJson, startServer } from './lib/http-kit.ts';

// 'unknown': the provider may or may not have charged; a retry within RESEND_WINDOW_MS reconciles.
// 'review': too old to re-send safely. No path here sends it again; in production a
// reconciliation job settles it against the provider's records (as it does rows that a crashed
// process left 'in-flight' for longer than the request deadline).
type State = 'in-flight' | 'done' | 'unknown' | 'review';
interface Stored {
  readonly fingerprint: string;
  readonly createdAt: number; // taken just before the first call to the provider
  readonly providerKey: string; // one per record, so a key reused after our TTL is a new charge
  state: State;
  // Infinity until the record is 'done'; then KEY_TTL_MS from that moment. So only a settled
  // record ever expires or is swept: one in any other state is live however old it is.
  expiresAt: number;
  response?: { readonly status: number; readonly body: unknown; readonly location: string };
}
const KEY_TTL_MS = 24 * 60 * 60 * 1000; // published to clients: keys are remembered for 24 h
// The provider's documented retention of idempotency keys: after it, the provider treats the same
// key as a new request, so re-sending the charge would charge again. 24 h is a rule-of-thumb
// figure, not any particular provider's: use the one your provider documents.
const PROVIDER_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
// Re-send only well inside that window (clock skew, time in transit); after it, never.
const RESEND_WINDOW_MS = PROVIDER_KEY_RETENTION_MS - 60 * 60 * 1000;
// The demo moves this clock forward to show a record older than the window.
let clockOffsetMs = 0;
const clock = (): number => Date.now() + clockOffsetMs;
// In production: a table with a unique index on (client, key) and a scheduled delete of expired
// rows. Here a sweep at most once a minute keeps the map from growing without bound.
const records = new Map<string, Stored>();
let lastSweep = 0;
function sweepExpired(now: number): void {
  if (now - lastSweep < 60_000) return;
  lastSweep = now;
  for (const [k, r] of records) if (r.expiresAt <= now) records.delete(k); // 'done' records only
}

/** The draft makes the field a Structured Field String: a quoted value. */
function parseKey(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^"([\x20-\x21\x23-\x5b\x5d-\x7e]{1,255})"$/.exec(header.trim());
  return m?.[1];
}

/** Canonical JSON (object keys sorted), so that the same payload serialised in another key order matches. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ---- A stand-in for the payment provider. Like real providers' APIs, it deduplicates on an
// idempotency key that the caller passes: the same key returns the same charge, even while the
// first call is still running, until the key is older than the provider's retention. Once it
// has the request it finishes the charge, whether or not the caller is still waiting for the
// answer. Network faults are injected the way Node's fetch reports them: a TypeError whose
// `cause` carries the system error code.
const PROVIDER_MS = 2_000; // the payment provider is slow today
const charges: string[] = [];
const providerByKey = new Map<string, { amount: number; at: number; result: Promise<string> }>();
const providerRunning = new Set<Promise<string>>();
/** Resolves when every charge the provider accepted has finished (used before counting charges). */
const providerIdle = (): Promise<unknown> => Promise.allSettled([...providerRunning]);
type Fault = 'refused' | 'reset-before-charge' | 'reset-after-charge';
let nextFault: Fault | undefined;
const netError = (code: string, message: string): TypeError => new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
function providerCharge(amount: number, key: string | undefined): Promise<string> {
  const fault = nextFault;
  nextFault = undefined;
  // Nothing reached the provider: connection refused, or the request was lost on the way
  // (the caller sees a reset and cannot tell this from a lost answer).
  if (fault === 'refused') return Promise.reject(netError('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:443'));
  if (fault === 'reset-before-charge') return Promise.reject(netError('ECONNRESET', 'read ECONNRESET'));
  const seen = key === undefined ? undefined : providerByKey.get(key);
  if (seen !== undefined && clock() - seen.at < PROVIDER_KEY_RETENTION_MS) {
    return seen.amount === amount ? seen.result : Promise.reject(new Error('provider: idempotency key reused with another amount'));
  }
  const book = (): string => {
    const id = `pay_${charges.length + 1}`;
    charges.push(`${id}:${amount}`);
    return id;
  };
  // 'reset-after-charge': the charge is made at once, and the answer is lost on the way back.
  const result = fault === 'reset-after-charge' ? Promise.resolve(book()) : sleep(PROVIDER_MS).then(book);
  providerRunning.add(result);
  void result.finally(() => providerRunning.delete(result));
  if (key !== undefined) providerByKey.set(key, { amount, at: clock(), result });
  return fault === 'reset-after-charge' ? result.then(() => Promise.reject(netError('ECONNRESET', 'read ECONNRESET'))) : result;
}
/** Waits for the provider, but no longer than the request's signal allows (every call goes through here). */
function charge(amount: number, key: string | undefined, signal: AbortSignal): Promise<string> {
  const call = providerCharge(amount, key);
  return new Promise<string>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Errors that prove this call never reached the provider (no connection, no DNS name). */
function certainlyNotApplied(err: unknown): boolean {
  // Node's fetch throws TypeError('fetch failed') with the system error on `cause`;
  // node:http and many SDKs set `code` on the error itself. Check both.
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  return [e?.cause?.code, e?.code].some((code) => code === 'ECONNREFUSED' || code === 'ENOTFOUND');
}

const outcomeUnknown = (cause: unknown): HttpProblem =>
  new HttpProblem(
    { type: `${PROBLEM_BASE}payment-outcome-unknown`, title: 'The outcome of the payment is not known yet', status: 503 },
    { cause, headers: { 'retry-after': '2' } },
  );
const underReview = (): HttpProblem =>
  new HttpProblem({ type: `${PROBLEM_BASE}payment-under-review`, title: 'The outcome of the payment is being reviewed', status: 503 });

async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const client = req.headers['x-client-id'] ?? 'anonymous'; // stands in for the authenticated principal
  const body = (await readJson(req, 1024, signal)) as { amount: number };
  if (req.url === '/unsafe/payments') {
    const id = await charge(body.amount, undefined, signal);
    sendJson(res, 201, { id, amount: body.amount }, { location: `/payments/${id}` });
    return;
  }
  const key = parseKey(req.headers['idempotency-key'] as string | undefined);
  if (key === undefined) {
    throw new HttpProblem({ type: `${PROBLEM_BASE}idempotency-key-missing`, title: 'Idempotency-Key is missing or malformed', status: 400 });
  }
  // Scope the key to the principal, so one client can neither collide with nor read another's.
  const recordKey = `${client}\u0000${key}`;
  const fingerprint = createHash('sha256').update(`${req.method} ${req.url} ${canonical(body)}`).digest('hex');
  const now = clock();
  sweepExpired(now);
  let record = records.get(recordKey);
  let claimedHere = false; // did this request create the record (and so make the first call)?
  if (record !== undefined && record.expiresAt > now) {
    if (record.fingerprint !== fingerprint) {
      throw new HttpProblem({ type: `${PROBLEM_BASE}idempotency-key-reused`, title: 'Idempotency-Key was used for a different request', status: 422 });
    }
    if (record.state === 'in-flight') {
      throw new HttpProblem({ type: `${PROBLEM_BASE}idempotency-in-flight`, title: 'A request with this Idempotency-Key is still being processed', status: 409 }, { headers: { 'retry-after': '2' } });
    }
    if (record.state === 'done') {
      const { status, body: stored, location } = record.response!;
      sendJson(res, status, stored, { location, 'idempotent-replayed': 'true' });
      return;
    }
    if (record.state === 'review') throw underReview(); // settled outside this code, never re-sent
    // 'unknown': an earlier attempt lost track of the charge.
    if (now - record.createdAt >= RESEND_WINDOW_MS) {
      // The provider may have forgotten the key, so a re-send could be a second charge.
      record.state = 'review';
      throw underReview();
    }
    // Within the window, ask the provider again with the same provider key: it returns the charge
    // it made, or makes it exactly once. The call below is this reconciliation; until it ends the
    // record is 'in-flight', so concurrent retries get 409.
    record.state = 'in-flight';
  } else {
    // Claim the key before the side effect. In a database this is one INSERT that a unique
    // index arbitrates, so two concurrent first attempts cannot both proceed.
    record = { fingerprint, createdAt: now, providerKey: `shop-${randomUUID()}`, state: 'in-flight', expiresAt: Infinity };
    records.set(recordKey, record);
    claimedHere = true;
  }
  try {
    // The key goes downstream too, so the provider deduplicates retries, reconciliations and a
    // crash between charging and recording.
    const id = await charge(body.amount, record.providerKey, signal);
    record.response = { status: 201, body: { id, amount: body.amount }, location: `/payments/${id}` };
    record.state = 'done';
    record.expiresAt = clock() + KEY_TTL_MS; // the published TTL counts from the settlement
  } catch (err) {
    // Release the key only if this request made the first call and that call provably never
    // reached the provider. A refusal while reconciling proves nothing about the earlier call.
    if (claimedHere && certainlyNotApplied(err)) {
      records.delete(recordKey); // nothing happened: a retry may run it again
      throw err;
    }
    // A deadline, a shutdown, a lost connection after the request left, or any failure while
    // reconciling: the provider may have charged. Back to 'unknown' (for a reconciliation, the
    // state it had before); retries get 503 until one settles the outcome.
    record.state = 'unknown';
    throw outcomeUnknown(err);
  }
  sendJson(res, 201, record.response.body, { location: record.response.location });
}

// ---- Client: bounded attempts, per-attempt timeout, jittered backoff, Retry-After honoured ----
// Why the printed sequences do not depend on machine load: client, server and provider share one
// event loop, whose timers fire in the order they fall due unless the loop stalls for longer
// than the gap between them, and a stall can also put a network event before or after a timer
// (an answer against an attempt's timeout); every such gap here is 0.9 s or more. In the first case attempt 1 times
// out at 1 s, before the provider's 2 s; attempt 2 is due at about 1.1 s, 0.9 s before the
// charge ends (409, Retry-After 2); attempt 3 is due at least 3 s after attempt 1, and the charge
// ends 2 s after attempt 1 reached the server. In the slow reconciliation the concurrent retry is
// due 1 s after the reconciling request, about 1 s after that request claimed the record and 1 s
// before its 2 s charge ends (its deadline is 5 s). In the strict case the server's 1 s deadline is due
// before the 2 s charge, and the retry (Retry-After 2) at least 3 s after the request arrived,
// so after the charge, as long as the handler called the provider within its own deadline. What
// load would still have to do to change the output: delay a request by most of a second, or an
// answer (a few ms here) beyond its attempt's timeout. Charges are counted after providerIdle(),
// not after a fixed sleep.
interface Attempt {
  readonly outcome: string;
}
async function postWithRetries(url: string, body: unknown, key: string | undefined, overall: AbortSignal, attemptMs = 1_000): Promise<{ attempts: Attempt[]; final?: Response }> {
  const attempts: Attempt[] = [];
  for (let n = 0; n < 3; n++) {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-client-id': 'shop-1' };
    if (key !== undefined) headers['idempotency-key'] = `"${key}"`;
    let waitMs = Math.random() * 100 * 2 ** n; // "full jitter" exponential backoff
    try {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([overall, AbortSignal.timeout(attemptMs)]) });
      const replayed = res.headers.get('idempotent-replayed') === 'true';
      attempts.push({ outcome: `${res.status}${replayed ? ' replayed' : ''}` });
      if (res.status !== 409 && res.status !== 429 && res.status < 500) return { attempts, final: res };
      await res.body?.cancel();
      const ra = res.headers.get('retry-after');
      if (ra !== null && /^\d+$/.test(ra)) waitMs = Math.max(waitMs, Number(ra) * 1000);
    } catch (err) {
      if (overall.aborted) throw err;
      attempts.push({ outcome: (err as Error).name }); // TimeoutError: we do not know whether it happened
    }
    await sleep(waitMs, undefined, { signal: overall });
  }
  return { attempts };
}

const post = (origin: string, key: string, amount: number): Promise<Response> =>
  fetch(`${origin}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-client-id': 'shop-1', 'idempotency-key': `"${key}"` },
    body: JSON.stringify({ amount }),
    signal: AbortSignal.timeout(5_000),
  });
const answer = async (res: Response): Promise<string> => {
  const body = (await res.json()) as { id?: string; type?: string };
  return `${res.status} ${body.id ?? body.type?.replace(PROBLEM_BASE, '')}`;
};
const stateOf = (key: string): string => records.get(`shop-1\u0000${key}`)?.state ?? 'deleted';

const server = await startServer(handle);
try {
  const key = randomUUID();
  const safe = await postWithRetries(`${server.origin}/payments`, { amount: 500 }, key, AbortSignal.timeout(15_000));
  const paid = (await safe.final?.json()) as { id: string };
  console.log(`with a key:    attempts ${safe.attempts.map((a) => a.outcome).join(' -> ')}; payment ${paid.id}`);
  await providerIdle(); // let the abandoned attempts' work finish before counting
  console.log(`charges so far: ${charges.length}`);

  const again = await fetch(`${server.origin}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-client-id': 'shop-1', 'idempotency-key': `"${key}"` },
    body: JSON.stringify({ amount: 900 }),
    signal: AbortSignal.timeout(10_000),
  });
  console.log(`same key, different amount -> ${again.status} ${((await again.json()) as { type: string }).type.replace(PROBLEM_BASE, '')}`);
  const other = await fetch(`${server.origin}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-client-id': 'shop-2', 'idempotency-key': `"${key}"` },
    body: JSON.stringify({ amount: 500 }),
    signal: AbortSignal.timeout(10_000),
  });
  console.log(`same key, another client -> ${other.status} (its own payment: ${((await other.json()) as { id: string }).id !== paid.id})`);
  const missing = await fetch(`${server.origin}/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1}', signal: AbortSignal.timeout(10_000) });
  console.log(`no key -> ${missing.status}`);
  await missing.body?.cancel();

  // A slow reconciliation: the first call's request was lost on the way (nothing charged), so the
  // retry that reconciles makes the 2 s charge itself. A retry 1 s into it finds the record
  // 'in-flight' and gets 409; it starts nothing.
  const slowKey = randomUUID();
  nextFault = 'reset-before-charge';
  console.log(`reset before the charge -> ${await answer(await post(server.origin, slowKey, 600))}; record ${stateOf(slowKey)}`);
  const beforeSlow = charges.length;
  const reconciling = post(server.origin, slowKey, 600);
  await sleep(1_000);
  const concurrent = await answer(await post(server.origin, slowKey, 600));
  console.log(`slow reconciliation -> ${await answer(await reconciling)}; concurrent retry -> ${concurrent}; charges for this key: ${charges.length - beforeSlow}`);

  const before = charges.length;
  const unsafe = await postWithRetries(`${server.origin}/unsafe/payments`, { amount: 500 }, undefined, AbortSignal.timeout(15_000));
  await unsafe.final?.body?.cancel();
  await providerIdle();
  console.log(`without a key: attempts ${unsafe.attempts.map((a) => a.outcome).join(' -> ')}; charges made: ${charges.length - before}`);
} finally {
  await server.close();
}

// The server's own deadline (1 s here) fires while the provider is charging (2 s). The key is
// kept in the 'unknown' state, not released. A retry that finds the provider refusing
// connections puts it back to 'unknown' (the earlier call may have charged); the retry after
// Retry-After reconciles through the provider's key and gets the charge that was made.
const strict = await startServer(handle, 1_000);
try {
  const before = charges.length;
  const key = randomUUID();
  const first = await post(strict.origin, key, 700); // answered at the 1 s deadline
  console.log(`server deadline during the charge -> ${await answer(first)}; record ${stateOf(key)}`);
  nextFault = 'refused'; // the reconciling call cannot connect to the provider
  const refused = await post(strict.origin, key, 700);
  console.log(`retry while the provider refuses -> ${await answer(refused)}; record ${stateOf(key)}`);
  // Retry-After 2: due about 3 s after the first request, at least 0.9 s after the 2 s charge ends.
  await sleep(Number(refused.headers.get('retry-after')) * 1000);
  const last = await post(strict.origin, key, 700);
  console.log(`retry after Retry-After -> ${await answer(last)}; charges made: ${charges.length - before}`);

  // A charge made, its answer lost (reset), and no retry until after the provider's key
  // retention: a re-send could charge again, so the record goes to review instead, and no retry,
  // concurrent or later, sends anything.
  const late = randomUUID();
  nextFault = 'reset-after-charge';
  console.log(`reset after the charge -> ${await answer(await post(strict.origin, late, 800))}; record ${stateOf(late)}`);
  const beforeLater = charges.length;
  clockOffsetMs += PROVIDER_KEY_RETENTION_MS + 60 * 60 * 1000; // 25 h later
  const pair = await Promise.all([post(strict.origin, late, 800), post(strict.origin, late, 800)]);
  console.log(`25 h later, two concurrent retries -> ${(await Promise.all(pair.map(answer))).join(' | ')}; record ${stateOf(late)}`);
  console.log(`another retry -> ${await answer(await post(strict.origin, late, 800))}; record ${stateOf(late)}`);
  await providerIdle();
  console.log(`charges made by the late retries: ${charges.length - beforeLater}`);
} finally {
  await strict.close();
}
