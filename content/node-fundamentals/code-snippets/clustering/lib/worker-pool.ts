// A fixed-size worker_threads pool: bounded queue, AbortSignal cancellation,
// crash replacement and a draining close(). Imported by worker-pool.ts and
// bench-pool.ts; it does not run on its own.
import { Worker } from 'node:worker_threads';
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';

/** What the pool posts to a worker, and what the worker must answer. */
export interface TaskMessage<TIn> {
  readonly id: number;
  readonly payload: TIn;
}
export type ReplyMessage<TOut> =
  | { readonly id: number; readonly ok: true; readonly value: TOut }
  | { readonly id: number; readonly ok: false; readonly error: unknown };

export interface WorkerPoolOptions {
  /** Module every worker runs: it answers each TaskMessage with one ReplyMessage. */
  readonly filename: URL;
  /** Number of threads; size it from os.availableParallelism(), not os.cpus(). */
  readonly size: number;
  /** Tasks allowed to wait for a thread; beyond it run() rejects at once. */
  readonly maxQueue: number;
  /** Per-thread V8 heap limits: a runaway task kills its thread, not the process. */
  readonly resourceLimits?: ResourceLimits;
}

export interface RunOptions {
  /** Aborting rejects the task; if it is already running, its thread is terminated and replaced. */
  readonly signal?: AbortSignal;
  /** ArrayBuffers to move into the worker instead of copying them. */
  readonly transferList?: readonly TransferListItem[];
}

export class PoolError extends Error {
  readonly code: 'ERR_POOL_QUEUE_FULL' | 'ERR_POOL_CLOSED' | 'ERR_POOL_WORKER_EXIT';
  constructor(code: PoolError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PoolError';
    this.code = code;
  }
}

interface Task<TIn, TOut> {
  readonly id: number;
  readonly payload: TIn;
  readonly transferList: readonly TransferListItem[];
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: TOut) => void;
  readonly reject: (reason: unknown) => void;
  onAbort: (() => void) | undefined;
}

interface Slot<TIn, TOut> {
  readonly worker: Worker;
  task: Task<TIn, TOut> | undefined;
  /** Set when we terminate the thread on purpose (abort, close). */
  retiring: boolean;
}

export interface PoolStats {
  spawned: number;
  completed: number;
  failed: number;
  aborted: number;
  crashed: number;
  rejectedQueueFull: number;
}

