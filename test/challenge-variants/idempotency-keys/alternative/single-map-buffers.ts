// Alternative: one Map of records with a state field and an eviction scan, a length-prefixed streaming fingerprint, Buffer-based bodies and a regex key parser
import { createHash } from 'node:crypto';


/** A request as any framework can hand it over (node:http, Express, Fastify, a Lambda event). */
export interface IdempotentRequest {
  /** The HTTP method as received, such as 'POST'. */
  method: string;
  /** The request target as received: path and query, such as '/orders?dry=1'. */
  path: string;
  /** Header names in lower case, as node:http's IncomingMessage.headers has them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body. A string stands for its UTF-8 bytes. */
  body: string | Uint8Array;
}

/** What an endpoint handler returns. */
export interface HandlerResult {
  status: number;
  headers?: Record<string, string>;
  /** Omitted means empty. An async iterable (a Readable, a generator) is read to its end. */
  body?: string | Uint8Array | AsyncIterable<string | Uint8Array>;
}

/** A complete response: what the wrapper resolves with, and what a store keeps. */
export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export type BeginResult =
  | { kind: 'started' }
  | { kind: 'replay'; response: HttpResponse }
  | { kind: 'conflict' }
  | { kind: 'mismatch' };

export interface IdempotencyStore {
  begin(key: string, fingerprint: string, now: number): Promise<BeginResult>;
  complete(key: string, response: HttpResponse, now: number): Promise<void>;
  release(key: string): Promise<void>;
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** Response headers a replay carries (case-insensitive). Default ['content-type', 'location']. */
  replayHeaders?: readonly string[];
  /** Whether a protected request without the header gets 400. Default true. */
  requireKey?: boolean;
}


type Entry =
  | { state: 'running'; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: HttpResponse; completedAt: number };

function clone(response: HttpResponse): HttpResponse {
  return { status: response.status, headers: Object.assign({}, response.headers), body: Buffer.from(response.body) };
}

