// A fixed-size worker_threads pool: bounded queue, AbortSignal cancellation, a
// deadline on every task, crash replacement with backoff, a crash-loop breaker
// that only start-up crashes trip and that a probe thread closes again, errors
// that keep their name, code and cause, and a close() with a deadline. Imported
// by worker-pool.ts and bench-pool.ts; it does not run on its own.
import { Worker } from 'node:worker_threads';
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import { fromWire } from './wire-error.ts';

/**
 * What the pool posts to a worker, and what the worker must answer. A worker module posts a
 * ReadyMessage once it has loaded, then answers every TaskMessage with exactly one ReplyMessage.
 */
export interface TaskMessage<TIn> {
  readonly id: number;
  readonly payload: TIn;
}
export type ReplyMessage<TOut> =
  | { readonly id: number; readonly ok: true; readonly value: TOut }
  | { readonly id: number; readonly ok: false; readonly error: unknown }; // error: toWire(err)
export interface ReadyMessage {
  readonly ready: true;
}

export interface WorkerPoolOptions {
  /** Module every worker runs: it answers each TaskMessage with one ReplyMessage. */
  readonly filename: URL;
  /** Number of threads; size it from os.availableParallelism(), not os.cpus(). */
  readonly size: number;
  /** Tasks allowed to wait for a thread; beyond it run() rejects at once. */
  readonly maxQueue: number;
  /** Per-thread V8 heap limits: a runaway task kills its thread, not the process. */
  readonly resourceLimits?: ResourceLimits;
  /** Deadline of every task, queue time included, on top of any signal. Default 30,000. */
  readonly taskTimeoutMs?: number;
  /**
   * Delay before replacing a crashed thread. After a task crash it is this; after a start-up
   * crash it doubles with each start-up crash in the window. Default 100.
   */
  readonly respawnDelayMs?: number;
  /** Cap on that delay. Default 5,000. */
  readonly maxRespawnDelayMs?: number;
  /**
   * More start-up crashes than this within crashWindowMs break the pool: a bad release or a
   * missing dependency. A thread that dies during a task (a poison input) fails that task and
   * is replaced, but does not count. Default 5.
   */
  readonly maxCrashes?: number;
  /** Default 60,000. */
  readonly crashWindowMs?: number;
  /** While broken, one probe thread is started this often; once it loads, the pool works again. Default 30,000. */
  readonly probeIntervalMs?: number;
}

export interface CloseOptions {
  /** Time allowed for queued and running tasks to finish; then they are failed. Default 10,000. */
  readonly timeoutMs?: number;
}

export interface RunOptions {
  /** Aborting rejects the task; if it is already running, its thread is terminated and replaced. */
  readonly signal?: AbortSignal;
  /** ArrayBuffers to move into the worker instead of copying them. */
  readonly transferList?: readonly TransferListItem[];
}

export class PoolError extends Error {
  readonly code:
    | 'ERR_POOL_QUEUE_FULL' | 'ERR_POOL_CLOSED' | 'ERR_POOL_WORKER_EXIT' | 'ERR_POOL_TASK_TIMEOUT'
    | 'ERR_POOL_CRASH_LOOP' | 'ERR_POOL_MESSAGE_ERROR' | 'ERR_POOL_CLOSE_TIMEOUT';
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
  deadline: NodeJS.Timeout | undefined;
}

interface Slot<TIn, TOut> {
  readonly worker: Worker;
  task: Task<TIn, TOut> | undefined;
  /** Set when the thread's module has loaded (it posted its ReadyMessage). */
  ready: boolean;
  /** Set when the thread has answered a task (a result or an error reply). */
  everReplied: boolean;
  /** Set when we terminate the thread on purpose (abort, close). */
  retiring: boolean;
}

export interface PoolStats {
  spawned: number;
  completed: number;
  failed: number;
  aborted: number;
  timedOut: number;
  /** Threads that died after loading, during a task (which then failed) or idle: the pool went on. */
  crashedInTask: number;
  /** Threads that died before their ready message, or after it without ever answering (idle, or
   *  on their first task while no thread of this pool has answered yet): only these count toward the breaker. */
  crashedAtStart: number;
  rejectedQueueFull: number;
}

