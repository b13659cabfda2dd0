// Reference solution: a consistent-hash ring with weighted virtual nodes.
//
// The ring is three parallel arrays sorted by (position, node id, vnode index): the
// positions, the owning node ids and the vnode indexes. A lookup is one binary search
// (lower bound) over the positions; a join merges the newcomer's sorted vnodes into
// the arrays and a leave filters them out, both O(V) with no re-sort of the whole ring.
// A plan is computed from vnode positions only: each vnode owns the arc from the
// previous distinct position (exclusive) to its own (inclusive), so a join or a leave
// changes exactly the arcs of the vnodes that come or go.

/** 2^32: positions are whole numbers in [0, RING). */
const RING = 2 ** 32;
const MAX_VNODES = 100_000;
const DEFAULT_VNODES_PER_WEIGHT = 100;

/**
 * FNV-1a (32-bit) over the UTF-8 bytes of `input`, then MurmurHash3's fmix32 finalizer.
 * Plain FNV-1a barely stirs the high bits on the last byte, so "n#1", "n#2", ... cluster;
 * the finalizer spreads every input bit over the whole word.
 */
export function hash32(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    let c = input.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193);
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < input.length) {
      const d = input.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        h = Math.imul(h ^ (0xf0 | (cp >> 18)), 0x01000193);
        h = Math.imul(h ^ (0x80 | ((cp >> 12) & 0x3f)), 0x01000193);
        h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
        h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
        continue;
      }
    }
    // A lone surrogate is encoded as U+FFFD, as TextEncoder does.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193);
    h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193);
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface Move {
  /** Hash positions start <= h < end, with 0 <= start < end <= 2^32. */
  range: [number, number];
  from: string;
  to: string;
}

export type Change = { op: 'add'; id: string; weight?: number } | { op: 'remove'; id: string };

interface VNode {
  pos: number;
  id: string;
  index: number;
}

/** The ring's total order: position, then node id by UTF-16 code units, then vnode index. */
function before(aPos: number, aId: string, aIndex: number, bPos: number, bId: string, bIndex: number): boolean {
  if (aPos !== bPos) return aPos < bPos;
  if (aId !== bId) return aId < bId;
  return aIndex < bIndex;
}

