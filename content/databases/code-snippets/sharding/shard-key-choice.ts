// Four candidate shard keys for one multi-tenant events table, scored on the properties that
// decide a shard key: cardinality, frequency of the commonest value, monotonicity, and how many
// shards each common query must touch. 200,000 events over 24 hours, 8 shards, all deterministic.
import { hash32, prng } from './lib/hash.ts';

const SHARDS = 8;
const random = prng(11);
interface Event { tenant: number; user: number; minute: number }

// 1,000 tenants with Zipf-like sizes (s = 1.1): tenant 1 is the big customer.
const TENANTS = 1_000;
const weights = Array.from({ length: TENANTS }, (_, i) => 1 / (i + 1) ** 1.1);
const totalWeight = weights.reduce((a, b) => a + b, 0);
const pickTenant = (): number => {
  let u = random() * totalWeight;
  for (let i = 0; i < TENANTS; i++) if ((u -= weights[i]!) <= 0) return i + 1;
  return TENANTS;
};
// 50 users per tenant, ids unique across tenants; events in time order over 1,440 minutes.
const events: Event[] = Array.from({ length: 200_000 }, (_, i) => {
  const tenant = pickTenant();
  return { tenant, user: tenant * 100 + Math.floor(random() * 50), minute: Math.floor((i * 1440) / 200_000) };
});

const count = <K>(keys: K[]): Map<K, number> => { const m = new Map<K, number>(); for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1); return m; };
const tenantCounts = count(events.map((e) => e.tenant));
const topShare = Math.max(...tenantCounts.values()) / events.length;
// Tenants above 4% of events get their rows spread by user as well (found by counting, as a job would).
const bigTenants = new Set([...tenantCounts].filter(([, n]) => n / events.length > 0.04).map(([t]) => t));

interface Candidate { name: string; shard: (e: Event) => number }
const candidates: Candidate[] = [
  { name: 'hash(tenant_id)', shard: (e) => hash32(`t${e.tenant}`) % SHARDS },
  { name: 'hash(user_id)', shard: (e) => hash32(`u${e.user}`) % SHARDS },
  { name: 'range(created_at)', shard: (e) => Math.floor((e.minute * SHARDS) / 1440) },
  { name: 'tiered tenant/user', shard: (e) => hash32(bigTenants.has(e.tenant) ? `t${e.tenant}/u${e.user}` : `t${e.tenant}`) % SHARDS },
];

console.log(`tenant_id: ${tenantCounts.size} distinct values, the biggest tenant has ${(100 * topShare).toFixed(1)}% of events (a shard's fair share is ${(100 / SHARDS).toFixed(1)}%)`);
console.log(`tenants above 4%: ${[...bigTenants].sort((a, b) => a - b).join(', ')}; user_id: ${count(events.map((e) => e.user)).size} distinct values; created_at: monotonic (every new row has the largest value)`);
console.log('shard key             data max/mean  last-hour writes max/mean  shards per tenant query  shards per user query');
for (const c of candidates) {
  const data = new Array<number>(SHARDS).fill(0);
  const recent = new Array<number>(SHARDS).fill(0);
  const tenantShards = new Map<number, Set<number>>();
  const userShards = new Map<number, Set<number>>();
  for (const e of events) {
    const s = c.shard(e);
    data[s]!++;
    if (e.minute >= 1380) recent[s]!++;
    if (!tenantShards.has(e.tenant)) tenantShards.set(e.tenant, new Set());
    tenantShards.get(e.tenant)!.add(s);
    if (!userShards.has(e.user)) userShards.set(e.user, new Set());
    userShards.get(e.user)!.add(s);
  }
  const ratio = (xs: number[]): string => (Math.max(...xs) / (xs.reduce((a, b) => a + b, 0) / xs.length)).toFixed(2);
  // Queries arrive in proportion to activity: a tenant's dashboard per event of that tenant, a user's history per event of that user.
  let tenantFan = 0;
  let userFan = 0;
  for (const e of events) { tenantFan += tenantShards.get(e.tenant)!.size; userFan += userShards.get(e.user)!.size; }
  console.log(`${c.name.padEnd(20)}  ${ratio(data).padStart(13)}  ${ratio(recent).padStart(25)}  ${(tenantFan / events.length).toFixed(2).padStart(23)}  ${(userFan / events.length).toFixed(2).padStart(21)}`);
}
