// Sticky sessions by hand: the primary accepts raw TCP connections, picks a
// worker from a hash of the client address, and passes the socket itself. A dead
// worker's clients fall back to a live one until its slot is respawned, with backoff.
// Every hand-off is tracked until the worker acknowledges it. A worker that is late to
// acknowledge gets no new connections until it catches up; one that dies, or is still
// stuck at a second, longer deadline and is killed, has the connections it never took
// reset, so their clients can retry at once instead of hanging while the primary leaks
// their descriptors.
import cluster from 'node:cluster';
import http from 'node:http';
import net from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { get } from './lib/http-get.ts';
import type { GetResult } from './lib/http-get.ts';

/** FNV-1a, 32 bit: cheap and stable across restarts (unlike a random seed). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Primary -> worker with a socket; worker -> primary once it has taken it. */
interface Handoff { readonly type: 'sticky:connection'; readonly id: number }
interface Ack { readonly type: 'sticky:ack'; readonly id: number }
const isAck = (msg: unknown): msg is Ack => (msg as Ack | null)?.type === 'sticky:ack';
const isHandoff = (msg: unknown): msg is Handoff => (msg as Handoff | null)?.type === 'sticky:connection';

const READY_TIMEOUT_MS = 3_000;
const STOP_TIMEOUT_MS = 2_000;
// A worker that has not taken a socket by ACK_TIMEOUT_MS is busy or stuck: it gets no new
// connections until it acknowledges again. If it is still silent at KILL_TIMEOUT_MS it is
// killed, and with it every connection it was already serving, so keep that deadline above
// any event-loop stall you accept (a large JSON.parse, a long GC). Demo values; a service
// would use a few seconds and tens of seconds.
const ACK_TIMEOUT_MS = 1_000;
const KILL_TIMEOUT_MS = 2_500;
const MAX_UNACKED = 32; // a worker this far behind gets no new connections
const MAX_CRASHES = 5; // per minute, then the slot stays empty and traffic falls back
const CRASH_WINDOW_MS = 60_000;

