// Small eviction policies over integer keys, for measuring hit ratios (not for production).
// Each access() returns true on a hit and, on a miss, decides whether and where to insert.
export interface Policy {
  readonly name: string;
  access(key: number): boolean;
}

/** LRU: a Map keeps insertion order, so delete + set moves a key to the most recent end. */
export class Lru implements Policy {
  readonly name: string = 'LRU';
  readonly #map = new Map<number, true>();
  readonly #capacity: number;
  constructor(capacity: number) { this.#capacity = capacity; }
  access(key: number): boolean {
    if (this.#map.delete(key)) { this.#map.set(key, true); return true; }
    if (this.#map.size >= this.#capacity) this.#map.delete(this.#map.keys().next().value!);
    this.#map.set(key, true);
    return false;
  }
}

/** In-cache LFU, O(1): evicts the least frequently used key (oldest among ties); counts never age. */
export class Lfu implements Policy {
  readonly name: string = 'LFU (no aging)';
  readonly #freq = new Map<number, number>();
  readonly #buckets = new Map<number, Set<number>>();
  #min = 0;
  readonly #capacity: number;
  constructor(capacity: number) { this.#capacity = capacity; }
  #bucket(f: number): Set<number> {
    let set = this.#buckets.get(f);
    if (!set) this.#buckets.set(f, (set = new Set()));
    return set;
  }
  access(key: number): boolean {
    const f = this.#freq.get(key);
    if (f !== undefined) {
      const from = this.#buckets.get(f)!;
      from.delete(key);
      if (from.size === 0) { this.#buckets.delete(f); if (this.#min === f) this.#min = f + 1; }
      this.#freq.set(key, f + 1);
      this.#bucket(f + 1).add(key);
      return true;
    }
    if (this.#freq.size >= this.#capacity) {
      const bucket = this.#buckets.get(this.#min)!;
      const victim = bucket.values().next().value!;
      bucket.delete(victim);
      if (bucket.size === 0) this.#buckets.delete(this.#min);
      this.#freq.delete(victim);
    }
    this.#freq.set(key, 1);
    this.#bucket(1).add(key);
    this.#min = 1;
    return false;
  }
}

/** Count-min sketch with 4-bit counters (capped at 15) and TinyLFU's reset: halve everything every `sampleSize` increments. */
export class FrequencySketch {
  readonly #table: Uint8Array;
  readonly #mask: number;
  readonly #sampleSize: number;
  #additions = 0;
  constructor(capacity: number) {
    let width = 1;
    while (width < capacity * 4) width <<= 1;
    this.#table = new Uint8Array(width * 4);
    this.#mask = width - 1;
    this.#sampleSize = capacity * 10;
  }
  #index(key: number, row: number): number {
    const seeds = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];
    let h = Math.imul(key ^ (key >>> 16), seeds[row]!);
    h ^= h >>> 15;
    return row * (this.#mask + 1) + (h & this.#mask);
  }
  increment(key: number): void {
    for (let row = 0; row < 4; row++) {
      const i = this.#index(key, row);
      if (this.#table[i]! < 15) this.#table[i]!++;
    }
    if (++this.#additions >= this.#sampleSize) {
      for (let i = 0; i < this.#table.length; i++) this.#table[i]! >>>= 1;
      this.#additions >>>= 1;
    }
  }
  estimate(key: number): number {
    let min = 15;
    for (let row = 0; row < 4; row++) min = Math.min(min, this.#table[this.#index(key, row)]!);
    return min;
  }
}

/** LRU with TinyLFU admission: a missed key replaces the LRU victim only if the sketch says it is more frequent. */
export class TinyLfuLru implements Policy {
  readonly name: string = 'LRU + TinyLFU admission';
  readonly #map = new Map<number, true>();
  readonly #sketch: FrequencySketch;
  readonly #capacity: number;
  constructor(capacity: number) { this.#capacity = capacity; this.#sketch = new FrequencySketch(capacity); }
  access(key: number): boolean {
    this.#sketch.increment(key);
    if (this.#map.delete(key)) { this.#map.set(key, true); return true; }
    if (this.#map.size >= this.#capacity) {
      const victim = this.#map.keys().next().value!;
      if (this.#sketch.estimate(key) <= this.#sketch.estimate(victim)) return false; // rejected: not cached
      this.#map.delete(victim);
    }
    this.#map.set(key, true);
    return false;
  }
}

/**
 * W-TinyLFU in the shape Caffeine uses: a 1% LRU window admits everything; its victims compete
 * through the sketch with the victim of a segmented-LRU main region (20% probation, 80% protected).
 * Caffeine also adapts the window size by hill climbing; this sketch keeps it fixed and has no doorkeeper.
 */
export class WTinyLfu implements Policy {
  readonly name: string = 'W-TinyLFU (1% window, SLRU main)';
  readonly #window = new Map<number, true>();
  readonly #probation = new Map<number, true>();
  readonly #protected = new Map<number, true>();
  readonly #sketch: FrequencySketch;
  readonly #windowCap: number;
  readonly #mainCap: number;
  readonly #protectedCap: number;
  constructor(capacity: number) {
    this.#windowCap = Math.max(1, Math.round(capacity * 0.01));
    this.#mainCap = capacity - this.#windowCap;
    this.#protectedCap = Math.round(this.#mainCap * 0.8);
    this.#sketch = new FrequencySketch(capacity);
  }
  access(key: number): boolean {
    this.#sketch.increment(key);
    if (this.#window.delete(key)) { this.#window.set(key, true); return true; }
    if (this.#protected.delete(key)) { this.#protected.set(key, true); return true; }
    if (this.#probation.delete(key)) {
      this.#protected.set(key, true);
      if (this.#protected.size > this.#protectedCap) {
        const demoted = this.#protected.keys().next().value!;
        this.#protected.delete(demoted);
        this.#probation.set(demoted, true);
      }
      return true;
    }
    this.#window.set(key, true);
    if (this.#window.size > this.#windowCap) {
      const candidate = this.#window.keys().next().value!;
      this.#window.delete(candidate);
      if (this.#probation.size + this.#protected.size < this.#mainCap) {
        this.#probation.set(candidate, true);
      } else {
        const victim = this.#probation.size > 0 ? this.#probation.keys().next().value! : this.#protected.keys().next().value!;
        if (this.#sketch.estimate(candidate) > this.#sketch.estimate(victim)) {
          this.#probation.delete(victim) || this.#protected.delete(victim);
          this.#probation.set(candidate, true);
        }
      }
    }
    return false;
  }
}
