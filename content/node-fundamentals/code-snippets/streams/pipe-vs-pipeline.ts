// The same failure (a transform that throws on its third chunk) under pipe() and under
// pipeline(). pipe() forwards data and backpressure but not errors or clean-up;
// pipeline() destroys every stage and reports one error.
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

interface Stages {
  source: Readable;
  transform: Transform;
  sink: Writable;
  released: string[];
}

function makeStages(): Stages {
  const released: string[] = [];
  let i = 0;
  // Stands in for a file or socket: _destroy is where its descriptor would be closed.
  const source = new Readable({
    highWaterMark: 64 * 1024, // the Linux/macOS default since Node 22, set explicitly so Windows prints the same
    read() {
      this.push(`chunk-${i++}\n`);
    },
    destroy(err, callback) {
      released.push('source');
      callback(err);
    },
  });
  let seen = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += 1;
      if (seen === 3) callback(new Error('bad record at chunk 3'));
      else callback(null, chunk);
    },
  });
  const sink = new Writable({
    write(_chunk, _encoding, callback) {
      setImmediate(callback);
    },
    destroy(err, callback) {
      released.push('sink');
      callback(err);
    },
  });
  return { source, transform, sink, released };
}

const turns = async (n: number): Promise<void> => {
  for (let k = 0; k < n; k++) await new Promise(setImmediate);
};

function report(label: string, s: Stages): void {
  console.log(
    `${label}: destroyed source=${s.source.destroyed} transform=${s.transform.destroyed} sink=${s.sink.destroyed}; ` +
      `released=[${s.released.join(', ')}]; sink finished=${s.sink.writableFinished}`,
  );
}

// ---- pipe() ----------------------------------------------------------------
{
  const s = makeStages();
  // Without this listener the error would be thrown as an uncaught exception.
  s.transform.on('error', (err) => console.log(`pipe: transform emitted error "${err.message}"`));
  s.sink.on('error', () => console.log('pipe: sink emitted error (never printed)'));
  s.source.pipe(s.transform).pipe(s.sink);
  await turns(20);
  report('pipe', s);
  console.log(`pipe: source is paused=${s.source.isPaused()}, still holds ${s.source.readableLength} bytes`);
  // The caller must clean up by hand.
  s.source.destroy();
  s.sink.destroy();
  await turns(2);
}

// ---- pipeline() ------------------------------------------------------------
{
  const s = makeStages();
  try {
    await pipeline(s.source, s.transform, s.sink);
  } catch (err) {
    console.log(`pipeline: rejected with "${(err as Error).message}"`);
  }
  await turns(2);
  report('pipeline', s);
}
