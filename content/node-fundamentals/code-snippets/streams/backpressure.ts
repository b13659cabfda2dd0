// Backpressure on both sides of a stream, traced step by step.
// Part 1: a Writable's write() returns false once its buffer reaches highWaterMark,
//         and 'drain' fires when the buffer has emptied.
// Part 2: a Readable's push() returns false at highWaterMark, and _read() is the
//         signal to resume the underlying source.
import { Readable, Writable } from 'node:stream';
import { once } from 'node:events';

// ---- Part 1: the writer side ------------------------------------------------
// A "slow disk": each write completes on a later turn of the event loop.
const slowSink = new Writable({
  highWaterMark: 16, // bytes
  write(_chunk: Buffer, _encoding, callback) {
    setImmediate(callback);
  },
});

const chunk = Buffer.from('abcdef'); // 6 bytes
let ok = true;
let n = 0;
while (ok) {
  ok = slowSink.write(chunk);
  n += 1;
  console.log(`write #${n} -> ${ok} (writableLength=${slowSink.writableLength}, needDrain=${slowSink.writableNeedDrain})`);
}
await once(slowSink, 'drain');
console.log(`'drain' -> writableLength=${slowSink.writableLength}`);

// highWaterMark is a threshold, not a limit: ignoring `false` keeps buffering.
for (let i = 0; i < 100; i++) slowSink.write(chunk);
console.log(`ignored backpressure for 100 writes -> writableLength=${slowSink.writableLength} (highWaterMark=16)`);
slowSink.end();
await once(slowSink, 'finish');

// ---- Part 2: the reader side ------------------------------------------------
// A push-based source (like a socket) that can be paused, wrapped the way the
// Node.js docs recommend: stop it when push() returns false, restart it in _read().
class TickSource {
  #timer: NodeJS.Immediate | undefined;
  #next = 0;
  readonly total: number;
  ondata: (n: number) => void = () => {};
  onend: () => void = () => {};
  pauses = 0;
  constructor(total: number) {
    this.total = total;
  }
  resume(): void {
    if (this.#timer !== undefined) return;
    const tick = (): void => {
      if (this.#next === this.total) {
        this.#timer = undefined;
        this.onend();
        return;
      }
      this.ondata(this.#next++);
      if (this.#timer !== undefined) this.#timer = setImmediate(tick);
    };
    this.#timer = setImmediate(tick);
  }
  pause(): void {
    if (this.#timer === undefined) return;
    clearImmediate(this.#timer);
    this.#timer = undefined;
    this.pauses += 1;
  }
}

const source = new TickSource(20);
let maxBuffered = 0;
const readable = new Readable({
  objectMode: true,
  highWaterMark: 3, // objects
  read() {
    source.resume(); // the consumer wants more
  },
});
source.ondata = (item) => {
  const wantsMore = readable.push(item);
  maxBuffered = Math.max(maxBuffered, readable.readableLength);
  if (!wantsMore) source.pause();
};
source.onend = () => readable.push(null);

// A consumer that needs three turns of the loop per item.
let consumed = 0;
for await (const _item of readable) {
  await new Promise(setImmediate);
  await new Promise(setImmediate);
  await new Promise(setImmediate);
  consumed += 1;
}
const paused = source.pauses > 1 ? 'repeatedly' : source.pauses === 1 ? 'once' : 'never';
console.log(`consumed=${consumed}, source paused ${paused}, max readableLength=${maxBuffered} (highWaterMark=3)`);
