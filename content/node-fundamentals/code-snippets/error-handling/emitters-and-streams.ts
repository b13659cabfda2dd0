// Errors in EventEmitters and streams: the 'error' event that throws when nobody listens,
// errorMonitor, async listeners and captureRejections, events.once rejecting on 'error',
// and a stream failure under pipe() versus pipeline().
import { EventEmitter, captureRejectionSymbol, errorMonitor, once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// 1. emit('error') with no 'error' listener throws, synchronously, from emit().
const plain = new EventEmitter();
plain.on(errorMonitor, (error: Error) => console.log(`1. errorMonitor saw "${error.message}" first`));
try {
  plain.emit('error', new Error('socket hang up'));
} catch (error) {
  console.log(`   emit() threw "${(error as Error).message}": without a listener this is an uncaught exception`);
}

// 2. An async listener's rejection. Without captureRejections the emitter never hears of it:
//    the promise returned by the listener is dropped, so it is an unhandled rejection (which
//    crashes the process by default; this snippet counts them instead, to keep running).
const unhandled: string[] = [];
const countUnhandled = (reason: unknown): void => void unhandled.push((reason as Error).message);
process.on('unhandledRejection', countUnhandled);

const loose = new EventEmitter();
loose.on('error', () => console.log('   (never called)'));
loose.on('order', async () => {
  throw new Error('order handler failed');
});
loose.emit('order');
await new Promise((resolve) => setImmediate(resolve));
console.log(`2. without captureRejections: 'error' not emitted; unhandled rejections: ${unhandled.join(', ')}`);

const captured = new EventEmitter({ captureRejections: true });
captured.on('error', (error: Error) => console.log(`   with captureRejections: 'error' event got "${error.message}"`));
captured.on('order', async () => {
  throw new Error('order handler failed');
});
captured.emit('order');
await new Promise((resolve) => setImmediate(resolve));

// A class can take the rejection itself, e.g. to destroy the resource it belongs to.
class Consumer extends EventEmitter {
  constructor() {
    super({ captureRejections: true });
  }
  override [captureRejectionSymbol](error: Error, event: string | symbol): void {
    console.log(`   Consumer[captureRejectionSymbol] got "${error.message}" from '${String(event)}'`);
  }
}
const consumer = new Consumer();
consumer.on('message', async () => {
  throw new Error('cannot process message');
});
consumer.emit('message');
await new Promise((resolve) => setImmediate(resolve));
process.off('unhandledRejection', countUnhandled);

// 3. events.once() rejects if 'error' is emitted while it waits.
const connection = new EventEmitter();
setImmediate(() => connection.emit('error', new Error('ECONNREFUSED')));
try {
  await once(connection, 'ready', { signal: AbortSignal.timeout(1_000) });
} catch (error) {
  console.log(`3. once(connection, 'ready') rejected with "${(error as Error).message}"`);
}

// 4. A source that fails half-way, piped into a sink.
function source(log: string[]): Readable {
  return Readable.from(
    (async function* () {
      try {
        yield 'row 1\n';
        yield 'row 2\n';
        throw new Error('upstream read failed');
      } finally {
        log.push('source cleaned up');
      }
    })(),
  );
}
function sink(log: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      log.push(`wrote ${chunk.toString().trim()}`);
      callback();
    },
    destroy(error, callback) {
      log.push(`sink destroyed${error ? ` with "${error.message}"` : ''}`);
      callback(error);
    },
  });
}

{
  const log: string[] = [];
  const src = source(log);
  const dst = sink(log);
  src.on('error', (error) => log.push(`source 'error': ${error.message}`)); // without this: a crash
  src.pipe(dst);
  await new Promise((resolve) => src.once('close', resolve)); // not once(): it would reject on 'error'
  console.log(`4. pipe():     ${log.join('; ')}; sink still open: ${!dst.destroyed}`);
  dst.destroy();
}
{
  const log: string[] = [];
  const dst = sink(log);
  try {
    await pipeline(source(log), dst);
  } catch (error) {
    log.push(`pipeline rejected: ${(error as Error).message}`);
  }
  console.log(`   pipeline(): ${log.join('; ')}; sink still open: ${!dst.destroyed}`);
}
