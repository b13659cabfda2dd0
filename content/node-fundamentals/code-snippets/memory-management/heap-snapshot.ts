// Finding a leak with heap snapshots, the way DevTools' Comparison and Retainers views do:
// take a snapshot, let traffic run, take another, see which constructor grew, then
// follow one instance's retainers back to a GC root.
// The snapshots are written to the working directory and deleted after reading.
import { readFileSync, rmSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { writeHeapSnapshot } from 'node:v8';
import { HeapSnapshot } from './lib/heap-snapshot.ts';

class Session {
  readonly id: number;
  readonly user: string;
  constructor(id: number) {
    this.id = id;
    this.user = `user-${id}`;
  }
}

class SessionStore {
  readonly sessions = new Map<number, Session>();
}

// The bug: login adds, but the logout path (not shown) forgets to delete.
const store = new SessionStore();
// A Buffer kept by the module: its bytes are outside the V8 heap, yet the snapshot lists
// the backing store as a native node of its own, with its full size.
const avatarCache = Buffer.alloc(8 * 2 ** 20, 1);
function login(id: number): void {
  store.sessions.set(id, new Session(id));
}

function serveTraffic(from: number, count: number): void {
  for (let id = from; id < from + count; id++) login(id);
}

function snapshot(name: string): HeapSnapshot {
  const started = performance.now();
  const file = writeHeapSnapshot(name); // synchronous: the event loop is blocked meanwhile
  const ms = performance.now() - started;
  try {
    // One string plus the parsed arrays: fine for these few-MiB files. A production
    // snapshot of hundreds of MiB is read offline, on another machine, not in the service.
    const json = readFileSync(file, 'utf8');
    console.log(`${name}: ${(json.length / 2 ** 20).toFixed(1)} MiB written in ${ms.toFixed(0)} ms`);
    return new HeapSnapshot(json);
  } finally {
    rmSync(file, { force: true });
  }
}

serveTraffic(0, 1_000);
await nextTurn(); // take snapshots from a fresh turn, with no JavaScript frames on the stack
const first = snapshot('before.heapsnapshot');
serveTraffic(1_000, 1_000);
await nextTurn();
const second = snapshot('after.heapsnapshot');

for (const name of ['Session', 'SessionStore']) {
  const a = first.summarize(name);
  const b = second.summarize(name);
  console.log(`${name}: ${a.count} -> ${b.count} objects (+${b.count - a.count}), self size +${b.selfBytes - a.selfBytes} bytes`);
}

const store8 = second.largest('system / JSArrayBufferData');
console.log(`largest backing store: ${store8?.type} node "system / JSArrayBufferData", ${store8?.selfBytes} bytes (avatarCache holds ${avatarCache.length})`);

// Retainers: the shortest strong path from the root to one leaked Session, ignoring the
// references V8's C++ code holds for a while ("(Handle scope)" and "(Strong roots)", the
// reader's defaults). The steps before the module's Context are V8's root bookkeeping
// ("(Stack roots)": the module is running); the rest is our code.
const path = second.retainerPath(second.findFirst('Session'));
const fromContext = path.findIndex((step) => step.startsWith('system / Context'));
if (fromContext < 0) throw new Error(`unexpected retainer path:\n${path.join('\n')}`);
console.log('retained by:');
for (const step of path.slice(fromContext)) console.log(`  ${step}`);
console.log(`  Session`);
console.log(`sessions in the store: ${store.sessions.size}`);