const TERMINATE_TIMEOUT_MS = 1_000; // terminate() should settle at once; never wait on it unbounded

export class WorkerPool<TIn, TOut> {
  readonly #options: WorkerPoolOptions;
  readonly #slots = new Set<Slot<TIn, TOut>>();
  readonly #queue: Task<TIn, TOut>[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  readonly #respawnTimers = new Set<NodeJS.Timeout>();
  readonly #crashTimes: number[] = [];
  #broken: PoolError | undefined;
  #probeTimer: NodeJS.Timeout | undefined;
  #nextId = 1;
  #everReplied = false; // some thread of this pool has answered a task: the code can run
  #closing = false;
  readonly stats: PoolStats = {
    spawned: 0, completed: 0, failed: 0, aborted: 0, timedOut: 0, crashedInTask: 0, crashedAtStart: 0, rejectedQueueFull: 0,
  };

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`size must be a positive integer, got ${options.size}`);
    }
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError(`maxQueue must be a non-negative integer, got ${options.maxQueue}`);
    }
    const timeout = options.taskTimeoutMs ?? 30_000;
    if (!Number.isFinite(timeout) || timeout <= 0) { // setTimeout would turn Infinity into 1 ms
      throw new RangeError(`taskTimeoutMs must be a positive finite number, got ${timeout}`);
    }
    this.#options = options;
    for (let i = 0; i < options.size; i++) this.#spawn();
  }

  run(payload: TIn, options: RunOptions = {}): Promise<TOut> {
    const { signal, transferList = [] } = options;
    if (this.#closing) {
      return Promise.reject(new PoolError('ERR_POOL_CLOSED', 'pool is closing'));
    }
    if (this.#broken !== undefined) {
      return Promise.reject(new PoolError('ERR_POOL_CRASH_LOOP', this.#broken.message, { cause: this.#broken.cause }));
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
        id: this.#nextId++, payload, transferList, signal, resolve, reject, onAbort: undefined, deadline: undefined,
      };
      if (signal !== undefined) {
        task.onAbort = () => { this.stats.aborted++; this.#cancel(task, signal.reason); };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      // Every wait is bounded, even for a caller that passed no signal: a thread that never
      // answers (a task module bug, a module hung at load) fails the task at the deadline.
      const timeoutMs = this.#options.taskTimeoutMs ?? 30_000;
      task.deadline = setTimeout(() => {
        this.stats.timedOut++;
        this.#cancel(task, new PoolError('ERR_POOL_TASK_TIMEOUT', `task ${task.id} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      if (free !== undefined) this.#dispatch(free, task);
      else this.#queue.push(task);
    });
  }

  /**
   * A pool whose threads crash at start-up refuses work: report it (a metric, a degraded
   * health check) so that someone acts. It probes every probeIntervalMs and recovers by itself
   * once a thread loads again.
   */
  get broken(): boolean {
    return this.#broken !== undefined;
  }

  /**
   * Stops accepting tasks and lets queued and running ones finish within `timeoutMs`. At the
   * deadline the rest are rejected with ERR_POOL_CLOSE_TIMEOUT, every thread is terminated, and
   * close() rejects with the same error, so a shutdown sequence knows it was not clean.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.#closing = true;
    let timer: NodeJS.Timeout | undefined;
    const drained = this.#queue.length === 0 && this.#running() === 0
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve) => this.#drainWaiters.push(() => resolve(true)));
    const deadline = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    const clean = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    let failure: PoolError | undefined;
    if (!clean) {
      failure = new PoolError('ERR_POOL_CLOSE_TIMEOUT',
        `close() deadline of ${timeoutMs} ms passed with ${this.#running()} running and ${this.#queue.length} queued`);
      for (const task of this.#queue.splice(0)) this.#fail(task, failure);
      for (const slot of this.#slots) {
        const task = slot.task;
        slot.task = undefined;
        if (task !== undefined) this.#fail(task, failure);
      }
    }
    for (const pending of this.#respawnTimers) clearTimeout(pending);
    this.#respawnTimers.clear();
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    const exits: Promise<unknown>[] = [];
    for (const slot of this.#slots) {
      slot.retiring = true;
      exits.push(slot.worker.terminate().catch(() => undefined));
    }
    let terminateTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(exits),
      new Promise<void>((resolve) => { terminateTimer = setTimeout(resolve, TERMINATE_TIMEOUT_MS); }),
    ]);
    clearTimeout(terminateTimer);
    if (failure !== undefined) throw failure;
  }

  #spawn(): void {
    const worker = new Worker(this.#options.filename, {
      resourceLimits: this.#options.resourceLimits,
    });
    const slot: Slot<TIn, TOut> = { worker, task: undefined, ready: false, everReplied: false, retiring: false };
    this.#slots.add(slot);
    this.stats.spawned++;
    let crash: unknown;
    worker.on('message', (reply: ReplyMessage<TOut> | ReadyMessage) => {
      if ('ready' in reply) this.#onReady(slot);
      else this.#settle(slot, reply);
    });
    // The reply could not be deserialized: fail that task instead of leaving it pending.
    worker.on('messageerror', (error) => {
      const task = slot.task;
      if (task === undefined) return;
      slot.task = undefined;
      this.#fail(task, new PoolError('ERR_POOL_MESSAGE_ERROR',
        `the reply to task ${task.id} could not be deserialized`, { cause: error }));
      this.#pump();
      this.#checkDrained();
    });
    // An uncaught exception; 'exit' follows. For an Error this keeps name, code and cause
    // (Node serializes them); an uncaught DOMException arrives without its name.
    worker.on('error', (err) => { crash = err; });
    worker.once('exit', (code) => {
      this.#slots.delete(slot);
      const task = slot.task;
      slot.task = undefined;
      const crashed = !slot.retiring; // we did not terminate it on purpose
      // A thread that dies before its ready message never got to run a task: the code or its
      // environment is broken, and that is what a breaker is for. So is one that said it was
      // ready but died before answering anything, while idle (no input reached it) or on its
      // first task while no thread of this pool has ever answered (a release that fails just
      // after loading, say an asynchronous connect). A death after the thread has answered, or
      // on a fresh thread's first task once the code has been seen to work, is most likely an
      // input's doing: fail the task it ran, if any, respawn with the base delay and go on.
      // Counting those toward the breaker would let six bad requests a minute take the pool
      // down for everyone.
      const atStart = crashed &&
        (!slot.ready || (!slot.everReplied && (task === undefined || !this.#everReplied)));
      if (crashed) {
        if (atStart) this.stats.crashedAtStart++;
        else this.stats.crashedInTask++;
        if (atStart) this.#recordStartCrash(crash);
        if (task !== undefined) {
          this.#fail(task, new PoolError(
            'ERR_POOL_WORKER_EXIT', `worker exited with code ${code} during task ${task.id}`,
            { cause: crash }));
        }
      }
      if (this.#broken !== undefined) {
        for (const queued of this.#queue.splice(0)) this.#fail(queued, this.#broken);
        if (!this.#closing) this.#probeLater(); // that thread may have been the probe
      } else if (!this.#closing || this.#queue.length > 0) {
        if (crashed) this.#respawnLater(atStart); // keep the pool at full strength, with backoff
        else this.#spawn(); // a thread we retired (abort, deadline): replace it at once
        this.#pump();
      }
      this.#checkDrained();
    });
  }

  #onReady(slot: Slot<TIn, TOut>): void {
    slot.ready = true;
    if (this.#broken !== undefined) this.#recover(); // the probe thread loaded
  }

  /** Start-up works again: close the breaker, forget the crashes and refill the pool. */
  #recover(): void {
    this.#broken = undefined;
    this.#crashTimes.length = 0;
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
    while (this.#slots.size < this.#options.size) this.#spawn();
    this.#pump();
  }

  /**
   * While broken: every probeIntervalMs, one thread to find out whether start-up works again
   * (a half-open breaker). Without it a broken pool would refuse work until the process
   * restarts, and a readiness check that reports it would keep the instance out of service.
   */
  #probeLater(): void {
    if (this.#probeTimer !== undefined) return;
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      if (this.#closing || this.#broken === undefined) return;
      if ([...this.#slots].some((slot) => slot.ready && !slot.retiring)) this.#recover();
      else if (this.#slots.size < this.#options.size) this.#spawn(); // its ReadyMessage, or its 'exit', decides
      else this.#probeLater();
    }, this.#options.probeIntervalMs ?? 30_000);
  }

  /** Counts a start-up crash; more than maxCrashes within crashWindowMs breaks the pool. */
  #recordStartCrash(cause: unknown): void {
    const windowMs = this.#options.crashWindowMs ?? 60_000;
    const maxCrashes = this.#options.maxCrashes ?? 5;
    const now = Date.now();
    this.#crashTimes.push(now);
    while (this.#crashTimes.length > 0 && this.#crashTimes[0]! <= now - windowMs) this.#crashTimes.shift();
    if (this.#crashTimes.length > maxCrashes && this.#broken === undefined) {
      this.#broken = new PoolError('ERR_POOL_CRASH_LOOP',
        `${this.#crashTimes.length} start-up crashes within ${windowMs} ms; refusing work until a probe thread loads`, { cause });
      for (const pending of this.#respawnTimers) clearTimeout(pending);
      this.#respawnTimers.clear();
      this.#probeLater();
    }
  }

  #respawnLater(afterStartCrash: boolean): void {
    const base = this.#options.respawnDelayMs ?? 100;
    const cap = this.#options.maxRespawnDelayMs ?? 5_000;
    const doublings = afterStartCrash ? Math.max(0, this.#crashTimes.length - 1) : 0;
    const delay = Math.min(base * 2 ** doublings, cap);
    const timer = setTimeout(() => {
      this.#respawnTimers.delete(timer);
      if (this.#broken !== undefined) return;
      if (this.#closing && this.#queue.length === 0) return;
      this.#spawn();
      this.#pump();
    }, delay);
    this.#respawnTimers.add(timer);
  }

  #dispatch(slot: Slot<TIn, TOut>, task: Task<TIn, TOut>): void {
    slot.task = task;
    const message: TaskMessage<TIn> = { id: task.id, payload: task.payload };
    try {
      slot.worker.postMessage(message, task.transferList);
    } catch (err) { // DataCloneError: a function, a pooled Buffer in transferList, ...
      slot.task = undefined;
      this.#fail(task, err);
      this.#pump();
    }
  }

  #settle(slot: Slot<TIn, TOut>, reply: ReplyMessage<TOut>): void {
    const task = slot.task;
    if (task === undefined || task.id !== reply.id) return; // a late reply for an aborted task
    slot.task = undefined;
    slot.everReplied = true;
    this.#everReplied = true;
    this.#forget(task);
    if (reply.ok) {
      this.stats.completed++;
      task.resolve(reply.value);
    } else {
      this.stats.failed++;
      task.reject(fromWire(reply.error)); // name, code, stack and cause as the worker threw them
    }
    this.#pump();
    this.#checkDrained();
  }

  /** Abort or deadline: reject the task; if it is running, terminate its thread. */
  #cancel(task: Task<TIn, TOut>, reason: unknown): void {
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

  #fail(task: Task<TIn, TOut>, reason: unknown): void {
    this.stats.failed++;
    this.#forget(task);
    task.reject(reason);
  }

  #forget(task: Task<TIn, TOut>): void {
    if (task.onAbort !== undefined) task.signal?.removeEventListener('abort', task.onAbort);
    task.onAbort = undefined;
    clearTimeout(task.deadline);
  }

  #checkDrained(): void {
    if (!this.#closing || this.#queue.length > 0 || this.#running() > 0) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}
