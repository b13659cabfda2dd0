// Retries that help instead of hurting: only retryable errors, capped exponential backoff with
// full jitter, Retry-After, cancellation during the backoff, idempotency keys so that a retried
// write is applied once, and a retry budget that caps the extra load during an outage.
import { randomUUID } from 'node:crypto';
import { AppError, UpstreamError, ValidationError, isRetryable } from './lib/errors.ts';
import { RetryBudget, retry } from './lib/retry.ts';

// A seeded generator (mulberry32), so the jittered delays printed below are reproducible.
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const base = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 200, isRetryable, random: seeded(42) };
const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const describe = (error: unknown): string =>
  error instanceof AggregateError
    ? `${error.message}: ${error.errors.map((inner: Error) => (inner as { code?: string }).code ?? inner.name).join(', ')}`
    : `${(error as Error).name}: ${(error as Error).message}`;

// 1. Two transient failures, then success.
{
  const delays: number[] = [];
  let calls = 0;
  const value = await retry(
    async () => {
      calls++;
      if (calls <= 2) throw reset();
      return 'ok';
    },
    { ...base, onRetry: ({ delayMs }) => delays.push(delayMs) },
  );
  console.log(`1. transient: ${value} after ${calls} attempts, backoff delays ${delays.join(' ms, ')} ms`);
}

// 2. A 400 is not retryable: one attempt, the original error.
{
  let calls = 0;
  try {
    await retry(async () => {
      calls++;
      throw new ValidationError('amount must be positive');
    }, base);
  } catch (error) {
    console.log(`2. not retryable: ${calls} attempt, ${describe(error)}`);
  }
}

// 3. Still failing after every attempt: an AggregateError keeps each attempt's error.
{
  const delays: number[] = [];
  try {
    await retry(async () => {
      throw new UpstreamError('ledger', '503 from ledger', { retryable: true });
    }, { ...base, onRetry: ({ delayMs }) => delays.push(delayMs) });
  } catch (error) {
    console.log(`3. outage: ${describe(error)}; delays ${delays.join(', ')} ms (ceilings 10, 20, 40)`);
  }
}

// 4. The server says when to come back: Retry-After wins over a shorter jittered delay.
{
  const delays: number[] = [];
  let calls = 0;
  await retry(
    async () => {
      if (++calls === 1) throw Object.assign(new UpstreamError('ledger', '429 Too Many Requests', { retryable: true }), { retryAfterMs: 50 });
      return 'ok';
    },
    { ...base, onRetry: ({ delayMs }) => delays.push(delayMs) },
  );
  console.log(`4. Retry-After 50 ms: waited ${delays.join(', ')} ms before attempt 2`);
}

// 4b. A Retry-After longer than the cap, or than what is left of the deadline: no retry at all.
//     Sleeping it out would park the request, and whatever it holds, for as long as the server
//     asked (an hour here), or spend the caller's whole budget on a wait that cannot succeed.
for (const [label, retryAfterMs, extra] of [
  ['Retry-After 1 hour, cap 200 ms', 3_600_000, {}],
  ['Retry-After 2 s, 1 s of deadline left', 2_000, { maxDelayMs: 5_000, deadlineAt: Date.now() + 1_000 }],
] as const) {
  let calls = 0;
  const started = performance.now();
  try {
    await retry(async () => {
      calls++;
      throw Object.assign(new UpstreamError('ledger', '503 Service Unavailable', { retryable: true }), { retryAfterMs });
    }, { ...base, ...extra });
  } catch (error) {
    const waited = performance.now() - started;
    const cause = (error as Error).cause as { retryAfterMs?: number };
    console.log(`4b. ${label}: ${calls} attempt, ${(error as Error).message}; ` +
      `returned within 100 ms: ${waited < 100}; cause keeps retryAfterMs ${cause.retryAfterMs}`);
  }
}

// 5. Cancelled during the backoff: no further attempt, the abort reason is thrown.
{
  const controller = new AbortController();
  let calls = 0;
  setTimeout(() => controller.abort(new DOMException('client went away', 'AbortError')), 20);
  try {
    await retry(async () => {
      calls++;
      throw reset();
    }, { ...base, baseDelayMs: 1_000, maxDelayMs: 1_000, random: () => 0.99, signal: controller.signal });
  } catch (error) {
    console.log(`5. aborted while backing off: ${calls} attempt, ${describe(error)}`);
  }
}

// 6. Idempotency. The payment service applies the charge, then the connection drops before
//    the response arrives; the client cannot tell this from "not applied" and retries.
class PaymentService {
  charges = 0;
  readonly #results = new Map<string, string>();
  #dropNextResponse = true;

  async charge(amountCents: number, idempotencyKey?: string): Promise<string> {
    if (idempotencyKey !== undefined) {
      const previous = this.#results.get(idempotencyKey);
      if (previous !== undefined) return `${previous} (replayed)`;
    }
    this.charges++;
    const receipt = `charged ${amountCents}`;
    if (idempotencyKey !== undefined) this.#results.set(idempotencyKey, receipt);
    if (this.#dropNextResponse) {
      this.#dropNextResponse = false;
      throw reset(); // applied, but the caller never hears about it
    }
    return receipt;
  }
}
for (const withKey of [false, true]) {
  const payments = new PaymentService();
  const key = withKey ? randomUUID() : undefined; // one key per logical operation, reused by every attempt
  const receipt = await retry(() => payments.charge(1999, key), base);
  console.log(`6. ${withKey ? 'with' : 'without'} idempotency key: "${receipt}", customer charged ${payments.charges} time(s)`);
}

// 7. An outage seen by 1,000 requests, with and without a retry budget (no real waiting).
for (const useBudget of [false, true]) {
  let downstreamCalls = 0;
  const budget = useBudget ? new RetryBudget({ ratio: 0.1, maxTokens: 10 }) : undefined;
  for (let request = 0; request < 1_000; request++) {
    await retry(async () => {
      downstreamCalls++;
      throw new AppError('503 Service Unavailable', { code: 'UNAVAILABLE', retryable: true });
    }, { ...base, budget, sleep: async () => {} }).catch(() => undefined);
  }
  console.log(`7. 1,000 failing requests ${useBudget ? 'with a 10 % budget' : 'without a budget'}: ${downstreamCalls} downstream calls`);
}

// 8. Options read from configuration that is not there: Number(undefined) is NaN. Unchecked,
//    NaN attempts never stop, a NaN delay is no backoff, and a NaN budget never refuses. Each
//    is refused before the first call.
{
  const unset = Number(process.env.RETRY_SETTING_THAT_IS_NOT_SET);
  let calls = 0;
  const operation = async (): Promise<never> => {
    calls++;
    throw reset();
  };
  for (const [label, options] of [
    ['maxAttempts NaN', { ...base, maxAttempts: unset }],
    ['baseDelayMs NaN', { ...base, baseDelayMs: unset }],
  ] as const) {
    const outcome = await retry(operation, options).then(() => 'resolved', (error: Error) => `${error.name}: ${error.message}`);
    console.log(`8. ${label}: ${outcome}`);
  }
  try {
    new RetryBudget({ ratio: 0.1, maxTokens: unset });
    console.log('8. RetryBudget maxTokens NaN: accepted');
  } catch (error) {
    console.log(`8. RetryBudget maxTokens NaN: ${(error as Error).name}: ${(error as Error).message}`);
  }
  console.log(`8. calls made: ${calls}`);
}
