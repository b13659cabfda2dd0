// What it costs to cross a thread or process boundary: start-up, resident
// memory, a small message round trip, and moving 16 MiB by copy or transfer.
// Every measurement is repeated in interleaved rounds (one of each kind per
// round), so that a burst of load from other jobs hits all kinds alike, and is
// reported as min / median / max over the rounds.
import { Worker } from 'node:worker_threads';
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import type { ChildProcess, Serializable } from 'node:child_process';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5_000);
const STARTS = Math.max(3, Math.min(15, Math.round(ITERATIONS / 300)));
const BIG_ROUNDS = Math.max(3, Math.min(30, Math.round(ITERATIONS / 150)));
const echoTs = new URL('./lib/bench-echo.ts', import.meta.url);
// Plain JavaScript entry points, so that start-up is not inflated by type stripping.
const THREAD_JS = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => parentPort.postMessage(process.memoryUsage().rss));
parentPort.postMessage('ready');`;
const PROCESS_JS = `process.on('message', () => process.send(process.memoryUsage().rss));
process.send('ready');`;

const ROUNDS = Math.max(3, Math.min(10, Math.round(ITERATIONS / 500)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
/** min / median / max, the spread that a loaded machine needs next to every figure. */
const spread = (xs: number[], digits = 1) =>
  `${fmt(Math.min(...xs), digits)} /${fmt(median(xs), digits)} /${fmt(Math.max(...xs), digits)}`;
const MiB = 1024 * 1024;

/** A uniform request/response view over a Worker and a ChildProcess. */
interface Endpoint {
  ask(value: unknown, transfer?: ArrayBuffer[]): Promise<unknown>;
  close(): Promise<void>;
}
function threadEndpoint(worker: Worker): Endpoint {
  return {
    async ask(value, transfer = []) {
      const reply = once(worker, 'message');
      worker.postMessage(value, transfer);
      return (await reply)[0];
    },
    async close() { await worker.terminate(); },
  };
}
function processEndpoint(child: ChildProcess): Endpoint {
  return {
    async ask(value) {
      const reply = once(child, 'message');
      child.send(value as Serializable);
      return (await reply)[0];
    },
    async close() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

type Kind = 'thread-js' | 'thread-ts' | 'process-js' | 'process-ts';
async function start(kind: Kind, serialization: 'json' | 'advanced' = 'json') {
  const t0 = performance.now();
  let endpoint: Endpoint;
  if (kind === 'thread-js' || kind === 'thread-ts') {
    const worker = kind === 'thread-js' ? new Worker(THREAD_JS, { eval: true }) : new Worker(echoTs);
    await once(worker, 'message'); // 'ready'
    endpoint = threadEndpoint(worker);
  } else {
    const child = kind === 'process-js'
      ? spawn(process.execPath, ['-e', PROCESS_JS], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization })
      : fork(echoTs, { serialization });
    await once(child, 'message'); // 'ready'
    endpoint = processEndpoint(child);
  }
  return { ms: performance.now() - t0, endpoint };
}

async function roundTrips(endpoint: Endpoint, n: number): Promise<number> {
  const msg = { seq: 0, op: 'ping', tags: ['a', 'b'] };
  for (let i = 0; i < Math.min(200, n); i++) await endpoint.ask(msg); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    msg.seq = i;
    await endpoint.ask(msg);
  }
  return ((performance.now() - t0) * 1000) / n; // µs per round trip
}

console.log(`boundary costs on node ${process.version}, ${ITERATIONS} round trips`);
console.log(`1-minute load average at start: ${loadavg()[0]!.toFixed(2)}`);

console.log(`start-up, spawn to first message (min / median / max of ${STARTS}, kinds interleaved):`);
const startKinds = [
  ['Worker thread, JS entry   ', 'thread-js'],
  ['child process, JS entry   ', 'process-js'],
  ['Worker thread, .ts entry  ', 'thread-ts'],
  ['child process, .ts entry  ', 'process-ts'],
] as const;
const startTimes = new Map<Kind, number[]>(startKinds.map(([, kind]) => [kind, []]));
for (let i = 0; i < STARTS; i++) {
  for (const [, kind] of startKinds) {
    const { ms, endpoint } = await start(kind);
    startTimes.get(kind)!.push(ms);
    await endpoint.close();
  }
}
for (const [label, kind] of startKinds) console.log(`  ${label}${spread(startTimes.get(kind)!)} ms`);

console.log('resident memory per idle unit (4 started):');
{
  const before = process.memoryUsage().rss;
  const threads = await Promise.all([0, 1, 2, 3].map(() => start('thread-js')));
  await new Promise((r) => setTimeout(r, 50));
  const perThread = (process.memoryUsage().rss - before) / 4 / MiB;
  const children = await Promise.all([0, 1, 2, 3].map(() => start('process-js')));
  const rss = (await Promise.all(children.map((c) => c.endpoint.ask('rss')))) as number[];
  const perProcess = rss.reduce((a, b) => a + b, 0) / 4 / MiB;
  console.log(`  Worker (growth of this process)  ${fmt(perThread)} MiB`);
  console.log(`  child process (its own RSS)      ${fmt(perProcess)} MiB`);
  await Promise.all([...threads, ...children].map((u) => u.endpoint.close()));
}

console.log(`small object round trip (mean per round; min / median / max of ${ROUNDS} interleaved rounds):`);
const thread = await start('thread-ts');
const jsonChild = await start('process-ts', 'json');
const advancedChild = await start('process-ts', 'advanced');
const trips = [
  ['Worker postMessage        ', thread.endpoint],
  ["fork IPC 'json'           ", jsonChild.endpoint],
  ["fork IPC 'advanced'       ", advancedChild.endpoint],
] as const;
const tripMeans = trips.map((): number[] => []);
const fastest = trips.map(() => 0);
for (let round = 0; round < ROUNDS; round++) {
  const means = [];
  for (const [, endpoint] of trips) means.push(await roundTrips(endpoint, Math.ceil(ITERATIONS / ROUNDS)));
  means.forEach((m, i) => tripMeans[i]!.push(m));
  fastest[means.indexOf(Math.min(...means))]!++;
}
trips.forEach(([label], i) => {
  console.log(`  ${label}${spread(tripMeans[i]!)} µs  (fastest in ${fastest[i]} of ${ROUNDS} rounds)`);
});
await jsonChild.endpoint.close();
await advancedChild.endpoint.close();

console.log(`16 MiB ArrayBuffer to a thread, until its ack (min / median / max of ${BIG_ROUNDS}, interleaved):`);
const copyMs: number[] = [];
const transferMs: number[] = [];
for (let i = 0; i < BIG_ROUNDS; i++) {
  const a = new ArrayBuffer(16 * MiB);
  let t0 = performance.now();
  await thread.endpoint.ask(a);
  copyMs.push(performance.now() - t0);
  const b = new ArrayBuffer(16 * MiB);
  t0 = performance.now();
  await thread.endpoint.ask(b, [b]);
  transferMs.push(performance.now() - t0);
}
console.log(`  copy (structured clone)   ${spread(copyMs, 2)} ms`);
console.log(`  transfer                  ${spread(transferMs, 2)} ms`);
await thread.endpoint.close();
