/**
 * One delivery of a message. A redelivery is a new object with a new receipt handle.
 */
export interface Message<T> {
  readonly id: string;
  readonly body: T;
  /** New for every delivery; only the latest delivery's handle is accepted. */
  readonly receiptHandle: string;
  /** 1 on the first delivery. */
  readonly receiveCount: number;
  readonly groupId?: string;
}

export interface QueueOptions {
  /** How long a delivered message stays invisible to other receives, unless acked or nacked. */
  visibilityTimeoutMs: number;
  /** After this many deliveries without an ack: to the dead-letter queue. Needs `deadLetterQueue`. */
  maxReceives?: number;
  deadLetterQueue?: MessageQueue<unknown>;
  /** How long a dedupId is remembered from its first accepted send. Default 300000. */
  deduplicationWindowMs?: number;
}

/**
 * An in-memory queue with at-least-once delivery, visibility timeouts, dead letters,
 * FIFO message groups, delays and deduplication. See README.md for every rule.
 */
export class MessageQueue<T> {
  /**
   * @throws {TypeError} options of the wrong type, or `maxReceives` without `deadLetterQueue`.
   * @throws {RangeError} a duration that is negative or not finite, a `maxReceives` that is not a whole number >= 1.
   */
  constructor(options: QueueOptions) {
    throw new Error('Not implemented');
  }

  /**
   * Enqueues a message and returns its id. `delayMs` holds it back; `groupId` orders it after
   * every earlier message of its group; a remembered `dedupId` enqueues nothing and returns
   * the first message's id.
   */
  send(body: T, options?: { delayMs?: number; groupId?: string; dedupId?: string }): string {
    throw new Error('Not implemented');
  }

  /**
   * Delivers up to `max` (default 1) ready messages. When none is ready, waits up to `waitMs`
   * (default 0) for one, then resolves with what is ready or `[]`. Rejects with
   * `signal.reason` on abort, and with a TypeError or RangeError on bad options.
   */
  receive(options?: { max?: number; waitMs?: number; signal?: AbortSignal }): Promise<Message<T>[]> {
    throw new Error('Not implemented');
  }

  /** Deletes the delivered message. False for an unknown or stale handle. */
  ack(receiptHandle: string): boolean {
    throw new Error('Not implemented');
  }

  /**
   * Gives the message back: ready again at once, or after `delayMs`; dead-lettered at once if
   * this was its last allowed delivery. False for an unknown or stale handle.
   */
  nack(receiptHandle: string, options?: { delayMs?: number }): boolean {
    throw new Error('Not implemented');
  }

  /** Sets the remaining visibility of the delivery to `ms` from now. False for an unknown or stale handle. */
  extendVisibility(receiptHandle: string, ms: number): boolean {
    throw new Error('Not implemented');
  }

  /**
   * Shuts the queue down for good: drops every message, clears every timer, makes every
   * receipt handle stale and rejects every waiting receive. Later sends throw, later receives
   * reject. Calling it again does nothing.
   */
  close(): void {
    throw new Error('Not implemented');
  }

  /** Messages ready to be received, delivered and not yet acked, and held back by a delay. */
  get stats(): { ready: number; inFlight: number; delayed: number } {
    throw new Error('Not implemented');
  }
}

/**
 * Runs `handler` on messages from `queue`, never more than `concurrency` unacked at a time:
 * acks when the handler resolves, nacks when it fails. Resolves once `signal` has aborted
 * (or the queue has closed) and the handlers already running have finished.
 */
export function consume<T>(
  queue: MessageQueue<T>,
  handler: (message: Message<T>) => Promise<void>,
  options: { concurrency: number; signal: AbortSignal },
): Promise<void> {
  throw new Error('Not implemented');
}
