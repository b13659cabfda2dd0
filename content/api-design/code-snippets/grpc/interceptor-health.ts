// A client interceptor that adds a request id and a default deadline to every call, and
// the grpc.health.v1 protocol: Check for a probe, Watch for a stream of status changes.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, loadProto, startServer, statusName, unary } from './lib/grpc-helpers.ts';

const DEFAULT_TIMEOUT_MS = 1_000;

// Runs once per call, before the call starts: it can change options (deadline) and metadata.
const defaults: grpc.Interceptor = (options, nextCall) => {
  const withDeadline = options.deadline === undefined ? { ...options, deadline: Date.now() + DEFAULT_TIMEOUT_MS } : options;
  return new grpc.InterceptingCall(nextCall(withDeadline), {
    start(metadata, listener, next) {
      if (metadata.get('x-request-id').length === 0) metadata.set('x-request-id', randomUUID());
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          if (status.code !== grpc.status.OK && status.code !== grpc.status.CANCELLED) console.log(`  interceptor saw ${options.method_definition.path} end with ${statusName(status.code)}`);
          nextStatus(status);
        },
      });
    },
  });
};

// --- server: the Inventory service plus grpc.health.v1.Health -----------------------
type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
const statuses = new Map<string, ServingStatus>([['', 'SERVING'], ['demo.v1.Inventory', 'SERVING']]); // '' = the whole server
const watchers = new Set<{ service: string; call: grpc.ServerWritableStream<{ service: string }, { status: ServingStatus }> }>();
function setStatus(service: string, status: ServingStatus): void {
  statuses.set(service, status);
  for (const w of watchers) if (w.service === service) w.call.write({ status });
}
// Drain on shutdown: tell every watcher NOT_SERVING, then end the Watch calls. An open Watch
// would otherwise keep tryShutdown waiting for the whole grace period, then forceShutdown.
function drainHealth(): void {
  for (const service of statuses.keys()) setStatus(service, 'NOT_SERVING');
  for (const w of watchers) w.call.end(); // status OK: the watcher reconnects elsewhere
  watchers.clear();
}

const { Client } = inventory();
const healthPkg = loadProto('health.proto').pkg as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
const { Health } = healthPkg.grpc.health.v1;
const running = await startServer((server) => {
  server.addService(Client.service, {
    GetItem(call: grpc.ServerUnaryCall<{ sku: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const deadline = call.getDeadline();
      console.log(`  server: x-request-id ${call.metadata.get('x-request-id').length === 1 ? 'present' : 'missing'}, deadline ${deadline === Infinity ? 'none' : 'set'}`);
      callback(null, { sku: call.request.sku });
    },
  });
  server.addService(Health.service, {
    Check(call: grpc.ServerUnaryCall<{ service: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const status = statuses.get(call.request.service);
      if (!status) callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' }); // what the spec asks for
      else callback(null, { status });
    },
    Watch(call: grpc.ServerWritableStream<{ service: string }, { status: ServingStatus }>) {
      const entry = { service: call.request.service, call };
      watchers.add(entry);
      call.write({ status: statuses.get(call.request.service) ?? 'SERVICE_UNKNOWN' }); // current state first
      call.on('cancelled', () => watchers.delete(entry));
    },
  });
});

const client = new Client(running.address, grpc.credentials.createInsecure(), { interceptors: [defaults] });
const healthClient = new Health(running.address, grpc.credentials.createInsecure(), { interceptors: [defaults] });
try {
  console.log('GetItem with no deadline and no metadata:');
  await unary(client, 'GetItem', { sku: 'A1' }, {});
  console.log('Check(""):', JSON.stringify(await unary(healthClient, 'Check', { service: '' }, { deadline: Date.now() + 500 })));
  try {
    await unary(healthClient, 'Check', { service: 'demo.v1.Nope' }, { deadline: Date.now() + 500 });
  } catch (error) {
    console.log('Check("demo.v1.Nope"):', statusName((error as grpc.ServiceError).code));
  }

  // Watch: a load balancer or a sidecar keeps this stream open and reacts to each message.
  const watch = healthClient.Watch({ service: 'demo.v1.Inventory' }, { deadline: Date.now() + 2_000 }) as grpc.ClientReadableStream<{ status: string }>;
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('watch timed out')), 1_500);
    watch.on('data', (m: { status: string }) => {
      received.push(m.status);
      if (received.length === 1) setStatus('demo.v1.Inventory', 'NOT_SERVING'); // e.g. draining before shutdown
      if (received.length === 2) { clearTimeout(timer); resolve(); }
    });
    watch.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
  console.log('Watch("demo.v1.Inventory"):', received.join(' -> '));

  // Shutdown with that Watch still open: drain ends it, so tryShutdown completes quickly.
  const ended = new Promise<number>((resolve) => watch.on('status', (s: grpc.StatusObject) => resolve(s.code)));
  watch.on('error', () => {}); // not expected; the status line below would show it
  const started = performance.now();
  drainHealth();
  await running.close(5_000); // tryShutdown, forceShutdown only after 5 s
  console.log(`shutdown with a Watch open: Watch ended with ${statusName(await ended)}, tryShutdown done in under 1 s: ${performance.now() - started < 1_000}`);
} finally {
  await closeAll(() => client.close(), () => healthClient.close(), () => running.close());
}
