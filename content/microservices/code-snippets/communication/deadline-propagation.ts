// Deadline propagation: client -> svc-a -> svc-b -> leaf, three child processes. The leaf's
// work takes 500 ms; the client gives up after 250 ms. Each hop has its own 1 s timeout.
// Without propagation the leaf does the work anyway for callers that are gone. With it,
// the client sends x-deadline-ms (remaining milliseconds, like gRPC's grpc-timeout), each
// hop subtracts the time it has spent and passes the rest on, and the leaf refuses work it
// cannot finish in time (504 at once). Not shown: cancelling work already started when
// the caller disconnects, clock skew (avoided: only durations cross the wire).
import { configure, start, stats, stopAll, waitIdle } from './lib/chain.ts';
import type { Service } from './lib/chain.ts';

const REQUESTS = 5;

// The client stops waiting at its deadline but leaves the request open (closing it would
// change nothing here: the hops do not watch their caller), so every request reaches svc-a
// however loaded the machine is; `open` holds them, bounded, to be awaited before counting.
const open: Promise<unknown>[] = [];
async function call(url: string, deadlineMs: number, propagate: boolean): Promise<string> {
  const headers: Record<string, string> = propagate ? { 'x-deadline-ms': String(deadlineMs) } : {};
  const response = fetch(`${url}/work`, { headers, signal: AbortSignal.timeout(10_000) })
    .then(async (r) => { await r.arrayBuffer(); return String(r.status); }, (err: Error) => err.name);
  open.push(response);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<string>((r) => { timer = setTimeout(() => r('TimeoutError'), deadlineMs); });
  try {
    return await Promise.race([response, gaveUp]); // TimeoutError: our own deadline passed
  } finally {
    clearTimeout(timer);
  }
}

async function scenario(services: Service[], propagate: boolean, deadlineMs: number): Promise<void> {
  const [leaf, b, a] = services;
  await waitIdle(services); // never reconfigure under a request in flight
  const common = { PER_TRY_MS: '1000', TRIES: '1', PROPAGATE: propagate ? '1' : '0' };
  await configure(leaf, { ...common, ROLE: 'leaf', LEAF_MODE: 'slow', LEAF_COST_MS: '500' });
  await configure(b, { ...common, ROLE: 'hop', NEXT: leaf.url });
  await configure(a, { ...common, ROLE: 'hop', NEXT: b.url });
  const began = performance.now();
  const outcomes = await Promise.all(Array.from({ length: REQUESTS }, () => call(a.url, deadlineMs, propagate)));
  const clientMs = performance.now() - began;
  await Promise.allSettled(open.splice(0)); // the abandoned requests, answered late
  await waitIdle(services); // and nothing still travelling between hops
  const s = await stats(leaf);
  const counts = Object.entries(Object.groupBy(outcomes, (o) => o)).map(([k, v]) => `${k} x${v?.length}`).join(', ');
  console.log(`propagate=${propagate}, client deadline ${deadlineMs} ms, ${REQUESTS} requests:`);
  console.log(`  client outcomes: ${counts}; all answered within ${clientMs.toFixed(0)} ms`);
  // How many requests get as far as the leaf within 250 ms depends on the machine's load (a hop
  // answers 504 itself when no time is left): print that count only as "all that reached it".
  const refused = propagate && s.rejectedForDeadline === s.received ? 'every request that reached it' : String(s.rejectedForDeadline);
  console.log(`  leaf: work started ${s.workStarted}, finished ${s.workFinished}, refused for deadline ${refused}`);
  const wasted = outcomes.filter((o) => o !== '200').length > 0 ? s.workFinished : 0;
  console.log(`  leaf work done for callers that had given up: ${wasted}`);
}

// Three processes, started in parallel and reconfigured per scenario; stopped even on failure.
const started = await Promise.allSettled(['leaf', 'svc-b', 'svc-a'].map((name) => start(name, {})));
const services = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
try {
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  await scenario(services, false, 250);
  await scenario(services, true, 250);
  await scenario(services, true, 2000);
} finally {
  await stopAll(services);
}
