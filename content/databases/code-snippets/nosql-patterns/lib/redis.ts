// Redis clients for the nosql-patterns snippets: bounded connect, no reconnect (a snippet should
// fail, not spin), a listener for 'error' that logs it (without one an error event crashes the
// process, and a socket error between commands is seen nowhere else), and a close that falls
// back to destroy() when the server does not answer.
import { createClient } from 'redis';
import { withDeadline } from './deadline.ts';

const make = (url: string, name: string) =>
  createClient({ url, name, socket: { connectTimeout: 2000, reconnectStrategy: false } });
export type Redis = ReturnType<typeof make>;

export async function connect(name: string): Promise<Redis> {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run this through the snippet runner, or point it at a throwaway Redis 7');
  const client = make(url, name);
  // Log with the whole error (name, code, cause): an error during a command also rejects that
  // command, but one between commands is only visible here.
  client.on('error', (error: unknown) => console.error(`redis client ${name}: socket error`, error));
  await withDeadline(client.connect(), 3000, `connect ${name}`);
  return client;
}

export async function close(client: Redis | undefined): Promise<void> {
  if (!client?.isOpen) return;
  try {
    await withDeadline(client.close(), 2000, 'redis close');
  } catch {
    client.destroy();
  }
}
