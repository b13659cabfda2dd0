// Shared by the Redis snippets: connect with bounded waits, run every call under a deadline,
// and close every client on its own so that one failing close() skips none of the others.
// Two kinds of client: `connectForService` is the one a service's read path uses (it reconnects);
// `connect` is for the snippets that must fail fast instead of retrying (no reconnect).
import { createClient } from 'redis';

// Snippet client: 2 s to connect; `socketTimeout` is an *idle* timeout (Node's socket.setTimeout:
// 2 s without traffic closes the socket), and `reconnectStrategy: false` never reconnects, so this
// client dies on the first idle gap, restart or failover. Right for a snippet that should fail,
// not spin; wrong for a service.
const createForSnippet = (url: string, name: string) =>
  createClient({ url, name, socket: { connectTimeout: 2000, socketTimeout: 2000, reconnectStrategy: false } });

export type Redis = ReturnType<typeof createForSnippet>;

export interface ServiceRedisOptions {
  maxRetries?: number; // reconnect attempts per outage before the client gives up, default 20 (about 30 s of back-off)
  coolDownMs?: number; // after giving up, start a new round of attempts this much later, default 30 s
  pingIntervalMs?: number; // health check: one PING this often while the client is ready, default 10 s
  pingTimeoutMs?: number; // a PING without a reply within this is a miss, default 1 s
  maxMissedPings?: number; // this many misses in a row: the server is stalled, drop the connection and reconnect, default 2
  log?: (level: 'warn' | 'error', message: string) => void;
}

/** Exponential back-off, 50 ms doubling to a 2 s cap, plus 0-100 ms of jitter so that instances do not reconnect in step. */
export const backoffMs = (retries: number): number => Math.min(50 * 2 ** retries, 2000) + Math.random() * 100;

export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(what: string, ms: number, options?: ErrorOptions) {
    super(`${what} did not finish within ${ms} ms`, options);
    this.name = 'DeadlineError';
  }
}

/** Rejects when `ms` passes even if `work` ignores cancellation; the timer never outlives the race. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Snippet client (no reconnect), connected within 3 s or rejected. */
export async function connect(name: string): Promise<Redis> {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: run this snippet through the snippet runner or point it at a throwaway Redis');
  const client = createForSnippet(url, name);
  client.on('error', () => {}); // errors surface on the awaited command; without a listener they crash the process
  await withDeadline(client.connect(), 3000, `connect ${name}`);
  return client;
}

const stopHealth = new WeakMap<object, () => void>(); // per service client: stops its health check and cool-down timer

/**
 * Service client: no idle timeout, reconnect with capped, jittered exponential back-off, and a limit
 * on attempts per outage. After the limit the client is terminated; a new round starts after
 * `coolDownMs`, so a long outage costs database load for its duration, never for the life of the
 * process. `disableOfflineQueue` makes commands fail at once while disconnected instead of queueing
 * to run late. Per-command deadlines stay the caller's job (`withDeadline`).
 *
 * Health check: a closed or reset connection is noticed by the socket, but a server that stops
 * answering without closing it (a paused or overloaded process, a host gone without a RST) is not;
 * node-redis's own `pingInterval` PING has no deadline, so it would never notice. Here every PING has
 * a deadline; after `maxMissedPings` misses the connection is destroyed (queued commands reject at
 * once) and reopened. Until the server answers the new connection's handshake, `isReady` is false,
 * so readers skip Redis instead of paying their deadline on every call; a server that accepts the
 * new connection but never answers keeps it so until it answers or the connection fails. Noticing
 * takes up to about two intervals plus the deadline. The PING also keeps idle connections and NAT
 * entries alive.
 */
export async function connectForService(name: string, url = process.env.REDIS_URL, options: ServiceRedisOptions = {}): Promise<Redis> {
  if (!url) throw new Error('REDIS_URL is not set');
  const { maxRetries = 20, coolDownMs = 30_000, pingIntervalMs = 10_000, pingTimeoutMs = 1000, maxMissedPings = 2, log = (level, message) => console[level](message) } = options;
  const client = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries, cause) => (retries >= maxRetries ? new Error(`redis ${name}: giving up after ${retries} reconnects`, { cause }) : backoffMs(retries)),
    },
  }) as unknown as Redis; // same API as the snippet client; only the options differ
  let lastWarn = 0;
  client.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastWarn < 10_000) return; // rate-limited; a real service also increments a counter here
    lastWarn = now;
    log('warn', `redis ${name}: ${error.message}`);
  });

  let stopped = false;
  let restarting = false; // our own destroy() below also emits 'end'
  let coolDown: NodeJS.Timeout | undefined;
  let pinging = false;
  let missed = 0;
  const reopen = (): void => { if (!stopped && !client.isOpen) client.connect().catch(() => {}); }; // a failed round ends in 'terminated'
  const health = setInterval(() => {
    if (stopped || pinging || !client.isReady) return; // not ready: the socket's own reconnect is in charge
    pinging = true;
    withDeadline(client.ping(), pingTimeoutMs, `PING ${name}`)
      .then(() => { missed = 0; })
      .catch(() => {
        if (++missed < maxMissedPings || stopped) return;
        missed = 0;
        log('error', `redis ${name}: ${maxMissedPings} PINGs unanswered within ${pingTimeoutMs} ms; reconnecting`);
        restarting = true;
        client.destroy(); // rejects the commands waiting on the stalled connection; isReady is now false
        restarting = false;
        reopen();
      })
      .finally(() => { pinging = false; });
  }, pingIntervalMs).unref();
  const stop = (): void => { stopped = true; clearInterval(health); clearTimeout(coolDown); };
  stopHealth.set(client, stop);
  client.on('end', () => { if (!restarting) stop(); }); // close()/destroy() by the application
  client.on('terminated', (cause: Error) => {
    if (stopped) return;
    log('error', `redis ${name}: reconnects stopped (${cause.message}); retrying in ${coolDownMs} ms`);
    clearTimeout(coolDown);
    coolDown = setTimeout(reopen, coolDownMs).unref();
  });
  try {
    await withDeadline(client.connect(), 3000, `connect ${name}`);
  } catch (error) {
    stop();
    client.destroy();
    throw error;
  }
  return client;
}

/** close() waits for pending replies; destroy() is the fallback when that takes too long. */
export async function closeAll(clients: Array<Redis | undefined>): Promise<void> {
  await Promise.allSettled(
    clients.map(async (client) => {
      if (client) stopHealth.get(client)?.(); // also a client terminated mid-outage, which is no longer open
      if (!client?.isOpen) return;
      try {
        await withDeadline(client.close(), 2000, 'close');
      } catch {
        client.destroy();
      }
    }),
  );
}
