// One queue for every test run (as vitest-dev/vscode's runQueue.ts): one active run per
// challenge, runs of one challenge in order, a newer request for the same tests replacing the
// one still waiting, and every run aborted when the extension goes away.

export type QueuedOutcome<T> = { readonly kind: 'ran'; readonly value: T } | { readonly kind: 'superseded' } | { readonly kind: 'disposed' };

interface Pending<T> {
  readonly signature: string;
  readonly job: (signal: AbortSignal) => Promise<T>;
  readonly settle: (outcome: QueuedOutcome<T>) => void;
}

interface Lane<T> {
  active: AbortController | undefined;
  pending: Pending<T>[];
}

export class RunQueue<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private disposed = false;

  /**
   * Runs `job` when no other job of `lane` is active. `signature` names what it runs: a job
   * still waiting with the same signature is superseded by this one.
   */
  enqueue(lane: string, signature: string, job: (signal: AbortSignal) => Promise<T>): Promise<QueuedOutcome<T>> {
    if (this.disposed) return Promise.resolve({ kind: 'disposed' });
    const state = this.lanes.get(lane) ?? { active: undefined, pending: [] };
    this.lanes.set(lane, state);
    return new Promise<QueuedOutcome<T>>((settle) => {
      for (const waiting of state.pending.filter((entry) => entry.signature === signature)) waiting.settle({ kind: 'superseded' });
      state.pending = state.pending.filter((entry) => entry.signature !== signature);
      state.pending.push({ signature, job, settle });
      this.drain(lane, state);
    });
  }

  /** Whether a job of `lane` is running now. */
  isActive(lane: string): boolean {
    return this.lanes.get(lane)?.active !== undefined;
  }

  private drain(lane: string, state: Lane<T>): void {
    if (state.active) return;
    const next = state.pending.shift();
    if (!next) {
      this.lanes.delete(lane);
      return;
    }
    const controller = new AbortController();
    state.active = controller;
    void next.job(controller.signal).then(
      (value) => {
        next.settle({ kind: 'ran', value });
      },
      () => {
        next.settle({ kind: 'disposed' });
      },
    ).finally(() => {
      state.active = undefined;
      if (this.disposed) return;
      this.drain(lane, state);
    });
  }

  /** Aborts every active job and drops the waiting ones. */
  dispose(): void {
    this.disposed = true;
    for (const state of this.lanes.values()) {
      state.active?.abort();
      for (const waiting of state.pending) waiting.settle({ kind: 'disposed' });
      state.pending = [];
    }
  }
}
