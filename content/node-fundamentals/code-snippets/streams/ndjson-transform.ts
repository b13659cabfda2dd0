// A production NDJSON (newline-delimited JSON) parser as a Transform stream: bytes in,
// validated objects out. Then: chunk boundaries that split lines and UTF-8 characters,
// a bad record, an unbounded line, and cancellation through an AbortSignal.
import { Readable, Transform, Writable } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';

class NdjsonError extends Error {
  readonly line: number;
  constructor(message: string, line: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NdjsonError';
    this.line = line;
  }
}

interface NdjsonOptions<T> {
  /** Validates one parsed value; throw to reject the record. */
  readonly parse: (value: unknown) => T;
  /** Upper bound for one line, so that input without newlines cannot grow memory without limit. */
  readonly maxLineBytes?: number;
  /** Objects buffered on the readable side before backpressure applies (default 16). */
  readonly readableHighWaterMark?: number;
}

class NdjsonParser<T> extends Transform {
  readonly #decoder = new StringDecoder('utf8'); // keeps a split multi-byte character for the next chunk
  readonly #parse: (value: unknown) => T;
  readonly #maxLineBytes: number;
  #partial = ''; // text after the last newline seen so far
  #partialBytes = 0;
  #line = 0;

  constructor(options: NdjsonOptions<T>) {
    super({
      writableObjectMode: false, // bytes in
      readableObjectMode: true, // objects out
      readableHighWaterMark: options.readableHighWaterMark ?? 16,
    });
    this.#parse = options.parse;
    this.#maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.#decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      const line = this.#partial + text.slice(start, newline);
      this.#partial = '';
      this.#partialBytes = 0;
      const err = this.#emitLine(line);
      if (err) return callback(err);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    const rest = text.slice(start);
    const restBytes = Buffer.byteLength(rest);
    // Checked before appending, so the carry-over never holds more than maxLineBytes.
    if (this.#partialBytes + restBytes > this.#maxLineBytes) {
      return callback(new NdjsonError(`line exceeds ${this.#maxLineBytes} bytes`, this.#line + 1));
    }
    this.#partial += rest;
    this.#partialBytes += restBytes;
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const line = this.#partial + this.#decoder.end();
    this.#partial = '';
    callback(line.trim() === '' ? null : this.#emitLine(line));
  }

  // Returns an error instead of throwing so that it reaches the stream's callback.
  #emitLine(raw: string): NdjsonError | null {
    this.#line += 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return null;
    if (Buffer.byteLength(line) > this.#maxLineBytes) {
      return new NdjsonError(`line exceeds ${this.#maxLineBytes} bytes`, this.#line);
    }
    let value: T;
    try {
      value = this.#parse(JSON.parse(line));
    } catch (cause) {
      return new NdjsonError(`invalid record on line ${this.#line}`, this.#line, { cause });
    }
    // push(null) means end of stream: a record that is null (valid JSON, and a permissive
    // validator may pass it) would silently end the output and fail the next push().
    if (value === null || value === undefined) {
      return new NdjsonError(`record on line ${this.#line} parsed to ${value}`, this.#line);
    }
    // push()'s return value can be ignored here: Transform holds back the callback of
    // _transform (and so the next chunk) while its readable side is at highWaterMark.
    this.push(value);
    return null;
  }
}

// ---- Using it -----------------------------------------------------------------

interface Order {
  readonly id: number;
  readonly sku: string;
  readonly qty: number;
}

function parseOrder(value: unknown): Order {
  if (typeof value !== 'object' || value === null) throw new TypeError('record is not an object');
  const { id, sku, qty } = value as Record<string, unknown>;
  if (typeof id !== 'number' || typeof sku !== 'string' || typeof qty !== 'number' || qty <= 0) {
    throw new TypeError('record does not match Order');
  }
  return { id, sku, qty };
}

/** Splits bytes into fixed-size chunks, the way a socket delivers them: anywhere. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

/** An object-mode sink that is slower than the parser, so backpressure is exercised. */
function orderSink(onOrder: (order: Order) => void): Writable {
  return new Writable({
    objectMode: true,
    highWaterMark: 2,
    write(order: Order, _encoding, callback) {
      onOrder(order);
      setImmediate(callback);
    },
  });
}

const input = Buffer.from(
  '{"id":1,"sku":"café-€","qty":2}\n{"id":2,"sku":"tea","qty":1}\r\n\n{"id":3,"sku":"naïve","qty":5}',
);
const chunks = chunked(input, 7);
const naive = chunks.map((c) => c.toString('utf8')).join('');
console.log(`${chunks.length} chunks; decoding each chunk on its own gives ${naive.split('\uFFFD').length - 1} U+FFFD replacement characters`);

// 1. The happy path: lines and characters split across chunks, CRLF, a blank line, no final newline.
let total = 0;
await pipeline(
  Readable.from(chunks),
  new NdjsonParser({ parse: parseOrder }),
  orderSink((order) => {
    total += order.qty;
    console.log(`order ${order.id}: ${order.sku} x${order.qty}`);
  }),
);
console.log(`total qty=${total}`);

// 2. A malformed record: the pipeline rejects once, with the line number and the cause.
try {
  await pipeline(
    Readable.from([Buffer.from('{"id":1,"sku":"a","qty":1}\n{"id":2,"sku":\n')]),
    new NdjsonParser({ parse: parseOrder }),
    orderSink(() => {}),
  );
} catch (err) {
  if (!(err instanceof NdjsonError)) throw err;
  console.log(`${err.name}: ${err.message} (cause: ${(err.cause as Error).name})`);
}

// 2b. A valid JSON null with a permissive validator: rejected with its line number.
try {
  await pipeline(
    Readable.from([Buffer.from('{"a":1}\nnull\n{"a":2}\n')]),
    new NdjsonParser({ parse: (value: unknown) => value }),
    orderSink(() => {}),
  );
} catch (err) {
  if (!(err instanceof NdjsonError)) throw err;
  console.log(`${err.name}: ${err.message} (line ${err.line})`);
}

// 3. Input without newlines: the line limit stops memory from growing with the input.
try {
  await pipeline(
    Readable.from(chunked(Buffer.alloc(10_000, 'x'), 1000)),
    new NdjsonParser({ parse: parseOrder, maxLineBytes: 4096 }),
    orderSink(() => {}),
  );
} catch (err) {
  if (!(err instanceof NdjsonError)) throw err;
  console.log(`${err.name}: ${err.message} (line ${err.line})`);
}

// 4. Cancellation: an endless source, aborted by the consumer after three orders.
const controller = new AbortController();
let next = 0;
const endless = new Readable({
  read() {
    this.push(`{"id":${next},"sku":"s${next}","qty":1}\n`);
    next += 1;
  },
});
let received = 0;
try {
  await pipeline(
    endless,
    new NdjsonParser({ parse: parseOrder }),
    orderSink(() => {
      received += 1;
      if (received === 3) controller.abort();
    }),
    { signal: controller.signal },
  );
} catch (err) {
  console.log(`aborted: ${(err as Error).name}; received=${received}; source destroyed=${endless.destroyed}`);
}
