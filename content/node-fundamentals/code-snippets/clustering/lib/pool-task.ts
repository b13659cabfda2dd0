// The module each pool thread runs (see worker-pool.ts). It says it is ready once loaded, and
// answers every task message with exactly one reply, except 'crash' and 'inflate', which
// kill the thread.
import { parentPort } from 'node:worker_threads';
import type { ReadyMessage, ReplyMessage, TaskMessage } from './worker-pool.ts';
import { toWire } from './wire-error.ts';

export type Job =
  | { readonly op: 'fib'; readonly n: number }
  | { readonly op: 'spin'; readonly ms: number }
  | { readonly op: 'fail'; readonly message: string }
  | { readonly op: 'inflate'; readonly mb: number }
  | { readonly op: 'crash' };

/** An operational error of our own: structured clone alone would deliver it as a plain 'Error' without its code. */
class InputError extends Error {
  override name = 'InputError';
  readonly code = 'ERR_FIB_INPUT';
}

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
    case 'fail': // an operational error with a code and a cause, as a real task would throw
      throw new InputError(job.message, { cause: new TypeError('got -1') });
    case 'inflate': { // a poison input: memory grows with it, like decoding a huge image
      const parts: number[][] = [];
      for (let i = 0; i < job.mb; i++) parts.push(new Array<number>(131_072).fill(i + 0.5)); // 1 MiB of doubles
      return parts.length;
    }
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
    // Structured clone alone would turn InputError's name into 'Error' and drop `code`
    // (built-in names such as RangeError do survive it).
    reply = { id: task.id, ok: false, error: toWire(error) };
  }
  try {
    port.postMessage(reply);
  } catch (error) {
    // The value or the error could not be cloned (a function or a symbol in the result or
    // in the error's cause, ...): the task must still get its one reply, or its caller would
    // wait for the deadline and the thread would die for nothing.
    port.postMessage({ id: task.id, ok: false, error: toWire(error) } satisfies ReplyMessage<number>);
  }
});
// Loaded: say so. A module with asynchronous set-up (a connect, a config read) posts this only
// after that set-up has resolved, so that its failure counts as a start-up crash.
port.postMessage({ ready: true } satisfies ReadyMessage);
