// Errors as RFC 9457 problem details: one media type (application/problem+json), a `type`
// URI that clients dispatch on, extension members for machine-readable specifics, and a
// 500 that tells the client nothing it could use against you while the log keeps the cause.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpProblem, PROBLEM_BASE, readJson, sendJson, startServer } from './lib/http-kit.ts';
import type { Problem } from './lib/http-kit.ts';

interface InvalidParam {
  readonly pointer: string; // a JSON Pointer (RFC 6901) in URI-fragment form, as in RFC 9457's example
  readonly detail: string;
}

function validateTransfer(body: unknown): { amount: number; currency: string } {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const errors: InvalidParam[] = [];
  if (!Number.isInteger(b.amount) || (b.amount as number) <= 0) errors.push({ pointer: '#/amount', detail: 'must be a positive integer (minor units)' });
  if (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency)) errors.push({ pointer: '#/currency', detail: 'must be an ISO 4217 code' });
  if (errors.length > 0) {
    // The `errors` extension is the shape RFC 9457's own example uses for validation.
    throw new HttpProblem({ type: `${PROBLEM_BASE}validation`, title: 'Your request is not valid', status: 422, errors });
  }
  return { amount: b.amount as number, currency: b.currency as string };
}

class LedgerError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
    this.code = code;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (req.url !== '/transfers') throw new HttpProblem({ type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, instance: req.url });
  if (req.method !== 'POST') {
    // RFC 9110, 15.5.6: a 405 MUST carry Allow.
    throw new HttpProblem({ type: `${PROBLEM_BASE}method-not-allowed`, title: 'Method not allowed', status: 405 }, { headers: { allow: 'POST' } });
  }
  const transfer = validateTransfer(await readJson(req, 1024, signal));
  if (transfer.amount > 1_000_000) {
    // A business rule, with the numbers a client needs to act on it.
    throw new HttpProblem({ type: `${PROBLEM_BASE}insufficient-funds`, title: 'Insufficient funds', status: 422, detail: 'balance is 30000, transfer is 2000000', balance: 30_000 });
  }
  if (transfer.currency === 'XTS') {
    // An unexpected failure: the client gets a bare 500; the log keeps name, code and cause.
    const socketError = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    throw new LedgerError('ledger write failed', 'LEDGER_UNAVAILABLE', { cause: socketError });
  }
  sendJson(res, 201, { id: 'tr_1', ...transfer }, { location: '/transfers/tr_1' });
}

// ---- A client that acts on problems by type, never by parsing title or detail -------------
type Outcome = { kind: 'created'; location: string } | { kind: 'fix-input'; fields: string[] } | { kind: 'problem'; problem: Problem } | { kind: 'not-a-problem'; status: number };

async function createTransfer(origin: string, body: string, contentType = 'application/json', method = 'POST'): Promise<Outcome> {
  const res = await fetch(`${origin}/transfers`, { method, headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(2_000) });
  if (res.ok) {
    await res.body?.cancel();
    return { kind: 'created', location: res.headers.get('location') ?? '' };
  }
  if (res.headers.get('content-type')?.split(';')[0] !== 'application/problem+json') {
    await res.body?.cancel(); // a proxy's HTML error page: fall back to the status code alone
    return { kind: 'not-a-problem', status: res.status };
  }
  const problem = (await res.json()) as Problem;
  if (problem.type === `${PROBLEM_BASE}validation`) return { kind: 'fix-input', fields: (problem.errors as InvalidParam[]).map((e) => e.pointer) };
  return { kind: 'problem', problem: { ...problem, allow: res.headers.get('allow') ?? undefined } };
}

const server = await startServer(handle);
try {
  const cases: ReadonlyArray<readonly [string, string, string?, string?]> = [
    ['valid', '{"amount":500,"currency":"EUR"}'],
    ['two invalid fields', '{"amount":-5,"currency":"euro"}'],
    ['business rule', '{"amount":2000000,"currency":"EUR"}'],
    ['malformed JSON', '{"amount":'],
    ['wrong media type', 'amount=5', 'application/x-www-form-urlencoded'],
    ['too large', JSON.stringify({ amount: 1, currency: 'EUR', memo: 'x'.repeat(2048) })],
    ['wrong method', '{}', 'application/json', 'PUT'],
    ['unexpected failure', '{"amount":5,"currency":"XTS"}'],
  ];
  for (const [label, body, type, method] of cases) {
    const outcome = await createTransfer(server.origin, body, type, method);
    const shown =
      outcome.kind === 'problem'
        ? `${outcome.problem.status} ${outcome.problem.type.replace(PROBLEM_BASE, '')}${outcome.problem.allow ? ` (allow: ${outcome.problem.allow})` : ''} ${JSON.stringify(outcome.problem).length} bytes, keys ${Object.keys(outcome.problem).filter((k) => k !== 'allow').join(',')}`
        : JSON.stringify(outcome);
    console.log(`${label.padEnd(18)} -> ${outcome.kind}: ${shown}`);
  }
} finally {
  await server.close();
}
