// The libuv thread pool is a fixed set of threads with one FIFO queue. Fill it
// with slow crypto work and an unrelated fs.stat waits in line behind it,
// while a TCP round trip (sockets are polled with epoll on the loop thread,
// no pool thread involved) and a timer go through untouched.
// Run with UV_THREADPOOL_SIZE=2 (snippets.json sets it).
import { pbkdf2 } from 'node:crypto';
import { stat } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

const started = performance.now();
const elapsed = (): number => performance.now() - started;
const done: Record<string, number> = {};
const mark = (what: string) => (): void => {
  done[what] = elapsed();
};

function pbkdf2Job(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // ~100 ms of CPU on one core (300k iterations of HMAC-SHA-512).
    pbkdf2('correct horse', 'battery staple', 300_000, 64, 'sha512', (err) => {
      if (err) return reject(err);
      mark(name)();
      resolve();
    });
  });
}

function statJob(): Promise<void> {
  return new Promise((resolve, reject) => {
    stat('.', (err) => {
      if (err) return reject(err);
      mark('fs.stat')();
      resolve();
    });
  });
}

// One echo round trip over loopback; resolves when the echo is back.
async function tcpRoundTrip(): Promise<void> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('ping'));
      socket.once('data', () => {
        mark('tcp round trip')();
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(unset, so 4)'}`);
console.log('queued, in this order: 2 x pbkdf2, fs.stat, a 5 ms timer, a TCP round trip on 127.0.0.1');
const timer = new Promise<void>((resolve) => setTimeout(() => resolve(mark('timer')()), 5));
await Promise.all([pbkdf2Job('pbkdf2 #1'), pbkdf2Job('pbkdf2 #2'), statJob(), timer, tcpRoundTrip()]);

const firstPbkdf2 = Math.min(done['pbkdf2 #1'] ?? Infinity, done['pbkdf2 #2'] ?? Infinity);
console.log(`timer fired before either pbkdf2 finished: ${(done.timer ?? Infinity) < firstPbkdf2}`);
console.log(`TCP round trip finished before either pbkdf2: ${(done['tcp round trip'] ?? Infinity) < firstPbkdf2}`);
console.log(`fs.stat finished only after a pbkdf2 freed a thread: ${(done['fs.stat'] ?? -1) > firstPbkdf2}`);
for (const [what, ms] of Object.entries(done).sort((a, b) => a[1] - b[1])) {
  console.log(`  ${what.padEnd(15)} done at ${ms.toFixed(1)} ms`);
}
