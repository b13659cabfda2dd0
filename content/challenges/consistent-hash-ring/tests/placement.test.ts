import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HashRing, hash32 } from '../src/ring.ts';

const TOP = 2 ** 32;
const KEYS = Array.from({ length: 20_000 }, (_, i) => `user:${i}`);

interface Member {
  id: string;
  /** round(weight × vnodesPerWeight) */
  vnodes: number;
}

/**
 * The placement exactly as the statement defines it, built from hash32 alone: vnode i of
 * node n at hash32(`${n}#${i}`), ordered by (position, node id, index); a key belongs to
 * the first vnode at or after its hash, wrapping past the top.
 */
function model(members: Member[]) {
  const vnodes: { pos: number; id: string; index: number }[] = [];
  for (const { id, vnodes: count } of members) for (let index = 0; index < count; index++) vnodes.push({ pos: hash32(`${id}#${index}`), id, index });
  vnodes.sort((a, b) => a.pos - b.pos || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.index - b.index);
  const slot = (h: number): number => {
    let lo = 0;
    let hi = vnodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (vnodes[mid]!.pos < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === vnodes.length ? 0 : lo;
  };
  return {
    owner: (key: string): string => vnodes[slot(hash32(key))]!.id,
    replicas(key: string, r: number): string[] {
      const out: string[] = [];
      for (let i = slot(hash32(key)); out.length < r; i = (i + 1) % vnodes.length) {
        if (!out.includes(vnodes[i]!.id)) out.push(vnodes[i]!.id);
      }
      return out;
    },
  };
}

function ringOf(vnodesPerWeight: number, nodes: [string, number][]): HashRing {
  const ring = new HashRing({ vnodesPerWeight });
  for (const [id, weight] of nodes) ring.addNode(id, { weight });
  return ring;
}

/** Two colliding node ids: hash32('lunavyj#0') === hash32('titizel#0'). */
const TIE = 2080648028;

describe('hash32', () => {
  it('is FNV-1a (32-bit) over the UTF-8 bytes, then the fmix32 finalizer: the vectors of the statement', () => {
    assert.equal(hash32(''), 2872998923);
    assert.equal(hash32('a'), 444641715);
    assert.equal(hash32('foobar'), 202221276);
    assert.equal(hash32('user:42'), 599759890);
    assert.equal(hash32('cache-1#0'), 3706945950);
  });

  it('hashes UTF-8 bytes: two-byte, three-byte and four-byte characters, and a lone surrogate as U+FFFD', () => {
    assert.equal(hash32('café'), 3746663762);
    assert.equal(hash32('ключ'), 2594288994);
    assert.equal(hash32('🙂'), 1074728266);
    assert.equal(hash32('\ud800x'), 3337331921);
    assert.equal(hash32('\ud800x'), hash32('\ufffdx'));
  });

  it('returns a whole number from 0 to 2^32 − 1, the same every time', () => {
    for (const key of KEYS.slice(0, 2000)) {
      const h = hash32(key);
      assert.ok(Number.isInteger(h) && h >= 0 && h < TOP, `hash32(${key}) = ${h}`);
      assert.equal(hash32(key), h);
    }
  });
});

describe('nodeFor', () => {
  // With vnodesPerWeight 1 each node has one vnode: a at 2269659281, b at 3698825508, c at 1230301993.
  const abc = () => ringOf(1, [['a', 1], ['b', 1], ['c', 1]]);

  it('sends a key to the first virtual node at or after its hash, clockwise, wrapping past the top', () => {
    assert.deepEqual([hash32('a#0'), hash32('b#0'), hash32('c#0')], [2269659281, 3698825508, 1230301993]);
    const ring = abc();
    let wrapped = 0;
    for (const key of KEYS.slice(0, 5000)) {
      const h = hash32(key);
      const expected = h <= 1230301993 ? 'c' : h <= 2269659281 ? 'a' : h <= 3698825508 ? 'b' : 'c';
      if (h > 3698825508) wrapped++;
      assert.equal(ring.nodeFor(key), expected, `key ${key} at ${h}`);
    }
    assert.ok(wrapped > 100, 'the sample has keys past the last vnode');
  });

  it('sends a key whose hash equals a vnode position to that vnode ("at or after" is inclusive)', () => {
    const ring = abc();
    assert.equal(ring.nodeFor('a#0'), 'a');
    assert.equal(ring.nodeFor('b#0'), 'b');
    assert.equal(ring.nodeFor('c#0'), 'c');
  });

  it('gives node n the vnodes n#0 … n#(round(weight × vnodesPerWeight) − 1), halves rounding up', () => {
    // 2.5 → 3, 2.4 × 4 = 9.6 → 10, 1.125 × 4 = 4.5 → 5, 0.375 × 4 = 1.5 → 2
    const ring = ringOf(4, [['a', 0.625], ['b', 2.4], ['c', 1.125], ['d', 0.375]]);
    for (const [id, count] of [['a', 3], ['b', 10], ['c', 5], ['d', 2]] as const) {
      for (let i = 0; i < count; i++) assert.equal(ring.nodeFor(`${id}#${i}`), id, `vnode ${id}#${i} exists`);
    }
    const expected = model([{ id: 'a', vnodes: 3 }, { id: 'b', vnodes: 10 }, { id: 'c', vnodes: 5 }, { id: 'd', vnodes: 2 }]);
    for (const key of KEYS) assert.equal(ring.nodeFor(key), expected.owner(key), key);
  });

  it('places 20,000 keys exactly as specified, with weights, at the default of 100 vnodes per weight', () => {
    const ring = new HashRing();
    ring.addNode('cache-0');
    ring.addNode('cache-1', { weight: 2 });
    ring.addNode('cache-2', { weight: 0.5 });
    ring.addNode('cache-3', { weight: 1.25 });
    const expected = model([{ id: 'cache-0', vnodes: 100 }, { id: 'cache-1', vnodes: 200 }, { id: 'cache-2', vnodes: 50 }, { id: 'cache-3', vnodes: 125 }]);
    for (const key of KEYS) assert.equal(ring.nodeFor(key), expected.owner(key), key);
  });

  it('breaks a tie at one position in favour of the smaller node id (UTF-16 order), whatever the order of joining', () => {
    assert.equal(hash32('lunavyj#0'), TIE);
    assert.equal(hash32('titizel#0'), TIE);
    for (const order of [['lunavyj', 'titizel'], ['titizel', 'lunavyj']]) {
      const ring = ringOf(1, order.map((id) => [id, 1]));
      for (const key of KEYS.slice(0, 200)) assert.equal(ring.nodeFor(key), 'lunavyj');
      assert.deepEqual(ring.replicasFor('lunavyj#0', 2), ['lunavyj', 'titizel']);
    }
    const withThird = ringOf(1, [['titizel', 1], ['zed', 1], ['lunavyj', 1]]);
    const expected = model([{ id: 'titizel', vnodes: 1 }, { id: 'zed', vnodes: 1 }, { id: 'lunavyj', vnodes: 1 }]);
    for (const key of KEYS.slice(0, 2000)) {
      assert.equal(withThird.nodeFor(key), expected.owner(key));
      assert.deepEqual(withThird.replicasFor(key, 3), expected.replicas(key, 3));
    }
  });

  it('depends only on the members and their weights, not on the order they joined or who came and went', () => {
    const ids = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const first = new HashRing({ vnodesPerWeight: 50 });
    for (const id of ids) first.addNode(id, { weight: id === 's3' ? 2 : 1 });
    const second = new HashRing({ vnodesPerWeight: 50 });
    second.addNode('temp', { weight: 3 });
    for (const id of [...ids].reverse()) second.addNode(id, { weight: id === 's3' ? 2 : 1 });
    second.removeNode('s4');
    second.removeNode('temp');
    second.addNode('s4');
    for (const key of KEYS) assert.equal(second.nodeFor(key), first.nodeFor(key), key);
  });

  it('treats the empty string as a key like any other', () => {
    const ring = abc();
    assert.equal(ring.nodeFor(''), model([{ id: 'a', vnodes: 1 }, { id: 'b', vnodes: 1 }, { id: 'c', vnodes: 1 }]).owner(''));
  });
});

describe('replicasFor', () => {
  it('returns r distinct physical nodes: the owner first, then the next new node clockwise', () => {
    const ring = ringOf(50, [['n0', 1], ['n1', 2], ['n2', 1], ['n3', 0.5], ['n4', 1], ['n5', 1], ['n6', 3], ['n7', 1]]);
    const expected = model([['n0', 50], ['n1', 100], ['n2', 50], ['n3', 25], ['n4', 50], ['n5', 50], ['n6', 150], ['n7', 50]].map(([id, vnodes]) => ({ id: id as string, vnodes: vnodes as number })));
    for (const key of KEYS.slice(0, 5000)) {
      const replicas = ring.replicasFor(key, 3);
      assert.equal(new Set(replicas).size, 3, `${key}: ${replicas.join(', ')} are distinct`);
      assert.deepEqual(replicas, expected.replicas(key, 3), key);
    }
  });

  it('skips further vnodes of nodes already chosen and wraps past the top of the ring', () => {
    // Positions: c 1230301993 < a 2269659281 < b 3698825508; a key past b wraps to c.
    const ring = ringOf(1, [['a', 1], ['b', 1], ['c', 1]]);
    assert.deepEqual(ring.replicasFor('a#0', 3), ['a', 'b', 'c']);
    assert.deepEqual(ring.replicasFor('b#0', 3), ['b', 'c', 'a']);
    assert.deepEqual(ring.replicasFor('c#0', 2), ['c', 'a']);
    const wrapping = KEYS.find((key) => hash32(key) > 3698825508)!;
    assert.deepEqual(ring.replicasFor(wrapping, 3), ['c', 'a', 'b']);
    const many = ringOf(40, [['p', 1], ['q', 1]]);
    for (const key of KEYS.slice(0, 500)) {
      const [owner, other] = many.replicasFor(key, 2);
      assert.equal(owner, many.nodeFor(key));
      assert.equal(other, owner === 'p' ? 'q' : 'p');
    }
  });

  it('with r = 1 is [nodeFor(key)], and with r = the node count lists every node once', () => {
    const ring = ringOf(20, [['a', 1], ['b', 1], ['c', 2], ['d', 1], ['e', 1]]);
    for (const key of KEYS.slice(0, 1000)) {
      assert.deepEqual(ring.replicasFor(key, 1), [ring.nodeFor(key)]);
      assert.deepEqual([...ring.replicasFor(key, 5)].sort(), ['a', 'b', 'c', 'd', 'e']);
    }
  });

  it('returns a fresh array each call: changing it changes nothing in the ring', () => {
    const ring = ringOf(20, [['a', 1], ['b', 1]]);
    const replicas = ring.replicasFor('k', 2);
    replicas.length = 0;
    assert.equal(ring.replicasFor('k', 2).length, 2);
  });
});
