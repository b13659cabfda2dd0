// Partitioning functions for the sharding snippets. hash32 is the one the consistent-hash-ring
// challenge specifies (FNV-1a 32-bit over UTF-8, then MurmurHash3's fmix32 finalizer), so the
// placements here are the ones a correct challenge solution computes.
const utf8 = new TextEncoder();

export function hash32(input: string): number {
  let h = 0x811c9dc5;
  for (const byte of utf8.encode(input)) h = Math.imul(h ^ byte, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** hash(key) mod n: the scheme that moves almost everything when n changes. */
export function moduloShard(key: string, n: number): number {
  return hash32(key) % n;
}

/** A consistent-hash ring with `vnodes` virtual nodes per shard; lookups by binary search. */
export class Ring {
  readonly #positions: number[] = [];
  readonly #owners: string[] = [];

  constructor(shards: readonly string[], vnodes: number) {
    const points: { position: number; owner: string }[] = [];
    for (const shard of shards) {
      for (let i = 0; i < vnodes; i++) points.push({ position: hash32(`${shard}#${i}`), owner: shard });
    }
    points.sort((a, b) => a.position - b.position || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    for (const point of points) {
      this.#positions.push(point.position);
      this.#owners.push(point.owner);
    }
  }

  /** The owner of the first vnode at or after hash32(key), wrapping around. */
  shardFor(key: string): string {
    const h = hash32(key);
    let lo = 0;
    let hi = this.#positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#positions[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === this.#positions.length ? 0 : lo]!;
  }
}

const MASK64 = (1n << 64n) - 1n;
const LCG = 2862933555777941757n;

/**
 * Jump consistent hash (Lamping and Veach, 2014, arXiv:1406.2294), transcribed from the paper's
 * C++: a 64-bit key and a bucket count in, a bucket in [0, buckets) out, no state at all.
 */
export function jumpHash(key: bigint, buckets: number): number {
  let b = -1n;
  let j = 0n;
  let k = key & MASK64;
  const n = BigInt(buckets);
  while (j < n) {
    b = j;
    k = (k * LCG + 1n) & MASK64;
    j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((k >> 33n) + 1n))));
  }
  return Number(b);
}

/** A 64-bit key for jumpHash from a string: two independent 32-bit hashes side by side. */
export function key64(key: string): bigint {
  return (BigInt(hash32(key)) << 32n) | BigInt(hash32(`${key}\u0000`));
}

/** A small seeded PRNG (mulberry32), so that simulations print the same figures every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
