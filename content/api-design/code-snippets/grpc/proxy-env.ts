// grpc-js reads the proxy environment variables for every channel it creates: with http_proxy
// (or https_proxy, grpc_proxy) set, even a call to 127.0.0.1 goes through the proxy (HTTP
// CONNECT), unless no_grpc_proxy / no_proxy lists the host or the channel disables the proxy.
// The "proxy" here is 127.0.0.1:9, where nothing listens, so a proxied call fails fast.
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, startServer, statusName, unary } from './lib/grpc-helpers.ts';

const VARS = ['grpc_proxy', 'https_proxy', 'http_proxy', 'no_grpc_proxy', 'no_proxy'] as const;
const saved = new Map(VARS.map((v) => [v, process.env[v]]));
for (const v of VARS) delete process.env[v]; // start from a known environment

// grpc-js logs the proxy failure, not the call's error: collect its log lines to show them.
const logged: string[] = [];
const collect = (...args: unknown[]): void => { logged.push(args.join(' ')); };
grpc.setLogger({ error: collect, info: collect, debug: collect });

const { Client } = inventory();
const running = await startServer((server) => {
  server.addService(Client.service, {
    GetItem(call: grpc.ServerUnaryCall<{ sku: string }, unknown>, callback: grpc.sendUnaryData<unknown>) {
      callback(null, { sku: call.request.sku, name: 'bolt' });
    },
  });
});

// The environment is read when the channel is created, so each case makes a new client.
async function attempt(label: string, env: Partial<Record<(typeof VARS)[number], string>>, options: grpc.ChannelOptions = {}): Promise<void> {
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, env);
  const client = new Client(running.address, grpc.credentials.createInsecure(), options);
  try {
    await unary(client, 'GetItem', { sku: 'A1' }, { deadline: Date.now() + 2_000 });
    console.log(`${label}: OK`);
  } catch (error) {
    const e = error as grpc.ServiceError;
    console.log(`${label}: ${e.code} ${statusName(e.code)} "${e.details}"`);
  } finally {
    client.close();
  }
  for (const line of new Set(logged.splice(0))) if (line.includes('proxy')) console.log(`   grpc-js logged: ${line.replace(/^.*?(Failed)/, '$1')}`);
}

const PROXY = 'http://127.0.0.1:9';
try {
  await attempt('1. no proxy variables                         ', {});
  await attempt('2. http_proxy set                              ', { http_proxy: PROXY });
  await attempt('3. http_proxy + no_proxy=127.0.0.1             ', { http_proxy: PROXY, no_proxy: '127.0.0.1' });
  await attempt('4. http_proxy + no_proxy=localhost             ', { http_proxy: PROXY, no_proxy: 'localhost' });
  await attempt('5. http_proxy + grpc.enable_http_proxy: 0      ', { http_proxy: PROXY }, { 'grpc.enable_http_proxy': 0 });
  await attempt('6. no_grpc_proxy=other, no_proxy=127.0.0.1     ', { http_proxy: PROXY, no_grpc_proxy: 'example.com', no_proxy: '127.0.0.1' });
} finally {
  for (const [v, value] of saved) if (value === undefined) delete process.env[v]; else process.env[v] = value;
  grpc.setLogger(console);
  await closeAll(() => running.close());
}
