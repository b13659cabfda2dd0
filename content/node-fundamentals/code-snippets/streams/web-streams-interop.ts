// Moving data between WHATWG web streams (fetch bodies, CompressionStream) and Node.js
// streams (fs, zlib, http), in both directions, with cancellation crossing the boundary.
import { Duplex, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { text } from 'node:stream/consumers';

const encoder = new TextEncoder();

/** Stands in for `(await fetch(url)).body`: a web ReadableStream of bytes. */
function webBody(lines: readonly string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === lines.length) controller.close();
      else controller.enqueue(encoder.encode(lines[i++]));
    },
  });
}

const lines = ['alpha\n', 'beta\n', 'gamma\n'];

// 1. web -> Node: Readable.fromWeb() gives a Node Readable that zlib can consume.
const gzipped: Buffer[] = [];
await pipeline(Readable.fromWeb(webBody(lines)), createGzip(), async (source: AsyncIterable<Buffer>) => {
  for await (const chunk of source) gzipped.push(chunk);
});
const gz = Buffer.concat(gzipped);
console.log(`web -> Node gzip: ${gz.length > 0}, gzip magic bytes: ${gz.subarray(0, 2).toString('hex')}`);

// 2. Node -> web: Readable.toWeb() feeds the web platform's DecompressionStream and
//    TextDecoderStream (which, unlike chunk.toString(), keeps split characters intact).
const web = Readable.toWeb(Readable.from([gz])) as unknown as ReadableStream<Uint8Array>;
const decoded = web.pipeThrough(new DecompressionStream('gzip')).pipeThrough(new TextDecoderStream());
let roundTrip = '';
for await (const part of decoded) roundTrip += part;
console.log(`Node -> web gunzip: round trip equal=${roundTrip === lines.join('')}`);

// 3. A Node Transform inside a web pipe chain: Duplex.toWeb() gives a { readable, writable } pair.
//    (pipeline() accepts web streams too, mixed with Node streams.)
const upper = new Transform({
  transform(chunk: Buffer, _encoding, callback) {
    callback(null, chunk.toString('utf8').toUpperCase());
  },
});
const received: string[] = [];
await webBody(lines)
  .pipeThrough(Duplex.toWeb(upper))
  .pipeTo(
    new WritableStream({
      write(chunk: Uint8Array) {
        received.push(Buffer.from(chunk).toString('utf8'));
      },
    }),
  );
console.log(`web chain with a Node Transform: ${JSON.stringify(received.join(''))}`);

// 4. Cancelling the web side destroys the Node source, with the reason as its error.
let released = false;
let n = 0;
const endless = new Readable({
  read() {
    this.push(`row ${n++}\n`);
  },
  destroy(err, callback) {
    released = true;
    callback(err);
  },
});
const reader = (Readable.toWeb(endless) as unknown as ReadableStream<Uint8Array>).getReader();
await reader.read();
await reader.cancel(new Error('client went away'));
await new Promise(setImmediate);
console.log(`cancel: Node source destroyed=${endless.destroyed}, released=${released}, error="${endless.errored?.message}"`);

// 5. stream/consumers: collect a whole (small, bounded) stream in one call.
console.log(`consumers.text(): ${JSON.stringify(await text(webBody(['a', 'b', 'c'])))}`);
