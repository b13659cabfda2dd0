// Bounded waits for the nosql-patterns snippets: a deadline rejects when it passes even if the
// work ignores cancellation, and the timer never outlives the race.
export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(what: string, ms: number, options?: ErrorOptions) {
    super(`${what} did not finish within ${ms} ms`, options);
    this.name = 'DeadlineError';
  }
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every clean-up step on its own: one that throws or hangs does not skip the others. */
export async function cleanUp(steps: Array<[string, (() => Promise<unknown>) | undefined]>, ms = 5000): Promise<void> {
  const results = await Promise.allSettled(steps.map(([what, step]) => (step ? withDeadline(step(), ms, what) : Promise.resolve())));
  for (const [i, r] of results.entries()) {
    if (r.status === 'rejected') {
      console.error(`clean-up ${steps[i]![0]} failed:`, r.reason);
      process.exitCode = 1;
    }
  }
}
