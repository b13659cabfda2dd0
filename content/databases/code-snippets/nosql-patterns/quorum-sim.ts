// Dynamo-style replication (DeCandia et al., SOSP 2007) simulated: N = 3 replicas of one key on
// nodes A, B, C (its preference list), a fallback node D, message delays of 2-20 ms from a seeded
// generator, virtual time. Each case shows what R + W > N does NOT guarantee.
type Version = { value: string; ts: number; vc: Record<string, number> };
type Node = 'A' | 'B' | 'C' | 'D';
type Resolve = 'lww' | 'vector';

let seed = 11;
const delay = (): number => 2 + ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % 19);
const TIMEOUT = 100; // a coordinator waits this long for acks before giving up (or going sloppy)
const PREF: Node[] = ['A', 'B', 'C'];

const descends = (a: Record<string, number>, b: Record<string, number>): boolean => Object.keys(b).every((k) => (a[k] ?? 0) >= b[k]!);
/** The versions that survive: LWW keeps the highest timestamp; version vectors keep every version no other one descends from (siblings). */
function reconcile(vs: Version[], mode: Resolve): Version[] {
  if (vs.length === 0) return [];
  if (mode === 'lww') return [vs.reduce((a, b) => (b.ts > a.ts ? b : a))];
  const out: Version[] = [];
  for (const v of vs) {
    if (out.some((o) => descends(o.vc, v.vc))) continue;
    for (let i = out.length - 1; i >= 0; i--) if (descends(v.vc, out[i]!.vc)) out.splice(i, 1);
    out.push(v);
  }
  return out;
}

class Cluster {
  readonly log = new Map<Node, Array<{ at: number; v: Version }>>(PREF.concat('D').map((n) => [n, []]));
  readonly hints: Array<{ home: Node; v: Version }> = []; // held by the fallback node D, per cluster
  cut = new Set<string>(); // 'X>Y' means messages from X to Y are lost
  readonly #mode: Resolve;
  constructor(mode: Resolve) {
    this.#mode = mode;
  }
  reachable(from: string, to: Node): boolean { return !this.cut.has(`${from}>${to}`); }
  state(n: Node, at: number): Version[] { return reconcile(this.log.get(n)!.filter((e) => e.at <= at).map((e) => e.v), this.#mode); }

  /** Returns when the write succeeded (W acks), or undefined when it failed; replicas that got it keep it either way. */
  write(coord: string, at: number, v: Version, W: number, opts: { sloppy?: boolean; onlyTo?: Node[] } = {}): number | undefined {
    const acks: number[] = [];
    const missed: Node[] = [];
    for (const n of opts.onlyTo ?? PREF) {
      if (!this.reachable(coord, n)) { missed.push(n); continue; }
      const applied = at + delay();
      this.log.get(n)!.push({ at: applied, v });
      acks.push(applied + delay());
    }
    acks.sort((a, b) => a - b);
    if (acks.length >= W && acks[W - 1]! - at <= TIMEOUT) return acks[W - 1];
    if (!opts.sloppy) return undefined;
    // Sloppy quorum: after the timeout, the write goes to the next healthy node on the ring with a
    // hint naming the replica it stands in for; it counts toward W.
    for (const home of missed) {
      if (acks.length >= W) break;
      const applied = at + TIMEOUT + delay();
      this.log.get('D')!.push({ at: applied, v });
      this.hints.push({ home, v });
      acks.push(applied + delay());
    }
    acks.sort((a, b) => a - b);
    return acks.length >= W ? acks[W - 1] : undefined;
  }

  /** Asks the reachable replicas, answers with the first R replies, reconciled. */
  read(coord: string, at: number, R: number, from: Node[] = PREF): { at: number; versions: Version[] } | undefined {
    const replies = from.filter((n) => this.reachable(coord, n)).map((n) => { const seen = at + delay(); return { n, seen, back: seen + delay() }; });
    replies.sort((a, b) => a.back - b.back);
    if (replies.length < R) return undefined;
    const used = replies.slice(0, R);
    return { at: used[R - 1]!.back, versions: reconcile(used.flatMap((r) => this.state(r.n, r.seen)), this.#mode) };
  }
}
const show = (r: { versions: Version[] } | undefined): string => (r ? r.versions.map((v) => v.value).join(' | ') : 'failed');
const v = (value: string, ts: number, vc: Record<string, number>): Version => ({ value, ts, vc });

console.log('N=3, W=2, R=2 (R + W > N)');
{
  const c = new Cluster('lww');
  c.write('client', 0, v('v1', 0, { A: 1 }), 2);
  // 1. A write that FAILED (only A got it, the coordinator timed out) is still visible, then not.
  c.cut = new Set(['client>B', 'client>C']);
  const failed = c.write('client', 1000, v('v2', 1000, { A: 2 }), 2);
  c.cut = new Set();
  const r1 = c.read('reader1', 1200, 2, ['A', 'B']);
  const r2 = c.read('reader2', 1300, 2, ['B', 'C']);
  console.log(`1. write v2 reached only A, client told ${failed === undefined ? 'FAILED' : 'ok'}; read via {A,B}: ${show(r1)}; later read via {B,C}: ${show(r2)}`);
  console.log('   a failed write is not rolled back, and without read repair two reads disagree: quorums are not atomic or linearizable');
}
{
  const c = new Cluster('lww');
  c.write('client', 0, v('v1', 0, { A: 1 }), 2);
  // 2. Sloppy quorum: a partition puts the writer with C and D, the reader with A and B. C and the
  // fallback D (holding a hint for A) make W=2; the reader's R=2 is A and B, both still at v1.
  c.cut = new Set(['writer>A', 'writer>B', 'reader>C', 'reader>D']);
  const done = c.write('writer', 1000, v('v2', 1000, { C: 1, A: 1 }), 2, { sloppy: true })!;
  const stale = c.read('reader', done + 1, 2);
  console.log(`2. sloppy quorum: v2 acked at t=${done} by C and D (hint for ${c.hints.map((h) => h.home).join(',')}); read at t=${done + 1} via A,B: ${show(stale)}  <- R + W > N, still old`);
  // Hinted handoff: when A is reachable again, D delivers the hint.
  c.cut = new Set();
  const healed = 2000;
  for (const h of c.hints.splice(0)) c.log.get(h.home)!.push({ at: healed + delay(), v: h.v });
  const fresh = c.read('reader', healed + 100, 3);
  console.log(`   after the partition heals and D hands the hint to A (t=${healed}), an R=3 read: ${show(fresh)}`);
}
for (const mode of ['lww', 'vector'] as const) {
  // 3. Concurrent writes: two clients read cart=[] and each add one item. Client 2's clock runs 50 ms behind.
  const c = new Cluster(mode);
  c.write('x', 0, v('[]', 0, { A: 1 }), 3);
  c.write('client1', 1000, v('[milk]', 1000, { A: 2 }), 2, { onlyTo: ['A', 'B', 'C'] }); // version counter bumped for A
  c.write('client2', 1010, v('[eggs]', 1010 - 50, { A: 1, B: 1 }), 2, { onlyTo: ['A', 'B', 'C'] }); // built on the [] version, so concurrent with client1's
  const r = c.read('reader', 1500, 3);
  console.log(mode === 'lww'
    ? `3. concurrent adds, last-write-wins on client timestamps: ${show(r)}  <- [eggs] was written later and is lost`
    : `   the same with version vectors: siblings ${show(r)}, returned to the client to merge (Dynamo's shopping cart)`);
}
