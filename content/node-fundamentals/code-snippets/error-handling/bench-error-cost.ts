// Benchmark: what an error costs. Creating an Error captures a stack trace, throwing it
// unwinds, formatting `.stack` builds a string, and an async rejection adds promise
// reactions. Each row runs the same loop body with one thing changed, so the differences
// between rows are the cost of that one thing.
//
// Run:  node bench-error-cost.ts                      (full size: 200,000 operations per row)
//       BENCH_ITERATIONS=2000 node bench-error-cost.ts
import { loadavg } from 'node:os';

const N = Number(process.env.BENCH_ITERATIONS ?? 200_000);

// Results go into a ring so that no allocation can be optimized away.
const ring: unknown[] = new Array<unknown>(1024).fill(undefined);
let slot = 0;
let checksum = 0;
const keep = (value: unknown): void => {
  ring[slot] = value;
  slot = (slot + 1) & 1023;
};

type Result = { ok: true; value: number } | { ok: false; code: string };

function parseResult(i: number): Result {
  return i < 0 ? { ok: true, value: i } : { ok: false, code: 'E_INVALID' };
}

function parseThrow(i: number): number {
  if (i >= 0) throw new Error('invalid input');
  return i;
}

const shared = new Error('preallocated');
function parseThrowShared(i: number): number {
  if (i >= 0) throw shared;
  return i;
}

async function parseAsync(i: number, fail: boolean): Promise<number> {
  if (fail) throw new Error('invalid input');
  return i;
}

interface Row {
  name: string;
  run: () => void | Promise<void>;
}

const rows: Row[] = [
  { name: 'return { ok: false } object', run: () => { for (let i = 0; i < N; i++) keep(parseResult(i)); } },
  { name: 'new Error() (limit 10)', run: () => { for (let i = 0; i < N; i++) keep(new Error('invalid input')); } },
  {
    name: 'new Error() (limit 0)',
    run: () => {
      const saved = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        for (let i = 0; i < N; i++) keep(new Error('invalid input'));
      } finally {
        Error.stackTraceLimit = saved;
      }
    },
  },
  { name: 'new Error() + read .stack', run: () => { for (let i = 0; i < N; i++) checksum += new Error('invalid input').stack?.length ?? 0; } },
  {
    name: 'throw new Error() + catch',
    run: () => {
      for (let i = 0; i < N; i++) {
        try { parseThrow(i); } catch (error) { keep(error); }
      }
    },
  },
  {
    name: 'throw preallocated + catch',
    run: () => {
      for (let i = 0; i < N; i++) {
        try { parseThrowShared(i); } catch (error) { keep(error); }
      }
    },
  },
  {
    name: 'await resolved async call',
    run: async () => { for (let i = 0; i < N; i++) keep(await parseAsync(i, false)); },
  },
  {
    name: 'await rejected async + catch',
    run: async () => {
      for (let i = 0; i < N; i++) {
        try { await parseAsync(i, true); } catch (error) { keep(error); }
      }
    },
  },
];

console.log(`operations per row: ${N}; node ${process.version}; Error.stackTraceLimit ${Error.stackTraceLimit}; load average ${(loadavg()[0] ?? 0).toFixed(1)}`);
// Warm-up pass so that every row runs optimized code, then the measured pass.
for (const row of rows) await row.run();
for (const row of rows) {
  const t0 = process.hrtime.bigint();
  await row.run();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${row.name.padEnd(30)} ${ns.toFixed(0).padStart(7)} ns/op`);
}
// Print something derived from the sink so the work is observable (but not compared).
console.log(`checksum ${checksum > 0 ? 'ok' : 'empty'}`);
