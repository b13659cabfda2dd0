// Alternative: no heap and no per-group index (every receive scans one send-ordered array), one timer for the whole queue armed at the earliest deadline of deliveries, delays and polls, and consume as `concurrency` independent worker loops
import { randomUUID } from 'node:crypto';

export interface Message<T> {
  readonly id: string;
  readonly body: T;
  readonly receiptHandle: string;
  readonly receiveCount: number;
  readonly groupId?: string;
}

export interface QueueOptions {
  visibilityTimeoutMs: number;
  maxReceives?: number;
  deadLetterQueue?: MessageQueue<unknown>;
  deduplicationWindowMs?: number;
}

type State = 'ready' | 'delayed' | 'inFlight';

interface Rec<T> {
  readonly id: string;
  readonly body: T;
  readonly groupId: string | undefined;
  state: State;
  receiveCount: number;
  handle: string | undefined;
  /** While in flight: the visibility deadline; while delayed: when it becomes ready. */
  due: number;
}

interface Poll<T> {
  readonly max: number;
  readonly due: number;
  // Method syntax: checked bivariantly, so a MessageQueue<string> is still a MessageQueue<unknown>.
  resolve(messages: Message<T>[]): void;
  reject(error: unknown): void;
  detach(): void;
}

const isNumber = (name: string, value: unknown): number => {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number`);
  return value;
};

const duration = (name: string, value: unknown, allowZero = true): number => {
  const n = isNumber(name, value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || n > 2_147_483_647) throw new RangeError(`${name}: ${n}`);
  return n;
};

const count = (name: string, value: unknown): number => {
  const n = isNumber(name, value);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name}: ${n}`);
  return n;
};

