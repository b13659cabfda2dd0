// Timeouts and cancellation with AbortSignal: a deadline that actually stops the work, a
// caller that goes away, the Promise.race timeout that does not stop anything, and a
// request-wide deadline that bounds every call made on its behalf.
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDeadline } from './lib/deadline.ts';

// A fake downstream client with a two-connection pool, so leaks are visible.
const pool = { inUse: 0, size: 2 };
async function queryInventory(latencyMs: number, signal?: AbortSignal): Promise<string> {
  if (pool.inUse === pool.size) throw new Error('pool exhausted');
  pool.inUse++;
  try {
    await sleep(latencyMs, undefined, { signal }); // stands for I/O that honours the signal
    return 'in stock';
  } finally {
    pool.inUse--; // released on success, failure and abort alike
  }
}

async function attempt(label: string, run: () => Promise<string>): Promise<void> {
  try {
    console.log(`${label}: ${await run()}`);
  } catch (error) {
    const { name, message } = error as Error;
    console.log(`${label}: ${name} (${message})`);
  }
  console.log(`   connections in use: ${pool.inUse}`);
}

const client = new AbortController(); // aborted if the HTTP client disconnects

await attempt('1. fast call, 100 ms deadline', () =>
  withDeadline((signal) => queryInventory(10, signal), { timeoutMs: 100, signal: client.signal, label: 'inventory' }));

await attempt('2. slow call, 50 ms deadline', () =>
  withDeadline((signal) => queryInventory(2_000, signal), { timeoutMs: 50, signal: client.signal, label: 'inventory' }));

console.log(`   abort listeners left on the client signal: ${getEventListeners(client.signal, 'abort').length}`);

// 3. The caller goes away: same call, but the client disconnects after 30 ms.
const disconnecting = new AbortController();
setTimeout(() => disconnecting.abort(new DOMException('client closed the connection', 'AbortError')), 30);
await attempt('3. client disconnects', () =>
  withDeadline((signal) => queryInventory(2_000, signal), { timeoutMs: 1_000, signal: disconnecting.signal, label: 'inventory' }));

// 4. The common home-made timeout: the caller stops waiting, the work does not stop.
function raceTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
const orphan = queryInventory(300); // no signal: nothing can stop it
await attempt('4. Promise.race timeout, 50 ms', () => raceTimeout(orphan, 50));
await orphan;
console.log(`   the orphaned call finished later anyway; connections in use: ${pool.inUse}`);

// 5. One deadline for the whole request, passed down as a signal: the second call has a
//    generous timeout of its own, but the request's 150 ms budget is what stops it.
await attempt('5. request budget 150 ms, calls of 100 ms then 200 ms', () =>
  withDeadline(
    async (requestSignal) => {
      await withDeadline((signal) => queryInventory(100, signal), { timeoutMs: 1_000, signal: requestSignal, label: 'first call' });
      return withDeadline((signal) => queryInventory(200, signal), { timeoutMs: 1_000, signal: requestSignal, label: 'second call' });
    },
    { timeoutMs: 150, label: 'request' },
  ));
