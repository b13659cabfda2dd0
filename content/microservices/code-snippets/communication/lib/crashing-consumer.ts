// consumer-1, a child process: reads every new entry of STREAM, applies and acks each, and
// for the last one applies the effect, commits, and dies (process.exit) before XACK.
import { createClient } from 'redis';
import pg from 'pg';
import { apply, dbTimeouts, parse } from './payments.ts';
import type { Entry } from './payments.ts';

const { REDIS_URL, DATABASE_URL, STREAM = '', IDEMPOTENT } = process.env;
const redis = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, socketTimeout: 5000, reconnectStrategy: false } });
redis.on('error', (err: Error) => console.error('consumer-1 redis error:', err.message));
const db = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000, ...dbTimeouts });
await Promise.all([redis.connect(), db.connect()]);
const batch = await redis.xReadGroup('ledger', 'consumer-1', { key: STREAM, id: '>' }, { COUNT: 10 });
const entries = (batch as Array<{ messages: Entry[] }> | null)?.[0]?.messages ?? [];
for (const [i, entry] of entries.entries()) {
  await apply(db, parse(entry), IDEMPOTENT === '1');
  if (i === entries.length - 1) {
    process.exit(42); // the crash (not 1, Node's code for an uncaught error): effect committed, XACK never sent
  }
  await redis.xAck(STREAM, 'ledger', entry.id);
}
