import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HashRing, hash32 } from '../src/ring.ts';
import type { Change, Move } from '../src/ring.ts';

const TOP = 2 ** 32;
const KEYS = Array.from({ length: 20_000 }, (_, i) => `user:${i}`);

function ringOf(vnodesPerWeight: number, nodes: [string, number][]): HashRing {
  const ring = new HashRing({ vnodesPerWeight });
  for (const [id, weight] of nodes) ring.addNode(id, { weight });
  return ring;
}

const cluster = (n: number, vnodesPerWeight = 200): HashRing => ringOf(vnodesPerWeight, Array.from({ length: n }, (_, i) => [`cache-${i}`, 1]));
const placements = (ring: HashRing): string[] => KEYS.map((key) => ring.nodeFor(key));

function loads(ring: HashRing): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of KEYS) {
    const node = ring.nodeFor(key);
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/**
 * The plan as the statement defines it, from vnode positions alone: between two consecutive
 * distinct positions of the union of both rings, each ring's owner is constant, so the moved
 * positions are a union of such arcs; cut at 2^32, sort, merge touching arcs of one (from, to).
 */
function expectedPlan(vnodesPerWeight: number, before: [string, number][], after: [string, number][]): Move[] {
  const vnodesOf = (nodes: [string, number][]) => {
    const list: { pos: number; id: string; index: number }[] = [];
    for (const [id, weight] of nodes) for (let index = 0; index < Math.round(weight * vnodesPerWeight); index++) list.push({ pos: hash32(`${id}#${index}`), id, index });
    return list.sort((a, b) => a.pos - b.pos || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.index - b.index);
  };
  const owner = (list: { pos: number; id: string }[], h: number): string => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.pos < h) lo = mid + 1;
      else hi = mid;
    }
    return list[lo === list.length ? 0 : lo]!.id;
  };
  const old = vnodesOf(before);
  const next = vnodesOf(after);
  const points = [...new Set([...old, ...next].map((v) => v.pos))].sort((a, b) => a - b);
  const arcs: Move[] = [];
  points.forEach((end, k) => {
    const previous = points[(k - 1 + points.length) % points.length]!;
    const length = points.length === 1 ? TOP : (end - previous + TOP) % TOP;
    const from = owner(old, end);
    const to = owner(next, end);
    if (from === to) return;
    const start = (end - length + 1 + TOP) % TOP;
    if (start <= end) arcs.push({ range: [start, end + 1], from, to });
    else arcs.push({ range: [start, TOP], from, to }, { range: [0, end + 1], from, to });
  });
  arcs.sort((a, b) => a.range[0] - b.range[0]);
  const merged: Move[] = [];
  for (const arc of arcs) {
    const last = merged[merged.length - 1];
    if (last && last.range[1] === arc.range[0] && last.from === arc.from && last.to === arc.to) last.range[1] = arc.range[1];
    else merged.push({ range: [arc.range[0], arc.range[1]], from: arc.from, to: arc.to });
  }
  return merged;
}

/** The plan's ranges are sorted, disjoint, non-empty, inside [0, 2^32), and maximal. */
function assertCanonical(plan: Move[]): void {
  let end = 0;
  plan.forEach((move, i) => {
    const [start, stop] = move.range;
    assert.ok(Number.isInteger(start) && Number.isInteger(stop) && start >= 0 && start < stop && stop <= TOP, `move ${i}: range [${start}, ${stop}) is a non-empty range inside [0, 2^32)`);
    assert.ok(start >= end, `move ${i} starts at ${start}, before the previous range ends (${end})`);
    assert.notEqual(move.from, move.to, `move ${i} goes somewhere`);
    const previous = plan[i - 1];
    if (previous && previous.range[1] === start) {
      assert.ok(previous.from !== move.from || previous.to !== move.to, `moves ${i - 1} and ${i} touch and share from and to: they are one range`);
    }
    end = stop;
  });
}

/** Checks the plan against what lookups actually do when the change is applied. */
function assertPlanMatchesMovement(ring: HashRing, change: Change): void {
  const plan = ring.plan(change);
  const old = placements(ring);
  if (change.op === 'add') ring.addNode(change.id, change.weight === undefined ? undefined : { weight: change.weight });
  else ring.removeNode(change.id);
  const starts = plan.map((move) => move.range[0]);
  let moved = 0;
  KEYS.forEach((key, i) => {
    const h = hash32(key);
    const now = ring.nodeFor(key);
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= h) lo = mid + 1;
      else hi = mid;
    }
    const move = lo > 0 && h < plan[lo - 1]!.range[1] ? plan[lo - 1] : undefined;
    if (now === old[i]) assert.equal(move, undefined, `${key} (at ${h}) stays on ${now} but the plan moves it`);
    else {
      moved++;
      assert.deepEqual(move && { from: move.from, to: move.to }, { from: old[i], to: now }, `${key} (at ${h}) moves from ${old[i]} to ${now}`);
    }
  });
  assert.ok(moved > 0, 'the change moves some keys');
}

