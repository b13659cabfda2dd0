// Errors across a thread boundary. postMessage uses structured clone, which keeps an Error's
// message, stack and cause but turns any custom name into 'Error' and drops own properties
// such as `code` (checked on Node 22.18.0 and 24). So the worker sends errors as plain data
// and the parent rebuilds them. Used by worker-pool.ts and pool-task.ts.

export interface WireError {
  readonly wireError: true;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own primitive properties: code, errno, syscall, ... */
  readonly props: Readonly<Record<string, string | number | boolean | null>>;
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && (value as { wireError?: unknown }).wireError === true;
}

/** Turns an Error (and its cause chain, depth-limited) into data that survives structured clone. */
export function toWire(error: unknown, depth = 5): unknown {
  if (!(error instanceof Error)) return error; // primitives and plain data clone as they are
  const props: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'name' && (value === null || ['string', 'number', 'boolean'].includes(typeof value))) {
      props[key] = value as string | number | boolean | null;
    }
  }
  const wire: WireError = {
    wireError: true,
    name: error.name,
    message: error.message,
    stack: error.stack,
    props,
    ...(depth > 0 && error.cause !== undefined ? { cause: toWire(error.cause, depth - 1) } : {}),
    ...(depth > 0 && error instanceof AggregateError
      ? { errors: error.errors.map((inner: unknown) => toWire(inner, depth - 1)) }
      : {}),
  };
  return wire;
}

/** Rebuilds what toWire produced: an Error with the original name, code, stack and cause. */
export function fromWire(value: unknown): unknown {
  if (!isWireError(value)) return value;
  const options = value.cause !== undefined ? { cause: fromWire(value.cause) } : undefined;
  const error = value.errors !== undefined
    ? new AggregateError(value.errors.map(fromWire), value.message, options)
    : new Error(value.message, options);
  Object.defineProperty(error, 'name', { value: value.name, writable: true, configurable: true });
  Object.assign(error, value.props);
  if (value.stack !== undefined) error.stack = value.stack; // the worker's stack, not ours
  return error;
}
