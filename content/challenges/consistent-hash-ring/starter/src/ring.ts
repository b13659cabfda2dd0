// The statement (README.md) is the full contract; the comments below are a summary.
// - Bad arguments: a wrong type is a TypeError; a number that is not finite, not whole
//   where a whole number is needed, or out of range is a RangeError; a duplicate or
//   unknown node, an empty ring, or removing the last node in a plan is an Error.
// - No npm dependency: the hash is yours to write, exactly as specified.

/**
 * FNV-1a (32-bit: offset basis 0x811c9dc5, prime 0x01000193) over the UTF-8 bytes of
 * `input` (a lone surrogate as U+FFFD), then MurmurHash3's fmix32 finalizer. Returns a
 * whole number in [0, 2^32).
 */
export function hash32(input: string): number {
  throw new Error('Not implemented');
}

/** Keys whose hash h has start <= h < end move from `from` to `to`. 0 <= start < end <= 2^32. */
export interface Move {
  range: [number, number];
  from: string;
  to: string;
}

export type Change = { op: 'add'; id: string; weight?: number } | { op: 'remove'; id: string };

export class HashRing {
  /** @param options.vnodesPerWeight a whole number from 1 to 100,000; default 100 */
  constructor(options: { vnodesPerWeight?: number } = {}) {
    throw new Error('Not implemented');
  }

  /** Physical nodes in the ring. */
  get size(): number {
    throw new Error('Not implemented');
  }

  has(id: string): boolean {
    throw new Error('Not implemented');
  }

  /** Adds node `id` with Math.round(weight * vnodesPerWeight) vnodes at hash32(`${id}#${i}`). weight defaults to 1. */
  addNode(id: string, options?: { weight?: number }): void {
    throw new Error('Not implemented');
  }

  removeNode(id: string): void {
    throw new Error('Not implemented');
  }

  /** The node of the first vnode at or after hash32(key), clockwise. O(log V). */
  nodeFor(key: string): string {
    throw new Error('Not implemented');
  }

  /** r distinct physical nodes, walking clockwise from the key; 1 <= r <= size. */
  replicasFor(key: string, r: number): string[] {
    throw new Error('Not implemented');
  }

  /** The moves that `change` would cause, from vnode positions only; the ring is not changed. */
  plan(change: Change): Move[] {
    throw new Error('Not implemented');
  }
}
