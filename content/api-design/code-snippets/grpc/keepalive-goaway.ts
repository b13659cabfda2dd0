// Keepalive and the server's ping policy. The grpc-js server does not police pings, so a
// node:http2 server plays a strict one here (as gRPC C-core and grpc-go servers do): pings
// closer than MIN_INTERVAL_MS apart are strikes, and the third strike gets
// GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings"). grpc-js then doubles its keepalive time.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory } from './lib/grpc-helpers.ts';

const MIN_INTERVAL_MS = 150;
const MAX_STRIKES = 2;
const sessions: Array<{ intervals: number[]; goaway: boolean }> = [];
const open = new Set<http2.ServerHttp2Session>();

const h2 = http2.createServer();
h2.on('session', (session) => {
  const record = { intervals: [] as number[], goaway: false };
  sessions.push(record);
  open.add(session);
  session.once('close', () => open.delete(session));
  let last = performance.now();
  let strikes = 0;
  session.on('ping', () => {
    const now = performance.now();
    record.intervals.push(now - last);
    if (now - last < MIN_INTERVAL_MS && ++strikes > MAX_STRIKES && !record.goaway) {
      record.goaway = true;
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from('too_many_pings'));
      session.close();
    }
    last = now;
  });
  session.on('error', () => {}); // the client may reset after our GOAWAY
});
h2.listen(0, '127.0.0.1');
await Promise.race([
  new Promise((resolve) => h2.once('listening', resolve)),
  new Promise((_, reject) => setTimeout(() => reject(new Error('listen timed out')), 2_000).unref()),
]);

const logged: string[] = [];
grpc.setLogger({ error: (...args: unknown[]) => logged.push(args.join(' ')) } as Console);
const { Client } = inventory();
const client = new Client(`127.0.0.1:${(h2.address() as AddressInfo).port}`, grpc.credentials.createInsecure(), {
  'grpc.keepalive_time_ms': 100, // far too aggressive, on purpose: real values are tens of seconds
  'grpc.keepalive_timeout_ms': 1_000,
  'grpc.keepalive_permit_without_calls': 1, // ping even with no call in flight
});
const connect = (ms: number): Promise<void> =>
  new Promise((resolve, reject) => client.waitForReady(Date.now() + ms, (e) => (e ? reject(e) : resolve())));
const until = async (test: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

try {
  await connect(2_000);
  await until(() => sessions[0]?.goaway === true, 3_000);
  await until(() => logged.length > 0, 1_000);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`connection 1: ${sessions[0].intervals.length} pings, median gap ${median(sessions[0].intervals).toFixed(0)} ms -> GOAWAY too_many_pings`);
  console.log('grpc-js logged:', logged[0].replace(/at \S+ /, 'at [...] ').replace(/^.*?(Connection)/, '$1'));
  await connect(2_000); // the subchannel went IDLE; the next call or waitForReady reconnects
  await until(() => (sessions[1]?.intervals.length ?? 0) >= 3, 3_000);
  console.log(`connection 2: median gap ${median(sessions[1].intervals).toFixed(0)} ms, GOAWAY sent: ${sessions[1].goaway}`);
} finally {
  await closeAll(
    () => client.close(),
    () => new Promise<void>((resolve) => {
      for (const session of open) session.close(); // server.close() alone waits for every session
      const timer = setTimeout(resolve, 1_000);
      h2.close(() => { clearTimeout(timer); resolve(); });
    }),
  );
}
