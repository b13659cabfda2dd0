// Sessions on a real PostgreSQL server for the snippets of this lesson: every wait bounded
// (connect, statements, lock waits, idle transactions, close), every client closed on its own.
import { Socket } from 'node:net';
import pg from 'pg';
import type { Client } from 'pg';

export interface SessionOptions {
  /** Shown in pg_stat_activity.application_name and in our own messages. */
  readonly name: string;
  /** Any one statement is cancelled after this long (SQLSTATE 57014). */
  readonly statementTimeoutMs?: number;
  /** Waiting for any one lock is cancelled after this long (SQLSTATE 55P03). */
  readonly lockTimeoutMs?: number;
}

/** An error from the server or the driver, with the SQLSTATE kept as `code`. */
export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

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

// The socket of each session, so that closeAll can drop it without reaching into pg's internals.
// pg's documented `stream` option (a factory since pg 8.9) lets us create the socket ourselves.
const sockets = new WeakMap<Client, Socket>();

/** Opens one session; the server enforces the timeouts, so a stuck session cannot hang the process. */
export async function openSession(options: SessionOptions): Promise<Client> {
  const socket = new Socket();
  const client = new pg.Client({
    connectionString: databaseUrl(),
    stream: () => socket, // with TLS, pg wraps this socket; destroying it ends both
    application_name: options.name,
    connectionTimeoutMillis: 5_000,
    statement_timeout: options.statementTimeoutMs ?? 5_000,
    lock_timeout: options.lockTimeoutMs ?? 3_000,
    idle_in_transaction_session_timeout: 15_000,
    query_timeout: 10_000, // the driver's own deadline, in case the server never answers
  });
  // A session the server ends (a deadlock victim is not ended, but FORCE drops are) emits 'error'.
  client.on('error', (error: Error) => console.error(`session ${options.name}: ${error.message}`));
  sockets.set(client, socket);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`session ${options.name}: could not connect`, { cause: error });
  }
  return client;
}

/** Closes every client; one failing close does not skip the others. */
export async function closeAll(clients: readonly (Client | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(
    clients.map(async (client) => {
      if (!client) return;
      try {
        await withDeadline(client.end(), 3_000, 'closing a session');
      } catch (error) {
        // Last resort: drop the socket (ours, see openSession) so the process can still exit.
        sockets.get(client)?.destroy();
        throw error;
      }
    }),
  );
  const failures = results.filter((result) => result.status === 'rejected');
  if (failures.length > 0) throw new AggregateError(failures.map((failure) => failure.reason), `${failures.length} session(s) did not close cleanly`);
}

/** The server process id of a session (pg_backend_pid()). */
export async function backendPid(client: Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

/**
 * Resolves once the session `pid` is waiting for a lock (pg_stat_activity.wait_event_type =
 * 'Lock'), as seen from `observer`; rejects after `ms`. This is how the snippets know that a
 * statement they sent has really reached the server and is blocked, instead of sleeping.
 */
export async function waitUntilBlocked(observer: Client, pid: number, ms = 3_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { rows } = await observer.query<{ wait_event: string | null; blockers: number[] }>(
      `SELECT wait_event, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
      [pid],
    );
    if (rows.length > 0) return `${rows[0]!.wait_event} lock, blocked by ${rows[0]!.blockers.length} session(s)`;
    if (Date.now() > deadline) throw Object.assign(new Error(`session ${pid} was not blocked within ${ms} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs a statement and reports how it ended: its rows, or the SQLSTATE it failed with. */
export async function attempt<T extends pg.QueryResultRow>(client: Client, sql: string, params: unknown[] = []): Promise<{ ok: true; rows: T[] } | { ok: false; code: string; message: string; detail: string | undefined }> {
  try {
    const { rows } = await client.query<T>(sql, params);
    return { ok: true, rows };
  } catch (error) {
    const code = sqlState(error);
    if (code === undefined) throw error; // not a server error: a bug or a broken connection
    return { ok: false, code, message: (error as Error).message, detail: (error as { detail?: string }).detail };
  }
}
