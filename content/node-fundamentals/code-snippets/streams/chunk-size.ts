// Benchmark: the fixed cost per chunk. The same bytes flow through
// source -> stage -> sink (which hashes them, a realistic per-byte cost) with different
// chunk sizes, and with the stage written as a Transform class or as an async generator.
// BENCH_ITERATIONS is the number of MiB moved per run; each case reports the best of
// three runs. Throughput is given per wall-clock second and per CPU second of this
// process (user + system): on a shared machine the second is far less disturbed by
// other processes, because time spent waiting for a core is not counted.
import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MiB = 1024 * 1024;
const totalMiB = Number(process.env.BENCH_ITERATIONS ?? 256);
const REPEATS = 3;
const totalBytes = totalMiB * MiB;
const slab = Buffer.alloc(MiB, 'a'); // chunks are subarray() views: no bytes copied, but one small Buffer object per chunk

function source(chunkSize: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: Math.max(chunkSize, 64 * 1024),
    read() {
      while (sent < totalBytes) {
        const chunk = slab.subarray(0, Math.min(chunkSize, totalBytes - sent));
        sent += chunk.length;
        if (!this.push(chunk)) return;
      }
      this.push(null);
    },
  });
}

function hashingSink(counter: { bytes: number }): Writable {
  const hash = createHash('sha256');
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      callback();
    },
    final(callback) {
      hash.digest();
      callback();
    },
  });
}

type Stage = 'Transform' | 'async generator';

async function run(chunkSize: number, stage: Stage): Promise<{ ms: number; cpuMs: number; seen: number }> {
  const counter = { bytes: 0 };
  let seen = 0; // chunks the middle stage received
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  if (stage === 'Transform') {
    const t = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        seen += 1;
        callback(null, chunk);
      },
    });
    await pipeline(source(chunkSize), t, hashingSink(counter));
  } else {
    await pipeline(
      source(chunkSize),
      async function* (input: AsyncIterable<Buffer>) {
        for await (const chunk of input) {
          seen += 1;
          yield chunk;
        }
      },
      hashingSink(counter),
    );
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  if (counter.bytes !== totalBytes) throw new Error(`moved ${counter.bytes} of ${totalBytes} bytes`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, seen };
}

const cases: ReadonlyArray<readonly [number, Stage]> = [
  [256, 'Transform'],
  [1024, 'Transform'],
  [16 * 1024, 'Transform'],
  [64 * 1024, 'Transform'],
  [MiB, 'Transform'],
  [1024, 'async generator'],
  [64 * 1024, 'async generator'],
];

const sizeLabel = (bytes: number): string => (bytes >= MiB ? `${bytes / MiB} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`);

console.log(`moving ${totalMiB} MiB per run through source -> stage -> sha256 sink, best of ${REPEATS}, ${process.version}`);
console.log('chunk      stage            MB/s wall   MB/s CPU   chunks sent   chunks seen by stage');
await run(64 * 1024, 'Transform'); // warm-up: let the JIT compile the stream internals
const mbPerSecond = (ms: number): string => (totalBytes / 1e6 / (ms / 1000)).toFixed(0);
for (const [size, stage] of cases) {
  let bestWall = Infinity;
  let bestCpu = Infinity;
  let seen = 0;
  for (let r = 0; r < REPEATS; r++) {
    const result = await run(size, stage);
    bestWall = Math.min(bestWall, result.ms);
    bestCpu = Math.min(bestCpu, result.cpuMs);
    seen = result.seen;
  }
  const sent = Math.ceil(totalBytes / size);
  console.log(
    `${sizeLabel(size).padEnd(9)}  ${stage.padEnd(15)}  ${mbPerSecond(bestWall).padStart(9)}  ${mbPerSecond(bestCpu).padStart(9)}` +
      `  ${String(sent).padStart(12)}  ${String(seen).padStart(21)}`,
  );
}
