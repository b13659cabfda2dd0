// Local vs global secondary indexes, as a MODEL of DynamoDB's documented behaviour (Developer
// Guide, "Global secondary indexes" and "Local secondary indexes"): an LSI shares the partition
// of its base items and is updated with them, so a strongly consistent read of it sees the write;
// a GSI is a separate key space fed asynchronously, offers only eventually consistent reads, and
// lags the base table. Time is a virtual clock; the lag is an input here, not a measurement.

type Order = { customer: string; orderId: string; status: string; total: number };

class ModelTable {
  readonly base = new Map<string, Order>(); // primary key: customer | orderId
  readonly lsi = new Map<string, Order>(); // same partition key, other sort key (total): written with the item
  readonly gsi = new Map<string, Map<string, Order>>(); // GSI partition key (status) -> items: written by the replicator
  readonly #pending: Array<{ due: number; key: string; before: Order | undefined; after: Order }> = [];
  readonly #lagMs: number;
  now = 0;

  constructor(lagMs: number) {
    this.#lagMs = lagMs;
  }

  put(o: Order): void {
    const key = `${o.customer}|${o.orderId}`;
    const before = this.base.get(key);
    this.base.set(key, o);
    if (before) this.lsi.delete(`${before.customer}|${String(before.total).padStart(8, '0')}|${before.orderId}`);
    this.lsi.set(`${o.customer}|${String(o.total).padStart(8, '0')}|${o.orderId}`, o); // same partition, same write
    this.#pending.push({ due: this.now + this.#lagMs, key, before, after: o }); // the GSI update is queued
  }

  advance(ms: number): void {
    this.now += ms;
    while (this.#pending.length && this.#pending[0]!.due <= this.now) {
      const { key, before, after } = this.#pending.shift()!; // applied in order, per item
      if (before) this.gsi.get(before.status)?.delete(key);
      (this.gsi.get(after.status) ?? this.gsi.set(after.status, new Map()).get(after.status)!).set(key, after);
    }
  }

  queryLsi(customer: string): string[] {
    return [...this.lsi.entries()].filter(([k]) => k.startsWith(`${customer}|`)).sort().reverse().map(([, o]) => `${o.orderId}:${o.total}`);
  }

  queryGsi(status: string): string[] {
    return [...(this.gsi.get(status)?.values() ?? [])].map((o) => `${o.orderId}:${o.status}`);
  }
}

const t = new ModelTable(250);
t.put({ customer: 'ann', orderId: 'o1', status: 'placed', total: 40 });
t.advance(1000);
console.log(`t=${t.now} ms  GSI status=placed: [${t.queryGsi('placed')}]`);

t.put({ customer: 'ann', orderId: 'o2', status: 'placed', total: 90 });
t.put({ customer: 'ann', orderId: 'o1', status: 'shipped', total: 40 }); // o1 moves between GSI partitions
console.log(`t=${t.now} ms  write o2 (placed), update o1 placed -> shipped`);
console.log(`  base GetItem ann|o1 (strongly consistent): status=${t.base.get('ann|o1')!.status}`);
console.log(`  LSI by total, ann (strongly consistent):   [${t.queryLsi('ann')}]`);
console.log(`  GSI status=placed:  [${t.queryGsi('placed')}]   <- o1 still listed, o2 missing`);
console.log(`  GSI status=shipped: [${t.queryGsi('shipped')}]`);
// What application code does about it: treat a GSI hit as a candidate and confirm it against the
// base item (GetItem by primary key, ConsistentRead), or read the base table when the caller must
// see its own write. Nothing can make the GSI show o2 before the replicator has applied it.
const hits = t.queryGsi('placed').map((s) => s.split(':')[0]!);
const confirmed = hits.filter((id) => t.base.get(`ann|${id}`)?.status === 'placed');
console.log(`  GSI hits confirmed against the base table: [${confirmed}] of [${hits}]`);
t.advance(100);
console.log(`t=${t.now} ms  GSI status=placed: [${t.queryGsi('placed')}]   (lag not yet elapsed)`);
t.advance(200);
console.log(`t=${t.now} ms  GSI status=placed: [${t.queryGsi('placed')}]  shipped: [${t.queryGsi('shipped')}]`);

