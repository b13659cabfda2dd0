// Liveness against readiness, on a virtual clock: a small discrete-event simulation of the
// kubelet's probing with the Kubernetes defaults (periodSeconds 10, failureThreshold 3,
// successThreshold 1) and its restart back-off (10 s, doubling, capped at 300 s, reset after
// 10 minutes of running), in simulated seconds. No real timers and no sockets, so every
// number printed is exact. Three replicas per deployment, each with its own probe ticker
// (offset 2, 5 and 8 s). A replica needs WARM_S to warm up after each start; one shared
// dependency is down from 300 s to 390 s. Probe handlers answer at once (timeoutSeconds is
// never reached), and the first probe comes one tick after a start (no initialDelaySeconds).
//   livez:  liveness = /livez (can this process serve at all?); readiness = /readyz everywhere
//   deep:   liveness = /deep (checks the dependency), so an outage fails liveness everywhere
//   readyz: liveness = /readyz (warm-up + dependency), so a slow start fails liveness
const PERIOD_S = 10, FAILURE_THRESHOLD = 3, WARM_S = 60, END_S = 900;
const OUTAGE = { from: 300, to: 390 };
const BACKOFF = { first: 10, max: 300, resetAfter: 600 };
const dependencyUp = (t: number): boolean => t < OUTAGE.from || t >= OUTAGE.to;

interface Replica { startedAt: number | null; liveFails: number; readyFails: number; ready: boolean; wasReady: boolean; backoff: number }

function simulate(livenessPath: '/livez' | '/deep' | '/readyz') {
  const events: Array<{ t: number; seq: number; run: () => void }> = [];
  let seq = 0;
  const at = (t: number, run: () => void): void => { events.push({ t, seq: seq++, run }); };
  const replicas: Replica[] = [0, 1, 2].map(() => ({ startedAt: 0, liveFails: 0, readyFails: 0, ready: false, wasReady: false, backoff: BACKOFF.first }));
  const check = (r: Replica, path: string, t: number): boolean => {
    if (path === '/livez') return true;
    if (path === '/deep') return dependencyUp(t);
    return t - r.startedAt! >= WARM_S && dependencyUp(t); // /readyz: warmed up and the dependency answers
  };
  const m = { readyDuringWarmup: 0, readyLateInOutage: 3, restarts: 0, restarted: new Set<number>(), firstKillAfterFault: NaN, allReadyAt: NaN };
  const sample = (t: number): void => {
    const n = replicas.filter((r) => r.ready).length;
    if (t < WARM_S) m.readyDuringWarmup = Math.max(m.readyDuringWarmup, n);
    if (t >= OUTAGE.from + FAILURE_THRESHOLD * PERIOD_S && t < OUTAGE.to) m.readyLateInOutage = Math.min(m.readyLateInOutage, n);
    if (t >= OUTAGE.to) m.allReadyAt = n === 3 ? (Number.isNaN(m.allReadyAt) ? t : m.allReadyAt) : NaN;
  };
  replicas.forEach((r, i) => {
    const tick = (t: number): void => {
      if (r.startedAt !== null && t > r.startedAt) {
        r.liveFails = check(r, livenessPath, t) ? 0 : r.liveFails + 1;
        const ready = check(r, '/readyz', t);
        r.readyFails = ready ? 0 : r.readyFails + 1;
        if (ready) r.ready = r.wasReady = true; else if (r.readyFails >= FAILURE_THRESHOLD) r.ready = false;
        if (r.liveFails >= FAILURE_THRESHOLD) { // kubelet: kill the container, restart it after the back-off
          if (t - r.startedAt >= BACKOFF.resetAfter) r.backoff = BACKOFF.first;
          if (r.wasReady && t >= OUTAGE.from && Number.isNaN(m.firstKillAfterFault)) m.firstKillAfterFault = t - OUTAGE.from;
          Object.assign(r, { startedAt: null, liveFails: 0, readyFails: 0, ready: false, wasReady: false });
          m.restarts += 1; m.restarted.add(i);
          const restartAt = t + r.backoff;
          at(restartAt, () => { r.startedAt = restartAt; });
          r.backoff = Math.min(r.backoff * 2, BACKOFF.max);
        }
      }
      sample(t);
      if (t + PERIOD_S <= END_S) at(t + PERIOD_S, () => tick(t + PERIOD_S));
    };
    at(2 + 3 * i, () => tick(2 + 3 * i));
  });
  while (events.length) {
    events.sort((a, b) => a.t - b.t || a.seq - b.seq);
    events.shift()!.run();
  }
  return m;
}

const paths = ['/livez', '/deep', '/readyz'] as const;
console.log(`period ${PERIOD_S} s, failureThreshold ${FAILURE_THRESHOLD}, back-off ${BACKOFF.first}-${BACKOFF.max} s, warm-up ${WARM_S} s, dependency down ${OUTAGE.from}-${OUTAGE.to} s, ${END_S} s simulated`);
for (const p of paths) {
  const m = simulate(p);
  const firstKill = Number.isNaN(m.firstKillAfterFault) ? '' : `, first ${m.firstKillAfterFault} s after the fault`;
  const back = Number.isNaN(m.allReadyAt) ? 'never' : `${m.allReadyAt - OUTAGE.to} s`;
  console.log(`liveness ${p.padEnd(7)}: ready during warm-up ${m.readyDuringWarmup}/3, late in the outage ${m.readyLateInOutage}/3, replicas restarted ${m.restarted.size}/3`);
  console.log(`  restarts ${m.restarts}${firstKill}; all ready again after the dependency recovered: ${back}`);
}
