// Moving memory between threads: copy, transfer, and share.
import { MessageChannel, Worker } from 'node:worker_threads';
import { once } from 'node:events';

const MiB = 1024 * 1024;

// 1. postMessage copies by default (structured clone): both sides own a copy.
{
  const { port1, port2 } = new MessageChannel();
  const data = new ArrayBuffer(8 * MiB);
  port1.postMessage(data);
  const [received] = (await once(port2, 'message')) as [ArrayBuffer];
  console.log(`copy:     sender keeps ${data.byteLength} bytes, receiver got ${received.byteLength}`);

  // 2. A transfer list moves ownership: the sender's buffer is detached, O(1) in size.
  port1.postMessage(data, [data]);
  const [moved] = (await once(port2, 'message')) as [ArrayBuffer];
  console.log(`transfer: sender keeps ${data.byteLength} bytes, receiver got ${moved.byteLength}`);

  // 3. A small Buffer is a view into Node's shared Buffer pool, which is marked
  //    untransferable (Buffer.poolSize: 8 KiB on Node 22.18, 64 KiB on 24.22).
  const pooled = Buffer.from('session-id');
  const wholePool = pooled.buffer.byteLength === Buffer.poolSize;
  console.log(`pooled Buffer: ${pooled.length} bytes; its ArrayBuffer is the whole ${Buffer.poolSize}-byte pool: ${wholePool}`);
  try {
    port1.postMessage(pooled, [pooled.buffer]);
  } catch (err) {
    console.log(`transfer of its ArrayBuffer -> ${(err as Error).name}`);
  }
  port1.close();
}

// 4. SharedArrayBuffer: one memory, two threads. Plain ++ loses updates; Atomics.add does not.
const increments = Number(process.env.INCREMENTS ?? 1_000_000);
const shared = new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT); // racy, atomic, flag, start, arrived
const cells = new Int32Array(shared);
const workers = [0, 1].map(() => new Worker(new URL('./lib/counter-worker.ts', import.meta.url), {
  workerData: { shared, increments },
}));
const replies = workers.map((w) => once(w, 'message'));
const exits = workers.map((w) => once(w, 'exit')); // listen before it can happen

// Start both threads at once (each waits on cell 3 once it has arrived in cell 4), then wait
// until both have finished counting (they then block in Atomics.wait on the flag).
while (Atomics.load(cells, 4) < 2) await new Promise((r) => setTimeout(r, 1));
Atomics.store(cells, 3, 1);
Atomics.notify(cells, 3);
while (Atomics.load(cells, 1) < 2 * increments) await new Promise((r) => setTimeout(r, 5));
console.log(`atomic counter: ${Atomics.load(cells, 1)} of ${2 * increments}`);
const racy = cells[0]!;
console.log(`plain counter:  ${racy} of ${2 * increments} (lost updates: ${2 * increments - racy})`);

// 5. Atomics.store + Atomics.notify wakes the threads blocked in Atomics.wait.
Atomics.store(cells, 2, 42);
//    A thread that reaches Atomics.wait only after the store returns 'not-equal'
//    at once, so how many notify() actually woke depends on scheduling.
const woken = Atomics.notify(cells, 2);
const seen = (await Promise.all(replies)).map(([value]) => value as number);
console.log(`notify woke ${woken} thread(s); both threads saw flag = ${seen.join(', ')}`);
await Promise.all(exits);
