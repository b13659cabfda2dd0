// Benchmark: what a Stripe-style chain of response transforms costs per response, against
// JSON.stringify of the same object (which every response pays anyway). A client pinned to
// an old version pays for every change since its pin. BENCH_ITERATIONS responses per timed
// pass; each case gets one untimed warm-up pass, then BENCH_REPEATS timed passes, and the two
// cases of a row alternate which goes first. Printed: ns per response, median (min-max).
import { VersionChain } from './lib/version-changes.ts';
import type { JsonObject, VersionChange } from './lib/version-changes.ts';

const N = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

// A realistic response: 22 top-level keys (20 scalar fields, a nested object, a list of
// 5 line items).
const order: JsonObject = {
  ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`field_${i}`, i % 2 ? `value ${i}` : i])),
  amount: { value: 1250, currency: 'eur' },
  lines: Array.from({ length: 5 }, (_, i) => ({ sku: `sku_${i}`, quantity: i + 1, price: 250 })),
};

// k changes, change i renaming field_(i mod 20): the common shape of a version change. Beyond
// 20 changes a field is already renamed, so the change adds an old_field_i: null key instead
// (k=50: 52 output keys, 20 renamed and 30 null).
function chainOf(k: number): VersionChain {
  const changes: VersionChange[] = Array.from({ length: k }, (_, i) => ({
    version: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10),
    description: `rename field_${i % 20}`,
    resources: new Set(['order']),
    down: (body: JsonObject) => {
      const { [`field_${i % 20}`]: value, ...rest } = body;
      return { ...rest, [`old_field_${i}`]: value ?? null };
    },
  }));
  return new VersionChain('2019-12-31', changes);
}

let sink = 0;
function pass(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  return Number(process.hrtime.bigint() - start) / N;
}

/** Warms every case up once, then runs REPEATS rounds, rotating which case goes first. */
function measure(cases: (() => unknown)[]): number[][] {
  for (const fn of cases) pass(fn); // untimed warm-up: let the JIT settle before timing
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < REPEATS; r++) {
    for (let j = 0; j < cases.length; j++) {
      const c = (j + r) % cases.length;
      samples[c]!.push(pass(cases[c]!));
    }
  }
  return samples;
}

function summary(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `${median.toFixed(0)} (${s[0]!.toFixed(0)}-${s[s.length - 1]!.toFixed(0)})`;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`${N} responses per pass, warm-up + ${REPEATS} passes per case, ${process.version}`);
const [stringify] = measure([() => (sink += JSON.stringify(order).length)]);
console.log(`JSON.stringify only: ${summary(stringify!)} ns`);
console.log('changes since pin | transform ns | transform + stringify ns | transform / stringify (medians)');
for (const k of [0, 1, 5, 20, 50]) {
  const chain = chainOf(k);
  const [transformOnly, both] = measure([
    () => (sink += Object.keys(chain.responseDown('2019-12-31', 'order', order)).length),
    () => (sink += JSON.stringify(chain.responseDown('2019-12-31', 'order', order)).length),
  ]);
  console.log(`${k} | ${summary(transformOnly!)} | ${summary(both!)} | ${(median(transformOnly!) / median(stringify!)).toFixed(2)}`);
}
if (sink === 42) console.log('unreachable');
