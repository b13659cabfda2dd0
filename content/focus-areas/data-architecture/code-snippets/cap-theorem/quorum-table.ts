// Quorum arithmetic for N replicas: which (R, W) pairs guarantee that every read set
// meets every write set, how many replica failures each side survives, and how often a
// quorum is reachable if replicas fail independently. The overlap rule R + W > N is
// checked by brute force over every read set and every write set, not just asserted.

type Row = { n: number; r: number; w: number };

// All k-element subsets of {0..n-1}, as bit masks.
function subsets(n: number, k: number): number[] {
  const out: number[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let m = mask; m !== 0; m &= m - 1) bits++;
    if (bits === k) out.push(mask);
  }
  return out;
}

// Pairs (read set, write set) that share no replica: a read that can miss the last write.
function disjointPairs(n: number, r: number, w: number): { disjoint: number; total: number } {
  const reads = subsets(n, r);
  const writes = subsets(n, w);
  let disjoint = 0;
  for (const rs of reads) for (const ws of writes) if ((rs & ws) === 0) disjoint++;
  return { disjoint, total: reads.length * writes.length };
}

function describe({ n, r, w }: Row): string {
  const { disjoint, total } = disjointPairs(n, r, w);
  const overlap = r + w > n;
  if (overlap !== (disjoint === 0)) throw new Error(`rule and enumeration disagree at ${n},${r},${w}`);
  const writesConflict = 2 * w > n ? 'yes' : 'no ';
  return (
    `N=${n} R=${r} W=${w}  R+W>N: ${overlap ? 'yes' : 'no '}  ` +
    `read sets missing a write set: ${String(disjoint).padStart(3)}/${String(total).padEnd(3)} ` +
    `writes overlap (2W>N): ${writesConflict}  reads survive ${n - r} down, writes survive ${n - w} down`
  );
}

console.log('-- every (R, W) for N = 3 --');
for (let r = 1; r <= 3; r++) for (let w = 1; w <= 3; w++) console.log(describe({ n: 3, r, w }));

console.log('-- selected (R, W) for N = 5 --');
for (const [r, w] of [[1, 1], [2, 3], [3, 3], [2, 4], [4, 2], [1, 5], [5, 1]] as const) {
  console.log(describe({ n: 5, r, w }));
}

// P(at least k of n replicas are up) when each is up with probability p, independently.
function atLeast(n: number, k: number, p: number): number {
  let sum = 0;
  for (let i = k; i <= n; i++) sum += choose(n, i) * p ** i * (1 - p) ** (n - i);
  return sum;
}
function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - i + 1)) / i;
  return c;
}

console.log('-- fraction of time too few replicas are up (independent failures, each up with probability p) --');
for (const p of [0.99, 0.999]) {
  for (const [n, k, label] of [
    [3, 1, 'ONE'],
    [3, 2, 'QUORUM'],
    [3, 3, 'ALL'],
    [5, 3, 'QUORUM'],
  ] as const) {
    const down = 1 - atLeast(n, k, p);
    const minutes = down * 365.25 * 24 * 60;
    console.log(
      `p=${p} N=${n} need ${k} (${label.padEnd(6)}): unavailable ${down.toExponential(2)} ` +
        `= ${minutes.toFixed(3).padStart(9)} min/year`,
    );
  }
}
