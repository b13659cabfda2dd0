// In-process single-flight: concurrent callers for one key share one promise. The entry is
// removed when the promise settles, so a failure is not cached and the next caller retries.
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  do(key: string, load: () => Promise<T>): Promise<T> {
    const existing = this.#inFlight.get(key);
    if (existing) return existing;
    const promise = load().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.#inFlight.size;
  }
}
