// Throwaway servers for the snippets that declare `services` in snippets.json (content guide:
// "a real server where one session cannot show it"): a PostgreSQL cluster and Redis instances
// of our own, started from the Debian packages' binaries (never the system's services), each in
// its own temporary folder, on a free loopback port, as an unprivileged user when we are root
// (initdb refuses root), and removed afterwards.
//
// One PostgreSQL cluster serves a whole run of the snippet runner, and every snippet run gets a
// fresh database in it (CREATE DATABASE takes milliseconds, initdb seconds). Redis is cheap to
// start, so every snippet run gets an instance of its own: FLUSHALL between runs that overlap
// would not isolate them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SnippetService } from '../../src/core/snippets/settings.ts';
import { SNIPPET_SERVICES } from '../../src/core/snippets/settings.ts';
import { freePort } from './ports.mjs';

const STARTUP_LIMIT_MS = 30_000;
const SHUTDOWN_LIMIT_MS = 10_000;
/** The user servers run as when we are root: initdb and postgres refuse to run as root. */
const UNPRIVILEGED = { user: 'nobody', uid: 65534, gid: 65534 };

export class ServiceUnavailable extends Error {
  override readonly name = 'ServiceUnavailable';
}


const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** A folder the server's user owns. */
function serverFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (isRoot()) chownSync(dir, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
  chmodSync(dir, 0o700);
  return dir;
}

/** Spawn options that drop to the unprivileged user when we are root. */
function asServerUser(): { uid?: number; gid?: number } {
  return isRoot() ? { uid: UNPRIVILEGED.uid, gid: UNPRIVILEGED.gid } : {};
}

/** The newest PostgreSQL's binaries: Debian keeps them in /usr/lib/postgresql/<major>/bin. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  const bin = majors.map((major) => join(root, major, 'bin')).find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
  return bin;
}

export function redisBinary(): string | undefined {
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
}

/** What a missing server needs, said once: the command that installs it. */
export function missingServiceMessage(service: SnippetService): string | undefined {
  if (service === 'postgres' && !postgresBinaries()) return 'PostgreSQL is not installed (Debian: apt-get install postgresql; `npm run setup` does it)';
  if (service === 'redis' && !redisBinary()) return 'Redis is not installed (Debian: apt-get install redis-server; `npm run setup` does it)';
  return undefined;
}

