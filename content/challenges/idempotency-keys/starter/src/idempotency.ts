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
// Your implementation. Read time only with Date.now(); see README.md for every rule.
// ---------------------------------------------------------------------------

/** An in-memory IdempotencyStore with a retention window and a bound on the keys it holds. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  constructor(options: { ttlMs: number; maxKeys?: number }) {
    void options;
    throw new Error('Not implemented');
  }

  /** Records held: running and completed (an expired one may or may not still count). */
  get size(): number {
    throw new Error('Not implemented');
  }

  async begin(key: string, fingerprint: string, now: number): Promise<BeginResult> {
    void key, fingerprint, now;
    throw new Error('Not implemented');
  }

  async complete(key: string, response: HttpResponse, now: number): Promise<void> {
    void key, response, now;
    throw new Error('Not implemented');
  }

  async release(key: string): Promise<void> {
    void key;
    throw new Error('Not implemented');
  }
}

/** Wraps an endpoint handler so that a request retried with the same Idempotency-Key runs it at most once. */
export function idempotent(
  handler: (req: IdempotentRequest) => HandlerResult | Promise<HandlerResult>,
  options: IdempotencyOptions,
): (req: IdempotentRequest) => Promise<HttpResponse> {
  void handler, options;
  throw new Error('Not implemented');
}
