// Online resharding on two real PostgreSQL engines (two PGlite instances): move the rows with
// ids 1..ROWS from a source shard to a target shard while an application keeps writing.
// Runbook: dual writes -> backfill -> verify by per-range checksums (catches an injected lost
// write) -> repair -> write freeze -> final verify -> cut-over -> reverse writes for rollback.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { prng } from './lib/hash.ts';
import { closeAll, DeadlineExceeded, openShards, withDeadline } from './lib/pglite.ts';
import type { Shard } from './lib/pglite.ts';

const ROWS = 4_000;
const RANGE = 500; // ids per checksum range and per backfill batch
const LOST_WRITE_ID = ROWS; // the row whose dual-write to the target is "lost" (the writer never touches it)
const STRAY_ID = 1_500; // a row deleted on the source whose delete never reached the target
// The whole freeze (drain + final verification + flip) must end within this, or the cut-over aborts
// and the router thaws with the source still primary. A frozen write waits up to
// FROZEN_WRITE_WAIT_MS (3,000 ms), longer than that budget, so an aborted freeze delays writes but fails none.
const FREEZE_BUDGET_MS = 2_000;
const DRAIN_MS = 500;
const FROZEN_WRITE_WAIT_MS = FREEZE_BUDGET_MS + 1_000;
const SCHEMA = 'CREATE TABLE account (id int PRIMARY KEY, balance bigint NOT NULL, version int NOT NULL)';

interface Row { id: number; balance: string; version: number }
/** A row that differs between the engines: the source's image, or undefined if the row exists only on the target. */
interface Divergent { id: number; source: Row | undefined }

/** Writes a full row image unless the target already has this version or a newer one. */
const UPSERT = `INSERT INTO account (id, balance, version) SELECT * FROM json_to_recordset($1::json) AS r(id int, balance bigint, version int)
  ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, version = excluded.version WHERE account.version < excluded.version`;
/**
 * The backfill's upsert, which also says why it skipped a row: the join reads the target as it was
 * before this statement (the snapshot the guard compares against), so `same` is a row a dual write
 * had already copied (harmless), `newer` a stale copy the guard kept from overwriting a newer write.
 */
const BACKFILL = `WITH r AS (SELECT * FROM json_to_recordset($1::json) AS r(id int, balance bigint, version int)),
  written AS (INSERT INTO account (id, balance, version) SELECT * FROM r
    ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, version = excluded.version WHERE account.version < excluded.version RETURNING 1)
  SELECT (SELECT count(*) FROM written)::int AS written,
         count(t.id) FILTER (WHERE t.version = r.version)::int AS same,
         count(t.id) FILTER (WHERE t.version > r.version)::int AS newer
    FROM r LEFT JOIN account t USING (id)`;

class WriteFrozen extends Error {
  override readonly name = 'WriteFrozen';
  readonly code = 'EWRITEFROZEN'; // retryable: the caller backs off and tries again
}

/** The application's data-access layer: it decides where writes go in each phase of the move. */
class Router {
  phase: 'source' | 'dual' | 'target' = 'source';
  /** When set, writes wait for it (at most FROZEN_WRITE_WAIT_MS in all) instead of running. */
  #frozen: Promise<void> | undefined;
  #thaw: (() => void) | undefined;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  loseNextTargetWrite = false;
  maxFrozenWaitMs = 0;
  waitedAtFreeze = 0;
  writesDone = 0;

  readonly source: Shard;
  readonly target: Shard;

  constructor(source: Shard, target: Shard) {
    this.source = source;
    this.target = target;
  }

  async transfer(id: number, delta: number): Promise<void> {
    if (this.#frozen) {
      const started = performance.now();
      // A loop, not one await: a new freeze can start between the thaw and this continuation, and a
      // write that went ahead then would be in flight during that freeze's verification, uncounted.
      while (this.#frozen) {
        const left = Math.max(1, Math.floor(FROZEN_WRITE_WAIT_MS - (performance.now() - started)));
        await withDeadline(this.#frozen, left, 'waiting out the write freeze').catch((error: unknown) => {
          throw new WriteFrozen(`write to ${id} rejected: the freeze outlasted the wait`, { cause: error });
        });
      }
      this.maxFrozenWaitMs = Math.max(this.maxFrozenWaitMs, performance.now() - started);
      this.waitedAtFreeze++;
    }
    this.#inFlight++; // same synchronous step as the check above: freeze() cannot run in between
    try {
      // The primary for this phase applies the change; its row image then goes to the other side.
      const [primary, secondary] = this.phase === 'target' ? [this.target, this.source] : [this.source, this.target];
      const { rows } = await primary.query<Row>('UPDATE account SET balance = balance + $2, version = version + 1 WHERE id = $1 RETURNING id, balance, version', [id, delta]);
      if (this.phase !== 'source') {
        if (this.loseNextTargetWrite) this.loseNextTargetWrite = false; // the injected fault: the copy is lost
        else await secondary.query(UPSERT, [JSON.stringify(rows)]);
      }
      this.writesDone++;
    } finally {
      if (--this.#inFlight === 0) this.#drained?.();
    }
  }

