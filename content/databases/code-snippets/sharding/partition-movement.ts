// How many of 100,000 keys change shard when a shard is added, under six partitioning schemes,
// and how evenly each spreads the keys. Everything is deterministic: the same figures every run.
import { hash32, jumpHash, key64, moduloShard, Ring } from './lib/hash.ts';

const KEYS = Array.from({ length: 100_000 }, (_, i) => `user:${i}`);
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `shard-${i}`);

interface Scheme {
  readonly name: string;
  /** A placement function for a cluster of n shards, named 'shard-0' ... */
  build(n: number): (key: string, index: number) => string;
}

// Range partitioning on the key's number: n equal ranges; adding a shard splits the last range.
// (Real range partitioning splits whichever range is biggest or hottest; one split moves half of one shard.)
const rangeBounds = (n: number): number[] => Array.from({ length: n - 1 }, (_, i) => Math.round(((i + 1) * KEYS.length) / n));
const rangeSplit = (n: number): number[] => {
  const bounds = rangeBounds(n - 1);
  const lastStart = bounds.at(-1) ?? 0;
  return [...bounds, Math.round((lastStart + KEYS.length) / 2)];
};
const byRange = (bounds: number[]) => (_key: string, index: number): string => {
  let shard = 0;
  while (shard < bounds.length && index >= bounds[shard]!) shard++;
  return `shard-${shard}`;
};

// A directory of 256 fixed partitions (hash32 % 256) mapped to shards. Adding a shard reassigns
// whole partitions: floor(256 / (n + 1)) of them, taken round-robin from the existing shards.
const PARTITIONS = 256;
const directory = (n: number): string[] => {
  let table = Array.from({ length: PARTITIONS }, () => 'shard-0');
  for (let size = 2; size <= n; size++) {
    const quota = Math.floor(PARTITIONS / size);
    const next = [...table];
    const counts = new Map<string, number>();
    for (const shard of table) counts.set(shard, (counts.get(shard) ?? 0) + 1);
    let moved = 0;
    // Take from whichever shard holds most partitions, one at a time, until the newcomer has its quota.
    while (moved < quota) {
      const [donor] = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      const p = next.lastIndexOf(donor);
      next[p] = `shard-${size - 1}`;
      counts.set(donor, counts.get(donor)! - 1);
      moved++;
    }
    table = next;
  }
  return table;
};

const schemes: Scheme[] = [
  { name: 'hash mod n', build: (n) => (key) => `shard-${moduloShard(key, n)}` },
  { name: 'ring, 1 vnode/shard', build: (n) => { const ring = new Ring(names(n), 1); return (key) => ring.shardFor(key); } },
  { name: 'ring, 100 vnodes/shard', build: (n) => { const ring = new Ring(names(n), 100); return (key) => ring.shardFor(key); } },
  { name: 'jump hash', build: (n) => (key) => `shard-${jumpHash(key64(key), n)}` },
  { name: 'directory, 256 partitions', build: (n) => { const table = directory(n); return (key) => table[hash32(key) % PARTITIONS]!; } },
  { name: 'range, split last range', build: (n) => byRange(n === 1 ? [] : rangeSplit(n)) },
];

function measure(scheme: Scheme, n: number): { moved: number; onlyToNew: boolean; maxOverMean: number } {
  // For range partitioning "before" is n equal ranges and "after" splits the last one in two.
  const before = scheme.name.startsWith('range') ? byRange(rangeBounds(n)) : scheme.build(n);
  const after = scheme.build(n + 1);
  const load = new Map<string, number>();
  let moved = 0;
  let onlyToNew = true;
  KEYS.forEach((key, i) => {
    const from = before(key, i);
    const to = after(key, i);
    load.set(to, (load.get(to) ?? 0) + 1);
    if (from !== to) {
      moved++;
      if (to !== `shard-${n}`) onlyToNew = false;
    }
  });
  const max = Math.max(...load.values());
  return { moved, onlyToNew, maxOverMean: max / (KEYS.length / (n + 1)) };
}

for (const n of [4, 10]) {
  console.log(`${n} -> ${n + 1} shards, ${KEYS.length} keys (ideal move: 1/${n + 1} = ${(100 / (n + 1)).toFixed(1)}%)`);
  console.log('  scheme                      moved   share   only to new shard   max/mean load after');
  for (const scheme of schemes) {
    const { moved, onlyToNew, maxOverMean } = measure(scheme, n);
    console.log(`  ${scheme.name.padEnd(26)} ${String(moved).padStart(6)}  ${((100 * moved) / KEYS.length).toFixed(1).padStart(5)}%   ${(onlyToNew ? 'yes' : 'no').padEnd(18)}  ${maxOverMean.toFixed(2)}`);
  }
}
console.log(`hash mod n moves n/(n+1): ${(100 * 4 / 5).toFixed(1)}% for 4 -> 5, ${(100 * 10 / 11).toFixed(1)}% for 10 -> 11`);