function checkId(id: unknown, what = 'node id'): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`${what} must be a non-empty string, got ${typeof id === 'string' ? 'an empty string' : typeof id}`);
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, got ${typeof key}`);
}

/** Cuts the arc of `length` positions that ends at `end` (inclusive) into non-wrapping ranges. */
function arc(end: number, length: number, from: string, to: string, out: Move[]): void {
  const start = (end - length + 1 + RING) % RING;
  if (start <= end) out.push({ range: [start, end + 1], from, to });
  else {
    out.push({ range: [start, RING], from, to });
    out.push({ range: [0, end + 1], from, to });
  }
}

/** Sorts by start and merges ranges that touch and move between the same two nodes. */
function canonical(moves: Move[]): Move[] {
  moves.sort((a, b) => a.range[0] - b.range[0]);
  const out: Move[] = [];
  for (const move of moves) {
    const last = out[out.length - 1];
    if (last && last.range[1] === move.range[0] && last.from === move.from && last.to === move.to) last.range[1] = move.range[1];
    else out.push({ range: [move.range[0], move.range[1]], from: move.from, to: move.to });
  }
  return out;
}

export class HashRing {
  readonly #vnodesPerWeight: number;
  #pos: number[] = [];
  #owner: string[] = [];
  #index: number[] = [];
  /** node id -> its vnode count. */
  readonly #nodes = new Map<string, number>();

  constructor(options: { vnodesPerWeight?: number } = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const { vnodesPerWeight = DEFAULT_VNODES_PER_WEIGHT } = options;
    if (typeof vnodesPerWeight !== 'number') throw new TypeError(`vnodesPerWeight must be a number, got ${typeof vnodesPerWeight}`);
    if (!Number.isInteger(vnodesPerWeight) || vnodesPerWeight < 1 || vnodesPerWeight > MAX_VNODES) {
      throw new RangeError(`vnodesPerWeight must be a whole number from 1 to ${MAX_VNODES}, got ${vnodesPerWeight}`);
    }
    this.#vnodesPerWeight = vnodesPerWeight;
  }

  get size(): number {
    return this.#nodes.size;
  }

  has(id: string): boolean {
    return this.#nodes.has(id);
  }

  /** Validates a join and returns the newcomer's vnodes in ring order. */
  #newcomer(id: unknown, options: unknown): VNode[] {
    checkId(id);
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('options must be an object');
    const { weight = 1 } = (options ?? {}) as { weight?: unknown };
    if (typeof weight !== 'number') throw new TypeError(`weight must be a number, got ${typeof weight}`);
    if (!Number.isFinite(weight) || weight <= 0) throw new RangeError(`weight must be a finite number greater than 0, got ${weight}`);
    const count = Math.round(weight * this.#vnodesPerWeight);
    if (count < 1) throw new RangeError(`weight ${weight} × vnodesPerWeight ${this.#vnodesPerWeight} rounds to 0 virtual nodes`);
    if (count > MAX_VNODES) throw new RangeError(`weight ${weight} gives ${count} virtual nodes, more than ${MAX_VNODES}`);
    if (this.#nodes.has(id)) throw new Error(`node "${id}" is already in the ring`);
    const vnodes: VNode[] = [];
    for (let index = 0; index < count; index++) vnodes.push({ pos: hash32(`${id}#${index}`), id, index });
    vnodes.sort((a, b) => a.pos - b.pos || a.index - b.index);
    return vnodes;
  }

  #known(id: unknown): string {
    checkId(id);
    if (!this.#nodes.has(id)) throw new Error(`node "${id}" is not in the ring`);
    return id;
  }

  addNode(id: string, options?: { weight?: number }): void {
    const vnodes = this.#newcomer(id, options);
    const pos: number[] = [];
    const owner: string[] = [];
    const index: number[] = [];
    let i = 0;
    let j = 0;
    const n = this.#pos.length;
    while (i < n || j < vnodes.length) {
      const v = vnodes[j];
      if (v === undefined || (i < n && before(this.#pos[i]!, this.#owner[i]!, this.#index[i]!, v.pos, v.id, v.index))) {
        pos.push(this.#pos[i]!);
        owner.push(this.#owner[i]!);
        index.push(this.#index[i]!);
        i++;
      } else {
        pos.push(v.pos);
        owner.push(v.id);
        index.push(v.index);
        j++;
      }
    }
    this.#pos = pos;
    this.#owner = owner;
    this.#index = index;
    this.#nodes.set(id, vnodes.length);
  }

  removeNode(id: string): void {
    this.#known(id);
    const pos: number[] = [];
    const owner: string[] = [];
    const index: number[] = [];
    for (let i = 0; i < this.#pos.length; i++) {
      if (this.#owner[i] === id) continue;
      pos.push(this.#pos[i]!);
      owner.push(this.#owner[i]!);
      index.push(this.#index[i]!);
    }
    this.#pos = pos;
    this.#owner = owner;
    this.#index = index;
    this.#nodes.delete(id);
  }

  /** The first slot whose position is >= h, wrapping to 0. */
  #slot(h: number): number {
    let lo = 0;
    let hi = this.#pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#pos[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.#pos.length ? 0 : lo;
  }

  #checkNotEmpty(): void {
    if (this.#nodes.size === 0) throw new Error('the ring is empty: add a node before looking keys up');
  }

  nodeFor(key: string): string {
    checkKey(key);
    this.#checkNotEmpty();
    return this.#owner[this.#slot(hash32(key))]!;
  }

  replicasFor(key: string, r: number): string[] {
    checkKey(key);
    if (typeof r !== 'number') throw new TypeError(`r must be a number, got ${typeof r}`);
    this.#checkNotEmpty();
    if (!Number.isInteger(r) || r < 1 || r > this.#nodes.size) {
      throw new RangeError(`r must be a whole number from 1 to the node count (${this.#nodes.size}), got ${r}`);
    }
    const out: string[] = [];
    const seen = new Set<string>();
    const n = this.#pos.length;
    for (let k = 0, i = this.#slot(hash32(key)); out.length < r; k++, i = (i + 1) % n) {
      const id = this.#owner[i]!;
      if (!seen.has(id)) {
        seen.add(id);
        out.push(id);
      }
    }
    return out;
  }

  /** Length of the arc owned by the effective vnode at `p`: back to the previous distinct position. */
  #arcBefore(p: number, extra: readonly VNode[] = []): number {
    const n = this.#pos.length;
    let best = RING;
    if (n > 0) {
      const lower = this.#slotRaw(p); // first slot >= p
      const prev = this.#pos[(lower - 1 + n) % n]!;
      const d = (p - prev + RING) % RING;
      if (d > 0) best = d;
    }
    for (const v of extra) {
      const d = (p - v.pos + RING) % RING;
      if (d > 0 && d < best) best = d;
    }
    return best;
  }

  #slotRaw(h: number): number {
    let lo = 0;
    let hi = this.#pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#pos[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  plan(change: Change): Move[] {
    if (typeof change !== 'object' || change === null) throw new TypeError('change must be an object');
    const { op } = change as { op?: unknown };
    if (op === 'add') {
      const { id, weight } = change as { id: unknown; weight?: unknown };
      const vnodes = this.#newcomer(id, weight === undefined ? undefined : { weight });
      // An empty ring holds no data: adding the first node moves nothing.
      if (this.#pos.length === 0) return [];
      const moves: Move[] = [];
      for (let j = 0; j < vnodes.length; j++) {
        const v = vnodes[j]!;
        if (j > 0 && vnodes[j - 1]!.pos === v.pos) continue; // same node, same arc
        const slot = this.#slot(v.pos);
        // An existing vnode at the same position with a smaller id keeps the arc.
        if (this.#pos[slot] === v.pos && this.#owner[slot]! < v.id) continue;
        // The newcomer's previous vnode is the only one of its own that can be closer.
        const previous = vnodes[(j - 1 + vnodes.length) % vnodes.length]!;
        arc(v.pos, this.#arcBefore(v.pos, [previous]), this.#owner[slot]!, v.id, moves);
      }
      return canonical(moves);
    }
    if (op === 'remove') {
      const id = this.#known((change as { id: unknown }).id);
      if (this.#nodes.size === 1) throw new Error(`removing "${id}", the last node, would leave its keys with no owner`);
      const moves: Move[] = [];
      const n = this.#pos.length;
      for (let i = 0; i < n; i++) {
        if (this.#owner[i] !== id) continue;
        // Only the first vnode at a position owns keys.
        if (i > 0 && this.#pos[i - 1] === this.#pos[i]) continue;
        let k = (i + 1) % n;
        while (this.#owner[k] === id) k = (k + 1) % n;
        arc(this.#pos[i]!, this.#arcBefore(this.#pos[i]!), id, this.#owner[k]!, moves);
      }
      return canonical(moves);
    }
    throw new TypeError(`change.op must be "add" or "remove", got ${JSON.stringify(op)}`);
  }
}
