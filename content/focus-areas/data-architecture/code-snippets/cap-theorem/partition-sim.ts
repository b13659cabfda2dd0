// A three-replica, Dynamo-style register (last write wins by version) with a network that
// can be partitioned. It replays four histories: stale reads when R + W <= N, the choice a
// quorum system makes on the minority side of a partition, and why R + W > N alone is not
// linearizability (a partly applied write read twice), fixed by blocking read repair.

type Versioned = { version: number; value: string };
type Outcome = { ok: true; result: Versioned; from: string[] } | { ok: false; error: string };

class Replica {
  name: string;
  state: Versioned = { version: 0, value: 'v0' };
  constructor(name: string) {
    this.name = name;
  }
  apply(incoming: Versioned): void {
    if (incoming.version > this.state.version) this.state = incoming;
  }
}

class Cluster {
  replicas: Replica[];
  groups: string[][] | null = null; // null: no partition
  // One counter for both sides is a perfect global clock: it hides clock skew, which in real LWW can let the earlier write win.
  private nextVersion = 1;
  constructor(names: string[]) {
    this.replicas = names.map((n) => new Replica(n));
  }
  partition(...groups: string[][]): void {
    this.groups = groups;
  }
  heal(): void {
    this.groups = null;
  }
  private reachable(from: string): Replica[] {
    if (this.groups === null) return this.replicas;
    const side = this.groups.find((g) => g.includes(from)) ?? [from];
    return this.replicas.filter((r) => side.includes(r.name));
  }
  // The coordinator refuses up front when it can see fewer than W replicas (nothing is
  // written). Otherwise it sends to the first `sendTo` reachable replicas (all by default;
  // fewer models a coordinator that crashes mid-write) and succeeds on W acknowledgements.
  write(coordinator: string, value: string, w: number, sendTo?: number): Outcome {
    const targets = this.reachable(coordinator);
    if (targets.length < w) return { ok: false, error: `unavailable: ${targets.length} of ${w} replicas reachable` };
    const record = { version: this.nextVersion++, value };
    const sent = targets.slice(0, sendTo ?? targets.length);
    for (const r of sent) r.apply(record);
    if (sent.length < w) return { ok: false, error: `timeout: ${sent.length} of ${w} acks (applied on ${names(sent)})` };
    return { ok: true, result: record, from: sent.map((r) => r.name) };
  }
  // Reads the first R reachable replicas in `prefer` order and returns the newest version.
  // With repair, it first writes that version back to the replicas it read that lag.
  read(coordinator: string, r: number, prefer: string[], repair = false): Outcome {
    const reachable = this.reachable(coordinator);
    const chosen = prefer.map((n) => reachable.find((x) => x.name === n)).filter((x) => x !== undefined).slice(0, r);
    if (chosen.length < r) return { ok: false, error: `unavailable: ${chosen.length} of ${r} replicas reachable` };
    const newest = chosen.map((x) => x.state).reduce((a, b) => (b.version > a.version ? b : a));
    if (repair) for (const x of chosen) x.apply(newest);
    return { ok: true, result: newest, from: chosen.map((x) => x.name) };
  }
  states(): string {
    return this.replicas.map((r) => `${r.name}=${r.state.value}`).join(' ');
  }
}

function names(rs: Replica[]): string {
  return rs.map((r) => r.name).join(',');
}
function show(label: string, o: Outcome): void {
  console.log(`  ${label.padEnd(34)} ${o.ok ? `ok    ${o.result.value} (from ${o.from.join(',')})` : `error ${o.error}`}`);
}

console.log('1. No partition, replication lag, N=3 W=1 R=1 (R+W<=N)');
{
  const c = new Cluster(['A', 'B', 'C']);
  show('write v1 at W=1, reaches A only', c.write('A', 'v1', 1, 1));
  show('read at R=1 from C', c.read('C', 1, ['C']));
  console.log(`  states: ${c.states()}`);
}

console.log('2. Partition {A} | {B,C}, N=3 W=1 R=1: both sides answer (AP)');
{
  const c = new Cluster(['A', 'B', 'C']);
  c.partition(['A'], ['B', 'C']);
  show('majority side: write v1 at W=1', c.write('B', 'v1', 1));
  show('minority side: read at R=1', c.read('A', 1, ['A']));
  show('minority side: write v2 at W=1', c.write('A', 'v2', 1));
  console.log(`  states: ${c.states()}  (two histories)`);
  c.heal();
  show('after heal: read at R=3', c.read('B', 3, ['A', 'B', 'C']));
  console.log('  v1 was acknowledged, and last-write-wins has now discarded it');
}

console.log('3. Same partition, N=3 W=2 R=2 (R+W>N): the minority side refuses (CP)');
{
  const c = new Cluster(['A', 'B', 'C']);
  c.partition(['A'], ['B', 'C']);
  show('majority side: write v1 at W=2', c.write('B', 'v1', 2));
  show('majority side: read at R=2', c.read('C', 2, ['C', 'B']));
  show('minority side: read at R=2', c.read('A', 2, ['A', 'B', 'C']));
  show('minority side: write v2 at W=2', c.write('A', 'v2', 2));
  c.heal();
  show('after heal: read at R=2', c.read('A', 2, ['A', 'B']));
}

console.log('4. No partition, N=3 W=2 R=2: a write that failed after reaching A');
for (const repair of [false, true]) {
  const c = new Cluster(['A', 'B', 'C']);
  c.write('A', 'v1', 3);
  console.log(` read repair ${repair ? 'on (blocking)' : 'off'}`);
  show('write v2 at W=2, coordinator dies', c.write('A', 'v2', 2, 1));
  show('reader X at R=2 from A,B', c.read('A', 2, ['A', 'B'], repair));
  show('then reader Y at R=2 from B,C', c.read('C', 2, ['B', 'C'], repair));
  console.log(`  states: ${c.states()}`);
}
