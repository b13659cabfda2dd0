// Timeouts and cancellation with AbortSignal: a deadline that actually stops the work, a
// caller that goes away, the Promise.race timeout that does not stop anything, a
// request-wide deadline that bounds every call made on its behalf, a deadline that still
// bounds the wait when the operation ignores its signal, a fan-out that aborts the
// siblings when one call fails, and budgets that are already spent or make no sense.
import { getEventListeners } from 'node:events';
import { setImmediate as nextMacrotask, setTimeout as sleep } from 'node:timers/promises';
import { allOrAbort, withDeadline } from './lib/deadline.ts';

// A fake downstream client with a three-connection pool, so leaks are visible.
const pool = { inUse: 0, size: 3 };
async function queryInventory(latencyMs: number, signal?: AbortSignal, fail = false): Promise<string> {
  if (pool.inUse === pool.size) throw new Error('pool exhausted');
  pool.inUse++;
  try {
    await sleep(latencyMs, undefined, { signal }); // stands for I/O that honours the signal
    if (fail) throw Object.assign(new Error('inventory answered 503'), { code: 'UPSTREAM_503' });
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
  // withDeadline rejects the moment the signal aborts; an operation that honours the signal
  // releases its connection in its own `finally` a few microtasks later, so look after a turn.
  await nextMacrotask();
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

// 6. An operation that ignores its signal (a library without cancellation): the deadline
//    still rejects on time, so the caller's wait is bounded. The work itself runs on and
//    holds its connection, which is the library's bug to fix, not the caller's to wait out.
let ignoring: Promise<string> | undefined;
const started6 = performance.now();
await attempt('6. call that ignores its signal, 50 ms deadline', () =>
  withDeadline(() => (ignoring = queryInventory(300)), { timeoutMs: 50, label: 'inventory' }));
const waited = performance.now() - started6;
console.log(`   the caller waited ${Math.round(waited)} ms, under the 300 ms the call took: ${waited < 300}`);
await ignoring;

// 7. Fan-out: three calls, all required; the second fails after 20 ms. Promise.all rejects at
//    once but leaves the other two running; allOrAbort aborts them, and they release their
//    connections straight away.
await Promise.all([queryInventory(300), queryInventory(20, undefined, true), queryInventory(300)]).catch((error: Error) => {
  console.log(`7. Promise.all fan-out: ${error.message}`);
});
await nextMacrotask();
console.log(`   connections still in use by the siblings: ${pool.inUse}`);
await sleep(350); // let them finish
await withDeadline((signal) => allOrAbort([
  (s) => queryInventory(300, s),
  (s) => queryInventory(20, s, true),
  (s) => queryInventory(300, s),
], signal), { timeoutMs: 800, label: 'request' }).catch((error: Error) => {
  console.log(`   allOrAbort fan-out: ${error.message}`);
});
await nextMacrotask();
console.log(`   connections still in use by the siblings: ${pool.inUse}`);

// 8. A budget computed as `deadline - Date.now()` can reach zero or go negative: the call is
//    not made. NaN, an infinity or more than 2^31 - 1 ms is a bug; setTimeout would turn it
//    into a 1 ms timer (with a TimeoutOverflowWarning), so withDeadline refuses it.
const requestDeadline = Date.now() - 5; // the request's budget ran out 5 ms ago
let made = 0;
await attempt('8. budget already spent', () =>
  withDeadline(async () => { made++; return 'in stock'; }, { timeoutMs: requestDeadline - Date.now(), label: 'inventory' }));
console.log(`   calls made: ${made}`);
for (const timeoutMs of [Number.NaN, 2 ** 31]) {
  await withDeadline(async () => 'in stock', { timeoutMs }).catch((error: Error) => {
    console.log(`   timeoutMs ${timeoutMs}: ${error.name}`);
  });
}

// 9. The caller aborts a fan-out whose calls ignore their signal: allOrAbort rejects with the
//    caller's reason at once instead of waiting for calls that no longer matter.
{
  const caller = new AbortController();
  const started = performance.now();
  const ignoringTask = async (): Promise<string> => { await sleep(300); return 'late'; };
  setTimeout(() => caller.abort(new DOMException('client closed the connection', 'AbortError')), 20);
  const outcome = await allOrAbort([ignoringTask, ignoringTask], caller.signal).then(
    (values) => `resolved ${values.join(', ')}`,
    (error: Error) => `${error.name} (${error.message})`,
  );
  const waited = performance.now() - started;
  console.log(`9. caller aborts a fan-out that ignores its signal: ${outcome}; returned before the 300 ms calls ended: ${waited < 300}`);
  await sleep(300); // let the ignoring calls end
}
