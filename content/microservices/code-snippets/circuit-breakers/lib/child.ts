// Start lib/flaky-server.ts as a child process and control it. Start-up races the port
// message (with a deadline) against 'exit'; a spawn 'error' is covered too, because
// events.once rejects when the emitter emits 'error'. stop() closes IPC, waits for 'exit'
// with a deadline, then kills.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Dependency {
  url: string;
  setMode(mode: 'ok' | 'fail' | 'slow'): Promise<void>;
  stop(): Promise<void>;
}

export async function startDependency(timeoutMs = 3000): Promise<Dependency> {
  const child: ChildProcess = fork(new URL('./flaky-server.ts', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  // The next IPC message that satisfies `accept`; other messages are skipped.
  const reply = async (signal: AbortSignal, accept: (msg: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
    for (;;) {
      const [msg] = (await once(child, 'message', { signal })) as [Record<string, unknown>];
      if (accept(msg)) return msg;
    }
  };
  try {
    const ready = reply(AbortSignal.timeout(timeoutMs), (msg) => typeof msg.port === 'number');
    const failed = once(child, 'exit').then(([code]) => { throw new Error(`dependency exited during start-up with code ${code}`); });
    const msg = await Promise.race([ready, failed]);
    failed.catch(() => {}); // it may reject later, when the child exits normally
    const url = `http://127.0.0.1:${msg.port as number}/`;
    return {
      url,
      async setMode(mode) {
        const ack = reply(AbortSignal.timeout(timeoutMs), (msg) => msg.ack === mode); // not any stray message
        child.send({ mode });
        await ack;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw new Error('could not start the dependency', { cause: err });
  }
}
