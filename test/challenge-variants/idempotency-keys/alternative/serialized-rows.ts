// Alternative: the store keeps serialized rows (JSON, base64 body) as a database would, with a lazily-deleted eviction queue; the fingerprint is readable text ending in a body hash
import { createHash } from 'node:crypto';

// ---------------------------------------------------------------------------
// Types: the contract in the statement.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Argument checks: a wrong type is a TypeError, a number out of range a RangeError.
// ---------------------------------------------------------------------------

function wholeAtLeast1(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
  return value;
}

function copyResponse(response: HttpResponse): HttpResponse {
  return { status: response.status, headers: { ...response.headers }, body: Uint8Array.from(response.body) };
}

// ---------------------------------------------------------------------------
// The store keeps every record as a serialized row, as a database table would
// (key -> JSON text with the body in base64), and keeps eviction order in a
// queue of (key, sequence) pairs with lazy deletion: a queue entry whose
// sequence no longer matches the row is skipped. The queue is compacted when
// it holds more than twice as many entries as there are rows.
// ---------------------------------------------------------------------------

interface Row {
  state: 'running' | 'done';
  fingerprint: string;
  seq: number;
  completedAt?: number;
  status?: number;
  headers?: Record<string, string>;
  body64?: string;
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #ttlMs: number;
  readonly #maxKeys: number;
  readonly #rows = new Map<string, string>();
  #queue: { key: string; seq: number }[] = [];
  #head = 0;
  #seq = 0;

  constructor(options: { ttlMs: number; maxKeys?: number }) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
    this.#ttlMs = wholeAtLeast1('ttlMs', options.ttlMs);
    this.#maxKeys = options.maxKeys === undefined ? Infinity : wholeAtLeast1('maxKeys', options.maxKeys);
  }

  get size(): number {
    return this.#rows.size;
  }

  #read(key: string): Row | undefined {
    const text = this.#rows.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as Row);
  }

  #write(key: string, row: Row): void {
    this.#rows.set(key, JSON.stringify(row));
  }

  #dropOldestDone(): boolean {
    while (this.#head < this.#queue.length) {
      const { key, seq } = this.#queue[this.#head++]!;
      const row = this.#read(key);
      if (row !== undefined && row.state === 'done' && row.seq === seq) {
        this.#rows.delete(key);
        return true;
      }
    }
    return false;
  }

  #compact(): void {
    if (this.#head > 1024 || this.#queue.length - this.#head > 2 * this.#rows.size + 16) {
      this.#queue = this.#queue.slice(this.#head).filter(({ key, seq }) => this.#read(key)?.seq === seq);
      this.#head = 0;
    }
  }

  async begin(key: string, fingerprint: string, now: number): Promise<BeginResult> {
    const row = this.#read(key);
    if (row?.state === 'running') return { kind: row.fingerprint === fingerprint ? 'conflict' : 'mismatch' };
    if (row?.state === 'done') {
      if (now - (row.completedAt as number) < this.#ttlMs) {
        if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
        return {
          kind: 'replay',
          response: { status: row.status as number, headers: { ...row.headers }, body: new Uint8Array(Buffer.from(row.body64 as string, 'base64')) },
        };
      }
      this.#rows.delete(key);
    }
    if (this.#rows.size >= this.#maxKeys && !this.#dropOldestDone()) {
      throw new Error('idempotency store full of running requests');
    }
    this.#write(key, { state: 'running', fingerprint, seq: ++this.#seq });
    this.#compact();
    return { kind: 'started' };
  }

  async complete(key: string, response: HttpResponse, now: number): Promise<void> {
    const row = this.#read(key);
    if (row?.state !== 'running') return;
    const seq = ++this.#seq;
    this.#write(key, {
      state: 'done',
      fingerprint: row.fingerprint,
      seq,
      completedAt: now,
      status: response.status,
      headers: { ...response.headers },
      body64: Buffer.from(response.body).toString('base64'),
    });
    this.#queue.push({ key, seq });
  }

  async release(key: string): Promise<void> {
    if (this.#read(key)?.state === 'running') {
      this.#rows.delete(key);
    }
  }
}

// ---------------------------------------------------------------------------
// The wrapper.
// ---------------------------------------------------------------------------

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const MAX_KEY_LENGTH = 255;
const encoder = new TextEncoder();

function bytesOf(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
}

/** Reads the whole body into one new buffer (so it never aliases the handler's). */
async function collect(body: HandlerResult['body']): Promise<Uint8Array> {
  if (body === undefined) return new Uint8Array(0);
  if (typeof body === 'string' || body instanceof Uint8Array) return Uint8Array.from(bytesOf(body));
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    const bytes = bytesOf(chunk);
    chunks.push(bytes);
    length += bytes.length;
  }
  const all = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = String(value);
  return out;
}

