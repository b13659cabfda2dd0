// Benchmark: what a unary call costs, and what the shape of the client changes.
//  1. object -> bytes -> object for one Item, three ways: protobufjs through proto-loader (what
//     grpc-js calls), plain protobufjs encode/decode, and JSON through a Buffer (a JSON wire
//     codec must make bytes too). Three rounds, the order rotated each round, after a warm-up.
//  2. unary calls on one channel, one at a time (latency-bound)
//  3. the same calls with 32 in flight on one channel (multiplexed HTTP/2 streams)
//  4. a new channel per call (TCP connect + HTTP/2 handshake every time): the anti-pattern
// BENCH_ITERATIONS is the number of calls per case (the codec loop runs 100x as many per round).
import protobuf from 'protobufjs';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, protoPath, startServer, unary } from './lib/grpc-helpers.ts';

const calls = Number(process.env.BENCH_ITERATIONS ?? 2_000);
const { definition, Client } = inventory();
const upload = (definition['demo.v1.Inventory'] as Record<string, grpc.MethodDefinition<unknown, unknown>>).UploadItems;
const ItemType = protobuf.loadSync(protoPath('inventory.proto')).lookupType('demo.v1.Item');
const item = { sku: 'SKU-000123', name: 'hex bolt M8x40', quantity: 1500, delta: -3, bins: [4, 17, 230, 1024] };

// 1. codec: each case returns the quantity it read back, so no case can skip the work
const codecs: Record<string, () => number> = {
  // proto-loader: fromObject + encode to a Buffer, then decode + toObject({ defaults, longs, enums, oneofs })
  'proto-loader': () => (upload.requestDeserialize(upload.requestSerialize(item)) as { quantity: number }).quantity,
  // protobufjs alone: encode the plain object, decode to a message instance (no from/toObject passes)
  'protobufjs  ': () => (ItemType.decode(ItemType.encode(item).finish()) as unknown as { quantity: number }).quantity,
  // JSON as a wire codec: a string is not bytes, so go through a Buffer both ways
  'JSON+Buffer ': () => (JSON.parse(Buffer.from(JSON.stringify(item)).toString()) as { quantity: number }).quantity,
};
const names = Object.keys(codecs);
const n = calls * 100;
const timings = new Map<string, number[]>(names.map((k) => [k, []]));
let sink = 0;
for (const name of names) for (let i = 0; i < n / 10; i++) sink += codecs[name]!(); // warm-up, all cases
for (let round = 0; round < 3; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length]!; // round 0: A B C, round 1: B C A, round 2: C A B
    const t0 = performance.now();
    for (let i = 0; i < n; i++) sink += codecs[name]!();
    timings.get(name)!.push(((performance.now() - t0) * 1e6) / n);
  }
}
if (sink !== names.length * (3 * n + n / 10) * item.quantity) throw new Error('codec round trip lost data');
console.log(`${process.version}, ${calls} calls per case`);
console.log(`codec sizes: protobuf ${upload.requestSerialize(item).length} B, JSON ${Buffer.byteLength(JSON.stringify(item))} B`);
for (const [name, ns] of timings) console.log(`codec ${name} ${ns.map((v) => v.toFixed(0).padStart(6)).join(' ')} ns/round trip (3 rounds)`);

// 2-4. calls against an in-process server (loopback: no network latency, so this is pure overhead)
const running = await startServer((server) => {
  server.addService(Client.service, {
    GetItem(call: grpc.ServerUnaryCall<{ sku: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      callback(null, { ...item, sku: call.request.sku });
    },
  });
});
const opts = (): grpc.CallOptions => ({ deadline: Date.now() + 5_000 });
// CPU time (user + system) of this process covers client and server: on a shared machine it
// is far steadier than wall-clock time, which includes waiting for a core.
let cpu = process.cpuUsage();
let t = 0;
const report = (label: string, ms: number, count: number): void => {
  const used = process.cpuUsage(cpu);
  const cpuUs = (used.user + used.system) / count;
  console.log(`${label.padEnd(26)} ${(count / (ms / 1000)).toFixed(0).padStart(6)} calls/s wall  ${cpuUs.toFixed(0).padStart(6)} us CPU/call`);
};
const start = (): number => { cpu = process.cpuUsage(); return performance.now(); };
const shared = new Client(running.address, grpc.credentials.createInsecure());
try {
  await unary(shared, 'GetItem', { sku: 'warm' }, opts());
  for (let i = 0; i < 200; i++) await unary(shared, 'GetItem', { sku: 'warm' }, opts()); // JIT warm-up

  t = start();
  for (let i = 0; i < calls; i++) await unary(shared, 'GetItem', { sku: 'a' }, opts());
  report('sequential, one channel', performance.now() - t, calls);

  t = start();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next++ < calls) await unary(shared, 'GetItem', { sku: 'b' }, opts());
  }));
  report('32 in flight, one channel', performance.now() - t, calls);

  const fresh = Math.max(10, Math.floor(calls / 10)); // expensive: a tenth of the calls
  t = start();
  for (let i = 0; i < fresh; i++) {
    const once = new Client(running.address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    try { await unary(once, 'GetItem', { sku: 'c' }, opts()); } finally { once.close(); }
  }
  report('new channel per call', performance.now() - t, fresh);
} finally {
  await closeAll(() => shared.close(), () => running.close());
}
