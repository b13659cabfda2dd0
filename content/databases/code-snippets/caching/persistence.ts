// Redis as a cache versus as a store: what the server would lose in a crash depends on its
// persistence settings. The snippet runner starts Redis with --save "" --appendonly no (a pure
// cache: a restart loses every key). Here the snippet turns on AOF at runtime, takes an RDB
// snapshot, and reads INFO persistence to show what each would lose.
import { setTimeout as sleep } from 'node:timers/promises';
import { closeAll, connect, type Redis } from './lib/redis.ts';

const field = async (redis: Redis, name: string): Promise<string> =>
  (await redis.info('persistence')).split('\r\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1) ?? '?';

/** Polls until INFO persistence shows `name` = `value`; bounded, so a stuck rewrite fails the run. */
async function waitFor(redis: Redis, name: string, value: string, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while ((await field(redis, name)) !== value) {
    if (Date.now() > deadline) throw new Error(`${name} did not become ${value} within ${limitMs} ms`);
    await sleep(20);
  }
}

let redis: Redis | undefined;
try {
  redis = await connect('persistence');
  const r = redis;
  const config = await r.configGet(['save', 'appendonly', 'appendfsync']);
  console.log(`as started: save "${config.save}", appendonly ${config.appendonly}, appendfsync ${config.appendfsync}`);
  console.log(`  aof_enabled ${await field(r, 'aof_enabled')}; a crash or restart now loses every key`);

  await r.flushAll();
  await r.bgSave();
  await waitFor(r, 'rdb_bgsave_in_progress', '0');
  console.log(`BGSAVE: rdb_last_bgsave_status ${await field(r, 'rdb_last_bgsave_status')}`);
  for (let i = 0; i < 100; i++) await r.set(`session:${i}`, 'x');
  console.log(`100 writes after the snapshot: rdb_changes_since_last_save ${await field(r, 'rdb_changes_since_last_save')} (what an RDB-only crash loses now)`);

  await r.configSet('appendonly', 'yes'); // starts a rewrite that writes the current dataset to the AOF
  await waitFor(r, 'aof_rewrite_in_progress', '0');
  await waitFor(r, 'aof_enabled', '1');
  console.log(`CONFIG SET appendonly yes: aof_enabled ${await field(r, 'aof_enabled')}, aof_last_bgrewrite_status ${await field(r, 'aof_last_bgrewrite_status')}, appendfsync ${(await r.configGet('appendfsync')).appendfsync}`);
  console.log('  with everysec, a power loss can lose about the last second of writes; always fsyncs every write');

  await r.configSet('appendonly', 'no');
  await r.flushAll();
} finally {
  await closeAll([redis]);
}
