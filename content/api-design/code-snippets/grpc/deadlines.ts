// Deadlines: DEADLINE_EXCEEDED on the client, cancellation seen by the server, and a
// deadline that shrinks as it is propagated from a front service (A) to a back one (B).
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, startServer, statusName, unary } from './lib/grpc-helpers.ts';

interface GetItemRequest { sku: string; workMs: number }
interface Item { sku: string; name: string; quantity: number }
const { Client } = inventory();
// Time A keeps to turn B's failure into its own answer. It must cover A's event-loop delay
// under load: 20 ms lost the race on a loaded 2-core machine, and the caller timed out first.
const SAFETY_MARGIN_MS = 100;
// A's own cap on a downstream call. A caller that sent no deadline must not give B an unbounded
// one: getDeadline() is then Infinity, and a hung B would pile up A's calls without limit.
const DEFAULT_DOWNSTREAM_TIMEOUT_MS = 1_000;
const bucket = (ms: number, step = 100): string => `${Math.floor(ms / step) * step}-${Math.floor(ms / step) * step + step} ms`;

// B: pretends to work for workMs, but stops as soon as the call is cancelled.
const log: string[] = [];
const b = await startServer((server) => {
  server.addService(Client.service, {
    async GetItem(call: grpc.ServerUnaryCall<GetItemRequest, Item>, callback: grpc.sendUnaryData<Item>) {
      const deadline = call.getDeadline();
      const budget = deadline instanceof Date ? deadline.getTime() - Date.now() : Number(deadline) - Date.now();
      log.push(`B: ${call.request.sku} arrives with ${bucket(budget)} left`);
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      try {
        await sleep(call.request.workMs, undefined, { signal: ac.signal });
        callback(null, { sku: call.request.sku, name: 'bolt', quantity: 1 });
      } catch {
        log.push(`B: ${call.request.sku} cancelled, work abandoned`); // nobody is waiting: do not finish it
      }
    },
  });
});
const toB = new Client(b.address, grpc.credentials.createInsecure());

// A: 100 ms of its own work, then calls B with what is left of the caller's deadline (capped by
// A's default budget when the caller sent none), minus a margin.
const a = await startServer((server) => {
  server.addService(Client.service, {
    async GetItem(call: grpc.ServerUnaryCall<GetItemRequest, Item>, callback: grpc.sendUnaryData<Item>) {
      await sleep(100);
      // A caller that gave up during our own work: grpc-js's `parent` only propagates a
      // cancellation that comes after the child call exists, so check before calling B.
      if (call.cancelled) return;
      const d = call.getDeadline(); // Infinity when the caller sent no grpc-timeout
      const parentDeadline = d instanceof Date ? d.getTime() : Number(d);
      const budgetEnd = Math.min(parentDeadline, Date.now() + DEFAULT_DOWNSTREAM_TIMEOUT_MS);
      const deadline = budgetEnd - SAFETY_MARGIN_MS; // explicit and shrinking, never Infinity
      if (deadline <= Date.now()) {
        // Not enough time left to call B and still answer: fail now, without loading B.
        callback({ code: grpc.status.DEADLINE_EXCEEDED, details: 'no budget left for inventory-b' });
        return;
      }
      try {
        const item = await unary<GetItemRequest, Item>(toB, 'GetItem', call.request, {
          deadline,
          parent: call, // propagates a later cancellation (and the deadline, if it were earlier)
          propagate_flags: grpc.propagate.DEADLINE | grpc.propagate.CANCELLATION,
        });
        callback(null, item);
      } catch (error) {
        const e = error as grpc.ServiceError;
        callback({ code: e.code, details: `inventory-b: ${e.details}` }); // keep the code, name the hop
      }
    },
  });
});
const toA = new Client(a.address, grpc.credentials.createInsecure());

// timeoutMs undefined: the caller sends no deadline (scenario 4 shows what A does with that).
async function call(label: string, client: grpc.Client, request: GetItemRequest, timeoutMs: number | undefined, bLines: number): Promise<void> {
  const started = performance.now();
  try {
    await unary(client, 'GetItem', request, timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs });
    console.log(`${label}: OK after ${bucket(performance.now() - started)}`);
  } catch (error) {
    const e = error as grpc.ServiceError;
    console.log(`${label}: ${statusName(e.code)} after ${bucket(performance.now() - started)}, details "${e.details.replace(/ after .*/, ' after [...]')}"`);
  }
  // B notices the cancellation on its own timer: wait (bounded) for its log lines.
  for (let waited = 0; log.length < bLines && waited < 1_000; waited += 10) await sleep(10);
  for (const line of log.splice(0)) console.log('  ' + line);
}

const ready = (client: grpc.Client): Promise<void> =>
  new Promise((resolve, reject) => client.waitForReady(Date.now() + 2_000, (e) => (e ? reject(e) : resolve())));

try {
  await Promise.all([ready(toA), ready(toB)]); // connect first: set-up time is not what this shows
  await call('1. client -> B, 200 ms deadline, 1000 ms of work', toB, { sku: 's1', workMs: 1_000 }, 200, 2);
  await call('2. client -> A -> B, 600 ms deadline, B works 50 ms', toA, { sku: 's2', workMs: 50 }, 600, 1);
  await call('3. client -> A -> B, 600 ms deadline, B works 1000 ms', toA, { sku: 's3', workMs: 1_000 }, 600, 2);
  // B's 2000 ms of work bounds this call even if A were wrong, so the demo cannot hang.
  await call('4. client -> A -> B, no deadline, B works 2000 ms', toA, { sku: 's4', workMs: 2_000 }, undefined, 2);
  await call('5. client -> A -> B, 190 ms deadline (A works 100 ms)', toA, { sku: 's5', workMs: 50 }, 190, 0);
} finally {
  await closeAll(() => toA.close(), () => toB.close(), () => a.close(), () => b.close());
}
