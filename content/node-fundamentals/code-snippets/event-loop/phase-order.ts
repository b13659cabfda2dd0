// Which callback runs when: the nextTick queue, the microtask queue and the
// libuv phases, observed. Every line this prints is in a guaranteed order;
// the one race that is NOT guaranteed (setTimeout(0) versus setImmediate in
// the main module) is deliberately left out.
import { readFile } from 'node:fs';
import { nextTick } from 'node:process';

const say = (line: string): void => console.log(line);

// 1. The main module. This file is an ES module: Node evaluates it from inside
//    a promise job, so V8 drains the microtask queue (promises,
//    queueMicrotask) before Node gets control back to drain the nextTick
//    queue. In a CommonJS main module the order of these two would be reversed.
say('main: synchronous code runs to completion first');
nextTick(() => say('main: nextTick (ESM: after the microtasks)'));
Promise.resolve().then(() => say('main: promise reaction'));
queueMicrotask(() => say('main: queueMicrotask'));

// 2. Inside an I/O callback, which libuv runs in the poll phase. Here the
//    order is fully determined: after the callback returns Node drains the
//    whole nextTick queue, then the whole microtask queue, and repeats until
//    both are empty; then the loop moves on to the check phase (setImmediate)
//    and only later to the timers phase.
readFile(import.meta.filename, (err) => {
  if (err) throw err;
  say('poll: readFile callback');

  setTimeout(() => say('timers: setTimeout(0), in the next timers phase'), 0);

  setImmediate(() => {
    say('check: setImmediate 1');
    Promise.resolve().then(() => say('  microtask queued by setImmediate 1'));
    nextTick(() => say('  nextTick queued by setImmediate 1'));
  });
  setImmediate(() => say('check: setImmediate 2 (after the queues drained again)'));

  nextTick(() => say('  nextTick 1'));
  Promise.resolve().then(() => {
    say('  promise 1');
    nextTick(() => say('  nextTick 3 (queued by promise 1: waits for the microtask queue to empty)'));
    Promise.resolve().then(() => say('  promise 2 (queued by promise 1: same drain)'));
  });
  nextTick(() => say('  nextTick 2'));
});
