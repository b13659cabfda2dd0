// Wrong: waiting polls are woken in a microtask after the change, so a receive made in between takes the message first
import { randomUUID } from 'node:crypto';

/** One delivery of a message. A redelivery is a new object with a new handle. */
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
  visibilityTimeoutMs: number;
  /** After this many deliveries without an ack: to the dead-letter queue. */
  maxReceives?: number;
  deadLetterQueue?: MessageQueue<unknown>;
  /** Default 300000 (five minutes). */
  deduplicationWindowMs?: number;
}

export interface SendOptions {
  delayMs?: number;
  groupId?: string;
  dedupId?: string;
}

export interface ReceiveOptions {
  max?: number;
  waitMs?: number;
  signal?: AbortSignal;
}

export interface ConsumeOptions {
  concurrency: number;
  signal: AbortSignal;
}

const DEFAULT_DEDUPLICATION_WINDOW_MS = 300_000;

/**
 * Message ids and receipt handles come from one counter for the whole process, so a handle
 * issued by one queue never matches a message of another. A randomUUID() per name would be
 * as unique, but measured on Node 22.18 and 24 each such string holds about 400 bytes of
 * heap, against about 100 for a counter suffix on a shared tag: a queue holds two per
 * in-flight message.
 */
const PROCESS_TAG = randomUUID();
let lastSerial = 0;
const nextName = (): string => `${PROCESS_TAG}:${(++lastSerial).toString(36)}`;

/**
 * The longest delay setTimeout honours: Node sets a larger one to 1 ms (with a
 * TimeoutOverflowWarning), which would make a message visible again at once. Durations that
 * become timers are refused above it rather than silently misbehaving.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long one receive of `consume` waits for messages. The value only bounds how often an
 * idle consumer loops; an abort cancels the wait at once, so shutdown never waits it out.
 */
const CONSUME_POLL_MS = 20_000;

type State = 'ready' | 'delayed' | 'inFlight';

/** The queue's own record of a message; never handed out (deliveries are snapshots). */
interface Entry<T> {
  readonly id: string;
  /** Position in send order: the only ordering key, whatever made the message ready. */
  readonly seq: number;
  readonly body: T;
  readonly groupId: string | undefined;
  state: State;
  receiveCount: number;
  /** The handle of the current delivery, while in flight. */
  handle: string | undefined;
  /** The visibility timer while in flight, the delay timer while delayed. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Waiter<T> {
  readonly max: number;
  serve(messages: Message<T>[]): void;
  fail(error: Error): void;
}

/**
 * Queues that close() has shut down. consume() reads it to tell a queue that closed under it
 * (an orderly end, like an abort) from a real failure; a WeakSet keeps no queue alive.
 */
const closedQueues = new WeakSet<object>();

const closedError = (): Error => new Error('the queue is closed');

/**
 * Binary min-heap on send order. Messages become ready again in any order (expiries, nacks,
 * ends of delays, groups unblocked by an ack), and each must still go out before everything
 * sent after it: a FIFO list cannot do that without an O(n) sorted insert.
 */
class SendOrderHeap<E extends { readonly seq: number }> {
  readonly #items: E[] = [];

  get size(): number {
    return this.#items.length;
  }

  clear(): void {
    this.#items.length = 0;
  }

