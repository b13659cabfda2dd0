// A Redis client for the snippets: bounded connect, no reconnect (a snippet should fail, not spin),
// every command under a deadline by the caller, and a close that falls back to destroy().
import { createClient } from 'redis';
import { withDeadline } from './pglite.ts';

const create = (url: string) => createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
export type Redis = ReturnType<typeof create>;

export async function connectRedis(): Promise<Redis> {
  const url = process.env.REDIS_URL;
  if (!url) throw Object.assign(new Error('REDIS_URL is not set: this snippet needs a Redis server (the snippet runner starts one)'), { code: 'ENOSERVER' });
  const client = create(url);
  // The awaited command fails too (no reconnect here), but the event is the only trace of a dropped
  // connection between commands; an unheard 'error' would crash the process.
  client.on('error', (error: Error) => console.warn(`redis: ${error.message}`));
  try {
    await withDeadline(client.connect(), 3_000, 'redis connect');
  } catch (error) {
    client.destroy();
    throw new Error('could not connect to Redis', { cause: error });
  }
  return client;
}

/** close() waits for pending replies; destroy() is the fallback when that takes too long. */
export async function closeRedis(client: Redis | undefined): Promise<void> {
  if (!client?.isOpen) return;
  try {
    await withDeadline(client.close(), 2_000, 'redis close');
  } catch {
    client.destroy();
  }
}

/** Redis Cluster's key slot: CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of new TextEncoder().encode(key)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