function whole(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1`);
  return value;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #ttl: number;
  readonly #max: number;
  // Insertion order: complete() re-inserts, so among 'done' entries the order is completion order.
  readonly #entries = new Map<string, Entry>();

  constructor(options: { ttlMs: number; maxKeys?: number }) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    this.#ttl = whole('ttlMs', options.ttlMs);
    this.#max = options.maxKeys === undefined ? Number.POSITIVE_INFINITY : whole('maxKeys', options.maxKeys);
  }

  get size(): number {
    return this.#entries.size;
  }

  begin(key: string, fingerprint: string, now: number): Promise<BeginResult> {
    try {
      return Promise.resolve(this.#begin(key, fingerprint, now));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #begin(key: string, fingerprint: string, now: number): BeginResult {
    const entry = this.#entries.get(key);
    if (entry?.state === 'running') return entry.fingerprint === fingerprint ? { kind: 'conflict' } : { kind: 'mismatch' };
    if (entry?.state === 'done') {
      if (now - entry.completedAt < this.#ttl) {
        return entry.fingerprint === fingerprint ? { kind: 'replay', response: clone(entry.response) } : { kind: 'mismatch' };
      }
      this.#entries.delete(key);
    }
    if (this.#entries.size >= this.#max) {
      let victim: string | undefined;
      for (const [k, e] of this.#entries) {
        if (e.state === 'done') {
          victim = k;
          break;
        }
      }
      if (victim === undefined) throw new Error('too many requests in flight');
      this.#entries.delete(victim);
    }
    this.#entries.set(key, { state: 'running', fingerprint });
    return { kind: 'started' };
  }

  complete(key: string, response: HttpResponse, now: number): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry?.state === 'running') {
      this.#entries.delete(key);
      this.#entries.set(key, { state: 'done', fingerprint: entry.fingerprint, response: clone(response), completedAt: now });
    }
    return Promise.resolve();
  }

  release(key: string): Promise<void> {
    if (this.#entries.get(key)?.state === 'running') this.#entries.delete(key);
    return Promise.resolve();
  }
}

const KEY = /^[\x20-\x7e]{1,255}$/;
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;

function keyFrom(header: string | string[] | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string') return null;
  const quoted = SF_STRING.exec(header);
  const key = quoted ? quoted[1]!.replace(/\\(["\\])/g, '$1') : header;
  return KEY.test(key) ? key : null;
}

function toBuffer(chunk: string | Uint8Array): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
}

async function read(result: HandlerResult): Promise<HttpResponse> {
  if (!result || typeof result !== 'object') throw new TypeError('handler result must be an object');
  const headers: Record<string, string> = {};
  for (const name of Object.keys(result.headers ?? {})) headers[name.toLowerCase()] = String(result.headers![name]);
  const { body } = result;
  let bytes: Buffer;
  if (body === undefined) bytes = Buffer.alloc(0);
  else if (typeof body === 'string' || body instanceof Uint8Array) bytes = toBuffer(body);
  else {
    const parts: Buffer[] = [];
    for await (const part of body) parts.push(toBuffer(part));
    bytes = Buffer.concat(parts);
  }
  return { status: result.status, headers, body: bytes };
}

function fingerprint(req: IdempotentRequest): string {
  const hash = createHash('sha256');
  for (const field of [req.method, req.path]) hash.update(`${Buffer.byteLength(field)}:${field};`);
  return hash.update(toBuffer(req.body)).digest('base64');
}

function problemJson(status: number, title: string, retry: boolean): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json; charset=utf-8' };
  if (retry) headers['retry-after'] = '1';
  return { status, headers, body: Buffer.from(JSON.stringify({ title, status })) };
}

const PASS_THROUGH = ['GET', 'HEAD', 'OPTIONS', 'TRACE'];

export function idempotent(
  handler: (req: IdempotentRequest) => HandlerResult | Promise<HandlerResult>,
  options: IdempotencyOptions,
): (req: IdempotentRequest) => Promise<HttpResponse> {
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  if (!options || typeof options !== 'object') throw new TypeError('options must be an object');
  const store = options.store;
  if (!store || typeof store !== 'object' || !['begin', 'complete', 'release'].every((m) => typeof (store as unknown as Record<string, unknown>)[m] === 'function')) {
    throw new TypeError('store must implement begin, complete and release');
  }
  const names = 'replayHeaders' in options && options.replayHeaders !== undefined ? options.replayHeaders : ['content-type', 'location'];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new TypeError('replayHeaders must be string[]');
  const replay = names.map((n) => n.toLowerCase());
  const requireKey = options.requireKey === undefined ? true : options.requireKey;
  if (requireKey !== true && requireKey !== false) throw new TypeError('requireKey must be a boolean');

  const release = (key: string) => {
    let pending: Promise<void>;
    try {
      pending = Promise.resolve(store.release(key));
    } catch {
      return Promise.resolve();
    }
    return pending.catch(() => undefined);
  };

  return async (req) => {
    if (PASS_THROUGH.includes(req.method)) return read(await handler(req));
    const key = keyFrom(req.headers['idempotency-key']);
    if (key === undefined && !requireKey) return read(await handler(req));
    if (key === undefined || key === null) return problemJson(400, 'missing or invalid Idempotency-Key', false);

    const print = fingerprint(req);
    const outcome = await (async () => store.begin(key, print, Date.now()))().catch(() => null);
    if (outcome === null) return problemJson(503, 'idempotency store unavailable', true);
    if (outcome.kind === 'replay') return clone(outcome.response);
    if (outcome.kind === 'conflict') return problemJson(409, 'a request with this key is in progress', true);
    if (outcome.kind === 'mismatch') return problemJson(422, 'this key was used for a different request', false);

    const response = await (async () => read(await handler(req)))().catch(async (error: unknown) => {
      await release(key);
      throw error;
    });
    if (response.status >= 500) {
      await release(key);
      return response;
    }
    const headers: Record<string, string> = {};
    for (const name of replay) if (Object.hasOwn(response.headers, name)) headers[name] = response.headers[name]!;
    const saved = await (async () => store.complete(key, { status: response.status, headers, body: Buffer.from(response.body) }, Date.now()))().then(
      () => true,
      () => false,
    );
    if (!saved) await release(key);
    return response;
  };
}
