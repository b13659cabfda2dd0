// A saga participant: a node:http service whose every command is idempotent. The idempotency key
// (saga:step:action) is inserted in the SAME local transaction as the business effect, so a
// command delivered twice is applied once, and the duplicate gets the reply stored the first time.
// A refused `do` is a business answer and is stored too; a refused `undo` is a failure and is NOT
// stored, so a retry or an operator's re-drive reaches the fixed code instead of the old refusal.
// Not handled here (on purpose): authentication, payload validation beyond the key, a TTL for keys,
// a client that sends half a body and stalls (the 2 s signal is checked only when a chunk arrives;
// destroying the request on abort would cut it off).
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';

export interface Command { readonly key: string; readonly saga: string; readonly step: string; readonly action: 'do' | 'undo' }
export interface Reply { readonly outcome: 'ok' | 'rejected' }

export interface ParticipantOptions {
  readonly name: string;
  readonly pool: Pool;
  /** Business rule: which commands this service refuses (for instance, an address it cannot ship to). */
  readonly rejects?: (command: Command) => boolean;
  /** Fault injection: called after the effect COMMITTED, before the reply is sent. */
  readonly afterCommit?: (command: Command) => void;
}

export interface Participant { readonly url: string; readonly received: Map<string, number>; close(): Promise<void> }

export const participantSchema = `
  CREATE TABLE IF NOT EXISTS processed (service text NOT NULL, key text NOT NULL, reply jsonb NOT NULL, PRIMARY KEY (service, key));
  CREATE TABLE IF NOT EXISTS ledger (id bigserial PRIMARY KEY, service text NOT NULL, saga text NOT NULL, step text NOT NULL, action text NOT NULL);`;

async function readJson(req: IncomingMessage, signal: AbortSignal): Promise<unknown> {
  let body = '';
  for await (const chunk of req) {
    signal.throwIfAborted();
    body += String(chunk);
    if (body.length > 4_096) throw Object.assign(new Error('body too large'), { code: 'EBADREQ' });
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw Object.assign(new Error('body is not JSON', { cause: error }), { code: 'EBADREQ' });
  }
}

async function apply(options: ParticipantOptions, command: Command): Promise<Reply> {
  const client = await options.pool.connect();
  try {
    await client.query('BEGIN');
    const reply: Reply = { outcome: options.rejects?.(command) ? 'rejected' : 'ok' };
    if (reply.outcome === 'rejected' && command.action === 'undo') {
      // Not stored, so it stays retriable; but an undo already applied under this key (its reply
      // lost) answers with that stored reply, even if the refusal rule has changed since.
      const { rows } = await client.query<{ reply: Reply }>('SELECT reply FROM processed WHERE service = $1 AND key = $2', [options.name, command.key]);
      await client.query('ROLLBACK');
      return rows[0]?.reply ?? reply;
    }
    const inserted = await client.query('INSERT INTO processed (service, key, reply) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [options.name, command.key, reply]);
    if (inserted.rowCount === 0) {
      await client.query('ROLLBACK'); // then read on the SAME connection: no second one from the pool
      const { rows } = await client.query<{ reply: Reply }>('SELECT reply FROM processed WHERE service = $1 AND key = $2', [options.name, command.key]);
      return rows[0]!.reply; // a duplicate: the first reply, not a new effect
    }
    if (reply.outcome === 'ok') await client.query('INSERT INTO ledger (service, saga, step, action) VALUES ($1, $2, $3, $4)', [options.name, command.saga, command.step, command.action]);
    await client.query('COMMIT');
    return reply;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function startParticipant(options: ParticipantOptions): Promise<Participant> {
  const received = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const signal = AbortSignal.timeout(2_000);
    void (async () => {
      const command = (await readJson(req, signal)) as Command | null;
      if (typeof command !== 'object' || command === null || typeof command.key !== 'string') throw Object.assign(new Error('missing idempotency key'), { code: 'EBADREQ' });
      received.set(command.key, (received.get(command.key) ?? 0) + 1);
      const reply = await apply(options, command);
      options.afterCommit?.(command);
      res.writeHead(reply.outcome === 'ok' ? 200 : 409, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    })().catch((error: unknown) => { // name and code travel with the error; a bad request is 400, never retried
      const { name, code, message } = error as Error & { code?: string };
      if (!res.headersSent) res.writeHead(code === 'EBADREQ' ? 400 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { name, code, message } }));
    });
  });
  server.requestTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
