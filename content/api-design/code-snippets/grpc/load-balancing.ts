// Per-call load balancing over long-lived HTTP/2 connections. Three backends; one channel
// with the default pick_first policy, one with round_robin. A connection-level (L4)
// balancer is what pick_first over a single virtual IP looks like: one connection, one backend.
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, startServer, unary } from './lib/grpc-helpers.ts';
import type { RunningServer } from './lib/grpc-helpers.ts';

const { Client } = inventory();
const backends: RunningServer[] = [];
for (const name of ['b0', 'b1', 'b2']) {
  backends.push(await startServer((server) => {
    server.addService(Client.service, {
      GetItem(_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
        callback(null, { sku: name }); // reply says which backend served it
      },
    });
  }));
}

// A static resolver: the "ipv4:" scheme takes a comma-separated address list.
const target = `ipv4:${backends.map((b) => b.address).join(',')}`;
const channel = (policy: 'pick_first' | 'round_robin'): grpc.Client =>
  new Client(target, grpc.credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [policy]: {} }] }),
  });

async function spread(client: grpc.Client, calls: number): Promise<string> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < calls; i++) {
    const { sku } = (await unary(client, 'GetItem', { sku: 'x' }, { deadline: Date.now() + 2_000 })) as { sku: string };
    counts[sku] = (counts[sku] ?? 0) + 1;
  }
  const detail = Object.entries(counts).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  return `${Object.keys(counts).length} backend(s) used (${detail})`;
}

// round_robin picks among READY subchannels only; connect all three before measuring.
async function warmUp(client: grpc.Client, backendsWanted: number): Promise<void> {
  const seen = new Set<string>();
  const end = Date.now() + 3_000;
  while (seen.size < backendsWanted) {
    if (Date.now() > end) throw new Error(`only ${seen.size} backends became ready`);
    seen.add(((await unary(client, 'GetItem', { sku: 'x' }, { deadline: Date.now() + 1_000 })) as { sku: string }).sku);
  }
}

const pickFirst = channel('pick_first');
const roundRobin = channel('round_robin');
try {
  await warmUp(roundRobin, 3);
  console.log('pick_first , 30 calls:', await spread(pickFirst, 30));
  console.log('round_robin, 30 calls:', await spread(roundRobin, 30));
  await backends[1].close(); // a backend goes away; its GOAWAY/close removes it from the pick list
  console.log('round_robin, b1 down :', await spread(roundRobin, 30));
} finally {
  await closeAll(() => pickFirst.close(), () => roundRobin.close(), ...backends.map((b) => () => b.close()));
}
