// Crypto-shredding: personal fields of each event are encrypted with a key that belongs to
// the data subject (AES-256-GCM, node:crypto); the key lives in a separate table that CAN be
// deleted. Erasing the subject deletes one key row; the events, their order and their
// hashes are untouched, and the personal fields can no longer be read.
// PGlite holds both tables here for brevity; in production the keys sit in a separate store
// (a KMS or its own database) with its own backups, or the backups bring the keys back.
// Not handled: copies outside the log (read models, caches, search indexes, logs, other
// services' stores) that hold the plaintext; they need their own erasure.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';

interface Sealed { iv: string; tag: string; ct: string }

function seal(key: Buffer, plaintext: string, aad: string): Sealed {
  const iv = randomBytes(12); // 96-bit nonce, never reused with the same key
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad)); // binds the ciphertext to its event: it cannot be moved to another one
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
}
function open(key: Buffer, sealed: Sealed, aad: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
}

const db = await PGlite.create();
try {
  await db.exec(`
    CREATE TABLE events (id int PRIMARY KEY, subject text NOT NULL, type text NOT NULL, data jsonb NOT NULL);
    CREATE TABLE subject_keys (subject text PRIMARY KEY, key bytea NOT NULL);`);

  async function keyFor(subject: string): Promise<Buffer | undefined> {
    const { rows } = await db.query<{ key: Uint8Array }>('SELECT key FROM subject_keys WHERE subject = $1', [subject]);
    return rows[0] ? Buffer.from(rows[0].key) : undefined;
  }
  let nextId = 1;
  async function append(subject: string, type: string, pii: Record<string, string>, plain: Record<string, unknown>): Promise<void> {
    let key = await keyFor(subject);
    if (!key) {
      // Two first appends for one subject may race: the loser's insert does nothing and both
      // re-select the one key that won, so no event is ever sealed under a key that is not stored.
      await db.query('INSERT INTO subject_keys VALUES ($1, $2) ON CONFLICT (subject) DO NOTHING', [subject, randomBytes(32)]);
      key = await keyFor(subject);
      if (!key) throw Object.assign(new Error(`no key for ${subject} after insert`), { code: 'KEY_MISSING' });
    }
    const id = nextId++;
    await db.query('INSERT INTO events VALUES ($1, $2, $3, $4)', [id, subject, type, JSON.stringify({ ...plain, pii: seal(key, JSON.stringify(pii), `${id}`) })]);
  }
  async function read(): Promise<string[]> {
    const { rows } = await db.query<{ id: number; subject: string; type: string; data: { pii: Sealed; amount?: number } }>('SELECT * FROM events ORDER BY id');
    const out: string[] = [];
    for (const row of rows) {
      const key = await keyFor(row.subject);
      const pii = key ? open(key, row.data.pii, `${row.id}`) : '[erased]';
      out.push(`#${row.id} ${row.type} ${row.subject} amount=${row.data.amount ?? '-'} pii=${pii}`);
    }
    return out;
  }
  async function logHash(): Promise<string> {
    const { rows } = await db.query<{ t: string }>(`SELECT string_agg(id || ':' || data::text, '|' ORDER BY id) AS t FROM events`);
    return createHash('sha256').update(rows[0]!.t).digest('hex').slice(0, 16);
  }

  await append('cust-7', 'CustomerRegistered', { name: 'Ada Lovelace', email: 'ada@example.org' }, {});
  await append('cust-8', 'CustomerRegistered', { name: 'Alan Turing', email: 'alan@example.org' }, {});
  await append('cust-7', 'OrderPlaced', { shipTo: '12 St James Sq, London' }, { amount: 120 });
  const hashBefore = await logHash();
  for (const line of await read()) console.log(`before: ${line}`);

  // The erasure request for cust-7: one DELETE, and nothing in the log changes.
  const { affectedRows } = await db.query('DELETE FROM subject_keys WHERE subject = $1', ['cust-7']);
  console.log(`erasure of cust-7: ${affectedRows} key deleted`);
  for (const line of await read()) console.log(`after:  ${line}`);
  console.log(`log hash unchanged: ${hashBefore === (await logHash())}`);

  // A wrong key (say, a restored backup of another subject's key) fails authentication; it never yields garbage.
  const { rows: [e1] } = await db.query<{ data: { pii: Sealed } }>('SELECT data FROM events WHERE id = 1');
  try {
    open(randomBytes(32), e1!.data.pii, '1');
  } catch (error) {
    console.log(`decrypting with another key: ${(error as Error).message}`);
  }
} finally {
  await db.close();
}