describe('joins and leaves', () => {
  it('a join moves keys only to the new node', () => {
    const ring = cluster(9);
    const old = placements(ring);
    ring.addNode('cache-9');
    KEYS.forEach((key, i) => {
      const now = ring.nodeFor(key);
      if (now !== old[i]) assert.equal(now, 'cache-9', `${key} moved from ${old[i]} to ${now}`);
    });
  });

  it('a join to n nodes moves within 25% of the theoretical 1/(n + 1) of 20,000 keys (n from 3 to 12, 200 vnodes per node)', () => {
    for (let n = 3; n <= 12; n++) {
      const ring = cluster(n);
      const old = placements(ring);
      ring.addNode(`cache-${n}`);
      const moved = KEYS.filter((key, i) => ring.nodeFor(key) !== old[i]).length / KEYS.length;
      const theory = 1 / (n + 1);
      assert.ok(Math.abs(moved - theory) <= 0.25 * theory, `n = ${n}: ${(moved * 100).toFixed(2)}% of the keys moved, theory ${(theory * 100).toFixed(2)}%`);
    }
  });

  it('a leave moves only the leaver’s keys, each to what was its second replica', () => {
    const ring = cluster(10);
    const old = placements(ring);
    const second = KEYS.map((key) => ring.replicasFor(key, 2)[1]);
    ring.removeNode('cache-4');
    KEYS.forEach((key, i) => {
      const now = ring.nodeFor(key);
      if (old[i] === 'cache-4') assert.equal(now, second[i], `${key} leaves cache-4 for its former second replica`);
      else assert.equal(now, old[i], `${key} was on ${old[i]} and must stay there`);
    });
  });

  it('removing a node and adding it back restores every placement', () => {
    const ring = ringOf(100, [['a', 1], ['b', 2], ['c', 1], ['d', 0.5]]);
    const old = placements(ring);
    ring.removeNode('b');
    ring.addNode('b', { weight: 2 });
    assert.deepEqual(placements(ring), old);
  });

  it('size and has follow joins and leaves', () => {
    const ring = new HashRing({ vnodesPerWeight: 10 });
    assert.equal(ring.size, 0);
    ring.addNode('a');
    ring.addNode('b', { weight: 3 });
    assert.equal(ring.size, 2);
    assert.equal(ring.has('a'), true);
    assert.equal(ring.has('c'), false);
    ring.removeNode('a');
    assert.equal(ring.size, 1);
    assert.equal(ring.has('a'), false);
    for (const key of KEYS.slice(0, 200)) assert.equal(ring.nodeFor(key), 'b');
    ring.removeNode('b');
    assert.equal(ring.size, 0);
    assert.throws(() => ring.nodeFor('k'), /empty/i);
  });
});

describe('balance and weights', () => {
  it('with 200 vnodes per node over 10 nodes, every node holds between 0.8 and 1.2 × the mean of 20,000 keys', () => {
    const counts = loads(cluster(10));
    assert.equal(counts.size, 10);
    const mean = KEYS.length / 10;
    for (const [node, count] of counts) assert.ok(count <= 1.2 * mean && count >= 0.8 * mean, `${node} holds ${count} keys, mean ${mean}`);
  });

  it('with weights 1, 2, 3 and 4 at 100 vnodes per weight, each node’s share is within 15% of weight / total weight', () => {
    const counts = loads(ringOf(100, [['w1', 1], ['w2', 2], ['w3', 3], ['w4', 4]]));
    for (const weight of [1, 2, 3, 4]) {
      const share = (counts.get(`w${weight}`) ?? 0) / KEYS.length;
      const expected = weight / 10;
      assert.ok(Math.abs(share - expected) <= 0.15 * expected, `w${weight} holds ${(share * 100).toFixed(2)}% of the keys, expected ${(expected * 100).toFixed(0)}%`);
    }
  });
});