const text = (name: string, value: unknown): string => {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected a string`);
  return value;
};

const options = (name: string, value: unknown): Record<string, unknown> => {
  if (value === null || typeof value !== 'object') throw new TypeError(`${name}: expected an object`);
  return value as Record<string, unknown>;
};

const closedQueues = new WeakSet<object>();

export class MessageQueue<T> {
  readonly #visibility: number;
  readonly #maxReceives: number | undefined;
  readonly #dlq: MessageQueue<unknown> | undefined;
  readonly #window: number;
  /** Every unfinished message, in send order. */
  #records: Rec<T>[] = [];
  readonly #byHandle = new Map<string, Rec<T>>();
  #polls: Poll<T>[] = [];
  readonly #dedup = new Map<string, { id: string; until: number }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Number.POSITIVE_INFINITY;
  #closed = false;

  constructor(opts: QueueOptions) {
    const o = options('options', opts);
    this.#visibility = duration('visibilityTimeoutMs', o.visibilityTimeoutMs, false);
    if (o.deadLetterQueue !== undefined && !(o.deadLetterQueue instanceof MessageQueue)) {
      throw new TypeError('deadLetterQueue: expected a MessageQueue');
    }
    if (o.maxReceives !== undefined) {
      this.#maxReceives = count('maxReceives', o.maxReceives);
      if (o.deadLetterQueue === undefined) throw new TypeError('maxReceives requires deadLetterQueue');
    }
    this.#dlq = o.deadLetterQueue as MessageQueue<unknown> | undefined;
    this.#window = o.deduplicationWindowMs === undefined ? 300_000 : isNumber('deduplicationWindowMs', o.deduplicationWindowMs);
    if (!Number.isFinite(this.#window) || this.#window < 0) throw new RangeError('deduplicationWindowMs');
  }

  get stats(): { ready: number; inFlight: number; delayed: number } {
    const stats = { ready: 0, inFlight: 0, delayed: 0 };
    for (const rec of this.#records) stats[rec.state]++;
    return stats;
  }

  send(body: T, opts: { delayMs?: number; groupId?: string; dedupId?: string } = {}): string {
    const o = options('options', opts);
    const delayMs = o.delayMs === undefined ? 0 : duration('delayMs', o.delayMs);
    const groupId = o.groupId === undefined ? undefined : text('groupId', o.groupId);
    const dedupId = o.dedupId === undefined ? undefined : text('dedupId', o.dedupId);
    if (this.#closed) throw new Error('queue closed');
    const now = Date.now();
    if (dedupId !== undefined) {
      const seen = this.#dedup.get(dedupId);
      if (seen !== undefined && seen.until > now) return seen.id;
      this.#dedup.delete(dedupId);
      for (const [key, entry] of this.#dedup) if (entry.until <= now) this.#dedup.delete(key);
    }
    const rec: Rec<T> = {
      id: randomUUID(),
      body,
      groupId,
      state: delayMs > 0 ? 'delayed' : 'ready',
      receiveCount: 0,
      handle: undefined,
      due: delayMs > 0 ? now + delayMs : 0,
    };
    if (dedupId !== undefined) this.#dedup.set(dedupId, { id: rec.id, until: now + this.#window });
    this.#records.push(rec);
    this.#settle();
    return rec.id;
  }

  async receive(opts: { max?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<Message<T>[]> {
    const o = options('options', opts);
    const max = o.max === undefined ? 1 : count('max', o.max);
    const waitMs = o.waitMs === undefined ? 0 : duration('waitMs', o.waitMs);
    const signal = o.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');
    if (signal?.aborted) throw signal.reason;
    if (this.#closed) throw new Error('queue closed');
    const now = this.#take(max);
    if (now.length > 0 || waitMs === 0) return now;
    return new Promise<Message<T>[]>((resolve, reject) => {
      const onAbort = (): void => {
        this.#drop(poll);
        reject(signal!.reason);
      };
      const poll: Poll<T> = {
        max,
        due: Date.now() + waitMs,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort);
      this.#polls.push(poll);
      this.#arm();
    });
  }

  ack(receiptHandle: string): boolean {
    text('receiptHandle', receiptHandle);
    const rec = this.#byHandle.get(receiptHandle);
    if (rec === undefined) return false;
    this.#byHandle.delete(receiptHandle);
    this.#records.splice(this.#records.indexOf(rec), 1);
    this.#settle();
    return true;
  }

  nack(receiptHandle: string, opts: { delayMs?: number } = {}): boolean {
    text('receiptHandle', receiptHandle);
    const o = options('options', opts);
    const delayMs = o.delayMs === undefined ? 0 : duration('delayMs', o.delayMs);
    const rec = this.#byHandle.get(receiptHandle);
    if (rec === undefined) return false;
    this.#fail(rec, delayMs, Date.now());
    this.#settle();
    return true;
  }

  extendVisibility(receiptHandle: string, ms: number): boolean {
    text('receiptHandle', receiptHandle);
    duration('ms', ms);
    const rec = this.#byHandle.get(receiptHandle);
    if (rec === undefined) return false;
    rec.due = Date.now() + ms;
    this.#arm();
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closedQueues.add(this);
    this.#records = [];
    this.#byHandle.clear();
    this.#dedup.clear();
    const polls = this.#polls;
    this.#polls = [];
    for (const poll of polls) {
      poll.detach();
      poll.reject(new Error('queue closed'));
    }
    this.#arm();
  }

  /** The current delivery failed: dead-letter it, or hold it back, or make it ready. */
  #fail(rec: Rec<T>, delayMs: number, now: number): void {
    this.#byHandle.delete(rec.handle!);
    rec.handle = undefined;
    if (this.#maxReceives !== undefined && rec.receiveCount >= this.#maxReceives) {
      this.#records.splice(this.#records.indexOf(rec), 1);
      const dlq = this.#dlq!;
      if (!dlq.#closed) dlq.send(rec.body, rec.groupId === undefined ? {} : { groupId: rec.groupId });
    } else if (delayMs > 0) {
      rec.state = 'delayed';
      rec.due = now + delayMs;
    } else {
      rec.state = 'ready';
    }
  }

  /** Up to max deliverable messages, in send order: ready, and first of their group. */
  #take(max: number): Message<T>[] {
    const out: Message<T>[] = [];
    const blocked = new Set<string>();
    for (const rec of this.#records) {
      if (out.length === max) break;
      const free = rec.groupId === undefined || !blocked.has(rec.groupId);
      if (rec.groupId !== undefined) blocked.add(rec.groupId);
      if (!free || rec.state !== 'ready') continue;
      rec.state = 'inFlight';
      rec.receiveCount++;
      rec.handle = randomUUID();
      rec.due = Date.now() + this.#visibility;
      this.#byHandle.set(rec.handle, rec);
      const message: Message<T> = { id: rec.id, body: rec.body, receiptHandle: rec.handle, receiveCount: rec.receiveCount };
      out.push(rec.groupId === undefined ? message : { ...message, groupId: rec.groupId });
    }
    if (out.length > 0) this.#arm();
    return out;
  }

  #drop(poll: Poll<T>): void {
    const index = this.#polls.indexOf(poll);
    if (index >= 0) this.#polls.splice(index, 1);
    poll.detach();
    this.#arm();
  }

  /** Serve waiting polls, oldest first, then re-arm the one timer. */
  #settle(): void {
    while (this.#polls.length > 0) {
      const poll = this.#polls[0]!;
      const messages = this.#take(poll.max);
      if (messages.length === 0) break;
      this.#polls.shift();
      poll.detach();
      poll.resolve(messages);
    }
    this.#arm();
  }

  #earliest(): number {
    let due = Number.POSITIVE_INFINITY;
    for (const rec of this.#records) if (rec.state !== 'ready' && rec.due < due) due = rec.due;
    for (const poll of this.#polls) if (poll.due < due) due = poll.due;
    return due;
  }

  #arm(): void {
    const due = this.#earliest();
    if (due === this.#timerDue) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = due;
    if (due === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, due - Date.now()));
  }

  /** Everything that fell due, one event at a time in order of its time, serving polls after each. */
  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDue = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (;;) {
      let next: Rec<T> | undefined;
      for (const rec of this.#records) if (rec.state !== 'ready' && rec.due <= now && (next === undefined || rec.due < next.due)) next = rec;
      let poll: Poll<T> | undefined;
      for (const p of this.#polls) if (p.due <= now && (poll === undefined || p.due < poll.due)) poll = p;
      if (next === undefined && poll === undefined) break;
      if (next !== undefined && (poll === undefined || next.due <= poll.due)) {
        if (next.state === 'inFlight') this.#fail(next, 0, now);
        else next.state = 'ready';
      } else {
        this.#polls.splice(this.#polls.indexOf(poll!), 1);
        poll!.detach();
        poll!.resolve([]);
      }
      this.#settle();
      this.#timerDue = Number.POSITIVE_INFINITY; // #settle armed for what is left; re-arm at the end
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#arm();
  }
}

export async function consume<T>(
  queue: MessageQueue<T>,
  handler: (message: Message<T>) => Promise<void>,
  opts: { concurrency: number; signal: AbortSignal },
): Promise<void> {
  if (!(queue instanceof MessageQueue)) throw new TypeError('queue: expected a MessageQueue');
  if (typeof handler !== 'function') throw new TypeError('handler: expected a function');
  const o = options('options', opts);
  const concurrency = count('concurrency', o.concurrency);
  const signal = o.signal;
  if (!(signal instanceof AbortSignal)) throw new TypeError('signal: expected an AbortSignal');
  const over = (): boolean => signal.aborted || closedQueues.has(queue);

  // One slot per worker: a worker receives one message only when it is free.
  const worker = async (): Promise<void> => {
    while (!over()) {
      let batch: Message<T>[];
      try {
        batch = await queue.receive({ max: 1, waitMs: 60_000, signal });
      } catch (error) {
        if (over()) return;
        throw error;
      }
      if (over()) {
        for (const message of batch) queue.nack(message.receiptHandle);
        return;
      }
      const message = batch[0];
      if (message === undefined) continue;
      let ok = true;
      try {
        await handler(message);
      } catch {
        ok = false;
      }
      if (ok) queue.ack(message.receiptHandle);
      else queue.nack(message.receiptHandle);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