export class WorkerPool<TIn, TOut> {
  readonly #options: WorkerPoolOptions;
  readonly #slots = new Set<Slot<TIn, TOut>>();
  readonly #queue: Task<TIn, TOut>[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  #nextId = 1;
  #closing = false;
  readonly stats: PoolStats = {
    spawned: 0, completed: 0, failed: 0, aborted: 0, crashed: 0, rejectedQueueFull: 0,
  };

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`size must be a positive integer, got ${options.size}`);
    }
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError(`maxQueue must be a non-negative integer, got ${options.maxQueue}`);
    }
    this.#options = options;
    for (let i = 0; i < options.size; i++) this.#spawn();
  }

  run(payload: TIn, options: RunOptions = {}): Promise<TOut> {
    const { signal, transferList = [] } = options;
    if (this.#closing) {
      return Promise.reject(new PoolError('ERR_POOL_CLOSED', 'pool is closing'));
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const free = this.#freeSlot();
    if (free === undefined && this.#queue.length >= this.#options.maxQueue) {
      this.stats.rejectedQueueFull++;
      return Promise.reject(new PoolError(
        'ERR_POOL_QUEUE_FULL', `queue is full (${this.#options.maxQueue} waiting)`));
    }
    return new Promise<TOut>((resolve, reject) => {
      const task: Task<TIn, TOut> = {
        id: this.#nextId++, payload, transferList, signal, resolve, reject, onAbort: undefined,
      };
      if (signal !== undefined) {
        task.onAbort = () => this.#abort(task);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      if (free !== undefined) this.#dispatch(free, task);
      else this.#queue.push(task);
    });
  }

  /** Stops accepting tasks, lets queued and running ones finish, then ends every thread. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#queue.length > 0 || this.#running() > 0) {
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
    const exits: Promise<number>[] = [];
    for (const slot of this.#slots) {
      slot.retiring = true;
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }

  #spawn(): void {
    const worker = new Worker(this.#options.filename, {
      resourceLimits: this.#options.resourceLimits,
    });
    const slot: Slot<TIn, TOut> = { worker, task: undefined, retiring: false };
    this.#slots.add(slot);
    this.stats.spawned++;
    let crash: unknown;
    worker.on('message', (reply: ReplyMessage<TOut>) => this.#settle(slot, reply));
    worker.on('error', (err) => { crash = err; }); // an uncaught exception; 'exit' follows
    worker.once('exit', (code) => {
      this.#slots.delete(slot);
      const task = slot.task;
      slot.task = undefined;
      if (task !== undefined && !slot.retiring) {
        this.stats.crashed++;
        this.#forget(task);
        task.reject(new PoolError(
          'ERR_POOL_WORKER_EXIT', `worker exited with code ${code} during task ${task.id}`,
          { cause: crash }));
      }
      if (!this.#closing || this.#queue.length > 0) {
        this.#spawn(); // keep the pool at full strength
        this.#pump();
      }
      this.#checkDrained();
    });
  }

  #dispatch(slot: Slot<TIn, TOut>, task: Task<TIn, TOut>): void {
    slot.task = task;
    const message: TaskMessage<TIn> = { id: task.id, payload: task.payload };
    try {
      slot.worker.postMessage(message, task.transferList);
    } catch (err) { // DataCloneError: a function, a pooled Buffer in transferList, ...
      slot.task = undefined;
      this.stats.failed++;
      this.#forget(task);
      task.reject(err);
      this.#pump();
    }
  }

  #settle(slot: Slot<TIn, TOut>, reply: ReplyMessage<TOut>): void {
    const task = slot.task;
    if (task === undefined || task.id !== reply.id) return; // a late reply for an aborted task
    slot.task = undefined;
    this.#forget(task);
    if (reply.ok) {
      this.stats.completed++;
      task.resolve(reply.value);
    } else {
      this.stats.failed++;
      task.reject(reply.error);
    }
    this.#pump();
    this.#checkDrained();
  }

  #abort(task: Task<TIn, TOut>): void {
    const reason = task.signal?.reason;
    const queued = this.#queue.indexOf(task);
    if (queued !== -1) {
      this.#queue.splice(queued, 1);
    } else {
      // Running: synchronous JavaScript cannot be interrupted from outside
      // except by terminating its thread. The 'exit' handler replaces it.
      for (const slot of this.#slots) {
        if (slot.task === task) {
          slot.retiring = true;
          slot.task = undefined;
          void slot.worker.terminate();
        }
      }
    }
    this.stats.aborted++;
    this.#forget(task);
    task.reject(reason);
    this.#checkDrained();
  }

  #pump(): void {
    let slot = this.#freeSlot();
    while (slot !== undefined && this.#queue.length > 0) {
      this.#dispatch(slot, this.#queue.shift()!);
      slot = this.#freeSlot();
    }
  }

  #freeSlot(): Slot<TIn, TOut> | undefined {
    for (const slot of this.#slots) {
      if (slot.task === undefined && !slot.retiring) return slot;
    }
    return undefined;
  }

  #running(): number {
    let n = 0;
    for (const slot of this.#slots) if (slot.task !== undefined) n++;
    return n;
  }

  #forget(task: Task<TIn, TOut>): void {
    if (task.onAbort !== undefined) task.signal?.removeEventListener('abort', task.onAbort);
    task.onAbort = undefined;
  }

  #checkDrained(): void {
    if (!this.#closing || this.#queue.length > 0 || this.#running() > 0) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}
