// A breaker counts outcomes. A dependency that answers slowly but successfully produces no
// failures, so without a timeout the breaker stays CLOSED while every caller waits. With a
// per-call deadline shorter than the slowness, the same calls become failures and it opens.
import { CircuitBreaker, CallNotPermittedError } from './lib/breaker.ts';
import { startDependency } from './lib/child.ts';

const dep = await startDependency();
try {
  await dep.setMode('slow'); // every answer takes 300 ms, status 200
  for (const timeoutMs of [undefined, 100]) {
    const label = timeoutMs === undefined ? 'no timeout' : `${timeoutMs} ms timeout`;
    const transitions: string[] = [];
    const breaker = new CircuitBreaker(`slow-dep (${label})`, {
      slidingWindowSize: 10,
      minimumNumberOfCalls: 5,
      failureRateThreshold: 50,
      waitDurationInOpenStateMs: 10_000,
      permittedNumberOfCallsInHalfOpenState: 1,
      onStateChange: (from, to, why) => transitions.push(`${from} -> ${to} (${why})`),
    });
    // The only unbounded wait in this file is the no-timeout case, on purpose; the server
    // answers after 300 ms, so it still ends.
    const call = (): Promise<number> =>
      breaker.execute(async () => {
        const res = await fetch(dep.url, timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) });
        await res.text();
        return res.status;
      });
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, call));
    const wall = performance.now() - started;
    const ok = outcomes.filter((o) => o.status === 'fulfilled').length;
    const timedOut = outcomes.filter((o) => o.status === 'rejected' && (o.reason as Error).name === 'TimeoutError').length;
    let after = 'allowed';
    try {
      await call();
    } catch (err) {
      after = err instanceof CallNotPermittedError ? 'rejected at once' : (err as Error).name;
    }
    console.log(`${label}: 10 concurrent calls -> ok ${ok}, TimeoutError ${timedOut}; callers waited ${wall.toFixed(0)} ms in all`);
    console.log(`  transitions: ${transitions.length ? transitions.join('; ') : 'none'}; state ${breaker.state}; the next call is ${after}`);
  }
} finally {
  await dep.stop();
}
