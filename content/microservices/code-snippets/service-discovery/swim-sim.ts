// A SWIM-style failure detector, simulated (seeded, in one process, protocol periods as the
// unit of time) so that message loss can be injected exactly and the counts reproduce.
// Each period every live member probes one random member: ping, then (variant B, C) a
// ping-req through K others, each of which pings the target and relays the ack. A probe
// with no ack by the end of the period either declares the target failed (A, B) or makes it
// a suspect (C); an alive suspect refutes (in SWIM, by gossiping a higher incarnation number)
// when both the suspicion and its refutation get through; otherwise it is declared failed
// after SUSPECT_PERIODS. Not modelled: dissemination delay, network partitions, slow
// (rather than lossy) members, and Lifeguard's adaptive timeouts.
import { mulberry32 } from './lib/rng.ts';

const N = 32; // members
const K = 3; // ping-req helpers
const LOSS = 0.1; // each message is lost independently with this probability
const SUSPECT_PERIODS = 3;
const TRIALS = 300; // each trial: one member crashes at period 0; run until it is declared failed

type Variant = { name: string; pingReq: boolean; suspicion: boolean };
const variants: Variant[] = [
  { name: 'A ping only', pingReq: false, suspicion: false },
  { name: 'B ping + ping-req (k=3)', pingReq: true, suspicion: false },
  { name: 'C ping-req + suspicion', pingReq: true, suspicion: true },
];

function simulate(v: Variant, seed: number): { detection: number[]; falsePositives: number; probes: number; messages: number } {
  const rand = mulberry32(seed);
  const delivered = (): boolean => rand() >= LOSS;
  const detection: number[] = [];
  let falsePositives = 0;
  let probes = 0;
  let messages = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const crashed = trial % N;
    const suspectSince = new Map<number, number>(); // member -> period it became a suspect
    for (let period = 1; period <= 100; period++) {
      let detected = false;
      for (let m = 0; m < N; m++) {
        if (m === crashed) continue;
        let target = Math.floor(rand() * (N - 1));
        if (target >= m) target += 1;
        probes += 1;
        const alive = target !== crashed;
        messages += 2;
        let acked = alive && delivered() && delivered(); // ping, ack
        if (!acked && v.pingReq) {
          for (let h = 0; h < K; h++) {
            let helper = Math.floor(rand() * N);
            while (helper === m || helper === target) helper = Math.floor(rand() * N);
            messages += 4; // ping-req, ping, ack, relayed ack
            const helperAlive = helper !== crashed;
            if (alive && helperAlive && delivered() && delivered() && delivered() && delivered()) acked = true;
          }
        }
        if (acked) continue;
        if (!v.suspicion) {
          if (alive) falsePositives += 1;
          else detected = true;
        } else if (!suspectSince.has(target)) {
          suspectSince.set(target, period);
        }
      }
      if (v.suspicion) {
        for (const [s, since] of suspectSince) {
          if (s !== crashed && delivered() && delivered()) { suspectSince.delete(s); continue; } // refuted
          if (period - since >= SUSPECT_PERIODS) {
            suspectSince.delete(s);
            if (s === crashed) detected = true;
            else falsePositives += 1;
          }
        }
      }
      if (detected) { detection.push(period); break; }
    }
  }
  return { detection, falsePositives, probes, messages };
}

console.log(`${N} members, ${(LOSS * 100).toFixed(0)}% message loss, ${TRIALS} crash trials, suspicion timeout ${SUSPECT_PERIODS} periods`);
console.log('variant                    mean detect  p99 detect  false positives  per 10k probes  messages/probe');
for (const v of variants) {
  const r = simulate(v, 42);
  const sorted = [...r.detection].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
  console.log(
    `${v.name.padEnd(26)} ${mean.toFixed(2).padStart(11)}  ${String(p99).padStart(10)}  ${String(r.falsePositives).padStart(15)}` +
      `  ${((r.falsePositives / r.probes) * 1e4).toFixed(1).padStart(14)}  ${(r.messages / r.probes).toFixed(2).padStart(14)}`,
  );
}
console.log('(detection in protocol periods; the first member to declare the crashed member failed)');
