// The cache-aside race: a reader that missed reads the old row, a writer updates the row and
// deletes the key, and then the reader's SET puts the old value back, where it stays until the
// TTL. Two requests on a real Redis, interleaved deterministically with a gate; then the fix
// with leases (Nishtala et al., NSDI 2013) and with versioned values, both as Lua scripts.
import { closeAll, connect, type Redis } from './lib/redis.ts';

type Row = { name: string; version: number };
const db = new Map<string, Row>(); // stands in for the database: the race is in the cache

/** A one-shot signal; every wait on it is bounded so that a bug fails the run instead of hanging it. */
function gate(limitMs = 5000): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<void>((resolve, reject) => {
    open = () => { clearTimeout(timer); resolve(); };
    timer = setTimeout(() => reject(new Error(`gate not opened within ${limitMs} ms`)), limitMs);
  });
  wait.catch(() => {});
  return { wait, open };
}

// Lease: a miss hands out a token; a delete (invalidation) removes it; a SET with a token that
// is no longer the current one is refused. A second miss while a lease is out is told to wait.
const GET_OR_LEASE = `
local v = redis.call('GET', KEYS[1])
if v then return {'hit', v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'lease', ARGV[1]} end
return {'wait', ''}`;
const SET_WITH_LEASE = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]); redis.call('DEL', KEYS[2]); return 1
end
return 0`;
// Versioned value: the stored value carries the row version; older versions never overwrite newer ones.
const SET_IF_NEWER = `
local cur = redis.call('HGET', KEYS[1], 'v')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'data', ARGV[2]); redis.call('EXPIRE', KEYS[1], ARGV[3]); return 1`;

let reader: Redis | undefined;
let writer: Redis | undefined;
try {
  reader = await connect('reader');
  writer = await connect('writer');
  const r = reader;
  const w = writer;
  const update = (name: string): void => {
    const row = db.get('user:1')!;
    db.set('user:1', { name, version: row.version + 1 });
  };

  console.log('1. Plain cache-aside: GET, on a miss read the DB and SET; writers update the DB, then DEL');
  db.set('user:1', { name: 'alice', version: 1 });
  {
    const paused = gate();
    const readDone = gate();
    const readerRequest = (async () => {
      if ((await r.get('cache:user:1')) !== null) return;
      const row = db.get('user:1')!; // reads version 1
      readDone.open();
      await paused.wait; // the reader is descheduled here (GC pause, slow network)
      await r.set('cache:user:1', row.name, { expiration: { type: 'EX', value: 300 } });
    })();
    await readDone.wait; // the reader has read the old row and is paused before its SET
    update('alicia'); // the writer commits version 2 ...
    console.log(`  writer: DB now ${db.get('user:1')!.name}; DEL removed ${await w.del('cache:user:1')} key(s)`);
    paused.open();
    await readerRequest;
    console.log(`  third request reads the cache: ${await w.get('cache:user:1')} (stale), TTL ${await w.ttl('cache:user:1')} s`);
  }

  console.log('2. WATCH/MULTI around the SET does not help when the key was absent');
  db.set('user:1', { name: 'alice', version: 1 });
  await w.del('cache:user:1');
  {
    const iso = await r.duplicate().on('error', () => {}).connect(); // WATCH needs its own connection
    try {
      await iso.watch('cache:user:1');
      const row = db.get('user:1')!;
      update('alicia');
      const deleted = await w.del('cache:user:1'); // deletes nothing: nothing was modified
      const result = await iso.multi().set('cache:user:1', row.name, { expiration: { type: 'EX', value: 300 } }).exec();
      console.log(`  DEL removed ${deleted} key(s); EXEC ${result === null ? 'aborted' : 'committed'}; cache holds ${await w.get('cache:user:1')} (stale)`);
    } finally {
      await closeAll([iso]);
    }
  }

  console.log('3. Leases: the delete invalidates the reader\'s token, so its late SET is refused');
  db.set('user:1', { name: 'alice', version: 1 });
  await w.del('cache:user:1');
  {
    const keys = ['cache:user:1', 'lease:user:1'];
    const paused = gate();
    const readDone = gate();
    const readerRequest = (async () => {
      const [kind, token] = (await r.eval(GET_OR_LEASE, { keys, arguments: ['token-A', '10000'] })) as [string, string];
      console.log(`  reader A: ${kind} ${token}`);
      const row = db.get('user:1')!;
      readDone.open();
      await paused.wait;
      const stored = await r.eval(SET_WITH_LEASE, { keys, arguments: [token, row.name, '300'] });
      console.log(`  reader A: SET with ${token} -> ${stored === 1 ? 'stored' : 'refused'}`);
    })();
    await readDone.wait;
    const [kindB] = (await w.eval(GET_OR_LEASE, { keys, arguments: ['token-B', '10000'] })) as [string, string];
    console.log(`  reader B while A holds the lease: ${kindB} (retry shortly instead of hitting the DB)`);
    update('alicia');
    console.log(`  writer: DB now ${db.get('user:1')!.name}; DEL removed ${await w.del(keys)} key(s) (value absent, lease present)`);
    paused.open();
    await readerRequest;
    const [kindC, tokenC] = (await w.eval(GET_OR_LEASE, { keys, arguments: ['token-C', '10000'] })) as [string, string];
    await w.eval(SET_WITH_LEASE, { keys, arguments: [tokenC, db.get('user:1')!.name, '300'] });
    console.log(`  reader C: ${kindC}, loads and stores; cache holds ${await w.get('cache:user:1')}`);
  }

  console.log('4. Versioned values: the writer stores version 2 instead of deleting; version 1 loses');
  db.set('user:1', { name: 'alice', version: 1 });
  await w.del('vcache:user:1');
  {
    const paused = gate();
    const readDone = gate();
    const readerRequest = (async () => {
      const row = db.get('user:1')!;
      readDone.open();
      await paused.wait;
      const stored = await r.eval(SET_IF_NEWER, { keys: ['vcache:user:1'], arguments: [String(row.version), row.name, '300'] });
      console.log(`  reader: SET version ${row.version} -> ${stored === 1 ? 'stored' : 'refused'}`);
    })();
    await readDone.wait; // the reader has read the old row and is paused before its SET
    update('alicia');
    const row = db.get('user:1')!;
    await w.eval(SET_IF_NEWER, { keys: ['vcache:user:1'], arguments: [String(row.version), row.name, '300'] });
    paused.open();
    await readerRequest;
    console.log(`  cache holds ${JSON.stringify(await w.hGetAll('vcache:user:1'))}`);
  }
  await w.del(['cache:user:1', 'lease:user:1', 'vcache:user:1']);
} finally {
  await closeAll([reader, writer]);
}