/** Resolves once `port` accepts a TCP connection and `probe` (if any) says the server answers; rejects if the process ends first or the limit passes. */
async function waitUntilReady(child: ChildProcess, port: number, what: string, output: () => string, probe?: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `${what} exited (${code ?? signal}) before it was ready:\n${output().trim().slice(-2000)}`;
  });
  child.once('error', (error) => {
    exited = `${what} did not start: ${error.message}`;
  });
  for (;;) {
    if (exited) throw new ServiceUnavailable(exited);
    if (Date.now() > deadline) throw new ServiceUnavailable(`${what} was not ready within ${STARTUP_LIMIT_MS / 1000} s:\n${output().trim().slice(-2000)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.setTimeout(1000, () => socket.destroy());
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => { resolve(false); });
      socket.once('close', () => { resolve(false); });
    });
    if (open && (!probe || (await probe()))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops a server: SIGINT (PostgreSQL's fast shutdown, Redis's normal one), SIGKILL after the limit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const ended = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_LIMIT_MS);
  await ended;
  clearTimeout(timer);
}

function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

interface Postgres {
  readonly port: number;
  readonly bin: string;
  readonly child: ChildProcess;
  readonly dir: string;
}

/** A running service for one snippet run: its environment, and how to give it back. */
export interface Lease {
  readonly env: Record<string, string>;
  release(): Promise<void>;
}

/** Starts services on demand and hands out one lease per snippet run; `close()` stops them all. */
export class Services {
  private postgres: Promise<Postgres> | undefined;
  private databases = 0;
  private readonly redis = new Set<ChildProcess>();
  private readonly folders = new Set<string>();

  /** The environment a snippet run gets for its services, and the release of what was made for it. */
  async lease(services: readonly SnippetService[]): Promise<Lease> {
    const leases: Lease[] = [];
    try {
      for (const service of services) leases.push(service === 'postgres' ? await this.postgresDatabase() : await this.redisInstance());
    } catch (error) {
      await Promise.allSettled(leases.map((lease) => lease.release()));
      throw error;
    }
    return {
      env: Object.assign({}, ...leases.map((lease) => lease.env)) as Record<string, string>,
      release: async () => {
        const results = await Promise.allSettled(leases.map((lease) => lease.release()));
        const failed = results.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
      },
    };
  }

  private startPostgres(): Promise<Postgres> {
    this.postgres ??= (async () => {
      const bin = postgresBinaries();
      if (!bin) throw new ServiceUnavailable(missingServiceMessage('postgres'));
      const dir = serverFolder('snippet-postgres-');
      this.folders.add(dir);
      const data = join(dir, 'data');
      const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { encoding: 'utf8', cwd: dir, ...asServerUser() });
      if (init.status !== 0) throw new ServiceUnavailable(`initdb failed (${init.status ?? init.signal ?? init.error?.message}):\n${init.stderr}`);
      const port = await freePort();
      const child = spawn(
        join(bin, 'postgres'),
        // Loopback only, the socket in our own folder, durability off (a throwaway cluster), and
        // pg_stat_statements preloaded so that a snippet can CREATE EXTENSION it.
        ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'max_connections=200'],
        { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], ...asServerUser() },
      );
      const output = collect(child);
      const probe = (): Promise<boolean> => Promise.resolve(spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '2']).status === 0);
      try {
        await waitUntilReady(child, port, 'PostgreSQL', output, probe);
      } catch (error) {
        await stop(child);
        throw error;
      }
      return { port, bin, child, dir };
    })();
    return this.postgres;
  }

  private async postgresDatabase(): Promise<Lease> {
    const server = await this.startPostgres();
    const name = `snippet_${process.pid}_${++this.databases}`;
    const psql = (sql: string): void => {
      const result = spawnSync(join(server.bin, 'psql'), ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', timeout: 30_000 });
      if (result.status !== 0) throw new ServiceUnavailable(`psql ${sql}: ${result.stderr || result.error?.message || `exit ${result.status}`}`);
    };
    psql(`CREATE DATABASE ${name}`);
    return {
      env: { [SNIPPET_SERVICES.postgres]: `postgres://postgres@127.0.0.1:${server.port}/${name}` },
      release: () => {
        // WITH (FORCE) ends whatever sessions a snippet left behind (PostgreSQL 13 and later).
        psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        return Promise.resolve();
      },
    };
  }

  private async redisInstance(): Promise<Lease> {
    const binary = redisBinary();
    if (!binary) throw new ServiceUnavailable(missingServiceMessage('redis'));
    const dir = serverFolder('snippet-redis-');
    this.folders.add(dir);
    const port = await freePort();
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...asServerUser(),
    });
    this.redis.add(child);
    const output = collect(child);
    const probe = (): Promise<boolean> =>
      new Promise((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port });
        socket.setTimeout(1000, () => socket.destroy());
        socket.once('connect', () => socket.write('PING\r\n'));
        socket.once('data', (data) => {
          socket.destroy();
          resolve(data.toString().startsWith('+PONG'));
        });
        socket.once('error', () => { resolve(false); });
        socket.once('close', () => { resolve(false); });
      });
    const release = async (): Promise<void> => {
      await stop(child);
      this.redis.delete(child);
      rmSync(dir, { recursive: true, force: true });
      this.folders.delete(dir);
    };
    try {
      await waitUntilReady(child, port, 'Redis', output, probe);
    } catch (error) {
      await release();
      throw error;
    }
    return { env: { [SNIPPET_SERVICES.redis]: `redis://127.0.0.1:${port}` }, release };
  }

  /** Stops every server and removes every folder, each on its own: one failure skips nothing. */
  async close(): Promise<void> {
    const postgres = this.postgres;
    this.postgres = undefined;
    const steps: Promise<unknown>[] = [...this.redis].map((child) => stop(child));
    if (postgres) steps.push(postgres.then((server) => stop(server.child), () => undefined));
    await Promise.allSettled(steps);
    for (const dir of this.folders) rmSync(dir, { recursive: true, force: true });
    this.folders.clear();
  }
}

/** Who servers run as, for messages. */
export function serverUser(): string {
  return isRoot() ? UNPRIVILEGED.user : userInfo().username;
}
