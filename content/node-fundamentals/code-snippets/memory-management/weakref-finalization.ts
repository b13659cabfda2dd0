// WeakRef and FinalizationRegistry: what the spec promises, and the one pattern that is
// worth using them for, a cache whose values may be collected.
// Needs --expose-gc (set in snippets.json) to make collection happen on demand.
import { setImmediate as nextTurn } from 'node:timers/promises';

declare const gc: () => void;

// 1. A WeakRef target created (or deref'ed) during a job survives until that job ends.
function makeRef(): WeakRef<object> {
  return new WeakRef({ payload: 'x'.repeat(1024) });
}
const ref = makeRef();
gc();
console.log(`same job, after gc(): target alive = ${ref.deref() !== undefined}`);
await nextTurn();
gc();
console.log(`next turn, after gc(): target alive = ${ref.deref() !== undefined}`);

// 2. Finalization callbacks never run inside the collection: they are queued as a task.
const finalized: string[] = [];
const registry = new FinalizationRegistry<string>((heldValue) => finalized.push(heldValue));
function registerThree(): void {
  for (const name of ['a', 'b', 'c']) registry.register({ name }, name);
}
registerThree();
await nextTurn();
gc();
console.log(`callbacks run during gc(): ${finalized.length}`);
for (let turns = 0; finalized.length < 3 && turns < 100; turns++) await nextTurn();
console.log(`callbacks run on later turns: ${finalized.sort().join(', ')}`);

// 3. A cache of values that the rest of the program may still hold (parsed documents,
// decoded images): while anyone holds the value, the cache returns it; once no one does,
// the GC may reclaim it and the registry removes the dead entry from the Map.
class WeakValueCache<V extends object> {
  readonly #refs = new Map<string, WeakRef<V>>();
  readonly #registry = new FinalizationRegistry<string>((key) => {
    // The key may have been set again since this value died: delete only a dead entry.
    const current = this.#refs.get(key);
    if (current !== undefined && current.deref() === undefined) this.#refs.delete(key);
  });

  get(key: string): V | undefined {
    const ref = this.#refs.get(key);
    const value = ref?.deref();
    // The registry callback may run late or never (the spec allows both): prune on read too.
    if (ref !== undefined && value === undefined) this.#refs.delete(key);
    return value;
  }

  set(key: string, value: V): void {
    const previous = this.#refs.get(key)?.deref();
    if (previous !== undefined) this.#registry.unregister(previous);
    this.#refs.set(key, new WeakRef(value));
    this.#registry.register(value, key, value); // the value itself is the unregister token
  }

  get size(): number {
    return this.#refs.size;
  }
}

interface Doc {
  id: number;
  body: string;
}
const cache = new WeakValueCache<Doc>();
const held: Doc[] = [];
function fill(): void {
  for (let id = 0; id < 10; id++) {
    const doc: Doc = { id, body: `document ${id} `.repeat(100) };
    cache.set(`doc-${id}`, doc);
    if (id < 3) held.push(doc); // the program still uses three of them
  }
}
fill();
console.log(`cache entries after fill: ${cache.size}`);
await nextTurn();
gc();
for (let turns = 0; cache.size > held.length && turns < 100; turns++) await nextTurn();
console.log(`cache entries after gc: ${cache.size} (held elsewhere: ${held.length})`);
console.log(`doc-0 still served: ${cache.get('doc-0') === held[0]}, doc-5 gone: ${cache.get('doc-5') === undefined}`);
