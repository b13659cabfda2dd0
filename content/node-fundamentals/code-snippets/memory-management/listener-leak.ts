// Listener and timer leaks, and a leak regression check with v8.queryObjects()
// (Node 22.0+ / 20.13+), which counts live instances after a full GC.
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { queryObjects } from 'node:v8';

// Long-lived: one per process, like a config-reload bus or a shared DB client.
const configBus = new EventEmitter();

class RequestContext {
  readonly id: number;
  readonly body: string;
  constructor(id: number) {
    this.id = id;
    this.body = 'x'.repeat(10_000); // what the request holds: parsed body, user, ...
  }
}

let maxListenersWarning = false;
process.on('warning', (warning) => {
  if (warning.name === 'MaxListenersExceededWarning') maxListenersWarning = true;
});

// Leaky: each request subscribes to the process-wide bus and never unsubscribes, and
// starts a heartbeat interval that it never clears. Both callbacks close over `ctx`, so
// the bus and the timer list keep every request's context alive forever. unref() only
// lets the process exit despite the timer; it frees nothing.
const forgotten: ReturnType<typeof setInterval>[] = []; // only so that the demo can clean up
async function handleLeaky(id: number): Promise<void> {
  const ctx = new RequestContext(id);
  configBus.on('reload', () => console.log(`request ${ctx.id} sees new config`));
  forgotten.push(setInterval(() => ctx.id, 1_000).unref());
  await nextTurn(); // the request's I/O
}

// Fixed: every subscription made for the request is undone when the request ends,
// successfully or not, and also if the server's signal aborts while it is in flight.
async function handleFixed(id: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const ctx = new RequestContext(id);
  const onReload = (): void => console.log(`request ${ctx.id} sees new config`);
  configBus.on('reload', onReload);
  const heartbeat = setInterval(() => ctx.id, 1_000); // a per-request timer, same rule
  const cleanUp = (): void => {
    configBus.off('reload', onReload);
    clearInterval(heartbeat);
  };
  // The server's signal is long-lived too: a listener left on it would be the same leak.
  signal.addEventListener('abort', cleanUp, { once: true });
  try {
    // The request's I/O: pass the signal on, so that the work stops too, not only the
    // clean-up (an AbortError then rejects the handler, and finally still runs).
    await nextTurn(undefined, { signal });
  } finally {
    signal.removeEventListener('abort', cleanUp);
    cleanUp();
  }
}

for (let id = 0; id < 100; id++) await handleLeaky(id);
await nextTurn(); // process 'warning' events are emitted on a later tick
console.log(`leaky: ${configBus.listenerCount('reload')} listeners, ${queryObjects(RequestContext)} live RequestContext`);
console.log(`leaky: MaxListenersExceededWarning emitted: ${maxListenersWarning}`);

configBus.removeAllListeners('reload');
console.log(`after removeAllListeners: ${queryObjects(RequestContext)} live RequestContext (the intervals)`);
for (const timer of forgotten.splice(0)) clearInterval(timer);
console.log(`after clearInterval: ${queryObjects(RequestContext)} live RequestContext`);

const server = new AbortController();
for (let id = 0; id < 100; id++) await handleFixed(id, server.signal);
console.log(`fixed: ${configBus.listenerCount('reload')} listeners, ${queryObjects(RequestContext)} live RequestContext`);
server.abort();
