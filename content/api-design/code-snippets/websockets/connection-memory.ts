// Benchmark: what one idle connection costs a real `ws` server, and what permessage-deflate
// adds once each connection has sent and received one compressible message.
// BENCH_ITERATIONS is the number of connections. The server runs in a child process, so
// that the clients' memory is not counted; it reports heap, external, RSS and open fds
// after a full GC, before and after the connections exist.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';

declare const gc: () => void; // --expose-gc (snippets.json); the child inherits execArgv

interface Sample {
  readonly heapUsed: number;
  readonly external: number;
  readonly rss: number;
  readonly fds: number;
}
type Mode = 'idle' | 'deflate';
const payload = JSON.stringify({ items: Array.from({ length: 64 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b'] })) }); // 2,807 bytes (~2.8 KB); any size is compressed while context takeover is on

function sample(): Sample {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss, fds: readdirSync('/proc/self/fd').length };
}

// ---- child: the server ------------------------------------------------------------
if (process.argv[2] === '--server') {
  const mode = process.argv[3] as Mode;
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: mode === 'deflate' });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', () => ws.send(payload));
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port, base: sample() }));
  process.on('message', (msg: string) => {
    if (msg === 'sample') process.send?.({ after: sample(), clients: wss.clients.size });
    if (msg === 'exit') {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.close(() => process.disconnect());
    }
  });
} else {
  const n = Number(process.env.BENCH_ITERATIONS ?? 5_000);
  /**
   * The child's next message, raced with its 'exit' and 'error' and a timeout, so that a
   * child that dies at start-up is reported with its exit code instead of hanging. The
   * timer is an ordinary (ref'd) setTimeout: an AbortSignal.timeout timer does not keep the
   * event loop alive, and the process would exit with an unsettled top-level await.
   */
  const reply = <T>(child: ChildProcess, ms: number, what: string): Promise<T> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return Promise.reject(new Error(`server child already exited (code ${child.exitCode}, signal ${child.signalCode})`));
    }
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no ${what} from the server child within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    });
    const message = once(child, 'message', { signal: stop.signal }).then(([m]) => m as T);
    const exited = once(child, 'exit', { signal: stop.signal }).then(([code, signal]) => {
      throw Object.assign(new Error(`server child exited before sending ${what} (code ${code}, signal ${signal})`), { code: 'ECHILDEXIT', exitCode: code, signal });
    });
    const failed = once(child, 'error', { signal: stop.signal }).then(([err]) => {
      throw new Error(`server child failed before sending ${what}`, { cause: err });
    });
    return Promise.race([message, exited, failed, timeout]).finally(() => {
      clearTimeout(timer);
      stop.abort(); // removes the listeners of the losers
    });
  };

  async function measure(mode: Mode): Promise<{ perConn: Sample; clients: number }> {
    const child = fork(fileURLToPath(import.meta.url), ['--server', mode], { execArgv: process.execArgv, timeout: 120_000 });
    const clients: WebSocket[] = [];
    try {
      const { port, base } = await reply<{ port: number; base: Sample }>(child, 10_000, 'its port');
      for (let i = 0; i < n; i += 100) {
        const batch = Array.from({ length: Math.min(100, n - i) }, () => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: mode === 'deflate', handshakeTimeout: 10_000 });
          ws.on('error', () => {});
          clients.push(ws);
          return once(ws, 'open', { signal: AbortSignal.timeout(10_000) }).then(async () => {
            if (mode !== 'deflate') return;
            ws.send(payload); // creates the server's inflate context; the reply its deflate context
            await once(ws, 'message', { signal: AbortSignal.timeout(10_000) });
          });
        });
        await Promise.all(batch);
      }
      child.send('sample');
      const { after, clients: count } = await reply<{ after: Sample; clients: number }>(child, 10_000, 'a sample');
      const per = (k: keyof Sample): number => (after[k] - base[k]) / n;
      return { perConn: { heapUsed: per('heapUsed'), external: per('external'), rss: per('rss'), fds: per('fds') }, clients: count };
    } finally {
      for (const ws of clients) ws.terminate();
      if (child.connected) child.send('exit');
      if (child.exitCode === null && child.signalCode === null) {
        let timer: NodeJS.Timeout | undefined;
        const exited = await Promise.race([once(child, 'exit').then(() => true), new Promise<boolean>((r) => (timer = setTimeout(r, 5_000, false)))]);
        clearTimeout(timer); // else a pending 5 s timer holds the process open after the last mode
        if (!exited) child.kill('SIGKILL');
      }
    }
  }

  console.log(`${n} connections per mode, ${process.version}, server in a child process`);
  console.log('mode      heapUsed/conn  external/conn  rss/conn   fds/conn');
  for (const mode of ['idle', 'deflate'] as const) {
    const { perConn: p, clients } = await measure(mode);
    const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`.padStart(13);
    console.log(`${mode.padEnd(8)}  ${kib(p.heapUsed)}  ${kib(p.external)}  ${kib(p.rss)}  ${p.fds.toFixed(2).padStart(8)}`);
    console.log(`${mode}: server saw all ${n} clients: ${clients === n}`);
  }
}
