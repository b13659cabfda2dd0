// Implement the cache described in README.md. The tests in test/ use only this public API.

/** Thrown (or rejected with) by a load to say "the key does not exist": cached like `undefined`. */
export class NotFoundError extends Error {
  constructor(message = 'not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export type LoadFn<K, V> = (key: K, context: { signal: AbortSignal }) => Promise<V | undefined>;

export interface CacheLoaderOptions<K, V> {
  load: LoadFn<K, V>;
  ttlMs: number;
  jitter?: number;
  staleMs?: number;
  negativeTtlMs?: number;
  maxEntries?: number;
  random?: () => number;
}

export interface GetOptions {
  signal?: AbortSignal;
}

export class CacheLoader<K, V> {
  constructor(options: CacheLoaderOptions<K, V>) {
    void options;
    throw new Error('Not implemented');
  }

  /** Entries that can still be served (fresh, stale or negative). */
  get size(): number {
    throw new Error('Not implemented');
  }

  get(key: K, options?: GetOptions): Promise<V | undefined> {
    void key;
    void options;
    throw new Error('Not implemented');
  }

  delete(key: K): void {
    void key;
    throw new Error('Not implemented');
  }

  clear(): void {
    throw new Error('Not implemented');
  }
}
