// Closures that retain more than they mention. V8 gives each scope whose variables are
// captured one Context object, shared by every closure created in that scope. If any
// closure captures `report`, the Context holds `report`, and every closure of that scope
// keeps the Context (and so `report`) alive, even one that never mentions it.
// Uses a WeakRef as a probe and needs --expose-gc (set in snippets.json).
import { setImmediate as nextTurn } from 'node:timers/promises';

declare const gc: () => void;

interface Report {
  rows: number[];
}

function buildReport(): Report {
  return { rows: Array.from({ length: 100_000 }, (_, i) => i) }; // ~0.8 MiB of doubles
}

// Leaky: `summary` is the only closure we keep, and it does not use `report`; but
// `logSize` does, so `report` lives in the Context that both closures share.
function leakyHandler(): { probe: WeakRef<Report>; summary: () => string } {
  const report = buildReport();
  const logSize = (): number => report.rows.length;
  void logSize; // used once, then dropped
  const summary = (): string => 'report sent';
  return { probe: new WeakRef(report), summary };
}

// Fixed: compute what the long-lived closure needs, let nothing capture the big object.
function fixedHandler(): { probe: WeakRef<Report>; summary: () => string } {
  const report = buildReport();
  const rowCount = report.rows.length; // a number, copied into the Context
  const summary = (): string => `report sent (${rowCount} rows)`;
  return { probe: new WeakRef(report), summary };
}

const leaky = leakyHandler();
const fixed = fixedHandler();

// A WeakRef target created in this job is kept alive until the job ends (ECMA-262
// ClearKeptObjects), so collect only after yielding to the event loop.
await nextTurn();
gc();

console.log(`leaky handler: report still reachable = ${leaky.probe.deref() !== undefined}`);
console.log(`fixed handler: report still reachable = ${fixed.probe.deref() !== undefined}`);
console.log(`closures still work: "${leaky.summary()}", "${fixed.summary()}"`);
