// Stampedes: 100 concurrent misses for one key. In one process a single-flight map turns 100
// loads into 1. Across processes (here: five Redis connections standing in for five
// instances) a Redis lock, SET NX PX with a random token, does the same; then its failure
// mode: the lock expires while its holder is paused, a second holder gets it, and only the
// token check keeps the first holder from deleting the second holder's lock.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeAll, connect, withDeadline, type Redis } from './lib/redis.ts';
import { SingleFlight } from './lib/single-flight.ts';

let dbLoads = 0;
const loadFromDb = async (key: string): Promise<string> => {
  dbLoads++;
  await sleep(50); // a 50 ms query
  return `value-of-${key}`;
};

// Release only if the lock is still ours: GET and DEL in one script, so nothing runs between them.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Cache-aside with a Redis lock around the load; losers poll the cache with a bounded wait. */
async function getWithLock(redis: Redis, key: string, lockTtlMs: number, maxWaitMs: number): Promise<string> {
  const deadline = Date.now() + maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    const cached = await redis.get(`cache:${key}`);
    if (cached !== null) return cached;
    const token = randomUUID();
    if ((await redis.set(`lock:${key}`, token, { condition: 'NX', expiration: { type: 'PX', value: lockTtlMs } })) === 'OK') {
      try {
        // Check again under the lock: the previous holder may have filled the cache and released
        // the lock between our GET and our SET NX. Without this, a second load happens now and then.
        const filled = await redis.get(`cache:${key}`);
        if (filled !== null) return filled;
        const value = await loadFromDb(key);
        await redis.set(`cache:${key}`, value, { expiration: { type: 'EX', value: 300 } });
        return value;
      } finally {
        await redis.eval(RELEASE, { keys: [`lock:${key}`], arguments: [token] });
      }
    }
    if (Date.now() > deadline) return loadFromDb(key); // fail open: a slow lock holder must not stall every reader
    await sleep(Math.min(10 * 2 ** attempt, 100) * (0.5 + Math.random() / 2)); // jittered backoff
  }
}

const clients: Array<Redis | undefined> = [];
try {
  console.log('1. One process, 100 concurrent requests for a cold key');
  dbLoads = 0;
  await Promise.all(Array.from({ length: 100 }, () => loadFromDb('k1')));
  console.log(`  without single-flight: ${dbLoads} DB loads`);
  dbLoads = 0;
  const flight = new SingleFlight<string>();
  const values = await Promise.all(Array.from({ length: 100 }, () => flight.do('k1', () => loadFromDb('k1'))));
  console.log(`  with single-flight:    ${dbLoads} DB load, ${new Set(values).size} distinct value, ${flight.size} entries left`);

  console.log('2. Five instances (each with its own single-flight), 20 requests each, one Redis lock');
  for (let i = 0; i < 5; i++) clients.push(await connect(`instance-${i}`));
  const instances = clients as Redis[];
  await instances[0]!.del(['cache:k2', 'lock:k2']);
  dbLoads = 0;
  const perInstance = instances.map(() => new SingleFlight<string>());
  await withDeadline(
    Promise.all(instances.flatMap((redis, i) => Array.from({ length: 20 }, () => perInstance[i]!.do('k2', () => getWithLock(redis, 'k2', 2000, 1000))))),
    5000,
    'stampede round',
  );
  console.log(`  single-flight alone would make 5 loads; with the lock: ${dbLoads} DB load`);

  console.log('3. Failure mode: the lock (PX 100) expires while holder A is paused for 250 ms');
  const [a, b] = instances as [Redis, Redis];
  await a.del('lock:k3');
  const tokenA = randomUUID();
  const tokenB = randomUUID();
  console.log(`  A acquires: ${await a.set('lock:k3', tokenA, { condition: 'NX', expiration: { type: 'PX', value: 100 } })}`);
  await sleep(250); // a GC pause, a slow query: A does not know its lock is gone
  console.log(`  B acquires after the expiry: ${await b.set('lock:k3', tokenB, { condition: 'NX', expiration: { type: 'PX', value: 5000 } })} (A and B now both load)`);
  console.log(`  A releases with the token check: deleted ${await a.eval(RELEASE, { keys: ['lock:k3'], arguments: [tokenA] })}; B's lock still there: ${(await a.get('lock:k3')) === tokenB}`);
  console.log(`  A releases with a plain DEL instead: deleted ${await a.del('lock:k3')}; a third instance could now acquire while B works`);
  await a.del(['cache:k2', 'lock:k2']);
} finally {
  await closeAll(clients);
}
