// The module each pool thread runs (see worker-pool.ts). It answers every
// task message with exactly one reply, except 'crash', which kills the thread.
import { parentPort } from 'node:worker_threads';
import type { ReplyMessage, TaskMessage } from './worker-pool.ts';

export type Job =
  | { readonly op: 'fib'; readonly n: number }
  | { readonly op: 'spin'; readonly ms: number }
  | { readonly op: 'fail'; readonly message: string }
  | { readonly op: 'crash' };

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function execute(job: Job): number {
  switch (job.op) {
    case 'fib':
      return fib(job.n);
    case 'spin': { // CPU-bound work that never yields to this thread's event loop
      const end = Date.now() + job.ms;
      let spins = 0;
      while (Date.now() < end) spins++;
      return spins > 0 ? job.ms : 0;
    }
    case 'fail':
      throw new RangeError(job.message);
    case 'crash':
      // An exception nobody catches: the thread dies with exit code 1 and
      // the parent's Worker emits 'error', then 'exit'.
      setImmediate(() => { throw new Error('unexpected state in worker'); });
      return Number.NaN; // never sent
  }
}

const port = parentPort;
if (port === null) throw new Error('pool-task.ts must run inside a worker thread');

port.on('message', (task: TaskMessage<Job>) => {
  let reply: ReplyMessage<number>;
  try {
    const value = execute(task.payload);
    if (task.payload.op === 'crash') return;
    reply = { id: task.id, ok: true, value };
  } catch (error) {
    reply = { id: task.id, ok: false, error }; // Error objects survive structured clone
  }
  port.postMessage(reply);
});
