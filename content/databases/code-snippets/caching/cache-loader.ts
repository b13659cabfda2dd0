// The production read path: L1 + Redis L2 + single-flight + negative caching + jittered TTL,
// a deadline on every Redis call and lease-checked fills, on the reconnecting service client.
// Then: a fill that races an invalidation is refused; the connection idles past 2 s and is
// still usable; the server drops the connection (as a restart or failover does) and the
// client reconnects; Redis stalls (CLIENT PAUSE): the first read waits out its deadline, the
// health check's timed PINGs notice the stall, and later reads skip Redis until it answers again.
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheLoader, LoadError } from './lib/cache-loader.ts';
import { closeAll, connectForService, type Redis } from './lib/redis.ts';

type User = { id: string; name: string };
const users = new Map<string, User>([['1', { id: '1', name: 'alice' }]]);
let dbQueries = 0;
let failNext = false;
let holdNextLoad: { read: () => void; resume: Promise<void> } | undefined; // pauses one load between its query and its return
const loadUser = async (id: string, signal: AbortSignal): Promise<User | undefined> => {
  dbQueries++;
  await sleep(20, undefined, { signal }); // the query; cancelled if the caller gives up
  if (holdNextLoad) {
    const hold = holdNextLoad;
    holdNextLoad = undefined;
    const row = users.get(id);
    hold.read();
    await hold.resume; // the reader is descheduled after its query (GC pause, slow network)
    return row;
  }
  if (failNext) { failNext = false; throw Object.assign(new Error('connection terminated'), { code: '57P01' }); }
  return users.get(id);
};

/** Resolves on the client's next `event` (events.once would reject on the 'error' a dropped connection emits); bounded. */
const next = (client: Redis, event: 'reconnecting' | 'ready', ms = 5000): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    client.once(event, () => { clearTimeout(timer); resolve(); });
  });
