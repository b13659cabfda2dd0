// Write and read amplification of an LSM tree (size-tiered and leveled compaction, with and without
// Bloom filters) against a B-tree that updates pages in place. Everything is counted, not timed:
// bytes written per byte of user data, and sorted runs searched per point read.
//
// BENCH_ITERATIONS = number of updates (default 1,000,000), uniformly random over 200,000 keys of
// 116 bytes (16-byte key, 100-byte value), then 10,000 reads of written keys and 10,000 of keys never written. A read answered by the
// memtable searches no run, so at small sizes (20,000 updates) a hit can average below 1.
import { ENTRY_BYTES, Lsm } from './lib/lsm.ts';
import type { Policy } from './lib/lsm.ts';

const UPDATES = Number(process.env.BENCH_ITERATIONS ?? 1_000_000);
const KEYS = 200_000;
let seed = 1;
const random = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const updates = Int32Array.from({ length: UPDATES }, () => Math.floor(random() * KEYS));
const present = Int32Array.from({ length: 10_000 }, () => updates[Math.floor(random() * UPDATES)]!); // keys that were written
const absent = Int32Array.from({ length: 10_000 }, () => KEYS + Math.floor(random() * KEYS));

type Row = { name: string; writeAmp: number; runs: number; hit: number; hitBloom: number; miss: number; missBloom: number; space: number };
const rows: Row[] = [];

for (const [name, policy, fanout] of [['LSM size-tiered (4 per tier)', 'size-tiered', 4], ['LSM leveled (fanout 10, L0 4)', 'leveled', 10]] as Array<[string, Policy, number]>) {
  const lsm = new Lsm({ policy, memtableEntries: 1000, bitsPerKey: 10, fanout, l0Limit: 4 });
  for (let i = 0; i < updates.length; i++) lsm.put(updates[i]!, i);
  const avg = (keys: Int32Array, bloom: boolean): number => {
    let probes = 0;
    for (const k of keys) probes += lsm.get(k, bloom).probes;
    return probes / keys.length;
  };
  // Correctness check: the newest version of every key is the one read back.
  const last = new Map<number, number>();
  for (let i = 0; i < updates.length; i++) last.set(updates[i]!, i);
  for (const [k, seq] of last) if (lsm.get(k, true).seq !== seq) throw new Error(`${name}: key ${k} read a stale version`);
  rows.push({ name, writeAmp: lsm.bytesWritten / lsm.userBytes, runs: lsm.runCount(), hit: avg(present, false), hitBloom: avg(present, true), miss: avg(absent, false), missBloom: avg(absent, true), space: lsm.storedEntries() / last.size });
}

// B-tree with in-place updates: 4 KiB pages filled to 70 % hold 24 entries, so 200,000 keys take
// 8,334 leaves under 71 internal pages and a root (height 3). Each update appends its WAL record.
const PAGE = 4096;
const perLeaf = Math.floor((PAGE * 0.7) / ENTRY_BYTES);
const leaves = Math.ceil(KEYS / perLeaf);
const height = 1 + Math.ceil(Math.log(leaves) / Math.log(Math.floor((PAGE * 0.7) / 24))); // 24-byte separator + pointer
const userBytes = UPDATES * ENTRY_BYTES;
// (a) every update writes its leaf page back at once.
rows.push({ name: 'B-tree, page written per update', writeAmp: (UPDATES * (ENTRY_BYTES + PAGE)) / userBytes, runs: 1, hit: 1, hitBloom: 1, miss: 1, missBloom: 1, space: 1 / 0.7 });
// (b) dirty pages stay in the buffer pool until a checkpoint (every 10,000 updates here), so
// updates that land on an already dirty page share its one write; (c) as (b), plus PostgreSQL's
// full_page_writes: the first change to a page after a checkpoint also logs the full page image.
for (const [name, fullPageImages] of [['B-tree, checkpoint, no page images', false], ['B-tree, checkpoint every 10k updates', true]] as const) {
  let bytes = 0;
  let dirty = new Set<number>();
  for (let i = 0; i < updates.length; i++) {
    const leaf = updates[i]! % leaves;
    bytes += ENTRY_BYTES + (fullPageImages && !dirty.has(leaf) ? PAGE : 0);
    dirty.add(leaf);
    if ((i + 1) % 10_000 === 0) { bytes += dirty.size * PAGE; dirty = new Set(); }
  }
  bytes += dirty.size * PAGE;
  rows.push({ name, writeAmp: bytes / userBytes, runs: 1, hit: 1, hitBloom: 1, miss: 1, missBloom: 1, space: 1 / 0.7 });
}
// How much one checkpoint interval batches: leaves touched by the first 10,000 updates.
const touched = new Map<number, number>();
for (let i = 0; i < Math.min(10_000, UPDATES); i++) touched.set(updates[i]! % leaves, (touched.get(updates[i]! % leaves) ?? 0) + 1);

console.log(`${UPDATES} updates over ${KEYS} keys of ${ENTRY_BYTES} B; B-tree: ${leaves} leaves, height ${height}`);
console.log('structure                            | write amp | runs | runs searched per get: hit / hit+Bloom / miss / miss+Bloom | space amp');
for (const r of rows) {
  const f = (x: number): string => x.toFixed(2).padStart(5);
  console.log(`${r.name.padEnd(36)} | ${r.writeAmp.toFixed(1).padStart(9)} | ${String(r.runs).padStart(4)} | ${f(r.hit)} / ${f(r.hitBloom)} / ${f(r.miss)} / ${f(r.missBloom)}${' '.repeat(25)} | ${r.space.toFixed(2)}`);
}
console.log(`the first 10,000 updates touch ${touched.size} of ${leaves} leaves (${[...touched.values()].filter((n) => n === 1).length} of them once): ${(Math.min(10_000, UPDATES) / touched.size).toFixed(2)} updates per page write`);
console.log(`a B-tree get reads ${height} pages of one tree (the upper ${height - 1} are usually cached); an LSM get searches one run per probe`);