if (cluster.isPrimary) {
  const SLOTS = 2;
  // slot -> the worker that owns that hash bucket, once it has said 'ready'
  const slots: (Worker | undefined)[] = new Array(SLOTS).fill(undefined);
  // worker -> its hand-offs not yet acknowledged: the primary keeps its own copy of each
  // descriptor (keepOpen) until then, so it can still reset the client.
  const unacked = new Map<Worker, Map<number, { socket: net.Socket; timer: NodeJS.Timeout }>>();
  const late = new Set<Worker>(); // missed an ack deadline: no new connections until it catches up
  let nextHandoff = 1;
  const crashes: number[] = [];
  let stopping = false;
  const slotReady: (() => void)[] = [];

  /** Starts the worker for one slot; 'ready' races 'exit', 'error' and a timeout. */
  const startSlot = async (slot: number): Promise<void> => {
    const worker = cluster.fork({ SLOT: String(slot) });
    worker.on('error', (error) => console.error(`worker ${worker.id}: ${error.message}`)); // an unlistened 'error' throws
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        once(worker, 'message'), // 'ready'; rejects on 'error' (a failed fork never exits)
        once(worker, 'exit').then(() => { throw new Error(`worker ${worker.id} exited before it was ready`); }),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`worker ${worker.id} not ready in time`)), READY_TIMEOUT_MS); }),
      ]);
    } catch (error) {
      if (worker.process.pid !== undefined && !worker.isDead()) worker.process.kill('SIGKILL');
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (stopping) { // shutdown began while it was starting: nothing would ever stop it
      worker.process.kill('SIGKILL');
      return;
    }
    const pending = new Map<number, { socket: net.Socket; timer: NodeJS.Timeout }>();
    unacked.set(worker, pending);
    worker.on('message', (msg: unknown) => {
      if (!isAck(msg)) return;
      const handoff = pending.get(msg.id);
      if (handoff === undefined) return;
      pending.delete(msg.id);
      clearTimeout(handoff.timer);
      handoff.socket.destroy(); // our copy only: the worker holds the connection now
      if (pending.size === 0) late.delete(worker); // caught up: route to it again
    });
    slots[slot] = worker;
    worker.once('exit', () => {
      if (slots[slot] === worker) slots[slot] = undefined; // route around it from now on
      // What it never took dies with it. Reset, not a silent close: the client learns at once.
      for (const { socket, timer } of pending.values()) {
        clearTimeout(timer);
        socket.resetAndDestroy();
      }
      pending.clear();
      unacked.delete(worker);
      late.delete(worker);
      if (!stopping) respawn(slot);
    });
    slotReady[slot]?.();
  };

  /** Backoff, and a crash-loop limit: the slot stays empty, its clients use the others. */
  const respawn = (slot: number): void => {
    const now = Date.now();
    crashes.push(now);
    while (crashes[0]! <= now - CRASH_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_CRASHES) {
      console.error(`crash loop: slot ${slot} stays empty`);
      return;
    }
    const backoff = Math.min(200 * 2 ** (crashes.length - 1), 5_000);
    setTimeout(() => {
      if (!stopping) startSlot(slot).catch(() => respawn(slot));
    }, backoff);
  };

  await Promise.all(Array.from({ length: SLOTS }, (_, slot) => startSlot(slot)));

  /** Connected and keeping up with its hand-offs. */
  const usable = (w: Worker | undefined): w is Worker =>
    w !== undefined && w.isConnected() && !late.has(w) && (unacked.get(w)?.size ?? MAX_UNACKED) < MAX_UNACKED;
  /** The sticky worker if it is usable, else any usable one: stickiness yields to availability. */
  const pick = (key: string): Worker | undefined => {
    const home = slots[fnv1a(key) % SLOTS];
    return usable(home) ? home : slots.find(usable);
  };

  // pauseOnConnect: the primary must not read a byte, or those bytes would be
  // lost to the worker. The handle goes over the IPC channel (SCM_RIGHTS on Unix).
  const balancer = net.createServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => socket.destroy()); // a reset before hand-off must not crash the primary
    const worker = pick(socket.remoteAddress ?? '');
    const pending = worker === undefined ? undefined : unacked.get(worker);
    if (worker === undefined || pending === undefined) {
      socket.resetAndDestroy(); // no usable worker: refuse at once rather than hold the client
      return;
    }
    const id = nextHandoff++;
    const entry = { socket, timer: setTimeout(() => {
      if (worker.isDead() || worker.process.killed) return;
      // First deadline: busy or stuck, we cannot tell yet. Stop routing to it, keep waiting.
      if (!late.has(worker)) console.error(`worker ${worker.id} took no socket in ${ACK_TIMEOUT_MS} ms: no new connections for it`);
      late.add(worker);
      entry.timer = setTimeout(() => {
        if (worker.isDead() || worker.process.killed) return; // an earlier hand-off's timer got there first
        console.error(`worker ${worker.id} took no socket in ${KILL_TIMEOUT_MS} ms: killing it`);
        worker.process.kill('SIGKILL'); // its 'exit' resets every connection it holds
      }, KILL_TIMEOUT_MS - ACK_TIMEOUT_MS);
    }, ACK_TIMEOUT_MS) };
    pending.set(id, entry);
    const timer = (): NodeJS.Timeout => entry.timer;
    // The callback gets null once the message is written or merely queued, and for an
    // asynchronous write whatever became of it: only the worker's ack says it has the socket.
    // An error here is a write that failed at once.
    worker.send({ type: 'sticky:connection', id } satisfies Handoff, socket, { keepOpen: true }, (error: Error | null) => {
      if (error === null || !pending.has(id)) return;
      pending.delete(id);
      clearTimeout(timer());
      socket.resetAndDestroy();
    });
  });
  balancer.listen(0, '127.0.0.1');
  await once(balancer, 'listening');
  const { port } = balancer.address() as AddressInfo;
  const serve = async (n: number) => {
    const servedBy: string[] = [];
    for (let i = 0; i < n; i++) servedBy.push((await get(port, '/', AbortSignal.timeout(2_000))).body);
    return servedBy;
  };

  const servedBy = await serve(6);
  console.log(`6 connections from 127.0.0.1 served by: ${servedBy.join(' ')}`);
  console.log(`distinct workers used: ${new Set(servedBy).size} of ${SLOTS}`);

  // The sticky worker dies. Its clients fall back to a live worker until the slot is
  // respawned (after a 200 ms backoff), then return to the slot's new worker.
  const home = fnv1a('127.0.0.1') % SLOTS;
  const victim = slots[home]!;
  let backAgain = new Promise<void>((resolve) => { slotReady[home] = resolve; });
  const died = once(victim, 'exit');
  victim.process.kill('SIGKILL');
  await died;
  console.log(`worker-${victim.id} killed: next 2 connections served by ${(await serve(2)).join(' ')}`);
  await backAgain;
  console.log(`slot respawned: next 2 connections served by ${(await serve(2)).join(' ')}`);

  // The sticky worker is busy for 1.5 s (a long synchronous task) while a client connects.
  // At ACK_TIMEOUT_MS it stops getting connections, so a client arriving then is served by
  // the other worker; it is not killed, and once it acknowledges it is the home worker again.
  const busy = slots[home]!;
  busy.send({ type: 'demo:block', ms: 1_500 });
  const busyStart = Date.now();
  const waiting = get(port, '/', AbortSignal.timeout(5_000)).then((r) => ({ body: r.body, afterMs: Date.now() - busyStart }));
  await new Promise((r) => setTimeout(r, ACK_TIMEOUT_MS + 200));
  const meanwhile = (await get(port, '/', AbortSignal.timeout(2_000))).body;
  const waited = await waiting;
  console.log(`worker-${busy.id} busy for 1.5 s: the client waiting on it served by ${waited.body} ` +
    `(after the ack timeout: ${waited.afterMs >= ACK_TIMEOUT_MS}); one arriving after the ack timeout by ${meanwhile}; ` +
    `then ${(await serve(2)).join(' ')}; still alive: ${!busy.isDead() && slots[home] === busy}`);

  // The sticky worker's event loop gets stuck (a 4 s synchronous loop) while 3 clients
  // connect. It cannot take their sockets; at KILL_TIMEOUT_MS the primary kills it and
  // resets the 3 connections, so each client learns at once and retries elsewhere.
  const openFds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : Number.NaN); // Linux
  await new Promise((r) => setTimeout(r, 100)); // let the last client sockets close
  const fdsBefore = openFds();
  const stuck = slots[home]!;
  backAgain = new Promise<void>((resolve) => { slotReady[home] = resolve; });
  stuck.send({ type: 'demo:block', ms: 4_000 });
  const started = Date.now();
  const attempt = async (): Promise<{ first: string; afterMs: number; retry: GetResult }> => {
    try {
      const result = await get(port, '/', AbortSignal.timeout(5_000));
      return { first: 'served', afterMs: Date.now() - started, retry: result };
    } catch (err) {
      const afterMs = Date.now() - started;
      return { first: (err as NodeJS.ErrnoException).code ?? String(err), afterMs, retry: await get(port, '/', AbortSignal.timeout(2_000)) };
    }
  };
  const outcomes = await Promise.all([attempt(), attempt(), attempt()]);
  console.log(`worker-${stuck.id} stuck: 3 clients -> ${[...new Set(outcomes.map((o) => o.first))].join(', ')}, ` +
    `not before the kill deadline: ${outcomes.every((o) => o.afterMs >= KILL_TIMEOUT_MS)}; ` +
    `retried and served by ${outcomes.map((o) => o.retry.body).join(' ')}`);
  await backAgain;
  console.log(`primary holds no leftover descriptor: ${unacked.get(stuck) === undefined && openFds() === fdsBefore}`);

  stopping = true;
  balancer.close();
  await Promise.all(slots.map(async (w) => {
    if (w === undefined || w.isDead()) return;
    const exited = once(w, 'exit');
    const timer = setTimeout(() => w.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
    w.disconnect();
    await exited;
    clearTimeout(timer);
  }));
  console.log('balancer closed, workers exited');
} else {
  const id = String(cluster.worker?.id);
  // This server never listens: connections arrive as handles from the primary.
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    res.end(`worker-${id}`);
  });
  process.on('message', (msg: unknown, socket?: net.Socket) => {
    if (isHandoff(msg) && socket !== undefined) {
      server.emit('connection', socket);
      socket.resume();
      process.send?.({ type: 'sticky:ack', id: msg.id } satisfies Ack);
    } else if ((msg as { type?: string } | null)?.type === 'demo:block') {
      // Stands in for a worker whose event loop is stuck (a runaway synchronous loop).
      const end = Date.now() + (msg as { ms: number }).ms;
      while (Date.now() < end);
    }
  });
  process.send?.('ready');
}
