// A small LSM tree for measurement: memtable, write-ahead log, immutable sorted runs, Bloom
// filters, and two compaction policies (size-tiered and leveled). It counts bytes written and
// runs probed; it does not touch a disk. Keys are integers, values a fixed size.

export const KEY_BYTES = 16;
export const VALUE_BYTES = 100;
export const ENTRY_BYTES = KEY_BYTES + VALUE_BYTES;

/** A Bloom filter with `bitsPerKey` bits per key and k = round(bitsPerKey * ln 2) hash functions. */
export class Bloom {
  readonly #bits: Uint32Array;
  readonly #m: number;
  readonly #k: number;
  constructor(keys: Int32Array, bitsPerKey: number) {
    this.#m = Math.max(64, keys.length * bitsPerKey);
    this.#k = Math.max(1, Math.round(bitsPerKey * Math.LN2));
    this.#bits = new Uint32Array(Math.ceil(this.#m / 32));
    for (const key of keys) this.#each(key, (bit) => { this.#bits[bit >>> 5]! |= 1 << (bit & 31); return true; });
  }
  mayContain(key: number): boolean {
    return this.#each(key, (bit) => (this.#bits[bit >>> 5]! & (1 << (bit & 31))) !== 0);
  }
  // Double hashing (Kirsch and Mitzenmacher): h1 + i * h2 for i in 0..k-1.
  #each(key: number, visit: (bit: number) => boolean): boolean {
    let h1 = Math.imul(key ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
    h1 = (h1 ^ (h1 >>> 13)) >>> 0;
    const h2 = ((Math.imul(key ^ 0x7f4a7c15, 0xc2b2ae35) >>> 0) | 1) >>> 0;
    for (let i = 0; i < this.#k; i++) if (!visit((h1 + Math.imul(i, h2) >>> 0) % this.#m)) return false;
    return true;
  }
}

export class Run {
  readonly keys: Int32Array; // sorted, unique
  readonly seqs: Int32Array; // the version (sequence number) stored for each key
  readonly bloom: Bloom | undefined;
  constructor(keys: Int32Array, seqs: Int32Array, bitsPerKey: number) {
    this.keys = keys;
    this.seqs = seqs;
    this.bloom = bitsPerKey > 0 ? new Bloom(keys, bitsPerKey) : undefined;
  }
  find(key: number): number | undefined {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid]!;
      if (k === key) return this.seqs[mid];
      if (k < key) lo = mid + 1; else hi = mid - 1;
    }
    return undefined;
  }
}

/** Merges runs given newest first; for a key in several runs the newest version wins. */
function merge(runs: Run[], bitsPerKey: number): Run {
  const newest = new Map<number, number>();
  for (let r = runs.length - 1; r >= 0; r--) { const run = runs[r]!; for (let i = 0; i < run.keys.length; i++) newest.set(run.keys[i]!, run.seqs[i]!); }
  const keys = Int32Array.from(newest.keys()).sort();
  return new Run(keys, Int32Array.from(keys, (k) => newest.get(k)!), bitsPerKey);
}

export type Policy = 'size-tiered' | 'leveled';
export interface LsmOptions { policy: Policy; memtableEntries: number; bitsPerKey: number; fanout: number; l0Limit: number }

export class Lsm {
  readonly #o: LsmOptions;
  #memtable = new Map<number, number>();
  runs: Run[] = []; // size-tiered: every run, newest first
  l0: Run[] = []; // leveled: overlapping runs, newest first
  levels: Array<Run | undefined> = []; // leveled: L1..Ln, one sorted run each (a real engine splits it into files)
  bytesWritten = 0;
  userBytes = 0;

  constructor(options: LsmOptions) {
    this.#o = options;
  }

  put(key: number, seq: number): void {
    this.userBytes += ENTRY_BYTES;
    this.bytesWritten += ENTRY_BYTES; // the WAL record
    this.#memtable.set(key, seq);
    if (this.#memtable.size >= this.#o.memtableEntries) this.#flush();
  }

  #write(run: Run): Run {
    this.bytesWritten += run.keys.length * ENTRY_BYTES;
    return run;
  }

  #flush(): void {
    const keys = Int32Array.from(this.#memtable.keys()).sort();
    const run = this.#write(new Run(keys, Int32Array.from(keys, (k) => this.#memtable.get(k)!), this.#o.bitsPerKey));
    this.#memtable = new Map();
    if (this.#o.policy === 'size-tiered') { this.runs.unshift(run); this.#sizeTiered(); } else { this.l0.unshift(run); this.#leveled(); }
  }

  // Size-tiered: runs fall into tiers by size (tier = floor(log_fanout(size / memtable))); when a
  // tier holds `fanout` runs they are merged into one run of the next tier.
  #sizeTiered(): void {
    for (;;) {
      const tier = (r: Run): number => Math.floor(Math.log(r.keys.length / this.#o.memtableEntries + 1e-9) / Math.log(this.#o.fanout) + 1e-9);
      const byTier = new Map<number, Run[]>();
      for (const r of this.runs) (byTier.get(tier(r)) ?? byTier.set(tier(r), []).get(tier(r))!).push(r);
      const full = [...byTier.values()].find((rs) => rs.length >= this.#o.fanout);
      if (!full) return;
      const merged = this.#write(merge(full, this.#o.bitsPerKey));
      const at = this.runs.indexOf(full[0]!);
      this.runs = this.runs.filter((r) => !full.includes(r));
      this.runs.splice(at, 0, merged); // keeps newest-first order: the merged runs were contiguous in age
    }
  }

  // Leveled: when L0 has l0Limit runs they are merged into L1; when Li exceeds
  // memtable * fanout^i entries it is merged into L(i+1). Every merge rewrites the target level.
  #leveled(): void {
    if (this.l0.length < this.#o.l0Limit) return;
    const l1 = this.levels[0];
    this.levels[0] = this.#write(merge(l1 ? [...this.l0, l1] : this.l0, this.#o.bitsPerKey));
    this.l0 = [];
    for (let i = 0; i < this.levels.length; i++) {
      const level = this.levels[i]!;
      if (level.keys.length <= this.#o.memtableEntries * this.#o.fanout ** (i + 1)) break;
      const next = this.levels[i + 1];
      this.levels[i + 1] = this.#write(merge(next ? [level, next] : [level], this.#o.bitsPerKey));
      this.levels[i] = undefined;
      this.levels = this.levels.map((l) => l ?? new Run(new Int32Array(0), new Int32Array(0), this.#o.bitsPerKey));
    }
  }

  /** Returns the stored version and how many runs were searched (a Bloom "no" skips the search). */
  get(key: number, useBloom: boolean): { seq: number | undefined; probes: number } {
    const hit = this.#memtable.get(key);
    if (hit !== undefined) return { seq: hit, probes: 0 };
    let probes = 0;
    const order = this.#o.policy === 'size-tiered' ? this.runs : [...this.l0, ...this.levels.filter((l): l is Run => !!l && l.keys.length > 0)];
    for (const run of order) {
      if (useBloom && run.bloom && !run.bloom.mayContain(key)) continue;
      probes++;
      const seq = run.find(key);
      if (seq !== undefined) return { seq, probes };
    }
    return { seq: undefined, probes };
  }

  storedEntries(): number {
    const all = [...this.runs, ...this.l0, ...this.levels.filter((l): l is Run => !!l)];
    return this.#memtable.size + all.reduce((n, r) => n + r.keys.length, 0);
  }

  runCount(): number {
    return this.runs.length + this.l0.length + this.levels.filter((l) => l && l.keys.length > 0).length;
  }
}