  push(item: E): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.seq <= item.seq) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): E | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]!.seq < items[left]!.seq ? right : left;
      if (items[child]!.seq >= last.seq) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function checkObject(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${name} must be an object`);
  }
}

function checkDuration(name: string, value: unknown, { positive = false, max = MAX_TIMER_MS } = {}): void {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isFinite(value) || value < 0 || (positive && value === 0) || value > max) {
    throw new RangeError(`${name} must be a finite number from ${positive ? 'above 0' : '0'} to ${max}, got ${value}`);
  }
}

function checkCount(name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
  }
}

function checkString(name: string, value: unknown): void {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
}

/**
 * An in-memory queue with SQS-like semantics: at-least-once delivery under a visibility
 * timeout, dead letters, FIFO message groups, delays and a deduplication window.
 *
 * Every change of state happens synchronously, inside a method call or a timer callback,
 * and ends by handing deliverable messages to waiting long-polls (#dispatch): no caller can
 * observe a deliverable message while a poll is waiting.
 */
export class MessageQueue<T> {
  readonly #visibilityTimeoutMs: number;
  readonly #maxReceives: number | undefined;
  readonly #deadLetterQueue: MessageQueue<unknown> | undefined;
  readonly #deduplicationWindowMs: number;

  #nextSeq = 0;
  /** Ready messages that may go out now: ungrouped ones and the head of each group. */
  readonly #deliverable = new SendOrderHeap<Entry<T>>();
  /** In-flight messages by their current handle; a stale handle is simply absent. */
  readonly #inFlightByHandle = new Map<string, Entry<T>>();
  /**
   * Unfinished messages of each group in send order (a Set keeps insertion order and
   * deletes in O(1)). Only the first may be delivered; a group leaves the map when empty.
   */
  readonly #groups = new Map<string, Set<Entry<T>>>();
  /** Long-polls in the order they were made. */
  readonly #waiters = new Set<Waiter<T>>();
  /**
   * dedupId -> first id and the end of its window. The window never moves, so insertion order
   * is expiry order and expired entries are always at the front: purging is amortised O(1)
   * and memory is bounded by the sends of one window, with no timer to leak.
   */
  readonly #dedup = new Map<string, { readonly id: string; readonly expiresAt: number }>();
  readonly #counts = { ready: 0, inFlight: 0, delayed: 0 };
  /**
   * Delayed messages, so that close() can clear their timers (the in-flight ones are in
   * #inFlightByHandle; ready ones hold no timer). Only the delayed pay for the entry.
   */
  readonly #delayed = new Set<Entry<T>>();
  #closed = false;

  constructor(options: QueueOptions) {
    checkObject('options', options);
    checkDuration('visibilityTimeoutMs', options.visibilityTimeoutMs, { positive: true });
    if (options.maxReceives !== undefined) {
      checkCount('maxReceives', options.maxReceives);
      if (options.deadLetterQueue === undefined) {
        // Without a destination the only options are dropping the message or redelivering
        // it forever; both hide a bug, so refuse the configuration instead.
        throw new TypeError('maxReceives needs a deadLetterQueue');
      }
    }
    if (options.deadLetterQueue !== undefined && !(options.deadLetterQueue instanceof MessageQueue)) {
      throw new TypeError('deadLetterQueue must be a MessageQueue');
    }
    if (options.deduplicationWindowMs !== undefined) {
      // Not a timer (expiry is checked against Date.now()), so no setTimeout limit applies.
      checkDuration('deduplicationWindowMs', options.deduplicationWindowMs, { max: Number.MAX_SAFE_INTEGER });
    }
    this.#visibilityTimeoutMs = options.visibilityTimeoutMs;
    this.#maxReceives = options.maxReceives;
    this.#deadLetterQueue = options.deadLetterQueue;
    this.#deduplicationWindowMs = options.deduplicationWindowMs ?? DEFAULT_DEDUPLICATION_WINDOW_MS;
  }

  /**
   * `ready` counts every message waiting to be received that is not delayed, including one
   * queued behind an earlier message of its group.
   */
  get stats(): { ready: number; inFlight: number; delayed: number } {
    return { ...this.#counts };
  }

  send(body: T, options: SendOptions = {}): string {
    checkObject('options', options);
    const { delayMs = 0, groupId, dedupId } = options;
    checkDuration('delayMs', delayMs);
    if (groupId !== undefined) checkString('groupId', groupId);
    if (dedupId !== undefined) checkString('dedupId', dedupId);

    if (this.#closed) throw closedError();

    const now = Date.now();
    this.#purgeDedup(now);
    if (dedupId !== undefined) {
      const first = this.#dedup.get(dedupId);
      if (first !== undefined) return first.id;
    }

    const entry: Entry<T> = {
      id: nextName(),
      seq: this.#nextSeq++,
      body,
      groupId,
      state: 'ready',
      receiveCount: 0,
      handle: undefined,
      timer: undefined,
    };
    if (dedupId !== undefined) {
      // Set after the purge removed any expired entry for this id, so it goes to the back.
      this.#dedup.set(dedupId, { id: entry.id, expiresAt: now + this.#deduplicationWindowMs });
    }
    if (groupId !== undefined) {
      let group = this.#groups.get(groupId);
      if (group === undefined) this.#groups.set(groupId, (group = new Set()));
      group.add(entry);
    }
    this.#counts.ready++; // counted in its initial state; #setState moves it from there
    if (delayMs > 0) this.#delay(entry, delayMs);
    else this.#makeReady(entry);
    this.#dispatch();
    return entry.id;
  }

  async receive(options: ReceiveOptions = {}): Promise<Message<T>[]> {
    checkObject('options', options);
    const { max = 1, waitMs = 0, signal } = options;
    checkCount('max', max);
    checkDuration('waitMs', waitMs);
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError('signal must be an AbortSignal');
    }
    signal?.throwIfAborted();
    if (this.#closed) throw closedError();

    // #dispatch runs after every change, so a deliverable message means no poll is waiting
    // and taking it now cannot overtake an older poll.
    if (this.#deliverable.size > 0) return this.#take(max);
    if (waitMs === 0) return [];

    return new Promise<Message<T>[]>((resolve, reject) => {
      const finish = (): void => {
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter<T> = {
        max,
        serve: (messages) => {
          finish();
          resolve(messages);
        },
        fail: (error) => {
          finish();
          reject(error);
        },
      };
      const onAbort = (): void => {
        finish();
        reject(signal!.reason);
      };
      const timer = setTimeout(() => waiter.serve([]), waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  ack(receiptHandle: string): boolean {
    checkString('receiptHandle', receiptHandle);
    const entry = this.#inFlightByHandle.get(receiptHandle);
    if (entry === undefined) return false;
    this.#endDelivery(entry);
    this.#remove(entry);
    this.#dispatch();
    return true;
  }

  nack(receiptHandle: string, options: { delayMs?: number } = {}): boolean {
    checkString('receiptHandle', receiptHandle);
    checkObject('options', options);
    const { delayMs = 0 } = options;
    checkDuration('delayMs', delayMs);
    const entry = this.#inFlightByHandle.get(receiptHandle);
    if (entry === undefined) return false;
    this.#returnToQueue(entry, delayMs);
    this.#dispatch();
    return true;
  }

  extendVisibility(receiptHandle: string, ms: number): boolean {
    checkString('receiptHandle', receiptHandle);
    checkDuration('ms', ms);
    const entry = this.#inFlightByHandle.get(receiptHandle);
    if (entry === undefined) return false;
    // Replace, not add: the caller states how much time it still needs from now.
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.#expire(entry), ms);
    return true;
  }

  /**
   * Shuts the queue down for good: drops every message, clears every timer, makes every
   * receipt handle stale and rejects every waiting receive. Later sends throw and later
   * receives reject. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closedQueues.add(this);
    for (const entry of [...this.#inFlightByHandle.values(), ...this.#delayed]) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.handle = undefined;
    }
    this.#delayed.clear();
    this.#inFlightByHandle.clear();
    this.#groups.clear();
    this.#deliverable.clear();
    this.#dedup.clear();
    this.#counts.ready = this.#counts.inFlight = this.#counts.delayed = 0;
    // Each fail() removes its waiter from the set (and clears its timer and listener).
    for (const waiter of this.#waiters) waiter.fail(closedError());
  }

  #take(max: number): Message<T>[] {
    const messages: Message<T>[] = [];
    // The heap holds at most one message per group (its head), and a delivered head stays
    // the head until it is acked or dead-lettered: one message per group per receive.
    while (messages.length < max) {
      const entry = this.#deliverable.pop();
      if (entry === undefined) break;
      messages.push(this.#deliver(entry));
    }
    return messages;
  }

  #deliver(entry: Entry<T>): Message<T> {
    this.#setState(entry, 'inFlight');
    entry.receiveCount++;
    entry.handle = nextName();
    this.#inFlightByHandle.set(entry.handle, entry);
    entry.timer = setTimeout(() => this.#expire(entry), this.#visibilityTimeoutMs);
    const message: Message<T> =
      entry.groupId === undefined
        ? { id: entry.id, body: entry.body, receiptHandle: entry.handle, receiveCount: entry.receiveCount }
        : { id: entry.id, body: entry.body, receiptHandle: entry.handle, receiveCount: entry.receiveCount, groupId: entry.groupId };
    return Object.freeze(message);
  }

  #expire(entry: Entry<T>): void {
    entry.timer = undefined;
    this.#returnToQueue(entry, 0);
    this.#dispatch();
  }

  /** The current delivery failed (nack or expiry): retry it or dead-letter it. */
  #returnToQueue(entry: Entry<T>, delayMs: number): void {
    this.#endDelivery(entry);
    const deadLetterQueue = this.#deadLetterQueue;
    if (deadLetterQueue !== undefined && this.#maxReceives !== undefined && entry.receiveCount >= this.#maxReceives) {
      this.#remove(entry);
      // A new message there: its own id and receive count, the same body and group. A closed
      // dead-letter queue cannot take it, and a throw here would escape from a timer callback:
      // the message is dropped (close the queues that feed a dead-letter queue first).
      if (!deadLetterQueue.#closed) {
        deadLetterQueue.send(entry.body, entry.groupId === undefined ? {} : { groupId: entry.groupId });
      }
    } else if (delayMs > 0) {
      this.#delay(entry, delayMs);
    } else {
      this.#makeReady(entry);
    }
  }

  /** Invalidates the current handle and its visibility timer. */
  #endDelivery(entry: Entry<T>): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.handle !== undefined) this.#inFlightByHandle.delete(entry.handle);
    entry.handle = undefined;
  }

  #delay(entry: Entry<T>, delayMs: number): void {
    this.#setState(entry, 'delayed');
    this.#delayed.add(entry);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.#delayed.delete(entry);
      this.#makeReady(entry);
      this.#dispatch();
    }, delayMs);
  }

  #makeReady(entry: Entry<T>): void {
    this.#setState(entry, 'ready');
    if (this.#isGroupHead(entry)) this.#deliverable.push(entry);
  }

  #isGroupHead(entry: Entry<T>): boolean {
    if (entry.groupId === undefined) return true;
    return this.#groups.get(entry.groupId)!.values().next().value === entry;
  }

  /** The message leaves this queue for good (acked or dead-lettered): unblock its group. */
  #remove(entry: Entry<T>): void {
    this.#counts[entry.state]--;
    if (entry.groupId === undefined) return;
    const group = this.#groups.get(entry.groupId)!;
    group.delete(entry);
    const next: Entry<T> | undefined = group.values().next().value;
    if (next === undefined) this.#groups.delete(entry.groupId);
    else if (next.state === 'ready') this.#deliverable.push(next);
    // A delayed next head joins the heap through #makeReady when its delay ends.
  }

  #setState(entry: Entry<T>, state: State): void {
    this.#counts[entry.state]--;
    this.#counts[state]++;
    entry.state = state;
  }

  /** Hands deliverable messages to waiting polls, oldest poll first. */
  #dispatch(): void {
    queueMicrotask(() => this.#dispatchNow());
  }

  #dispatchNow(): void {
    for (const waiter of this.#waiters) {
      if (this.#deliverable.size === 0) return;
      waiter.serve(this.#take(waiter.max));
    }
  }

  #purgeDedup(now: number): void {
    for (const [dedupId, { expiresAt }] of this.#dedup) {
      if (expiresAt > now) return;
      this.#dedup.delete(dedupId);
    }
  }
}

/**
 * Runs `handler` on messages from `queue`, at most `concurrency` at a time: acks on success,
 * nacks on failure (a rejection or a synchronous throw). Stops starting handlers once `signal`
 * aborts or the queue closes, and resolves when every handler already started has finished
 * and been acked or nacked.
 */
export async function consume<T>(
  queue: MessageQueue<T>,
  handler: (message: Message<T>) => Promise<void>,
  options: ConsumeOptions,
): Promise<void> {
  if (!(queue instanceof MessageQueue)) throw new TypeError('queue must be a MessageQueue');
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  checkObject('options', options);
  checkCount('concurrency', options.concurrency);
  if (!(options.signal instanceof AbortSignal)) throw new TypeError('signal must be an AbortSignal');
  const { concurrency, signal } = options;
  const stopped = (): boolean => signal.aborted || closedQueues.has(queue);

  const running = new Set<Promise<void>>();
  const handle = async (message: Message<T>): Promise<void> => {
    // ack and nack return false when the handler outlived the visibility timeout (or the queue
    // closed): the message has already gone back to the queue, which is what at-least-once
    // promises, so a refused handle is not an error here.
    try {
      await handler(message); // inside the try: a synchronous throw is a failure too
    } catch {
      queue.nack(message.receiptHandle);
      return;
    }
    queue.ack(message.receiptHandle);
  };

  while (!stopped()) {
    const free = concurrency - running.size;
    if (free === 0) {
      // Receive no more than the free slots: a message received but not started would sit
      // invisible to every other consumer until its visibility timeout.
      await Promise.race(running);
      continue;
    }
    let batch: Message<T>[];
    try {
      batch = await queue.receive({ max: free, waitMs: CONSUME_POLL_MS, signal });
    } catch (error) {
      if (stopped()) break;
      throw error;
    }
    if (stopped()) {
      // The receive was served (by a send, an expiry, ...) in the same turn as the abort, before
      // the abort, and this loop resumes only after it: start no handler. Give the messages
      // back at once rather than leave them invisible until their visibility timeout. (After a
      // close the handles are already stale and nack returns false.)
      for (const message of batch) queue.nack(message.receiptHandle);
      break;
    }
    for (const message of batch) {
      const run: Promise<void> = handle(message).finally(() => running.delete(run));
      running.add(run);
    }
  }
  await Promise.all(running);
}
