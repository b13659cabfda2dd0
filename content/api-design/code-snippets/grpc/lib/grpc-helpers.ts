// Shared plumbing for the gRPC snippets: load a .proto with @grpc/proto-loader, start a
// server on 127.0.0.1 port 0, and shut it down with a bounded wait.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false, // snake_case fields become camelCase in JS objects
  longs: String, // int64 as decimal strings: JS numbers lose precision above 2^53
  enums: String,
  defaults: true, // absent scalars decode to their zero value, as proto3 says
  oneofs: true,
};

export function protoPath(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

export function loadProto(name: string): { definition: protoLoader.PackageDefinition; pkg: grpc.GrpcObject } {
  const definition = protoLoader.loadSync(protoPath(name), LOADER_OPTIONS);
  return { definition, pkg: grpc.loadPackageDefinition(definition) };
}

// The generated client constructor for demo.v1.Inventory.
export function inventory(): { definition: protoLoader.PackageDefinition; Client: grpc.ServiceClientConstructor } {
  const { definition, pkg } = loadProto('inventory.proto');
  const demo = (pkg.demo as grpc.GrpcObject).v1 as grpc.GrpcObject;
  return { definition, Client: demo.Inventory as grpc.ServiceClientConstructor };
}

export interface RunningServer {
  server: grpc.Server;
  port: number;
  address: string;
  close(graceMs?: number): Promise<void>;
}

// Binds 127.0.0.1:0 and resolves with the port the OS chose. Rejects after timeoutMs.
export function startServer(
  register: (server: grpc.Server) => void,
  options: grpc.ServerOptions = {},
  timeoutMs = 2_000,
): Promise<RunningServer> {
  const server = new grpc.Server(options);
  register(server);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      reject(new Error(`bindAsync did not complete in ${timeoutMs} ms`));
    }, timeoutMs);
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      clearTimeout(timer);
      if (error) {
        server.forceShutdown();
        reject(new Error('bindAsync failed', { cause: error }));
        return;
      }
      resolve({ server, port, address: `127.0.0.1:${port}`, close: (graceMs = 1_000) => shutdown(server, graceMs) });
    });
  });
}

// Graceful first (in-flight calls may finish), forced when the grace period runs out or when
// tryShutdown reports an error. Open streams (a health Watch, say) keep tryShutdown waiting:
// end them first, or this always takes the whole grace period.
export function shutdown(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown((error) => {
      clearTimeout(timer);
      if (!error) return resolve();
      server.forceShutdown(); // do not leave the server half-open
      reject(new Error('tryShutdown failed; forced shutdown', { cause: error }));
    });
  });
}

// Each resource closes on its own: one failure does not skip the others.
export async function closeAll(...steps: Array<() => void | Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(steps.map(async (step) => step()));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((f) => f.reason), 'clean-up failed');
}

export function statusName(code: number): string {
  return grpc.status[code] ?? String(code);
}

// Promise wrapper around a unary call. grpc-js errors are ServiceError: code, details, metadata.
// It adds no deadline of its own: a caller that passes none waits as long as the server lets it.
// Callers pass one, or the channel has an interceptor that adds one (interceptor-health.ts).
export function unary<Req, Res>(
  client: grpc.Client,
  method: string,
  request: Req,
  options: grpc.CallOptions = {},
  metadata: grpc.Metadata = new grpc.Metadata(),
): Promise<Res> {
  const fn = (client as unknown as Record<string, Function>)[method];
  if (typeof fn !== 'function') return Promise.reject(new TypeError(`no method ${method}`));
  return new Promise((resolve, reject) => {
    fn.call(client, request, metadata, options, (error: grpc.ServiceError | null, response: Res) => {
      if (error) reject(error);
      else resolve(response);
    });
  });
}
