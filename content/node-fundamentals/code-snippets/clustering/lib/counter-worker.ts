// Thread body for shared-memory.ts: increments shared counters, then waits
// on a shared flag with Atomics.wait (legal off the main thread and on it in Node).
import { parentPort, workerData } from 'node:worker_threads';

interface CounterJob {
  readonly shared: SharedArrayBuffer;
  readonly increments: number;
}

const { shared, increments } = workerData as CounterJob;
const cells = new Int32Array(shared);
const RACY = 0;
const ATOMIC = 1;
const FLAG = 2;
const START = 3;

// Both threads start counting together, so that their loops overlap: a thread that finished
// before the other one started would lose no updates, and hide the race.
Atomics.add(cells, START + 1, 1); // "I am here"
Atomics.wait(cells, START, 0);

for (let i = 0; i < increments; i++) {
  cells[RACY] = cells[RACY]! + 1; // load, add, store: another core can interleave between them
  Atomics.add(cells, ATOMIC, 1); // one indivisible read-modify-write
}

// Block this thread (not the process) until the main thread flips FLAG away from 0.
Atomics.wait(cells, FLAG, 0);
parentPort?.postMessage(Atomics.load(cells, FLAG));
