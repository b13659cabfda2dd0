// A seeded discrete-event simulation of a metastable failure (Bronson et al., HotOS 2021).
// One server works through a FIFO queue at CAPACITY requests per second. Clients send
// Poisson traffic at 80% of capacity, give up after TIMEOUT and retry at once, up to
// MAX_ATTEMPTS attempts. The server never learns that a client gave up, so it still serves
// the abandoned attempt: work that produces nothing. A 2-second spike to 200% of capacity is
// the trigger; the retries are the sustaining effect. Deterministic: fixed seed, 1 ms steps.
// Not modelled: many servers, backoff and jitter, clients that abandon the whole request.
type Policy = 'no retries' | 'retries' | 'retries + gRPC retry throttling' | 'retries + bounded queue (shedding)';

const CAPACITY = 100; // requests per second: 10 ms of service each
const BASE = 80; // offered load of new requests per second
const SPIKE = { from: 10, to: 12, rate: 200 };
const TIMEOUT_MS = 1000;
const MAX_ATTEMPTS = 3; // the SRE book's per-request cap
const QUEUE_LIMIT = 50; // shedding: half a second of work, so an admitted attempt can finish in time
const END_S = 60;

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Attempt { sentAt: number; n: number; settled: boolean }
interface Result { goodput: number[]; attempts: number[]; fresh: number[]; wasted: number; queueAtEnd: number }

function simulate(policy: Policy, spike = true): Result {
  const rand = mulberry32(42);
  const r: Result = { goodput: new Array(END_S).fill(0), attempts: new Array(END_S).fill(0), fresh: new Array(END_S).fill(0), wasted: 0, queueAtEnd: 0 };
  const queue: Attempt[] = []; // FIFO, served from qHead
  let qHead = 0;
  const timers: Attempt[] = []; // same timeout for all, so they fire in send order
  let tHead = 0;
  let tokens = 10; // gRPC A6 retryThrottling with maxTokens 10, tokenRatio 0.1
  let inService: Attempt | undefined;
  let busyUntil = 0;
  let nextArrival = 0;

  const fail = (now: number, a: Attempt): void => {
    tokens = Math.max(0, tokens - 1);
    if (policy === 'no retries' || a.n >= MAX_ATTEMPTS) return;
    if (policy === 'retries + gRPC retry throttling' && tokens <= 5) return; // token_count <= maxTokens / 2
    send(now, a.n + 1);
  };
  const send = (now: number, n: number): void => {
    r.attempts[Math.floor(now / 1000)] += 1;
    const a: Attempt = { sentAt: now, n, settled: false };
    if (policy === 'retries + bounded queue (shedding)' && queue.length - qHead >= QUEUE_LIMIT) {
      a.settled = true; // rejected at once with a 503 that costs the server almost nothing
      return fail(now, a);
    }
    queue.push(a);
    timers.push(a);
  };

  for (let now = 0; now < END_S * 1000; now++) {
    while (nextArrival <= now) { // Poisson arrivals of new requests
      const rate = spike && now >= SPIKE.from * 1000 && now < SPIKE.to * 1000 ? SPIKE.rate : BASE;
      nextArrival += (-Math.log(1 - rand()) / rate) * 1000;
      r.fresh[Math.floor(now / 1000)] += 1;
      send(now, 1);
    }
    if (inService && busyUntil <= now) { // a completion
      if (!inService.settled) {
        inService.settled = true;
        r.goodput[Math.floor(now / 1000)] += 1;
        tokens = Math.min(10, tokens + 0.1);
      } else r.wasted += 1; // its client had already given up
      inService = undefined;
    }
    if (!inService && qHead < queue.length) {
      inService = queue[qHead++];
      busyUntil = now + 1000 / CAPACITY;
    }
    while (tHead < timers.length && now - timers[tHead].sentAt >= TIMEOUT_MS) { // client timeouts
      const a = timers[tHead++];
      if (!a.settled) {
        a.settled = true;
        fail(now, a);
      }
    }
    if (qHead > 4096) { queue.splice(0, qHead); qHead = 0; }
    if (tHead > 4096) { timers.splice(0, tHead); tHead = 0; }
  }
  r.queueAtEnd = queue.length - qHead;
  return r;
}

const avg = (xs: number[], from: number, to: number): string => (xs.slice(from, to).reduce((s, x) => s + x, 0) / (to - from)).toFixed(0).padStart(4);
console.log(`capacity ${CAPACITY}/s, load ${BASE}/s, spike ${SPIKE.rate}/s during [${SPIKE.from}s, ${SPIKE.to}s), timeout ${TIMEOUT_MS} ms, up to ${MAX_ATTEMPTS} attempts`);
console.log('goodput per second (successful responses in time), by phase:');
console.log('policy                               before  spike  12-30s  50-60s   attempts/request 50-60s  wasted  queue at end');
const rows: Array<[string, Policy, boolean]> = [
  ['retries, no spike (control)', 'retries', false],
  ...(['no retries', 'retries', 'retries + gRPC retry throttling', 'retries + bounded queue (shedding)'] as const).map((p): [string, Policy, boolean] => [p, p, true]),
];
for (const [policy, p, spike] of rows) {
  const r = simulate(p, spike);
  const amp = r.attempts.slice(50, 60).reduce((s, x) => s + x, 0) / r.fresh.slice(50, 60).reduce((s, x) => s + x, 0);
  console.log(
    `${policy.padEnd(36)} ${avg(r.goodput, 5, 10)}  ${avg(r.goodput, 10, 12)}    ${avg(r.goodput, 12, 30)}    ${avg(r.goodput, 50, 60)}` +
      `   ${amp.toFixed(2).padStart(22)}  ${String(r.wasted).padStart(6)}  ${String(r.queueAtEnd).padStart(12)}`,
  );
}
