// Retry amplification, measured: client -> svc-a -> svc-b -> leaf, three child processes.
// The leaf is overloaded (answers 503 at once). The client, svc-a and svc-b each make up
// to 3 attempts on a 503, so one user request becomes 3 x 3 x 3 = 27 requests at the leaf,
// exactly when the leaf has the least capacity to spare. The fix shown: a hop that has
// exhausted its retries says so (x-retry-exhausted: 1) and nobody above retries that
// answer, so only the layer next to the failure retries (the rule in Google's SRE book,
// chapter 21, "Handling Overload"). Not shown: backoff with jitter between attempts, client retry budgets
// (retries <= 10% of requests), retries on network errors.
import { configure, start, stats, stopAll } from './lib/chain.ts';
import type { Service } from './lib/chain.ts';

const TRIES = 3;

async function callWithRetries(url: string, stopRetries: boolean): Promise<{ status: number; attempts: number }> {
  let status = 0;
  let attempts = 0;
  for (let i = 0; i < TRIES; i++) {
    attempts += 1;
    const r = await fetch(`${url}/work`, { signal: AbortSignal.timeout(3000) });
    await r.arrayBuffer();
    status = r.status;
    if (status !== 503 || (stopRetries && r.headers.get('x-retry-exhausted') === '1')) break;
  }
  return { status, attempts };
}

async function scenario(services: Service[], label: string, stopRetries: boolean): Promise<void> {
  const [leaf, b, a] = services;
  const flag = stopRetries ? '1' : '0';
  await configure(leaf, { ROLE: 'leaf', LEAF_MODE: 'overloaded' });
  await configure(b, { ROLE: 'hop', NEXT: leaf.url, TRIES: String(TRIES), STOP_RETRIES: flag });
  await configure(a, { ROLE: 'hop', NEXT: b.url, TRIES: String(TRIES), STOP_RETRIES: flag });

  const result = await callWithRetries(a.url, stopRetries);
  const [sa, sb, sl] = await Promise.all([stats(a), stats(b), stats(leaf)]);
  console.log(`${label}`);
  console.log(`  client saw ${result.status} after ${result.attempts} attempt(s)`);
  console.log(`  requests received: svc-a ${sa.received}, svc-b ${sb.received}, leaf ${sl.received}`);
  console.log(`  amplification at the leaf: ${sl.received}x for 1 user request`);
}

// Three processes, started in parallel and reconfigured per scenario; stopped even on failure.
const started = await Promise.allSettled(['leaf', 'svc-b', 'svc-a'].map((name) => start(name, {})));
const services = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
try {
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  await scenario(services, 'every layer makes up to 3 attempts on 503:', false);
  await scenario(services, 'only the layer next to the failure retries:', true);
} finally {
  await stopAll(services);
}