  /** Stops new writes and waits (bounded) until the ones in flight have finished on both sides; thaws if the drain times out. */
  async freeze(): Promise<void> {
    if (this.#frozen) throw new Error('already frozen'); // a second freeze would orphan the first one's waiters
    this.#frozen = new Promise((resolve) => { this.#thaw = resolve; });
    try {
      if (this.#inFlight > 0) await withDeadline(new Promise<void>((resolve) => { this.#drained = resolve; }), DRAIN_MS, 'draining in-flight writes');
    } catch (error) {
      this.thaw();
      throw error;
    } finally {
      this.#drained = undefined;
    }
  }

  thaw(): void {
    this.#thaw?.();
    this.#frozen = undefined;
  }
}

/**
 * Per-range checksums over (id, balance, version), computed inside each engine, one range per
 * statement with a turn of the event loop between them: a verifier must not monopolise a shard.
 */
async function checksums(shard: Shard, signal?: AbortSignal): Promise<Map<number, string>> {
  const sums = new Map<number, string>();
  for (let range = 0; range < ROWS / RANGE; range++) {
    signal?.throwIfAborted(); // the freeze's deadline passed: stop querying
    if (injected.get(shard) === 'fail' && range === 3) { injected.delete(shard); throw new Error(`${shard.name}: connection lost (injected)`); }
    if (injected.get(shard) === 'stall' && range === 3) { injected.delete(shard); await new Promise<never>(() => {}); } // never answers (injected)
    const { rows } = await shard.query<{ n: number; sum: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(id || ':' || balance || ':' || version, ',' ORDER BY id)) AS sum
         FROM account WHERE id BETWEEN $1 AND $2`, [range * RANGE + 1, (range + 1) * RANGE]);
    sums.set(range, `${rows[0]!.n}:${rows[0]!.sum ?? ''}`);
    await yieldToLoop();
  }
  return sums;
}

/** Faults the demo injects into the next checksum pass on a shard. */
const injected = new Map<Shard, 'fail' | 'stall'>();

async function mismatchedRanges(router: Router, signal?: AbortSignal): Promise<number[]> {
  const [a, b] = await Promise.all([checksums(router.source, signal), checksums(router.target, signal)]);
  const ranges = new Set([...a.keys(), ...b.keys()]);
  return [...ranges].filter((range) => a.get(range) !== b.get(range)).sort((x, y) => x - y);
}

/** Rows of one range that differ; a row that differs because a write is in flight is re-read. */
async function divergentRows(router: Router, range: number): Promise<Divergent[]> {
  const read = async (shard: Shard): Promise<Map<number, Row>> => new Map((await shard.query<Row>(
    'SELECT id, balance::text AS balance, version FROM account WHERE id BETWEEN $1 AND $2', [range * RANGE + 1, (range + 1) * RANGE])).rows.map((row) => [row.id, row]));
  const differing = async (): Promise<Divergent[]> => {
    const [a, b] = await Promise.all([read(router.source), read(router.target)]);
    // Both key sets: a row only on the target (a stray write, a failed delete) differs too.
    const ids = new Set([...a.keys(), ...b.keys()]);
    return [...ids].flatMap((id) => {
      const mine = a.get(id);
      const other = b.get(id);
      if (mine && other && other.version === mine.version && other.balance === mine.balance) return [];
      return [{ id, source: mine }]; // source undefined: the row exists only on the target
    });
  };
  let suspects = await differing();
  for (let recheck = 0; recheck < 3 && suspects.length > 0; recheck++) {
    await new Promise((resolve) => setTimeout(resolve, 20)); // let in-flight dual writes land
    const again = new Set((await differing()).map((row) => row.id));
    suspects = suspects.filter((row) => again.has(row.id));
  }
  return suspects;
}

/**
 * Step 4 for one range. A row the source has is copied with the guarded upsert; a row only on the
 * target is deleted there, and only inside this range: the source is the truth. A delete has no
 * version to guard it, so the re-verification after the repair is what would catch a row that
 * appeared on the source in between.
 */
async function repairRange(router: Router, range: number, rows: readonly Divergent[]): Promise<{ copied: number; deleted: number }> {
  const images = rows.flatMap((row) => (row.source ? [row.source] : []));
  const targetOnly = rows.filter((row) => !row.source).map((row) => row.id);
  if (images.length > 0) await router.target.query(UPSERT, [JSON.stringify(images)]);
  const deleted = targetOnly.length === 0 ? [] : (await router.target.query<{ id: number }>(
    'DELETE FROM account WHERE id = ANY($1::int[]) AND id BETWEEN $2 AND $3 RETURNING id', [targetOnly, range * RANGE + 1, (range + 1) * RANGE])).rows;
  return { copied: images.length, deleted: deleted.length };
}

/**
 * Runs `work` with writes frozen, under one deadline for drain + work, and always thaws: on any
 * failure or on the deadline, nothing has been switched, so thawing with the source still primary
 * is the rollback. `work` gets a signal that aborts at the deadline and must check it before it
 * switches anything.
 */
async function withWritesFrozen<T>(router: Router, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<{ result: T; frozenMs: number }> {
  const started = performance.now();
  const budget = new AbortController();
  await router.freeze(); // thaws itself if the drain times out
  try {
    const result = await withDeadline(work(budget.signal), Math.max(1, Math.floor(FREEZE_BUDGET_MS - (performance.now() - started))), what);
    return { result, frozenMs: performance.now() - started };
  } finally {
    budget.abort(); // stops whatever the work still has running
    router.thaw();
  }
}

/** Step 5: final verification with nothing moving, then the flip; throws (having thawed) if either fails or the freeze runs out of time. */
async function cutOver(router: Router): Promise<number> {
  const { frozenMs } = await withWritesFrozen(router, 'cut-over freeze', async (signal) => {
    const finalMismatch = await mismatchedRanges(router, signal);
    signal.throwIfAborted(); // too late: do not flip after the deadline has thawed the writes
    if (finalMismatch.length > 0) throw Object.assign(new Error(`cut-over aborted: ranges ${finalMismatch.join(', ')} differ`), { code: 'EVERIFY' });
    router.phase = 'target';
  });
  return frozenMs;
}

/** A failed cut-over attempt as an operator sees it: why, how long writes were frozen, and that they resumed. */
async function failedAttempt(router: Router, fault: 'fail' | 'stall'): Promise<string> {
  injected.set(router.target, fault);
  const started = performance.now();
  const error = await cutOver(router).then(() => undefined, (caught: unknown) => caught as Error);
  const thawedMs = performance.now() - started;
  if (!error) throw new Error('the injected fault did not abort the cut-over');
  const before = router.writesDone;
  await new Promise((resolve) => setTimeout(resolve, 100));
  const cause = error instanceof DeadlineExceeded ? `the freeze deadline (${error.name})` : `"${error.message.replace(/^.*: /, '')}"`;
  return `aborted by ${cause}; writes thawed within the ${FREEZE_BUDGET_MS} ms budget (+200 ms timer slack): ${thawedMs <= FREEZE_BUDGET_MS + 200 ? 'yes' : 'no'} (${thawedMs.toFixed(0)} ms); source still primary: ${router.phase === 'dual' ? 'yes' : 'no'}; writes resumed: ${router.writesDone > before ? 'yes' : 'no'}`;
}

let source: Shard | undefined;
let target: Shard | undefined;
const stopWriter = new AbortController();
let writer: Promise<{ ok: number; rejected: number }> | undefined;
try {
  [source, target] = await openShards(['source', 'target']);
  console.log(`engines: ${(await source.query<{ v: string }>('SELECT split_part(version(), \' \', 2) AS v')).rows[0]!.v} (PGlite) x 2`);
  await source.exec(`${SCHEMA}; INSERT INTO account SELECT g, 1000, 1 FROM generate_series(1, ${ROWS}) g`);
  await target.exec(SCHEMA);
  const router = new Router(source, target);

  // The application: transfers on random rows (never LOST_WRITE_ID), until told to stop.
  const random = prng(7);
  writer = (async () => {
    let ok = 0;
    let rejected = 0;
    while (!stopWriter.signal.aborted) {
      const id = 1 + Math.floor(random() * (ROWS - 1));
      try {
        await router.transfer(id, random() < 0.5 ? -1 : 1);
        ok++;
      } catch (error) {
        if ((error as { code?: string }).code !== 'EWRITEFROZEN') throw error;
        rejected++;
      }
      await yieldToLoop();
    }
    return { ok, rejected };
  })();

  // 1. Dual writes first, so that every change from now on reaches the target (as a full row image).
  router.phase = 'dual';
  console.log('1. dual writes on: source is primary, each change is copied to the target');

  // 2. Backfill in id order; the version guard keeps a stale backfilled copy from overwriting a newer dual write.
  const skipped = { same: 0, newer: 0 };
  for (let from = 0; from < ROWS; from += RANGE) {
    const { rows } = await source.query<Row>('SELECT id, balance, version FROM account WHERE id > $1 AND id <= $2 ORDER BY id', [from, from + RANGE]);
    const result = (await target.query<{ written: number; same: number; newer: number }>(BACKFILL, [JSON.stringify(rows)])).rows[0]!;
    skipped.same += result.same;
    skipped.newer += result.newer;
    await new Promise((resolve) => setTimeout(resolve, 5)); // throttled: the backfill yields to live traffic
  }
  const onTarget = (await target.query<{ n: number }>('SELECT count(*)::int AS n FROM account')).rows[0]!.n;
  console.log(`2. backfill done: ${ROWS / RANGE} batches, ${onTarget} rows on the target; skipped by the version guard: ${skipped.same} already copied by a dual write (identical), ${skipped.newer} stale (the target was newer)`);

  // The injected fault: one application instance's write to the target is lost (a swallowed error).
  router.loseNextTargetWrite = true;
  await router.transfer(LOST_WRITE_ID, 500);
  // The second fault: a row deleted on the source, its delete lost on the way (the row is now only on the target).
  await source.query('DELETE FROM account WHERE id = $1', [STRAY_ID]);

  // 3. Verify while writes continue: compare range checksums, then diff rows in mismatched ranges.
  const suspects = await mismatchedRanges(router);
  const diverged = new Map<number, Divergent[]>();
  for (const range of suspects) diverged.set(range, await divergentRows(router, range));
  const found = [...diverged.values()].flat();
  console.log(`3. verification: ${ROWS / RANGE} ranges compared; divergent rows after re-checks: ${found.map((row) => `id ${row.id} (${row.source ? `source version ${row.source.version}` : 'only on the target'})`).join(', ') || 'none'}`);

  // 4. Repair from the source (the version guard makes the copy safe to repeat; target-only rows
  // are deleted within their range), then re-verify those ranges.
  const repaired = { copied: 0, deleted: 0 };
  for (const [range, rows] of diverged) {
    const { copied, deleted } = await repairRange(router, range, rows);
    repaired.copied += copied;
    repaired.deleted += deleted;
  }
  const still = (await Promise.all(suspects.map((range) => divergentRows(router, range)))).flat();
  console.log(`4. repaired ${found.length} row(s): ${repaired.copied} copied from the source, ${repaired.deleted} deleted from the target; divergent rows now: ${still.length}`);

  // 5. Cut-over: freeze writes, drain, verify everything with nothing moving, flip, thaw; all
  // within FREEZE_BUDGET_MS, and the writes thaw whatever happens. Two attempts fail on purpose
  // first: a checksum query that fails, and one that never answers (only the deadline ends it).
  console.log(`5a. cut-over attempt with a checksum query failing during the freeze: ${await failedAttempt(router, 'fail')}`);
  console.log(`5b. cut-over attempt with a checksum query that never answers: ${await failedAttempt(router, 'stall')}`);
  const freezeMs = await cutOver(router);
  console.log(`5. cut-over: final checksums equal on all ${ROWS / RANGE} ranges; target is primary; writes frozen for ${freezeMs.toFixed(0)} ms`);

  // 6. Reverse writes keep the source current, so rolling back is another flip (not another copy).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const { result: reverseMismatch } = await withWritesFrozen(router, 'reverse check freeze', (signal) => mismatchedRanges(router, signal));
  console.log(`6. after the cut-over, source still in step with the target: ${reverseMismatch.length === 0 ? 'yes' : `no (${reverseMismatch.join(', ')})`}: rollback stays a router flip`);

  stopWriter.abort();
  const { ok, rejected } = await withDeadline(writer, 5_000, 'stopping the writer');
  writer = undefined;
  console.log(`application writes: ${ok} succeeded, ${rejected} rejected; ${router.waitedAtFreeze} waited at a freeze, the longest ${router.maxFrozenWaitMs.toFixed(0)} ms`);
} catch (error) {
  if (error instanceof DeadlineExceeded) console.error(`timed out: ${error.message}`);
  throw error;
} finally {
  stopWriter.abort();
  await writer?.catch((error: unknown) => console.error('writer failed:', error));
  await closeAll([source, target]);
}
