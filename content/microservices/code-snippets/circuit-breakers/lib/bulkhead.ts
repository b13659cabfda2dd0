// A semaphore bulkhead for async code: at most maxConcurrent calls run, at most maxQueue wait
// (FIFO), and a waiter leaves the queue when its AbortSignal fires. In Node there is no thread
// to isolate, so this is the whole mechanism: a concurrency limit per dependency.
export class BulkheadFullError extends Error {
  readonly code = 'ERR_BULKHEAD_FULL';
  constructor(name: string) {
    super(`bulkhead '${name}' is full`);
    this.name = 'BulkheadFullError';
  }
}

export class Bulkhead {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  #running = 0;
  #queue: Array<() => void> = [];

  constructor(name: string, maxConcurrent: number, maxQueue: number) {
    if (!(maxConcurrent >= 1 && maxQueue >= 0)) throw new RangeError('maxConcurrent >= 1 and maxQueue >= 0 required');
    this.name = name;
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    if (this.#running >= this.maxConcurrent) {
      if (this.#queue.length >= this.maxQueue) throw new BulkheadFullError(this.name);
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          this.#queue.splice(this.#queue.indexOf(wake), 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.#queue.push(wake);
      });
    } else this.#running += 1; // a woken waiter inherits the slot of the call that finished
    try {
      return await fn();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
