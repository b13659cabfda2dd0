// Run an operation under a deadline and under the caller's cancellation, with nothing left
// behind: the timer is cleared and the listener on the caller's signal removed when the
// operation settles, however it settles.

export interface DeadlineOptions {
  /** Time budget for this operation, in milliseconds. */
  readonly timeoutMs: number;
  /** The caller's signal: client disconnect, shutdown, or an enclosing deadline. */
  readonly signal?: AbortSignal;
  /** Named in the TimeoutError, so a log says which deadline fired. */
  readonly label?: string;
}

/**
 * Calls `operation` with a signal that aborts when the deadline passes (reason: a
 * DOMException named 'TimeoutError') or when `options.signal` aborts (its own reason,
 * typically an 'AbortError'). If the operation fails because of either, the abort reason is
 * thrown, so callers can tell "too slow" from "nobody is waiting any more" by `error.name`.
 */
export async function withDeadline<T>(operation: (signal: AbortSignal) => Promise<T>, options: DeadlineOptions): Promise<T> {
  const parent = options.signal;
  parent?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`${options.label ?? 'operation'} exceeded its ${options.timeoutMs} ms deadline`, 'TimeoutError'));
  }, options.timeoutMs);
  const onParentAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  try {
    return await operation(controller.signal);
  } catch (error) {
    // The operation's own error (often an AbortError wrapping our reason) is less useful
    // than the reason itself once we know we aborted it.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
