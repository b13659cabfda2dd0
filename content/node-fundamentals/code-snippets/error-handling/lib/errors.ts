// A small error model for a service: a base class for the failures the service expects
// (operational errors), a stable machine-readable `code`, whether a retry can help, and the
// lower-level error kept as `cause` instead of being flattened into the message.

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

/**
 * Turns an error (or anything thrown) into plain data for a JSON log line. JSON.stringify of
 * an Error gives "{}" because message, stack and cause are not enumerable own properties.
 * Follows `cause` and AggregateError's `errors` with a depth limit, so cycles cannot hang it.
 */
export function serializeError(error: unknown, options: { stack?: boolean; depth?: number } = {}): SerializedError {
  const depth = options.depth ?? 5;
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const out: SerializedError = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'name' && (value === null || typeof value !== 'object')) out[key] = value; // code, errno, syscall, ...
  }
  if (options.stack === true) out.stack = error.stack;
  if (depth > 0 && error.cause !== undefined) out.cause = serializeError(error.cause, { ...options, depth: depth - 1 });
  if (depth > 0 && error instanceof AggregateError) {
    out.errors = error.errors.map((inner: unknown) => serializeError(inner, { ...options, depth: depth - 1 }));
  }
  return out;
}

/** "UpstreamError: ... <- Error: read ECONNRESET": the chain of causes on one line. */
export function describeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; i < 10 && current !== undefined; i++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' <- ');
}
