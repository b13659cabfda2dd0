// A count-based failure-rate breaker in front of a dependency in another process that starts
// failing, then recovers. Prints every state transition and how many calls reached it.
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitBreaker, CallNotPermittedError } from './lib/breaker.ts';
import { startDependency } from './lib/child.ts';

class UpstreamError extends Error {
  readonly code = 'ERR_UPSTREAM_STATUS';
  readonly status: number;
  constructor(status: number) {
    super(`upstream answered ${status}`);
    this.name = 'UpstreamError';
    this.status = status;
  }
}

const dep = await startDependency();
try {
  const breaker = new CircuitBreaker('inventory@127.0.0.1', {
    slidingWindowSize: 10,
    minimumNumberOfCalls: 5,
    failureRateThreshold: 50,
    waitDurationInOpenStateMs: 200,
    permittedNumberOfCallsInHalfOpenState: 2,
    onStateChange: (from, to, why) => console.log(`  transition ${from} -> ${to} (${why})`),
  });
  const call = (): Promise<string> =>
    breaker.execute(async () => {
      const res = await fetch(dep.url, { signal: AbortSignal.timeout(1000) }); // every call has a deadline
      const body = await res.text();
      if (res.status !== 200) throw new UpstreamError(res.status);
      return body;
    });
  const burst = async (label: string, n: number): Promise<void> => {
    const tally = { ok: 0, upstreamError: 0, rejected: 0 };
    for (let i = 0; i < n; i++) {
      try {
        await call();
        tally.ok += 1;
      } catch (err) {
        if (err instanceof CallNotPermittedError) tally.rejected += 1;
        else if (err instanceof UpstreamError) tally.upstreamError += 1;
        else throw err;
      }
    }
    console.log(`${label}: ${n} calls -> ok ${tally.ok}, upstream 503 ${tally.upstreamError}, rejected by breaker ${tally.rejected}; state ${breaker.state}`);
  };

  await burst('healthy', 6);
  await dep.setMode('fail');
  console.log('-- dependency starts answering 503');
  await burst('failing', 20);
  await sleep(250); // longer than waitDurationInOpenState
  await burst('still failing, after the wait', 5);
  await dep.setMode('ok');
  console.log('-- dependency recovers');
  await burst('recovered, inside the wait', 3);
  await sleep(250);
  await burst('recovered, after the wait', 5);
} finally {
  await dep.stop();
}
