// Sessions on a real PostgreSQL server (the snippet runner's, DATABASE_URL), for the one thing
// PGlite cannot show: several sessions with transactions open at once. Every wait is bounded
// (connect, statements, idle transactions, close), every client is closed on its own.
import { Socket } from 'node:net';
import pg from 'pg';
import type { Client } from 'pg';
import { withDeadline } from './pglite.ts';

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw Object.assign(new Error('DATABASE_URL is not set: this snippet needs a PostgreSQL server (the snippet runner starts one)'), { code: 'ENOSERVER' });
  return url;
}

// Each session's socket, so that closeSessions can drop it without reaching into pg's internals
// (pg's documented `stream` option takes a factory since pg 8.9).
const sockets = new WeakMap<Client, Socket>();

/** Opens one session; the server enforces the timeouts, so a stuck session cannot hang the process. */
export async function openSession(name: string): Promise<Client> {
  const socket = new Socket();
  const client = new pg.Client({
    connectionString: databaseUrl(),
    stream: () => socket,
    application_name: name,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 5_000,
    lock_timeout: 3_000,
    idle_in_transaction_session_timeout: 15_000,
    query_timeout: 10_000, // the driver's own deadline, in case the server never answers
  });
  client.on('error', (error: Error) => console.error(`session ${name}: ${error.message}`));
  sockets.set(client, socket);
  try {
    await client.connect();
  } catch (error) {
    socket.destroy();
    throw new Error(`session ${name}: could not connect`, { cause: error });
  }
  return client;
}

/** Closes every session; one failing close does not skip the others. */
export async function closeSessions(clients: readonly (Client | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(clients.map(async (client) => {
    if (!client) return;
    try {
      await withDeadline(client.end(), 3_000, 'closing a session');
    } catch (error) {
      sockets.get(client)?.destroy(); // last resort, so that the process can still exit
      throw error;
    }
  }));
  const failures = results.filter((result) => result.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason), `${failures.length} session(s) did not close cleanly`);
}