/** Polls `test` every 20 ms until it is true or `ms` pass. */
const until = async (test: () => boolean, ms: number): Promise<boolean> => {
  for (const end = performance.now() + ms; performance.now() < end; await sleep(20)) if (test()) return true;
  return test();
};
const keysUsed = ['user:1', 'user:404', 'user:2', 'user:3', 'user:1:lease', 'user:404:lease', 'user:2:lease', 'user:3:lease'];
const warnings: string[] = []; // the service client's rate-limited log, collected here to keep the output stable
const log = (level: string, message: string): void => { warnings.push(`${level}: ${message}`); };
let app: Redis | undefined;
let admin: Redis | undefined;
let watched: Redis | undefined;
try {
  app = await connectForService('app', process.env.REDIS_URL, { log });
  admin = await connectForService('admin', process.env.REDIS_URL, { log });
  await app.del(keysUsed);
  const cache = new CacheLoader<User>({ redis: app, prefix: 'user:', load: loadUser, ttlSeconds: 300, l1TtlMs: 1000, redisTimeoutMs: 250 }); // generous: a loaded CI machine

  await Promise.all(Array.from({ length: 50 }, () => cache.get('1')));
  console.log(`50 concurrent cold reads of user 1: ${dbQueries} DB query`);
  await cache.get('1');
  console.log(`next read: from L1; stats ${JSON.stringify(cache.stats)}`);
  console.log(`Redis TTL of user:1 is within 300 +/- 10%: ${((t) => t >= 270 && t <= 330)(await app.ttl('user:1'))}`);

  const before = dbQueries;
  for (let i = 0; i < 3; i++) await cache.get('404');
  console.log(`3 reads of a missing user: ${dbQueries - before} DB query; Redis holds the marker with TTL <= 33 s: ${(await app.ttl('user:404')) <= 33}`);

  failNext = true;
  try {
    await cache.get('2');
  } catch (error) {
    const e = error as LoadError;
    console.log(`a failing load: ${e.name} ${e.code} "${e.message}", cause ${(e.cause as Error & { code: string }).code}; cached: ${(await app.exists('user:2')) === 1}`);
  }

  users.set('1', { id: '1', name: 'alicia' });
  await cache.invalidate('1');
  console.log(`after update + invalidate: ${(await cache.get('1'))?.name}`);

  users.set('3', { id: '3', name: 'carol' });
  let read!: () => void;
  const hasRead = new Promise<void>((resolve) => { read = resolve; });
  let resume!: () => void;
  holdNextLoad = { read, resume: new Promise<void>((resolve) => { resume = resolve; }) };
  const racing = cache.get('3'); // misses, takes the lease, reads carol, pauses
  await hasRead;
  users.set('3', { id: '3', name: 'caroline' }); // a writer commits ...
  await cache.invalidate('3'); // ... and invalidates: the value and the lease go
  resume();
  console.log(`a read that raced an update returned ${(await racing)?.name}; its fill refused: ${cache.stats.fillsRefused === 1}; Redis holds user:3: ${(await app.exists('user:3')) === 1}; next read: ${(await cache.get('3'))?.name}`);

  await sleep(2500); // idle longer than the snippet client's 2 s idle timeout, and past the L1 TTL
  let queries = dbQueries;
  const l2 = cache.stats.l2;
  const afterIdle = await cache.get('1');
  console.log(`after 2.5 s idle: ${afterIdle?.name} from Redis: ${cache.stats.l2 === l2 + 1}, DB queries ${dbQueries - queries}`);

  await sleep(1100); // past the L1 TTL, so the next read asks Redis
  const reconnecting = next(app, 'reconnecting');
  const ready = next(app, 'ready');
  ready.catch(() => {}); // awaited below; a rejection before then must not be unhandled
  await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(await app.clientId())]); // the server drops the connection
  await reconnecting; // the client is now waiting out its first back-off (50-150 ms)
  queries = dbQueries;
  const errors = cache.stats.redisErrors;
  const duringOutage = await cache.get('1');
  console.log(`connection dropped: read returned ${duringOutage?.name} from the DB (queries ${dbQueries - queries}, Redis skipped: ${cache.stats.redisErrors === errors + 1})`);
  await ready;
  await sleep(1100);
  queries = dbQueries;
  const afterReconnect = await cache.get('1');
  console.log(`reconnected with back-off: isReady ${app.isReady}; read returned ${afterReconnect?.name} from Redis, DB queries ${dbQueries - queries}; warnings logged: ${warnings.length > 0}`);

  // Redis stalls without closing the connection (a paused process): CLIENT PAUSE stands in for it.
  // A client with a fast health check (200 ms PINGs, 100 ms deadline) notices after two misses.
  watched = await connectForService('watched', process.env.REDIS_URL, { log, pingIntervalMs: 200, pingTimeoutMs: 100 });
  const fresh = new CacheLoader<User>({ redis: watched, prefix: 'user:', load: loadUser, ttlSeconds: 300 }); // 50 ms Redis deadline
  await admin.sendCommand(['CLIENT', 'PAUSE', '3000', 'ALL']); // Redis stops answering every client for 3 s
  const started = performance.now();
  const during = await fresh.get('1');
  const took = performance.now() - started;
  console.log(`Redis paused, not yet noticed: read returned ${during?.name} from the DB after waiting out the 50 ms Redis deadline (50-500 ms: ${took >= 50 && took < 500}); redisErrors ${fresh.stats.redisErrors}, loads ${fresh.stats.loads}`);
  const notReady = await until(() => !watched!.isReady, 1800);
  await sleep(1100); // past the L1 TTL
  const skippedWhileDown = watched.isReady === false;
  const second = await fresh.get('1');
  console.log(`two PINGs missed: isReady false: ${notReady && skippedWhileDown}; next read skipped Redis: ${second?.name} from the DB, loads ${fresh.stats.loads}; logged: ${warnings.some((w) => w.includes('watched: 2 PINGs unanswered'))}`);
  const readyAgain = await until(() => watched!.isReady, 5000);
  await sleep(1100);
  const loads = fresh.stats.loads;
  const third = await fresh.get('1');
  console.log(`pause over: reconnected ${readyAgain}; read returned ${third?.name} from Redis: ${fresh.stats.loads === loads}`);
  await app.del(keysUsed);
} finally {
  await closeAll([app, admin, watched]);
}
