// Starvation: the nextTick and microtask queues are drained to empty before
// the loop may move on, so work that keeps re-queueing itself there holds
// back every timer and every I/O callback. setImmediate re-queues into the
// NEXT loop iteration instead, so timers and I/O get their turn in between.
import { stat } from 'node:fs';
import { nextTick } from 'node:process';

const HOPS = 100_000;

type Outcome = { hopsBeforeTimer: number; hopsBeforeIo: number };

// Runs `schedule` as a self-re-queueing chain of at most HOPS hops and records
// how many hops had run when a 0 ms timer and an fs.stat callback (queued
// before the chain started) finally got to run.
function race(name: string, schedule: (hop: () => void) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let hops = 0;
    let hopsBeforeTimer = -1;
    let hopsBeforeIo = -1;
    const settleIfDone = (): void => {
      if (hopsBeforeTimer >= 0 && hopsBeforeIo >= 0) resolve({ hopsBeforeTimer, hopsBeforeIo });
    };
    setTimeout(() => {
      hopsBeforeTimer = hops;
      settleIfDone();
    }, 0);
    stat('.', (err) => {
      if (err) return reject(err);
      hopsBeforeIo = hops;
      settleIfDone();
    });
    const hop = (): void => {
      hops += 1;
      // Stop early once both have run: a real service would not stop at all.
      if (hops < HOPS && (hopsBeforeTimer < 0 || hopsBeforeIo < 0)) schedule(hop);
    };
    schedule(hop);
    console.log(`${name}: chain of up to ${HOPS} hops started`);
  });
}

const viaTick = await race('process.nextTick', (hop) => nextTick(hop));
console.log(`  timer ran only after all ${HOPS} hops: ${viaTick.hopsBeforeTimer === HOPS}`);
console.log(`  fs.stat callback ran only after all ${HOPS} hops: ${viaTick.hopsBeforeIo === HOPS}`);

const viaPromise = await race('promise microtask', (hop) => {
  Promise.resolve().then(hop);
});
console.log(`  timer ran only after all ${HOPS} hops: ${viaPromise.hopsBeforeTimer === HOPS}`);
console.log(`  fs.stat callback ran only after all ${HOPS} hops: ${viaPromise.hopsBeforeIo === HOPS}`);

const viaImmediate = await race('setImmediate', (hop) => setImmediate(hop));
console.log(`  timer ran while the chain was still going: ${viaImmediate.hopsBeforeTimer < HOPS}`);
console.log(`  fs.stat callback ran while the chain was still going: ${viaImmediate.hopsBeforeIo < HOPS}`);
console.log(`  hops before the timer: ${viaImmediate.hopsBeforeTimer}, before fs.stat: ${viaImmediate.hopsBeforeIo}`);
