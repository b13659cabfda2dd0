// Persisted operations and HTTP caching over graphql-js 17. Operations are registered by
// SHA-256 at build time (an allow-list), so a GET names one by hash: the URL is a cache key,
// the server parses and validates each document once, and ad-hoc documents are refused.
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { GraphQLError, execute, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { Backend } from './lib/backend.ts';
import type { PostPage, PostPageRequest, PostRow, UserRow } from './lib/backend.ts';
import { ClientError, createContext, schema } from './lib/schema.ts';

type Persisted = { readonly document: DocumentNode; readonly kind: 'query' | 'mutation' | 'subscription' };
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// Build step: the client's operations, extracted from its source, validated once.
const registry = new Map<string, Persisted>();
function register(source: string): string {
  const document = parse(source);
  const errors = validate(schema, document, specifiedRules);
  if (errors.length > 0) throw new AggregateError(errors, 'a persisted operation does not validate');
  const op = getOperationAST(document);
  if (!op) throw new Error('a persisted operation must contain exactly one operation');
  const hash = sha256(source);
  registry.set(hash, { document, kind: op.operation });
  return hash;
}
const feedHash = register('query Feed($first: Int!) { posts(first: $first) { edges { node { title author { name } } } } }');
const authorsPostsHash = register('query AuthorsPosts($first: Int!) { posts(first: $first) { edges { node { author { posts(first: 1) { edges { node { title } } } } } } } }');
const createHashId = register('mutation Create($input: CreatePostInput!) { createPost(input: $input) { errors { code } } }');

// Both services can be made to fail with a given error (refusing connections, or an error from
// another GraphQL service that carries a code, extensions, and even a `path` and `locations` of
// its own), thrown from the call or returned in one slot of a batch, to show what a client sees
// when a resolver fails. The users service can also return rows whose `name` is not a string (a
// null, an object, an Error, a method), and the posts service rows whose `title` is not one. The
// resolvers reach both only through lib/users-client.ts and lib/posts-client.ts, which turn any
// such error into one of ours with the original as `cause`, and copy each row they pass on into a
// new plain object of the declared shape (a field of another type is an error of ours as well).
class FailingBackend extends Backend {
  failWith: (() => unknown) | undefined = undefined; // users: the batch call throws this
  slotWith: (() => Error) | undefined = undefined; // users: the second slot of the batch holds this
  postsFailWith: (() => unknown) | undefined = undefined; // posts: postsPage throws this
  postsSlotWith: (() => Error) | undefined = undefined; // posts: the first slot of postsPagesByAuthors holds this
  badName: { readonly value: unknown } | undefined = undefined; // users: every row's `name`
  badTitle: { readonly value: unknown } | undefined = undefined; // posts: every row's `title` in postsPage
  slotTitle: { readonly value: unknown } | undefined = undefined; // posts: the same in the first slot of postsPagesByAuthors
  override async usersByIds(ids: readonly string[]): Promise<Array<UserRow | null>> {
    if (this.failWith) throw this.failWith();
    const rows = await super.usersByIds(ids);
    const bad = this.badName;
    const slot = this.slotWith;
    if (slot && rows.length > 1) rows[1] = slot() as unknown as UserRow; // outside the declared type, as a real client's may be
    return bad ? rows.map((row) => (row ? ({ ...row, name: bad.value } as unknown as UserRow) : row)) : rows;
  }
  override async postsPage(afterId: string | null, limit: number, authorId?: string): Promise<PostPage> {
    if (this.postsFailWith) throw this.postsFailWith();
    return retitle(await super.postsPage(afterId, limit, authorId), this.badTitle);
  }
  override async postsPagesByAuthors(requests: readonly PostPageRequest[]): Promise<Array<PostPage | Error>> {
    const pages = await super.postsPagesByAuthors(requests);
    if (this.postsSlotWith && pages.length > 0) pages[0] = this.postsSlotWith();
    if (pages[0] && !(pages[0] instanceof Error)) pages[0] = retitle(pages[0], this.slotTitle);
    return pages;
  }
}
const retitle = (page: PostPage, bad: { readonly value: unknown } | undefined): PostPage =>
  bad ? { ...page, rows: page.rows.map((row) => ({ ...row, title: bad.value }) as unknown as PostRow) } : page;
const backend = new FailingBackend(10, 100);
const REQUEST_TIMEOUT_MS = 2_000;
const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

async function readBody(req: IncomingMessage, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: true }) as AsyncIterable<Buffer>) {
    signal.throwIfAborted();
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'BODY_TOO_LARGE', `body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string | null, what: string): unknown {
  if (text === null || text === '') return undefined;
  try { return JSON.parse(text); } catch (cause) {
    throw Object.assign(new HttpError(400, 'BAD_REQUEST', `${what} is not JSON`), { cause });
  }
}

type Resolved = { persisted: Persisted; variables: Record<string, unknown> | undefined };

async function resolveRequest(req: IncomingMessage, signal: AbortSignal): Promise<Resolved> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let body: { query?: unknown; variables?: unknown; extensions?: unknown } = {};
  if (req.method === 'GET') {
    body = {
      query: url.searchParams.get('query') ?? undefined,
      variables: parseJson(url.searchParams.get('variables'), 'variables'),
      extensions: parseJson(url.searchParams.get('extensions'), 'extensions'),
    };
  } else if (req.method === 'POST') {
    body = (parseJson(await readBody(req, signal), 'body') ?? {}) as typeof body;
  } else {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use GET or POST', { allow: 'GET, POST' });
  }
  if (typeof body.query === 'string') throw new HttpError(400, 'PERSISTED_QUERY_ONLY', 'ad-hoc documents are not accepted; send a persisted operation hash');
  const hash = (body.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  const persisted = typeof hash === 'string' ? registry.get(hash) : undefined;
  if (!persisted) throw new HttpError(400, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound');
  // GraphQL over HTTP: a GET must not run a mutation (GET is safe and may be replayed or prefetched).
  if (req.method === 'GET' && persisted.kind !== 'query') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'mutations need POST', { allow: 'POST' });
  return { persisted, variables: body.variables as Record<string, unknown> | undefined };
}

// What goes on the wire for one error: message, locations, path and a code, built field by field.
// Never the error object itself, whose `extensions` graphql-js copies from whatever was thrown.
// `locations` is rebuilt as plain { line, column } integers (any other key is dropped, and so is an
// entry without both), and `path` is sent only if every key is a string or an integer index, as a
// new array. This checks the shape, not the origin: a foreign path made of strings would pass it.
// The origin is fixed at the dependency boundary (lib/users-client.ts, lib/posts-client.ts): what
// a service throws or returns as an error becomes one of ours, and every row or page it returns is
// copied into a new plain object of strings and booleans, so no foreign error reaches graphql-js
// through them, and graphql-js locates each field error at the field that failed.
type WireLocation = { line: number; column: number };
type WireError = { message: string; locations?: WireLocation[]; path?: Array<string | number>; extensions?: Record<string, string> };
const isCount = (value: unknown, min: number): value is number => Number.isSafeInteger(value) && (value as number) >= min;
function wireLocations(locations: unknown): WireLocation[] | undefined {
  if (!Array.isArray(locations)) return undefined;
  const out: WireLocation[] = [];
  for (const location of locations as unknown[]) {
    const { line, column } = (location ?? {}) as { line?: unknown; column?: unknown };
    if (isCount(line, 1) && isCount(column, 1)) out.push({ line, column });
  }
  return out.length > 0 ? out : undefined;
}
function wirePath(path: unknown): Array<string | number> | undefined {
  if (!Array.isArray(path)) return undefined;
  const out: Array<string | number> = [];
  for (const key of path as unknown[]) {
    if (typeof key !== 'string' && !isCount(key, 0)) return undefined; // one bad key: no path at all
    out.push(key);
  }
  return out;
}
const wire = (error: GraphQLError, message: string, extensions?: Record<string, string>): WireError =>
  ({ message, locations: wireLocations(error.locations), path: wirePath(error.path), extensions });

// Field errors come back inside the result, not as a throw. A field error is a server fault
// unless our own code raised it for the client: a resolver that crashed, a dependency's error
// (whatever code it carries), a value that does not serialize, a null in a non-null field. The
// client cannot act on those, and their messages can carry data: a host or a database user, or
// the value itself (`String cannot represent value: { password: "hunter2" }`). The test is the
// class, not the code: graphql-js wraps what a resolver throws (locatedError) and keeps the
// thrown error as `originalError`, so a field error goes out only if that is a ClientError, the
// class lib/schema.ts throws for client mistakes. A dependency's error coded BAD_USER_INPUT is not
// one. The rule for every backend: the resolvers call it only through a client that turns any
// error it throws or returns (as the value, or per key in a batch) into a plain error of ours with
// the original as `cause` (here UsersServiceError and PostsServiceError), which graphql-js wraps
// at the failing field like any other throw, and that copies every row or page it returns into a
// new plain object with only the declared fields, each a primitive of its declared type (a field
// of another type, or a read that throws, is an error of ours too). Without the copy, an Error in
// a row's field (a delegating GraphQL client returns them inside its data), or a method or getter
// that throws one, reaches graphql-js's default resolver, which throws it as it is; with no
// client at all, an error the service throws does. Either way an error with an array `path`
// would be taken as located, keeping the path (rebuilt) and locations its sender set. What goes out for a ClientError is its message, the
// rebuilt locations and path, and its code, nothing else. Every other field error becomes a
// generic error (the rebuilt locations and path, which graphql-js set for the field that failed,
// and a request id), and the original is logged with its name, message, code, cause and path
// under that id. Request errors (a result without `data`) never get here: they go out with 422.
function maskErrors(errors: readonly GraphQLError[], requestId: string): WireError[] {
  return errors.map((error) => {
    const thrown = error.originalError; // graphql-js 17 marks it @deprecated for `cause`; here both are the thrown error
    if (thrown instanceof ClientError) return wire(error, error.message, { code: thrown.code });
    logError(requestId, error);
    return wire(error, 'internal error', { code: 'INTERNAL', requestId });
  });
}

// The log helpers must never throw: they run inside the request's try, so a throw here would turn
// a partial 200 into a 500 and log the formatter's error instead of the real one. So describe()
// reads each property in a try (a getter can throw), keeps only strings and finite numbers
// (a BigInt `code` becomes its decimal string, anything else its typeof), follows `cause` at most
// MAX_CAUSE_DEPTH deep and marks a cycle, and logError() has a fallback line.
const MAX_CAUSE_DEPTH = 5;
const MAX_TEXT = 500;
type Described = { name?: string | number; message?: string | number; code?: string | number; cause?: Described | string } | string;
function read(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try { return (value as Record<string, unknown>)[key]; } catch { return '[getter threw]'; }
}
function scalar(value: unknown): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return `[${typeof value}]`;
}
function describe(value: unknown, depth = 0, seen = new Set<unknown>()): Described | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' && typeof value !== 'function') return `thrown ${typeof value}: ${scalar(value)}`;
  if (seen.has(value)) return '[cycle]';
  if (depth >= MAX_CAUSE_DEPTH) return '[cause chain cut]';
  seen.add(value);
  const code = read(value, 'code') ?? read(read(value, 'extensions'), 'code');
  return {
    name: scalar(read(value, 'name')),
    message: scalar(read(value, 'message')),
    code: scalar(code),
    cause: describe(read(value, 'cause'), depth + 1, seen),
  };
}

function logError(requestId: string, error: unknown): void {
  try {
    let path: Array<string | number> | undefined;
    try { path = wirePath(read(error, 'path')); } catch { path = undefined; }
    console.error(JSON.stringify({ level: 'error', requestId, path, error: describe(error) }));
  } catch {
    try { console.error(`{"level":"error","requestId":${JSON.stringify(requestId)},"error":"unloggable"}`); } catch { /* nothing left to do */ }
  }
}

// If-None-Match holds a list of entity tags or `*`; RFC 9110 section 13.1.2 says to compare
// them weakly, so `W/"x"` (as a CDN may send after compressing) matches `"x"`.
function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const [, tag] of header.matchAll(/(?:W\/)?("[^"]*")/g)) if (tag === opaque) return true;
  return false;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'content-type': 'application/graphql-response+json; charset=utf-8', ...headers });
  res.end(body);
}

const server = createServer((req, res) => {
  // One signal per request: the deadline, or the client going away before the response is sent.
  const gone = new AbortController();
  res.once('close', () => { if (!res.writableFinished) gone.abort(new Error('client closed the connection')); });
  const signal = AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), gone.signal]);
  const requestId = randomUUID(); // also the correlation id a client can quote to support
  void (async () => {
    try {
      const { persisted, variables } = await resolveRequest(req, signal);
      const executed: ExecutionResult = await execute({
        schema,
        document: persisted.document, // validated at registration: no per-request parse or validate
        variableValues: variables,
        contextValue: createContext(backend, { batched: true, viewerId: null }),
        // No "Did you mean …?" in error messages: it names schema fields the client did not send.
        hideSuggestions: true,
        // graphql-js 17.1.0: a signal that aborts during execution makes execute() reject with an
        // AbortedGraphQLExecutionError; one already aborted makes it throw the signal's reason
        // (an AbortError or TimeoutError DOMException) synchronously. Inside this try, `await`
        // turns both into the catch below.
        abortSignal: signal,
      });
      // No `data` means a request error: graphql-js did not execute (in this server, only variables
      // that do not coerce to the operation's definitions, since documents are validated at
      // registration). The messages are about the client's own input, so they go out unmasked
      // (message and locations), with the 422 the GraphQL-over-HTTP draft recommends; a client
      // mistake is not logged as a fault.
      if (!('data' in executed)) {
        const errors = (executed.errors ?? []).map((e) => wire(e, e.message));
        return send(res, 422, { 'cache-control': 'no-store' }, JSON.stringify({ errors }));
      }
      const result = executed.errors ? { errors: maskErrors(executed.errors, requestId), data: executed.data } : { data: executed.data };
      const json = JSON.stringify(result);
      const cacheable = req.method === 'GET' && persisted.kind === 'query' && !result.errors;
      const etag = `"${sha256(json).slice(0, 32)}"`;
      if (cacheable && ifNoneMatchHits(req.headers['if-none-match'], etag)) return send(res, 304, { etag, 'cache-control': 'public, max-age=60' }, '');
      send(res, 200, cacheable ? { etag, 'cache-control': 'public, max-age=60' } : { 'cache-control': 'no-store' }, json);
    } catch (err) {
      if (res.destroyed) return; // the client left; nothing to answer
      // `err` can be any value that reached here, even a Proxy whose every trap throws, so it is
      // read only inside a try: `instanceof` and, for an HttpError, each field (copied into a new
      // one). If a read throws, the answer is the generic 500, and logError (which never throws)
      // still writes the line.
      let known: HttpError | undefined;
      try { known = err instanceof HttpError ? new HttpError(err.status, err.code, err.message, { ...err.headers }) : undefined; } catch { known = undefined; }
      const e = known
        ?? (signal.aborted ? new HttpError(503, 'DEADLINE_EXCEEDED', 'request deadline exceeded') : new HttpError(500, 'INTERNAL', 'internal error'));
      if (!known) logError(requestId, err); // log the real error (name, code, cause); do not leak it
      const extensions = e.status >= 500 ? { code: e.code, requestId } : { code: e.code };
      send(res, e.status, { 'cache-control': 'no-store', ...e.headers }, JSON.stringify({ errors: [{ message: e.message, extensions }] }));
    }
  })();
});
server.requestTimeout = REQUEST_TIMEOUT_MS;
server.listen(0, '127.0.0.1');
// Start-up is bounded: `once` rejects on 'error' (a port in use) and on the signal.
await once(server, 'listening', { signal: AbortSignal.timeout(5_000) });
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

const getUrl = (hash: string, variables: object): string =>
  `${base}?variables=${encodeURIComponent(JSON.stringify(variables))}&extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }))}`;

async function call(label: string, url: string, init: RequestInit = {}): Promise<Response & { text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  const error = text ? (JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: string; requestId?: string } }> }).errors?.[0] : undefined;
  const code = error?.extensions?.code;
  const message = error && (code === undefined || code === 'INTERNAL') ? `  message: ${error.message}` : '';
  const requestId = code === 'INTERNAL' ? `  requestId: ${error?.extensions?.requestId ? 'yes' : 'no'}` : '';
  console.log(`${label.padEnd(34)} ${res.status}  cache-control: ${res.headers.get('cache-control')}  etag: ${res.headers.get('etag') ? 'yes' : 'no'}${code ? `  code: ${code}` : ''}${message}${requestId}`);
  return Object.assign(res, { text });
}

try {
  const first = await call('GET persisted query', getUrl(feedHash, { first: 3 }));
  const etag = first.headers.get('etag') ?? '';
  await call('GET again with If-None-Match', getUrl(feedHash, { first: 3 }), { headers: { 'if-none-match': etag } });
  await call('GET, If-None-Match list with W/', getUrl(feedHash, { first: 3 }), { headers: { 'if-none-match': `"other", W/${etag}` } });
  await call('GET unknown hash', getUrl('0'.repeat(64), { first: 3 }));
  await call('GET persisted mutation', getUrl(createHashId, { input: { title: 'x' } }));
  const post = (body: object): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await call('POST persisted mutation', base, post({ variables: { input: { title: 'Hello' } }, extensions: { persistedQuery: { version: 1, sha256Hash: createHashId } } }));
  await call('POST ad-hoc document', base, post({ query: '{ posts(first: 100) { edges { cursor } } }' }));
  await call('POST 100 KiB body', base, post({ variables: { pad: 'x'.repeat(100 * 1024) } }));
  // A typo in an input field: 422, and no "Did you mean" naming the schema's field.
  await call('POST a misspelt input field', base, post({ variables: { input: { title: 'Hello', clientMutationI: 'x' } }, extensions: { persistedQuery: { version: 1, sha256Hash: createHashId } } }));
  await call('GET bad variables', getUrl(feedHash, { first: 'x' })); // a request error: 422, unmasked
  await call('GET missing variables', getUrl(feedHash, {}));
  await call('GET first over the limit', getUrl(feedHash, { first: 1000 })); // coded by a resolver: kept
  backend.badName = { value: null }; // a server bug, which the client cannot act on: masked
  await call('GET a null in a non-null field', getUrl(feedHash, { first: 3 }));
  backend.badName = { value: { password: 'hunter2' } }; // the message would quote the value: masked
  await call('GET an object in a String field', getUrl(feedHash, { first: 3 }));
  backend.badName = undefined;
  // Another GraphQL service's error, with a code our resolvers also use and extensions of its own:
  // first as thrown, then already located (that service's path, and locations with a key of their
  // own), then a plain Error with an array `path`, which graphql-js would also treat as located.
  // The same from the posts service (postsPage throwing it), then returned instead of thrown: in
  // one slot of the users batch, and in one slot of postsPagesByAuthors. Each client wraps each one
  // in an error of ours, so every one is masked and located here, at the field whose resolver
  // called the service (`author`, `posts`, or an author's `posts`), with numeric locations.
  const upstream = 'upstream users-svc: SELECT * FROM users WHERE token=abc (host users-db.internal)';
  const foreign = (): GraphQLError => new GraphQLError(upstream, {
    extensions: { code: 'BAD_USER_INPUT', sql: 'SELECT * FROM users', stacktrace: ['at users-db.internal'] },
  });
  const foreignLocations = [{ line: 1, column: 1, sql: 'SELECT * FROM users' }];
  const located = (): GraphQLError => Object.assign(foreign(), { path: ['user', 'token=abc'], locations: foreignLocations });
  const postsLocated = (): GraphQLError => Object.assign(new GraphQLError('upstream posts-svc: token=abc (host posts-db.internal)', {
    extensions: { code: 'BAD_USER_INPUT', sql: 'SELECT * FROM posts' },
  }), { path: ['posts-db.internal', 'token=abc'], locations: foreignLocations });
  type Case = readonly [label: string, hash: string, set: () => void];
  const cases: readonly Case[] = [
    ['GET a dependency\'s BAD_USER_INPUT', feedHash, () => { backend.failWith = foreign; }],
    ['  the same, already located', feedHash, () => { backend.failWith = located; }],
    ['  a plain Error with a path', feedHash, () => {
      backend.failWith = () => Object.assign(new Error(upstream), { path: ['users-db.internal:5432', 'token=abc'], locations: foreignLocations });
    }],
    ['  located, from the posts service', feedHash, () => { backend.postsFailWith = postsLocated; }],
    ['  located, in a users batch slot', feedHash, () => { backend.slotWith = located; }],
    ['  located, in a posts batch slot', authorsPostsHash, () => { backend.postsSlotWith = postsLocated; }],
    // The same error one level down, inside what the service returns: as a row's field, or as a
    // method that throws it. The clients copy rows, so each is a wrong type, an error of ours.
    ['  a row\'s name is a located error', feedHash, () => { backend.badName = { value: located() }; }],
    ['  a row\'s name() throws one', feedHash, () => { backend.badName = { value: () => { throw located(); } }; }],
    ['  a posts row\'s title is one', feedHash, () => { backend.badTitle = { value: postsLocated() }; }],
    ['  the same, in a posts batch slot', authorsPostsHash, () => { backend.slotTitle = { value: postsLocated() }; }],
  ];
  const reset = (): void => {
    backend.failWith = backend.slotWith = backend.postsFailWith = backend.postsSlotWith = undefined;
    backend.badName = backend.badTitle = backend.slotTitle = undefined;
  };
  for (const [label, hash, set] of cases) {
    reset();
    set();
    const { text } = await call(label, getUrl(hash, { first: 3 }));
    const errors = (JSON.parse(text) as { errors: WireError[] }).errors;
    const where = [...new Set(errors.map((e) => `${e.path?.join('.')} at ${e.locations?.map((l) => `${l.line}:${l.column}`).join(',')}`))];
    console.log(`${'  errors, where'.padEnd(34)} ${errors.length}, ${where.join('; ')}`);
    console.log(`${'  body names a host, sql or token'.padEnd(34)} ${/-db\.internal|"sql"|stacktrace|token/.test(text)}`);
  }
  reset();
  // An error the log helpers cannot simply stringify: a cause that is itself, a BigInt code and a
  // getter that throws. The log line is written, and the response is still the masked 200.
  const hostile = (): Error => {
    const error = Object.assign(new Error('hostile'), { code: 10n });
    Object.defineProperty(error, 'name', { get: () => { throw new Error('getter'); } });
    error.cause = error;
    return error;
  };
  backend.failWith = hostile;
  await call('GET a cyclic, BigInt-coded error', getUrl(feedHash, { first: 3 }));
  backend.failWith = undefined;
  let deep: unknown = 'root';
  for (let i = 0; i < 20; i++) deep = new Error(`level ${i}`, { cause: deep });
  console.log(`${'describe() on the hostile error'.padEnd(34)} ${JSON.stringify(describe(hostile()))}`);
  let level = describe(deep);
  let levels = 0;
  for (; typeof level === 'object'; level = level.cause) levels += 1;
  console.log(`${'describe() on 20 nested errors'.padEnd(34)} ${levels} levels, then ${JSON.stringify(level)}`);
  // wire() on its own, given an error whose path and locations hold more than names, indices and
  // numbers: the extra location key and the bad entry go, and a path with an object key is dropped.
  const forged = Object.assign(new GraphQLError('forged'), {
    path: ['posts', { toString: (): string => 'token=abc' }], locations: [{ line: 1, column: 2, sql: 'x' }, { line: '1', column: 2 }],
  });
  console.log(`${'wire() on a forged error'.padEnd(34)} ${JSON.stringify(wire(forged, 'internal error'))}`);
  // The resolver's error names a host and a user: the client must not see it.
  backend.failWith = () => Object.assign(new Error('connect ECONNREFUSED users-db.internal:5432 (user=svc_feed)'), { code: 'ECONNREFUSED' });
  await call('GET with the users service down', getUrl(feedHash, { first: 3 }));
} finally {
  // Bounded shutdown: stop accepting, close idle keep-alive sockets, and after 2 s cut the rest.
  const closed = once(server, 'close');
  server.close();
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 2_000);
  await closed;
  clearTimeout(force);
}
