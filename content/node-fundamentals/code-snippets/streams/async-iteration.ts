// Async iteration over streams: pull-based consumption, read-ahead bounded by
// highWaterMark, clean-up on break and on throw, and async generators as pipeline stages.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// A source whose finally block stands for releasing a resource (a cursor, a file handle).
function rows(log: string[], counter = { produced: 0 }): Readable {
  async function* generate(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < 1_000; i++) {
        counter.produced += 1;
        yield i;
      }
    } finally {
      log.push('generator finally: resource released');
    }
  }
  // Readable.from() is in object mode; its highWaterMark defaults to 16 objects.
  return Readable.from(generate(), { highWaterMark: 4 });
}

// 1. break: the stream is destroyed and the generator's finally block runs.
{
  const log: string[] = [];
  const counter = { produced: 0 };
  const source = rows(log, counter);
  const seen: number[] = [];
  for await (const row of source) {
    seen.push(row as number);
    if (seen.length === 3) break;
  }
  await new Promise(setImmediate);
  console.log(`break: consumed [${seen.join(', ')}], destroyed=${source.destroyed}, ${log.join('; ')}`);
  console.log(`break: the generator had produced ${counter.produced} rows (read-ahead bounded by highWaterMark=4)`);
}

// 2. throw inside the loop body: same clean-up, and the error reaches the caller.
{
  const log: string[] = [];
  const source = rows(log);
  try {
    for await (const row of source) {
      if (row === 2) throw new Error('cannot handle row 2');
    }
  } catch (err) {
    await new Promise(setImmediate);
    console.log(`throw: caught "${(err as Error).message}", destroyed=${source.destroyed}, ${log.join('; ')}`);
  }
}

// 3. Async generators as pipeline stages: each stage pulls from the previous one,
//    so a slow consumer slows the producer (backpressure without 'drain' events).
{
  let produced = 0;
  let maxAhead = 0;
  let consumed = 0;
  async function* produce(): AsyncGenerator<string> {
    for (let i = 0; i < 50; i++) {
      produced += 1;
      maxAhead = Math.max(maxAhead, produced - consumed);
      yield `line ${i}\n`;
    }
  }
  // pipeline() passes a second argument, { signal }, that aborts when any stage fails.
  async function* upperCase(source: AsyncIterable<string>, options?: { signal: AbortSignal }): AsyncGenerator<string> {
    for await (const line of source) {
      options?.signal.throwIfAborted();
      yield line.toUpperCase();
    }
  }
  let last = '';
  await pipeline(produce, upperCase, async (source: AsyncIterable<string>) => {
    for await (const line of source) {
      await new Promise(setImmediate); // a slow consumer
      consumed += 1;
      last = line.trim();
    }
  });
  console.log(`pipeline of generators: consumed=${consumed}, last="${last}"`);
  // No stream sits between function stages: each pulls one item at a time from the last.
  console.log(`generator chain: the producer ran ahead of the consumer by at most ${maxAhead} of 50 items`);
}
