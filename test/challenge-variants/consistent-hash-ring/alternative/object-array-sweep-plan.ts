// Alternative: one array of vnode objects re-sorted with a comparator on every membership change, and a plan computed by building the after-ring's vnode list and sweeping the union of both rings' positions, comparing owners arc by arc
const TOP = 4294967296;

export function hash32(input: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(input)) h = Math.imul(h ^ byte, 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface Move {
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

const order = (a: VNode, b: VNode): number => a.pos - b.pos || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.index - b.index;

function lowerBound(list: readonly VNode[], h: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.pos < h) lo = mid + 1;
    else hi = mid;
  }
  return lo === list.length ? 0 : lo;
}

export class HashRing {
  #perWeight: number;
  #vnodes: VNode[] = [];
  #members = new Set<string>();

  constructor(options: { vnodesPerWeight?: number } = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    const perWeight = options.vnodesPerWeight ?? 100;
    if (typeof perWeight !== 'number') throw new TypeError('vnodesPerWeight must be a number');
    if (!Number.isInteger(perWeight) || perWeight < 1 || perWeight > 100_000) throw new RangeError(`bad vnodesPerWeight ${perWeight}`);
    this.#perWeight = perWeight;
  }

  get size(): number {
    return this.#members.size;
  }

  has(id: string): boolean {
    return this.#members.has(id);
  }

  #id(id: unknown): string {
    if (typeof id !== 'string' || id === '') throw new TypeError('a node id is a non-empty string');
    return id;
  }

  #vnodesOf(id: unknown, options: unknown): VNode[] {
    const name = this.#id(id);
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('options must be an object');
    const weight = (options as { weight?: unknown } | undefined)?.weight ?? 1;
    if (typeof weight !== 'number') throw new TypeError('weight must be a number');
    if (!(weight > 0) || weight === Infinity) throw new RangeError(`weight must be finite and > 0, got ${weight}`);
    const count = Math.round(weight * this.#perWeight);
    if (count < 1 || count > 100_000) throw new RangeError(`weight ${weight} gives ${count} vnodes; 1 to 100000 allowed`);
    if (this.#members.has(name)) throw new Error(`duplicate node "${name}"`);
    return Array.from({ length: count }, (_, index) => ({ pos: hash32(`${name}#${index}`), id: name, index }));
  }

  #member(id: unknown): string {
    const name = this.#id(id);
    if (!this.#members.has(name)) throw new Error(`unknown node "${name}"`);
    return name;
  }

  addNode(id: string, options?: { weight?: number }): void {
    const added = this.#vnodesOf(id, options);
    this.#vnodes = [...this.#vnodes, ...added].sort(order);
    this.#members.add(id);
  }

  removeNode(id: string): void {
    const name = this.#member(id);
    this.#vnodes = this.#vnodes.filter((v) => v.id !== name);
    this.#members.delete(name);
  }

  #lookupArgs(key: unknown): string {
    if (typeof key !== 'string') throw new TypeError('key must be a string');
    return key;
  }

  nodeFor(key: string): string {
    this.#lookupArgs(key);
    if (this.#vnodes.length === 0) throw new Error('empty ring');
    return this.#vnodes[lowerBound(this.#vnodes, hash32(key))]!.id;
  }

  replicasFor(key: string, r: number): string[] {
    this.#lookupArgs(key);
    if (typeof r !== 'number') throw new TypeError('r must be a number');
    if (this.#vnodes.length === 0) throw new Error('empty ring');
    if (!Number.isInteger(r) || r < 1 || r > this.#members.size) throw new RangeError(`r must be 1..${this.#members.size}`);
    const found = new Set<string>();
    for (let i = lowerBound(this.#vnodes, hash32(key)); found.size < r; i = (i + 1) % this.#vnodes.length) found.add(this.#vnodes[i]!.id);
    return [...found];
  }

  plan(change: Change): Move[] {
    if (typeof change !== 'object' || change === null) throw new TypeError('change must be an object');
    let after: VNode[];
    if (change.op === 'add') {
      const added = this.#vnodesOf(change.id, change.weight === undefined ? undefined : { weight: change.weight });
      if (this.#vnodes.length === 0) return [];
      after = [...this.#vnodes, ...added].sort(order);
    } else if (change.op === 'remove') {
      const name = this.#member(change.id);
      if (this.#members.size === 1) throw new Error(`cannot remove "${name}": it is the last node`);
      after = this.#vnodes.filter((v) => v.id !== name);
    } else throw new TypeError('change.op must be add or remove');
    const before = this.#vnodes;
    const points = [...new Set([...before, ...after].map((v) => v.pos))].sort((a, b) => a - b);
    const moves: Move[] = [];
    const push = (start: number, end: number, from: string, to: string): void => {
      const last = moves[moves.length - 1];
      if (last && last.range[1] === start && last.from === from && last.to === to) last.range[1] = end;
      else moves.push({ range: [start, end], from, to });
    };
    const ownerAt = (list: VNode[], p: number) => list[lowerBound(list, p)]!.id;
    // Sweep the circle from 0: [0, p0 + 1) is the tail of the wrapping arc owned at p0.
    let start = 0;
    for (const p of points) {
      const from = ownerAt(before, p);
      const to = ownerAt(after, p);
      if (from !== to) push(start, p + 1, from, to);
      start = p + 1;
    }
    if (start < TOP) {
      const from = ownerAt(before, points[0]!);
      const to = ownerAt(after, points[0]!);
      if (from !== to) push(start, TOP, from, to);
    }
    return moves;
  }
}
