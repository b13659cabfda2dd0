// Client-side load-balancing policies over a fixed list of endpoints.
// Each policy sees only what a real client sees: its own outstanding requests and the
// latencies it measured. Not handled here (a real balancer must): endpoints joining or
// leaving (see registry-watch.ts), failures feeding back into the cost (see the
// circuit-breakers lesson), and the cold-start of an endpoint with no measurements beyond a
// fixed prior.
export interface Endpoint {
  readonly id: string;
  outstanding: number; // requests this client has in flight to the endpoint
  ewmaMs: number; // peak-EWMA latency estimate
  lastUpdate: number; // performance.now() of the last estimate update
}

export interface Balancer {
  readonly name: string;
  pick(endpoints: readonly Endpoint[]): Endpoint;
}

export function endpoint(id: string, priorMs: number): Endpoint {
  return { id, outstanding: 0, ewmaMs: priorMs, lastUpdate: performance.now() };
}

export function roundRobin(): Balancer {
  let next = 0;
  return { name: 'round robin', pick: (eps) => eps[next++ % eps.length]! };
}

export function random(rand: () => number): Balancer {
  return { name: 'random', pick: (eps) => eps[Math.floor(rand() * eps.length)]! };
}

// Least outstanding requests over ALL endpoints (O(n) scan; ties go to the first).
export function leastOutstanding(): Balancer {
  return {
    name: 'least outstanding',
    pick: (eps) => eps.reduce((best, e) => (e.outstanding < best.outstanding ? e : best)),
  };
}

function twoDistinct(eps: readonly Endpoint[], rand: () => number): [Endpoint, Endpoint] {
  const i = Math.floor(rand() * eps.length);
  let j = Math.floor(rand() * (eps.length - 1));
  if (j >= i) j += 1; // a different endpoint, uniformly
  return [eps[i]!, eps[j]!];
}

// Power of two choices: sample two at random, take the one with fewer outstanding requests.
export function powerOfTwo(rand: () => number): Balancer {
  return {
    name: 'p2c least outstanding',
    pick: (eps) => {
      const [a, b] = twoDistinct(eps, rand);
      return b.outstanding < a.outstanding ? b : a;
    },
  };
}

// P2C over peak-EWMA cost, the combination Finagle and Linkerd use:
// cost = latency estimate x (outstanding + 1).
export function peakEwma(rand: () => number): Balancer {
  const cost = (e: Endpoint): number => e.ewmaMs * (e.outstanding + 1);
  return {
    name: 'p2c peak-EWMA',
    pick: (eps) => {
      const [a, b] = twoDistinct(eps, rand);
      return cost(b) < cost(a) ? b : a;
    },
  };
}

// Peak-sensitive EWMA: a sample above the estimate replaces it at once (react to a slow
// endpoint immediately); a sample below decays into it with time constant tauMs.
export function observe(e: Endpoint, rttMs: number, tauMs: number, now = performance.now()): void {
  if (rttMs > e.ewmaMs) {
    e.ewmaMs = rttMs;
  } else {
    const w = Math.exp(-(now - e.lastUpdate) / tauMs);
    e.ewmaMs = e.ewmaMs * w + rttMs * (1 - w);
  }
  e.lastUpdate = now;
}
