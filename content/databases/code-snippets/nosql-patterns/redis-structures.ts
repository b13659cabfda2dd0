// Sorted sets for a leaderboard and a sliding-window rate limit, and TTL semantics, on a real
// Redis (7.0 in the snippet runner). Complexities quoted in the lesson are from the command pages.
import { connect, close } from './lib/redis.ts';
import type { Redis } from './lib/redis.ts';
import { randomUUID } from 'node:crypto';
import { withDeadline } from './lib/deadline.ts';

let redis: Redis | undefined;
try {
  redis = await connect('structures');
  const r = redis;
  const info = await withDeadline(r.info('server'), 1000, 'INFO');
  console.log(`redis ${/redis_version:(\S+)/.exec(info)![1]!.split('.').slice(0, 2).join('.')}`);

  // Leaderboard: one ZSET, score = points. ZADD and ZINCRBY are O(log N); a top-k read is
  // O(log N + k); a player's rank is O(log N).
  const board = 'lb:season-7';
  const players = Array.from({ length: 10_000 }, (_, i) => ({ score: (i * 7919) % 100_000, value: `p${i}` }));
  for (let i = 0; i < players.length; i += 1000) await withDeadline(r.zAdd(board, players.slice(i, i + 1000)), 2000, 'ZADD');
  await withDeadline(r.zIncrBy(board, 5000, 'p42'), 500, 'ZINCRBY');
  await withDeadline(r.zAdd(board, [{ score: 1_000_000, value: 'alice' }, { score: 1_000_000, value: 'bob' }]), 500, 'ZADD');
  const top = await withDeadline(r.zRangeWithScores(board, 0, 2, { REV: true }), 500, 'ZRANGE REV');
  console.log(`top 3: ${top.map((e) => `${e.value}=${e.score}`).join(', ')}  (equal scores: reverse lexicographic order under REV)`);
  const rank = await withDeadline(r.zRevRank(board, 'p42'), 500, 'ZREVRANK');
  const score = await withDeadline(r.zScore(board, 'p42'), 500, 'ZSCORE');
  const size = await withDeadline(r.zCard(board), 500, 'ZCARD');
  console.log(`p42: score ${score}, rank ${rank! + 1} of ${size}`);

  // Sliding-window log: one ZSET per client, member = a unique request id, score = time in ms.
  // The script trims entries older than the window, counts, and adds only if under the limit,
  // atomically (a MULTI of ZREMRANGEBYSCORE, ZADD, ZCARD would also count the rejected requests).
  // The time is the Redis server's (TIME), so app servers with skewed clocks share one window;
  // the id must be unique per request, or two requests in one millisecond count as one.
  const SLIDING = `
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    return 1`;
  const allow = async (client: string): Promise<boolean> =>
    (await withDeadline(r.eval(SLIDING, { keys: [`rl:${client}`], arguments: ['1000', '3', randomUUID()] }), 500, 'rate limit')) === 1;
  // Requests at these offsets (ms) from the first one; the gaps leave at least 300 ms of margin to
  // every window edge, so a loaded machine's late timers do not change the answers.
  const decisions: string[] = [];
  const start = performance.now();
  for (const t of [0, 50, 100, 200, 700, 1400, 1450, 1500, 1650]) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + t - performance.now())));
    decisions.push(`t=${t}:${(await allow('ip-1')) ? 'ok' : 'NO'}`);
  }
  console.log(`3 requests per 1000 ms, sliding, on server time: ${decisions.join(' ')}`);

  // TTL: -1 = no expiry, -2 = no key. A plain SET discards the old TTL (KEEPTTL keeps it).
  const cmd = <T>(work: Promise<T>, what: string): Promise<T> => withDeadline(work, 500, what);
  await cmd(r.set('session:1', 'a', { EX: 60 }), 'SET EX');
  const ttl1 = await cmd(r.ttl('session:1'), 'TTL');
  await cmd(r.set('session:1', 'b'), 'SET'); // an overwrite without EX or KEEPTTL
  const ttl2 = await cmd(r.ttl('session:1'), 'TTL');
  await cmd(r.set('session:1', 'c', { EX: 60 }), 'SET EX');
  await cmd(r.set('session:1', 'd', { KEEPTTL: true }), 'SET KEEPTTL');
  const ttl3 = await cmd(r.ttl('session:1'), 'TTL');
  console.log(`TTL after SET EX 60: ${ttl1}; after a plain SET: ${ttl2}; after SET KEEPTTL: ${ttl3 > 0 ? '>0 (kept)' : ttl3}`);
  await cmd(r.set('otp:1', '123456', { PX: 50 }), 'SET PX');
  await new Promise((resolve) => setTimeout(resolve, 120));
  console.log(`PX 50 key after 120 ms: exists=${await cmd(r.exists('otp:1'), 'EXISTS')}, TTL=${await cmd(r.ttl('otp:1'), 'TTL')}`);
} finally {
  await close(redis);
}