describe('plan', () => {
  // vnodesPerWeight 1: c at 1230301993, d at 1392213712, a at 2269659281, b at 3698825508.
  it('lists, for a small ring by hand, the arcs that change owner as [start, end) ranges', () => {
    const ring = ringOf(1, [['a', 1], ['b', 1], ['c', 1]]);
    // d lands between c and a: it takes (c, d] from a.
    assert.deepEqual(ring.plan({ op: 'add', id: 'd' }), [{ range: [1230301994, 1392213713], from: 'a', to: 'd' }]);
    // c owns (b, c], which wraps: it is cut at 2^32 and the ranges sorted by start.
    assert.deepEqual(ring.plan({ op: 'remove', id: 'c' }), [
      { range: [0, 1230301994], from: 'c', to: 'a' },
      { range: [3698825509, TOP], from: 'c', to: 'a' },
    ]);
    assert.deepEqual(ring.plan({ op: 'remove', id: 'a' }), [{ range: [1230301994, 2269659282], from: 'a', to: 'b' }]);
  });

  it('adding a second node to a one-node ring hands over one arc, and removing it hands it back', () => {
    const ring = ringOf(1, [['a', 1]]);
    assert.deepEqual(ring.plan({ op: 'add', id: 'b' }), [{ range: [2269659282, 3698825509], from: 'a', to: 'b' }]);
    ring.addNode('b');
    assert.deepEqual(ring.plan({ op: 'remove', id: 'b' }), [{ range: [2269659282, 3698825509], from: 'b', to: 'a' }]);
    assert.deepEqual(ring.plan({ op: 'remove', id: 'a' }), [
      { range: [0, 2269659282], from: 'a', to: 'b' },
      { range: [3698825509, TOP], from: 'a', to: 'b' },
    ]);
  });

  it('is exactly the difference of the two placements, for joins and leaves, with weights and adjacent vnodes', () => {
    const scenarios: [number, [string, number][]][] = [
      [200, Array.from({ length: 9 }, (_, i) => [`cache-${i}`, 1] as [string, number])],
      [50, [['a', 1], ['b', 3], ['c', 0.5], ['d', 2]]],
      [3, [['p', 1], ['q', 1], ['r', 2], ['s', 1]]],
      [1, [['a', 1], ['c', 1]]],
    ];
    for (const [vnodesPerWeight, nodes] of scenarios) {
      const ring = ringOf(vnodesPerWeight, nodes);
      for (const weight of [1, 2.5]) {
        const plan = ring.plan({ op: 'add', id: 'newcomer', weight });
        assertCanonical(plan);
        assert.deepEqual(plan, expectedPlan(vnodesPerWeight, nodes, [...nodes, ['newcomer', weight]]), `join of weight ${weight} at ${vnodesPerWeight} vnodes per weight`);
      }
      for (const [id] of nodes) {
        const plan = ring.plan({ op: 'remove', id });
        assertCanonical(plan);
        assert.deepEqual(plan, expectedPlan(vnodesPerWeight, nodes, nodes.filter(([other]) => other !== id)), `leave of ${id} at ${vnodesPerWeight} vnodes per weight`);
      }
    }
  });

  it('covers exactly the keys that move, from their old node to their new one: 20,000 keys, a join then a leave', () => {
    const ring = cluster(9);
    assertPlanMatchesMovement(ring, { op: 'add', id: 'cache-9' });
    assertPlanMatchesMovement(ring, { op: 'remove', id: 'cache-3' });
    const weighted = ringOf(100, [['a', 1], ['b', 2], ['c', 0.5]]);
    assertPlanMatchesMovement(weighted, { op: 'add', id: 'd', weight: 1.5 });
    assertPlanMatchesMovement(weighted, { op: 'remove', id: 'b' });
  });

  it('changes nothing in the ring', () => {
    const ring = cluster(5, 50);
    const old = placements(ring);
    ring.plan({ op: 'add', id: 'cache-5', weight: 2 });
    ring.plan({ op: 'remove', id: 'cache-1' });
    assert.equal(ring.size, 5);
    assert.equal(ring.has('cache-5'), false);
    assert.equal(ring.has('cache-1'), true);
    assert.deepEqual(placements(ring), old);
  });

  it('follows the tie rule: a newcomer that loses every tie gets nothing, one that wins takes the whole ring', () => {
    // hash32('lunavyj#0') === hash32('titizel#0'): with one vnode each, the smaller id owns every key.
    const ring = ringOf(1, [['titizel', 1]]);
    assert.deepEqual(ring.plan({ op: 'add', id: 'lunavyj' }), [{ range: [0, TOP], from: 'titizel', to: 'lunavyj' }]);
    ring.addNode('lunavyj');
    assert.deepEqual(ring.plan({ op: 'remove', id: 'titizel' }), []);
    assert.deepEqual(ring.plan({ op: 'remove', id: 'lunavyj' }), [{ range: [0, TOP], from: 'lunavyj', to: 'titizel' }]);
    const other = ringOf(1, [['lunavyj', 1]]);
    assert.deepEqual(other.plan({ op: 'add', id: 'titizel' }), []);
  });

  it('adding the first node to an empty ring moves nothing: the plan is empty', () => {
    const ring = new HashRing();
    assert.deepEqual(ring.plan({ op: 'add', id: 'first' }), []);
    assert.equal(ring.size, 0);
  });

  it('refuses to plan the removal of the last node, whose keys would have no owner', () => {
    const ring = ringOf(10, [['only', 1]]);
    assert.throws(() => ring.plan({ op: 'remove', id: 'only' }), (error: unknown) => error instanceof Error && /only/.test(error.message));
    assert.equal(ring.size, 1);
  });
});