async function normalize(result: HandlerResult): Promise<HttpResponse> {
  if (typeof result !== 'object' || result === null) throw new TypeError('the handler must return { status, headers?, body? }');
  return { status: result.status, headers: lowerCaseHeaders(result.headers), body: await collect(result.body) };
}

/**
 * The key from an Idempotency-Key field value, or undefined when it is invalid. The draft
 * makes the field an RFC 8941 sf-string ("quoted"); bare values, as many clients send, are
 * accepted too. Either way the key is 1..255 printable ASCII characters.
 */
function parseKey(value: string): string | undefined {
  let key = value;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    key = '';
    const inner = value.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      const ch = inner[i];
      if (ch === '\\') {
        const next = inner[i + 1];
        if (next !== '"' && next !== '\\') return undefined;
        key += next;
        i++;
      } else if (ch === '"') return undefined;
      else key += ch;
    }
  }
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) return undefined;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return undefined;
  }
  return key;
}

/** Equal exactly when method, path and body bytes are equal: no concatenation can be ambiguous. */
function fingerprintOf(req: IdempotentRequest): string {
  // A method has no newline and the body hash has a fixed length at the end, so the path is unambiguous.
  const bodyHash = createHash('sha256').update(bytesOf(req.body)).digest('hex');
  return `${req.method}\n${req.path}\n${bodyHash}`;
}

function problem(status: number, title: string, detail: string, retryAfter?: number): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return { status, headers, body: encoder.encode(JSON.stringify({ type: 'about:blank', title, status, detail })) };
}

/** Ends a begun key without storing; a failure here must never hide the outcome the caller gets. */
async function releaseQuietly(store: IdempotencyStore, key: string): Promise<void> {
  try {
    await store.release(key);
  } catch {
    // The store could not release: a durable store's lease expiry is the backstop.
  }
}

export function idempotent(
  handler: (req: IdempotentRequest) => HandlerResult | Promise<HandlerResult>,
  options: IdempotencyOptions,
): (req: IdempotentRequest) => Promise<HttpResponse> {
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { store } = options;
  if (
    typeof store !== 'object' || store === null ||
    typeof store.begin !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function'
  ) {
    throw new TypeError('options.store must have begin, complete and release methods');
  }
  const replayHeaders = options.replayHeaders === undefined ? ['content-type', 'location'] : options.replayHeaders;
  if (!Array.isArray(replayHeaders) || !replayHeaders.every((name) => typeof name === 'string')) {
    throw new TypeError('options.replayHeaders must be an array of header names');
  }
  const kept = new Set(replayHeaders.map((name) => name.toLowerCase()));
  const requireKey = options.requireKey === undefined ? true : options.requireKey;
  if (typeof requireKey !== 'boolean') throw new TypeError('options.requireKey must be a boolean');

  return async (req: IdempotentRequest): Promise<HttpResponse> => {
    if (SAFE_METHODS.has(req.method)) return normalize(await handler(req));

    const raw = req.headers['idempotency-key'];
    if (raw === undefined) {
      if (requireKey) return problem(400, 'Idempotency-Key is missing', 'This operation requires an Idempotency-Key header.');
      return normalize(await handler(req));
    }
    const key = typeof raw === 'string' ? parseKey(raw) : undefined;
    if (key === undefined) {
      return problem(400, 'Idempotency-Key is invalid', 'Send one Idempotency-Key of 1 to 255 printable ASCII characters.');
    }

    const fingerprint = fingerprintOf(req);
    let begun: BeginResult;
    try {
      begun = await store.begin(key, fingerprint, Date.now());
    } catch {
      // Fail closed: without the store we cannot tell a retry from a first attempt.
      return problem(503, 'Idempotency store unavailable', 'Retry the request with the same Idempotency-Key.', 1);
    }
    switch (begun.kind) {
      case 'replay':
        return copyResponse(begun.response);
      case 'conflict':
        return problem(409, 'Request in progress', 'A request with this Idempotency-Key is still being processed; retry later.', 1);
      case 'mismatch':
        return problem(422, 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request.');
      case 'started':
        break;
      default:
        await releaseQuietly(store, key);
        throw new TypeError(`store.begin returned an unknown kind`);
    }

    let response: HttpResponse;
    try {
      response = await normalize(await handler(req));
    } catch (error) {
      await releaseQuietly(store, key);
      throw error;
    }
    if (response.status >= 500) {
      await releaseQuietly(store, key);
      return response;
    }
    const stored: HttpResponse = { status: response.status, headers: {}, body: Uint8Array.from(response.body) };
    for (const [name, value] of Object.entries(response.headers)) if (kept.has(name)) stored.headers[name] = value;
    try {
      await store.complete(key, stored, Date.now());
    } catch {
      // The work is done and the client deserves its answer; the key must not stay in flight.
      await releaseQuietly(store, key);
    }
    return response;
  };
}
