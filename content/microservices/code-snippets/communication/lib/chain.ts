// Starts services (lib/hop.ts) as child processes and stops them, awaited, even on failure.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export type Stats = { received: number; forwarded: number; workStarted: number; workFinished: number; rejectedForDeadline: number; inFlight: number };
export type Service = { name: string; url: string; child: ChildProcess };

const hopFile = new URL('./hop.ts', import.meta.url);

// Waits for one IPC message of type `replyType`; rejects if the child exits or errors first,
// or after timeoutMs. Every listener and the timer are removed however it ends.
function waitFor<T>(s: Service, replyType: string, timeoutMs: number, send?: object): Promise<T> {
  let cleanup = (): void => {};
  const waiting = new Promise<T>((resolve, reject) => {
    const onMessage = (m: { type: string }): void => { if (m.type === replyType) resolve(m as T); };
    const onExit = (code: number | null, signal: string | null): void => reject(new Error(`${s.name} exited (${code ?? signal}) before '${replyType}'`));
    const onError = (err: Error): void => reject(new Error(`${s.name} failed before '${replyType}'`, { cause: err }));
    const timer = setTimeout(() => reject(Object.assign(new Error(`${s.name}: no '${replyType}' within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
    cleanup = () => {
      clearTimeout(timer);
      s.child.off('message', onMessage).off('exit', onExit).off('error', onError);
    };
    s.child.on('message', onMessage).on('exit', onExit).on('error', onError);
    if (send) s.child.send(send);
  });
  return waiting.finally(cleanup);
}

export async function start(name: string, env: Record<string, string>, timeoutMs = 5000): Promise<Service> {
  const child = fork(hopFile, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const service = { name, url: '', child };
  try {
    const { port } = await waitFor<{ port: number }>(service, 'ready', timeoutMs);
    return { ...service, url: `http://127.0.0.1:${port}` };
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start`, { cause: err });
  }
}

export async function stats(s: Service): Promise<Stats> {
  return (await waitFor<{ stats: Stats }>(s, 'stats', 2000, { type: 'stats' })).stats;
}

// Replaces the service's configuration (as environment variables would) and zeroes its counters.
export async function configure(s: Service, env: Record<string, string>): Promise<void> {
  await waitFor(s, 'configured', 2000, { type: 'config', env });
}

// Polls every service until none has a request in flight on two polls in a row (with no new
// arrivals in between), so that counts and reconfigurations never race requests still
// travelling between hops. Bounded: fails loudly after timeoutMs.
export async function waitIdle(services: Service[], timeoutMs = 5000): Promise<void> {
  let idlePolls = 0, lastReceived = -1;
  for (const giveUp = performance.now() + timeoutMs; idlePolls < 2; await new Promise((r) => setTimeout(r, 50))) {
    if (performance.now() > giveUp) throw Object.assign(new Error(`requests still in flight after ${timeoutMs} ms`), { name: 'TimeoutError' });
    const all = await Promise.all(services.map(stats));
    const received = all.reduce((n, s) => n + s.received, 0);
    idlePolls = all.every((s) => s.inFlight === 0) && received === lastReceived ? idlePolls + 1 : 0;
    lastReceived = received;
  }
}

// Each child separately: one that hangs is killed and does not keep the others alive.
export async function stopAll(services: Service[], timeoutMs = 2000): Promise<void> {
  await Promise.allSettled(services.map(async (s) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return;
    const exited = once(s.child, 'exit');
    if (s.child.connected) s.child.disconnect();
    const timer = setTimeout(() => s.child.kill('SIGKILL'), timeoutMs);
    try { await exited; } finally { clearTimeout(timer); }
  }));
}
