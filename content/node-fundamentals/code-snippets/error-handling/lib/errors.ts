// A small error model for a service: a base class for the failures the service expects
// (operational errors), a stable machine-readable `code`, whether a retry can help, and the
// lower-level error kept as `cause` instead of being flattened into the message.
import { types } from 'node:util';

export interface AppErrorOptions {
  readonly code: string;
  /** true when repeating the same request later can succeed (timeouts, 503, ECONNRESET). */
  readonly retryable?: boolean;
  /** HTTP status to answer with at the edge. */
  readonly status?: number;
  readonly cause?: unknown;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly retryable: boolean;
  readonly status: number;

  constructor(message: string, options: AppErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.status = options.status ?? 500;
  }
}

export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'VALIDATION_FAILED', status: 400, cause });
  }
}

export class UpstreamError extends AppError {
  override name = 'UpstreamError';
  readonly upstream: string;
  constructor(upstream: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { code: 'UPSTREAM_FAILED', status: 503, retryable: options.retryable, cause: options.cause });
    this.upstream = upstream;
  }
}

/** Errors whose `code` says a retry may succeed: network resets and timeouts, by convention. */
const RETRYABLE_SYSTEM_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

export function isRetryable(error: unknown): boolean {
  if (error instanceof AppError) return error.retryable;
  if (error instanceof DOMException) return error.name === 'TimeoutError';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SYSTEM_CODES.has(code);
}

export type SerializedError = {
  name: string;
  message: string;
  [field: string]: unknown;
};

/** An Error from this realm or another (a `vm` context, a second copy of a package's realm). */
function isError(value: unknown): value is Error {
  try {
    return value instanceof Error || types.isNativeError(value);
  } catch {
    return types.isNativeError(value); // instanceof runs getPrototypeOf: a revoked Proxy throws there
  }
}

export interface SerializeOptions {
  /** Include each error's stack (5xx: yes; expected 4xx: no). */
  readonly stack?: boolean;
  /** How many levels of `cause` and `errors` to follow. Default 5. */
  readonly depth?: number;
  /** Errors serialized in total, across the whole chain, the first one included. Default 20. */
  readonly maxErrors?: number;
}

// Already written from the object's own fields, or structured, or written by the serializer
// itself: never copied as plain fields (an own `notAnError: false` must not unmark a throw).
const STRUCTURED_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'errors', 'notAnError', 'fieldsOmitted', 'causeOmitted', 'errorsOmitted']);
/** Own fields copied per error (code, errno, syscall, status...); the rest are counted. */
const MAX_FIELDS = 20;
/** Characters kept of any one string (message, stack, field): a 10 MB message is not a log line. */
const MAX_STRING = 8_192;

function truncate(text: string): string {
  return text.length <= MAX_STRING ? text : `${text.slice(0, MAX_STRING)}... [${text.length - MAX_STRING} more chars]`;
}

/** Reads one property for copying. A getter or a Proxy that throws must not make the logger throw. */
function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch (error) {
    return `[getter threw: ${isError(error) ? error.message : typeof error}]`;
  }
}

/** Reads a structural property (name, message, stack, cause, errors): one that throws is absent. */
function readOrAbsent(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** "TypeError", "Object", "null-prototype object": never throws. */
function nameOf(value: object): string {
  const name = readOrAbsent(value, 'name');
  if (typeof name === 'string') return truncate(name);
  try {
    return Object.prototype.toString.call(value).slice(8, -1); // a thrown plain object: "Object"
  } catch {
    return 'object'; // a revoked Proxy
  }
}

function messageOf(value: object): string {
  const message = readOrAbsent(value, 'message');
  return typeof message === 'string' ? truncate(message) : '';
}

/**
 * Turns an error (or anything thrown) into plain data for a JSON log line. JSON.stringify of
 * an Error gives "{}" because message, stack and cause are not enumerable own properties.
 * Follows `cause` and AggregateError's `errors`, bounded in depth (so a cycle cannot hang it)
 * and in the total number of errors (so an AggregateError of 10,000 is not a 350 kB line).
 * Errors from another realm, and thrown objects that are not errors, keep their primitive own
 * fields, at most MAX_FIELDS of them, each string cut at MAX_STRING characters. It never
 * throws: it runs inside the catch blocks that must still answer and log.
 */
export function serializeError(error: unknown, options: SerializeOptions = {}): SerializedError {
  const budget = { left: options.maxErrors ?? 20 };
  try {
    return serializeOne(error, options.depth ?? 5, options.stack === true, budget);
  } catch {
    // Exotic values (a Proxy whose traps throw where no single read is guarded) still log.
    return { name: 'unserializable', message: `a thrown ${typeof error} that could not be read` };
  }
}

function serializeOne(error: unknown, depth: number, withStack: boolean, budget: { left: number }): SerializedError {
  budget.left--;
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
    return { name: typeof error, message: truncate(String(error)) }; // a thrown string, number, undefined...
  }
  const out: SerializedError = { name: nameOf(error), message: messageOf(error) };
  let keys: string[] = [];
  try {
    keys = Object.keys(error); // own enumerable string keys; a Proxy's ownKeys trap may throw
  } catch {
    out.fieldsOmitted = 'ownKeys threw';
  }
  let copied = 0;
  let omitted = 0;
  for (const key of keys) { // code, errno, syscall, status, ...
    if (STRUCTURED_FIELDS.has(key)) continue;
    if (copied >= MAX_FIELDS) {
      omitted++;
      continue;
    }
    const value = read(error, key);
    if (typeof value === 'bigint') out[key] = String(value); // JSON.stringify throws on BigInt
    else if (typeof value === 'string') out[key] = truncate(value);
    else if (value === null || (typeof value !== 'object' && typeof value !== 'function')) out[key] = value;
    else continue; // objects are not copied: they may be large, cyclic or secret
    copied++;
  }
  if (omitted > 0) out.fieldsOmitted = omitted;
  // Written after the copy, so that no own field can overwrite it.
  if (!isError(error)) out.notAnError = true; // someone threw a non-Error: worth a fix
  if (withStack) {
    const stack = readOrAbsent(error, 'stack');
    if (typeof stack === 'string') out.stack = truncate(stack);
  }
  const cause = depth > 0 ? readOrAbsent(error, 'cause') : undefined;
  if (cause !== undefined) {
    if (budget.left > 0) out.cause = serializeOne(cause, depth - 1, withStack, budget);
    else out.causeOmitted = true;
  }
  const inner = depth > 0 ? readOrAbsent(error, 'errors') : undefined;
  if (Array.isArray(inner)) {
    const list: SerializedError[] = [];
    for (let i = 0; i < inner.length && budget.left > 0; i++) {
      list.push(serializeOne(read(inner, String(i)), depth - 1, withStack, budget));
    }
    out.errors = list;
    if (list.length < inner.length) out.errorsOmitted = inner.length - list.length;
  }
  return out;
}

/** "UpstreamError: ... <- Error: read ECONNRESET": the chain of causes on one line. Never throws. */
export function describeChain(error: unknown): string {
  try {
    return chainOf(error);
  } catch {
    return `an unreadable thrown ${typeof error}`;
  }
}

function chainOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 10 && current !== undefined; i++) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) {
      parts.push(String(current)); // a thrown string or number
      break;
    }
    // Not String(current): it throws for a null-prototype object (no toString to call).
    const name = nameOf(current);
    const message = messageOf(current);
    parts.push(message === '' ? name : `${name}: ${message}`);
    current = isError(current) ? readOrAbsent(current, 'cause') : undefined;
  }
  return parts.join(' <- ');
}
