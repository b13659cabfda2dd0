// Sessions on the real PostgreSQL server for this lesson's snippets: every wait bounded
// (connect, statements, idle transactions, close), each client closed on its own.
import pg from 'pg';
import type { Client } from 'pg';

/** Rejects when `ms` pass, even if the operation ignores its deadline. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${ms} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' })), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw Object.assign(new Error('DATABASE_URL is not set: this snippet needs a PostgreSQL server (the snippet runner starts one)'), { code: 'ENOSERVER' });
  return url;
}

/** Opens one session; the server enforces the timeouts, so a stuck session cannot hang the process. */
export async function openSession(name: string): Promise<Client> {
  const client = new pg.Client({
    connectionString: databaseUrl(),
    application_name: name,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 5_000,
    lock_timeout: 3_000,
    idle_in_transaction_session_timeout: 15_000,
    query_timeout: 10_000,
  });
  client.on('error', (error: Error) => console.error(`session ${name}: ${error.message}`));
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`session ${name}: could not connect`, { cause: error });
  }
  return client;
}

/** Closes every client; one failing close does not skip the others. */
export async function closeAll(clients: readonly (Client | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(clients.map(async (client) => {
    if (client) await withDeadline(client.end(), 3_000, 'closing a session');
  }));
  const failures = results.filter((result) => result.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason), `${failures.length} session(s) did not close cleanly`);
}

/** The SQLSTATE of a server error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
