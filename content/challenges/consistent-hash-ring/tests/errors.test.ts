import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HashRing } from '../src/ring.ts';
import type { Change } from '../src/ring.ts';

const KEYS = Array.from({ length: 2000 }, (_, i) => `user:${i}`);

/** Any value, past the type checker: the tests call the API as plain JavaScript would. */
const loose = <T>(value: unknown): T => value as T;

/** A state error: a plain Error (not a TypeError or RangeError) whose message matches. */
const stateError = (pattern: RegExp) => (error: unknown): boolean =>
  error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError) && pattern.test(error.message);

function sample(): HashRing {
  const ring = new HashRing({ vnodesPerWeight: 20 });
  ring.addNode('cache-1');
  ring.addNode('cache-2', { weight: 2 });
  return ring;
}

/** Runs `act`, which must throw, and checks that the ring still answers as before. */
function assertUnchanged(ring: HashRing, act: () => void, expected: (error: unknown) => boolean): void {
  const size = ring.size;
  const before = KEYS.map((key) => ring.nodeFor(key));
  assert.throws(act, expected);
  assert.equal(ring.size, size, 'size unchanged');
  assert.deepEqual(KEYS.map((key) => ring.nodeFor(key)), before, 'placements unchanged');
}

describe('bad arguments', () => {
  it('the constructor refuses options that are not an object (TypeError) and a vnodesPerWeight that is not a whole number from 1 to 100,000 (RangeError)', () => {
    for (const options of [null, 5, 'x']) assert.throws(() => new HashRing(loose(options)), TypeError);
    assert.throws(() => new HashRing(loose({ vnodesPerWeight: '10' })), TypeError);
    for (const vnodesPerWeight of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 100_001]) {
      assert.throws(() => new HashRing({ vnodesPerWeight }), RangeError, `vnodesPerWeight ${vnodesPerWeight}`);
    }
    assert.doesNotThrow(() => new HashRing({ vnodesPerWeight: 100_000 }));
    assert.doesNotThrow(() => new HashRing({}));
  });

  it('addNode refuses an id that is not a non-empty string, and options that are not an object, with a TypeError', () => {
    const ring = sample();
    for (const id of [undefined, null, 7, '', {}]) assertUnchanged(ring, () => ring.addNode(loose(id)), (error) => error instanceof TypeError);
    assertUnchanged(ring, () => ring.addNode('x', loose(3)), (error) => error instanceof TypeError);
    assertUnchanged(ring, () => ring.addNode('x', loose({ weight: '2' })), (error) => error instanceof TypeError);
    assert.equal(ring.has('x'), false);
  });

  it('addNode refuses a weight that is not finite and greater than 0 with a RangeError, and changes nothing', () => {
    const ring = sample();
    for (const weight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      assertUnchanged(ring, () => ring.addNode('x', { weight }), (error) => error instanceof RangeError);
    }
    assert.equal(ring.has('x'), false);
    ring.addNode('x', { weight: 1 });
    assert.equal(ring.has('x'), true);
  });

  it('addNode refuses a weight that rounds to 0 vnodes or to more than 100,000 (bounded memory), and changes nothing', () => {
    const ring = sample(); // 20 vnodes per weight
    assertUnchanged(ring, () => ring.addNode('tiny', { weight: 0.024 }), (error) => error instanceof RangeError); // 0.48 → 0
    assertUnchanged(ring, () => ring.addNode('huge', { weight: 5000.05 }), (error) => error instanceof RangeError); // 100,001
    assert.equal(ring.has('tiny') || ring.has('huge'), false);
    ring.addNode('smallest', { weight: 0.025 }); // 0.5 → 1
    ring.addNode('largest', { weight: 5000 }); // 100,000
    assert.equal(ring.size, 4);
  });

  it('addNode refuses a node already in the ring, naming it, and leaves its vnodes as they were', () => {
    const ring = sample();
    assertUnchanged(ring, () => ring.addNode('cache-2', { weight: 5 }), stateError(/cache-2/));
    assertUnchanged(ring, () => ring.addNode('cache-1'), stateError(/cache-1/));
  });

  it('removeNode refuses an unknown node, naming it, and an id that is not a string (TypeError)', () => {
    const ring = sample();
    assertUnchanged(ring, () => ring.removeNode('cache-9'), stateError(/cache-9/));
    assertUnchanged(ring, () => ring.removeNode(loose(1)), (error) => error instanceof TypeError);
    ring.removeNode('cache-1');
    assertUnchanged(ring, () => ring.removeNode('cache-1'), stateError(/cache-1/));
  });

  it('lookups on an empty ring throw an Error that says the ring is empty', () => {
    const ring = new HashRing();
    assert.throws(() => ring.nodeFor('k'), stateError(/empty/i));
    assert.throws(() => ring.replicasFor('k', 1), stateError(/empty/i));
    ring.addNode('a');
    ring.removeNode('a');
    assert.throws(() => ring.nodeFor('k'), stateError(/empty/i));
  });

  it('lookups refuse a key that is not a string with a TypeError', () => {
    const ring = sample();
    for (const key of [undefined, null, 42, {}]) {
      assert.throws(() => ring.nodeFor(loose(key)), TypeError);
      assert.throws(() => ring.replicasFor(loose(key), 1), TypeError);
    }
  });

  it('replicasFor refuses an r that is not a number (TypeError) or not a whole number from 1 to the node count (RangeError)', () => {
    const ring = sample();
    assert.throws(() => ring.replicasFor('k', loose('2')), TypeError);
    for (const r of [0, -1, 1.5, Number.NaN, 3]) assert.throws(() => ring.replicasFor('k', r), RangeError, `r = ${r}`);
    assert.equal(ring.replicasFor('k', 2).length, 2);
  });

  it('plan validates its change like addNode and removeNode do, and a refused plan changes nothing', () => {
    const ring = sample();
    for (const change of [null, 'add', 3]) assertUnchanged(ring, () => ring.plan(loose(change)), (error) => error instanceof TypeError);
    assertUnchanged(ring, () => ring.plan(loose({ op: 'resize', id: 'x' })), (error) => error instanceof TypeError);
    assertUnchanged(ring, () => ring.plan(loose({ op: 'add', id: 7 })), (error) => error instanceof TypeError);
    assertUnchanged(ring, () => ring.plan({ op: 'add', id: 'x', weight: 0 }), (error) => error instanceof RangeError);
    assertUnchanged(ring, () => ring.plan({ op: 'add', id: 'x', weight: 5000.05 }), (error) => error instanceof RangeError);
    assertUnchanged(ring, () => ring.plan({ op: 'add', id: 'cache-1' }), stateError(/cache-1/));
    assertUnchanged(ring, () => ring.plan({ op: 'remove', id: 'cache-7' } satisfies Change), stateError(/cache-7/));
    assertUnchanged(ring, () => ring.plan(loose({ op: 'remove' })), (error) => error instanceof TypeError);
  });
});
