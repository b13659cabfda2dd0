// Retries and hedging in @grpc/grpc-js 1.14.7, configured through the service config
// (gRFC A6), not through application loops. The server records every attempt it sees.
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, startServer, statusName, unary } from './lib/grpc-helpers.ts';

interface GetItemRequest { sku: string; workMs: number }
const { Client } = inventory();
const attempts = new Map<string, number>();
const seen: string[] = [];

const running = await startServer((server) => {
  server.addService(Client.service, {
    async GetItem(call: grpc.ServerUnaryCall<GetItemRequest, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const { sku } = call.request;
      const n = (attempts.get(sku) ?? 0) + 1;
      attempts.set(sku, n);
      const previous = call.metadata.get('grpc-previous-rpc-attempts')[0] ?? 'absent';
      seen.push(`  server: ${sku} attempt ${n}, grpc-previous-rpc-attempts=${previous}`);
      if (sku === 'flaky' && n < 3) return callback({ code: grpc.status.UNAVAILABLE, details: 'warming up' });
      if (sku === 'bad') return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'bad sku' });
      if (sku === 'slow-first' && n === 1) {
        const ac = new AbortController();
        call.on('cancelled', () => ac.abort());
        try { await sleep(1_000, undefined, { signal: ac.signal }); } catch { seen.push(`  server: ${sku} attempt 1 cancelled by the client`); return; }
      }
      callback(null, { sku, name: `served by attempt ${n}` });
    },
  });
});

const method = [{ service: 'demo.v1.Inventory', method: 'GetItem' }];
const retryConfig = {
  methodConfig: [{
    name: method,
    retryPolicy: {
      maxAttempts: 3, // 2 to 3 is the rule of thumb; capped at 5 by grpc-js unless grpc-node.retry_max_attempts_limit says otherwise
      initialBackoff: '0.01s', // grpc-js 1.14.7 multiplies each delay by a random 0.8..1.2
      maxBackoff: '0.1s',
      backoffMultiplier: 2,
      retryableStatusCodes: ['UNAVAILABLE'], // never INVALID_ARGUMENT: retrying cannot fix it
    },
  }],
  retryThrottling: { maxTokens: 10, tokenRatio: 0.1 }, // a retry budget per channel
};
const hedgeConfig = {
  methodConfig: [{
    name: method,
    hedgingPolicy: { maxAttempts: 2, hedgingDelay: '0.05s', nonFatalStatusCodes: ['UNAVAILABLE'] }, // 2: the output stays deterministic
  }],
};
const retrying = new Client(running.address, grpc.credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(retryConfig) });
const hedging = new Client(running.address, grpc.credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(hedgeConfig) });

async function show(label: string, client: grpc.Client, sku: string, serverLines: number): Promise<void> {
  const started = performance.now();
  try {
    const res = (await unary(client, 'GetItem', { sku }, { deadline: Date.now() + 2_000 })) as { name: string };
    console.log(`${label}: OK, ${res.name} (${Math.round(performance.now() - started)} ms)`);
  } catch (error) {
    const e = error as grpc.ServiceError;
    console.log(`${label}: ${statusName(e.code)} "${e.details}"`);
  }
  // The hedged loser's cancellation reaches the server asynchronously: wait for it, bounded.
  for (let waited = 0; seen.length < serverLines && waited < 1_000; waited += 10) await sleep(10);
  for (const line of seen.splice(0)) console.log(line);
}

try {
  await show('retry, UNAVAILABLE twice', retrying, 'flaky', 3);
  await show('retry, INVALID_ARGUMENT', retrying, 'bad', 1);
  await show('hedge, first attempt slow', hedging, 'slow-first', 3);
} finally {
  await closeAll(() => retrying.close(), () => hedging.close(), () => running.close());
}
