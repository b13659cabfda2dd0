// Run an operation under a deadline and under the caller's cancellation, with nothing left
// behind: the timer is cleared and the listeners removed when the operation settles, however
// it settles. The caller's wait is bounded even if the operation ignores its signal.

/** The largest delay setTimeout honours; a larger one fires after 1 ms with a warning. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface DeadlineOptions {
  /**
   * Time budget for this operation, in milliseconds. Zero or less means the budget is already
   * spent (a budget computed as `deadline - Date.now()` gets there): the call is not made.
   */
  readonly timeoutMs: number;
  /** The caller's signal: client disconnect, shutdown, or an enclosing deadline. */
  readonly signal?: AbortSignal;
  /** Named in the TimeoutError, so a log says which deadline fired. */
  readonly label?: string;
}

/**
 * Calls `operation` with a signal that aborts when the deadline passes (reason: a
 * DOMException named 'TimeoutError') or when `options.signal` aborts (its own reason,
 * typically an 'AbortError'). The returned promise rejects with that reason as soon as the
 * signal aborts, whether or not the operation honours it: the signal is how the work is
 * stopped, the race is how the caller's wait is bounded. If the operation fails after the
 * abort, the abort reason is thrown, so callers can tell "too slow" from "nobody is waiting
 * any more" by `error.name`.
 */
export async function withDeadline<T>(operation: (signal: AbortSignal) => Promise<T>, options: DeadlineOptions): Promise<T> {
  const parent = options.signal;
  parent?.throwIfAborted();
  const { timeoutMs } = options;
  // NaN, an infinity or more than 2^31 - 1 ms is a caller's bug: setTimeout would fire at once.
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RangeError(`timeoutMs must be a number of milliseconds up to ${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`);
  }
  if (timeoutMs <= 0) {
    throw new DOMException(`${options.label ?? 'operation'} had no time left (${timeoutMs} ms)`, 'TimeoutError');
  }
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`${options.label ?? 'operation'} exceeded its ${timeoutMs} ms deadline`, 'TimeoutError'));
  }, timeoutMs);
  const onParentAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(controller.signal.reason);
    controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // Promise.race attaches handlers to both, so a late rejection of the abandoned
    // operation is handled and cannot become an unhandled rejection.
    return await Promise.race([operation(controller.signal), aborted]);
  } catch (error) {
    // The operation's own error (often an AbortError wrapping our reason) is less useful
    // than the reason itself once we know we aborted it.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
    if (onAbort !== undefined) controller.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Fan-out where every result is required: runs the tasks concurrently under one signal and,
 * on the first failure, aborts the siblings so they release their connections at once
 * instead of running to completion for a response nobody will send. Rejects with the first
 * error, or with the parent's reason as soon as `signal` aborts, even if the tasks ignore
 * their signal (as withDeadline does: the caller's wait is bounded by its own signal).
 */
export async function allOrAbort<T>(tasks: readonly ((signal: AbortSignal) => Promise<T>)[], signal?: AbortSignal): Promise<T[]> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  const parentAborted = Promise.withResolvers<never>();
  const onParentAbort = (): void => {
    controller.abort(signal?.reason);
    parentAborted.reject(signal?.reason);
  };
  signal?.addEventListener('abort', onParentAbort, { once: true });
  try {
    // Promise.race handles whichever loses, so neither can become an unhandled rejection.
    return await Promise.race([
      Promise.all(tasks.map(async (task) => {
        try {
          return await task(controller.signal);
        } catch (error) {
          if (!controller.signal.aborted) {
            controller.abort(new DOMException('a sibling call failed', 'AbortError'));
          }
          throw error;
        }
      })),
      parentAborted.promise,
    ]);
  } finally {
    signal?.removeEventListener('abort', onParentAbort);
  }
}
