// A TTL registry and two kinds of client, as a deterministic simulation on a virtual clock
// (1 ms steps; no real timers, processes or sockets), so every number printed is exact.
// Registry: a lease per instance id, renewed by each heartbeat and removed by a sweep once
// it has expired; a version index that moves on every change (a new id, an expiry, or a
// known id renewed on a new port) but not on a plain renewal. Three instances, a, b and c,
// heartbeat every 100 ms; c is killed (no deregistration, as with SIGKILL) at a chosen time.
// The watch client holds a blocking query (Consul's ?index=, etcd's watch) and gets the new
// list as soon as the index moves; the cached client refreshes its copy every 1,500 ms
// (Eureka's client cache, a DNS cache). Each sends one request every 10 ms, round robin
// over its list. Within one ms the order is: heartbeats, the kill, the sweep, the cached
// refresh, requests. Not modelled: network delay (a real watch response takes a round
// trip), lost watch responses, registry replication, retries on another instance.
const TTL_MS = 300, HEARTBEAT_MS = 100, SWEEP_MS = 25, REFRESH_MS = 1500, REQUEST_MS = 10;
const STARTS = { a: 0, b: 50, c: 1 }; // first registration; then a heartbeat every 100 ms
const CACHED_START_MS = 24; // the cached client's first refresh (then every REFRESH_MS)
type Id = keyof typeof STARTS;
const IDS = Object.keys(STARTS) as Id[];

interface Client { view: Map<Id, number>; rr: number; toDead: number; droppedAt: number; newPortAt: number }
const client = (): Client => ({ view: new Map(), rr: 0, toDead: 0, droppedAt: NaN, newPortAt: NaN });

function simulate(killAt: number, newPortAt = Infinity) {
  const leases = new Map<Id, { port: number; expires: number }>();
  const ports: Record<Id, number> = { a: 9001, b: 9002, c: 9003 };
  const watch = client(), cached = client();
  let index = 1, renewals = 0, lastRenewalOfC = NaN, sweptAt = NaN;
  const snapshot = (): Map<Id, number> => new Map([...leases].map(([id, l]) => [id, l.port]));
  const changed = (): void => { index += 1; watch.view = snapshot(); }; // wakes the blocking query
  const end = killAt + 4 * REFRESH_MS; // far past any window; reaching it is a bug
  for (let t = 0; t <= end; t++) {
    if (t === newPortAt) ports.a += 100; // a restarted elsewhere, same id, within its TTL
    for (const id of IDS) {
      if (t < STARTS[id] || (t - STARTS[id]) % HEARTBEAT_MS !== 0 || (id === 'c' && t > killAt)) continue;
      const prev = leases.get(id);
      leases.set(id, { port: ports[id], expires: t + TTL_MS });
      renewals += 1;
      if (id === 'c') lastRenewalOfC = t;
      if (prev?.port !== ports[id]) changed(); // a new id, or a known id on a new port
    }
    if (t % SWEEP_MS === 0) {
      for (const [id, l] of leases) if (l.expires <= t) { leases.delete(id); if (id === 'c') sweptAt = t; changed(); }
    }
    if (t >= CACHED_START_MS && (t - CACHED_START_MS) % REFRESH_MS === 0) cached.view = snapshot();
    for (const c of [watch, cached]) {
      if (t >= killAt && Number.isNaN(c.droppedAt) && !c.view.has('c')) c.droppedAt = t;
      if (t >= newPortAt && Number.isNaN(c.newPortAt) && c.view.get('a') === ports.a) c.newPortAt = t;
      if (t % REQUEST_MS !== 0 || c.view.size === 0) continue;
      const ids = [...c.view.keys()].sort();
      if (ids[c.rr++ % ids.length] === 'c' && t >= killAt) c.toDead += 1;
    }
    const done = (c: Client): boolean => !Number.isNaN(c.droppedAt) && (newPortAt === Infinity || !Number.isNaN(c.newPortAt));
    if (done(watch) && done(cached)) return { watch, cached, lastRenewalOfC, sweptAt, index, renewals };
  }
  throw new Error(`simulation reached ${end} ms with c still listed or the new port unseen`);
}

// One run: c killed at 2,000 ms; a renews on a new port at 4,000 ms.
const KILL_MS = 2000, NEW_PORT_MS = 4000;
const run = simulate(KILL_MS, NEW_PORT_MS);
console.log(`virtual clock: TTL ${TTL_MS} ms, heartbeats every ${HEARTBEAT_MS} ms, sweep every ${SWEEP_MS} ms, cached list refreshed every ${REFRESH_MS} ms`);
console.log(`c killed at ${KILL_MS} ms, last renewed at ${run.lastRenewalOfC} ms; lease expired at ${run.lastRenewalOfC + TTL_MS} ms, swept at ${run.sweptAt} ms`);
for (const name of ['watch', 'cached'] as const) {
  const c = run[name];
  console.log(`${name} client: routed to dead c for ${c.droppedAt - KILL_MS} ms (until ${c.droppedAt} ms), ${c.toDead} requests to it`);
}
console.log(`a renewed on port 9101 at ${NEW_PORT_MS} ms: watch client routes there from ${run.watch.newPortAt} ms, cached client from ${run.cached.newPortAt} ms`);
console.log(`${run.renewals} lease renewals moved the index ${run.index - 1} times (3 registrations, c's expiry, a's new port)`);

// Worst case: every kill time across one refresh period of the cached client.
const worst = { watch: { ms: 0, at: 0, requests: 0 }, cached: { ms: 0, at: 0, requests: 0 } };
for (let k = CACHED_START_MS + REFRESH_MS; k < CACHED_START_MS + 2 * REFRESH_MS; k++) {
  const r = simulate(k);
  for (const name of ['watch', 'cached'] as const) {
    const w = worst[name], ms = r[name].droppedAt - k;
    if (ms > w.ms) { w.ms = ms; w.at = k; }
    w.requests = Math.max(w.requests, r[name].toDead);
  }
}
console.log(`worst over kill times ${CACHED_START_MS + REFRESH_MS}..${CACHED_START_MS + 2 * REFRESH_MS - 1} ms: watch ${worst.watch.ms} ms (kill at ${worst.watch.at}), at most ${worst.watch.requests} requests to c`);
console.log(`  cached ${worst.cached.ms} ms (kill at ${worst.cached.at}), at most ${worst.cached.requests} requests; bound TTL + sweep + refresh = ${TTL_MS + SWEEP_MS + REFRESH_MS} ms`);
