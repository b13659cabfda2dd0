// MVCC from the inside: every UPDATE writes a new row version; xmin/xmax on each version say
// which transactions created and ended it; a snapshot decides which versions a reader sees.
// Two sessions are needed because the interesting states are "another transaction is still
// in progress". Transaction ids are printed by name (T1, A1, ...): the real numbers depend on
// whatever else the server is running, since ids are allocated cluster-wide.
import type { Client } from 'pg';
import { closeAll, openSession } from './lib/sessions.ts';

let a: Client | undefined;
let b: Client | undefined;
try {
  a = await openSession({ name: 'A' });
  b = await openSession({ name: 'B' });
  await a.query('CREATE EXTENSION IF NOT EXISTS pageinspect'); // ships with the server; superuser only
  await a.query('DROP TABLE IF EXISTS item; CREATE TABLE item (id int PRIMARY KEY, qty int NOT NULL)');

  const names = new Map<string, string>();
  const rel = (xid: string | null): string => (xid === null ? '-' : xid === '0' ? '0' : (names.get(xid) ?? 'other'));
  const currentXid = async (who: Client, name: string): Promise<string> => {
    const xid = (await who.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x; // assigns one if none yet
    names.set(xid, name);
    return xid;
  };
  const FLAGS = ['unused', 'normal', 'redirect', 'dead']; // lp_flags, src/include/storage/itemid.h
  const versions = async (who: Client, label: string): Promise<void> => {
    const { rows } = await who.query<{ ctid: string; xmin: string; xmax: string; qty: number }>('SELECT ctid::text, xmin::text, xmax::text, qty FROM item');
    console.log(`  ${label.padEnd(34)} ${rows.map((r) => `ctid ${r.ctid} xmin ${rel(r.xmin)} xmax ${rel(r.xmax)} qty ${r.qty}`).join('; ') || '(no row)'}`);
  };
  const page = async (label: string): Promise<void> => {
    const { rows } = await a!.query<{ lp: number; lp_flags: number; t_xmin: string | null; t_xmax: string | null; t_ctid: string | null }>(
      `SELECT lp, lp_flags, t_xmin::text, t_xmax::text, t_ctid::text FROM heap_page_items(get_raw_page('item', 0)) ORDER BY lp`);
    console.log(`  ${label}`);
    for (const r of rows) {
      const tuple = r.t_ctid === null ? '' : `${FLAGS[r.lp_flags]!.padEnd(8)} xmin ${rel(r.t_xmin)} xmax ${rel(r.t_xmax)} next ${r.t_ctid}`;
      console.log(`    lp ${r.lp} ${tuple || FLAGS[r.lp_flags]}`);
    }
  };

  console.log('1. T1 inserts a row and commits');
  await a.query('BEGIN');
  await currentXid(a, 'T1');
  await a.query('INSERT INTO item VALUES (1, 10)');
  await a.query('COMMIT');
  await versions(a, 'visible version');

  console.log('2. A updates inside an open transaction');
  await a.query('BEGIN');
  const xidA = await currentXid(a, 'A1');
  await a.query('UPDATE item SET qty = 20 WHERE id = 1');
  console.log(`  A's transaction id                 ${rel(xidA)}`);
  await versions(a, 'A sees its new version');
  await versions(b, 'B sees the old one, xmax = A');
  // A snapshot is xmin:xmax:xip. Ids below xmin are finished; ids from xmax up had not finished
  // when it was taken; ids in the xip list were in progress. Both of the last two are invisible.
  const { rows: [snap] } = await b.query<{ visible: boolean }>(
    `SELECT pg_visible_in_snapshot($1::text::xid8, s) AS visible
       FROM pg_current_snapshot() AS s`, [xidA]);
  // Which of the two rules applies depends on what else the cluster was doing: print the verdict.
  console.log(`  B's snapshot sees A1's changes?    ${snap!.visible ? 'yes' : 'no: A1 is in progress in it'}`);
  await page('the page holds both versions');

  console.log('3. A rolls back');
  await a.query('ROLLBACK');
  await versions(b, 'old version still visible');
  await page('the page after the rollback');

  console.log('4. A locks the row with SELECT ... FOR UPDATE');
  await a.query('BEGIN');
  const xidLock = await currentXid(a, 'A2');
  await a.query('SELECT * FROM item WHERE id = 1 FOR UPDATE');
  console.log(`  A's transaction id                 ${rel(xidLock)}`);
  await versions(b, 'the lock is written into xmax');
  await a.query('COMMIT');

  console.log('5. B updates and commits');
  await b.query('BEGIN');
  await currentXid(b, 'B1');
  await b.query('UPDATE item SET qty = 30 WHERE id = 1');
  await b.query('COMMIT');
  await versions(a, 'one visible version');
  await page('three versions on the page');
  await a.query('VACUUM item');
  await page('after VACUUM');
  await a.query('DROP TABLE item');
} finally {
  await closeAll([a, b]);
}
