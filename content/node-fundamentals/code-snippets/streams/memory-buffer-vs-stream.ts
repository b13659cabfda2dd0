// Benchmark: peak memory and time of four ways to process the same file.
// BENCH_ITERATIONS is the file size in MiB. Each mode runs in its own child process,
// so that one mode's garbage or retained pool memory cannot inflate another's figures.
// readFile+split needs the file as one string, so above buffer.constants.MAX_STRING_LENGTH
// (536,870,888 one-byte characters, just under 512 MiB) it is skipped, not crashed.
import { constants } from 'node:buffer';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const MODES = ['readFile', 'readFile+split', 'stream+concat', 'pipeline'] as const;
type Mode = (typeof MODES)[number];

interface Result {
  readonly mode: Mode;
  readonly ms: number;
  readonly peakArrayBuffersMiB: number;
  readonly peakHeapUsedMiB: number;
  readonly maxRssMiB: number;
  readonly sha256: string;
  readonly lines: number;
}

const MiB = 1024 * 1024;
const toMiB = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;

// ---- child: run one mode ---------------------------------------------------
async function runMode(mode: Mode, path: string): Promise<Result> {
  let peakArrayBuffers = 0;
  let peakHeapUsed = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
    peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed);
  };
  const countNewlines = (buf: Buffer): number => {
    let n = 0;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n += 1;
    return n;
  };

  const hash = createHash('sha256');
  let lines = 0;
  const start = performance.now();
  if (mode === 'readFile') {
    const buf = await readFile(path); // the whole file in one Buffer
    sample();
    hash.update(buf);
    lines = countNewlines(buf);
    sample();
  } else if (mode === 'readFile+split') {
    // fs/promises decodes 512 KiB at a time into one growing string on the V8 heap:
    // the whole file is never held as bytes, so arrayBuffers stays at that one read buffer.
    const textContent = await readFile(path, 'utf8');
    sample();
    const all = textContent.split('\n'); // and one string per line
    sample();
    lines = all.length - 1;
    hash.update(textContent);
    sample();
  } else if (mode === 'stream+concat') {
    const chunks: Buffer[] = [];
    for await (const chunk of createReadStream(path)) {
      chunks.push(chunk as Buffer); // streaming in name only: everything is kept
      sample();
    }
    const buf = Buffer.concat(chunks); // and then copied once more
    sample();
    hash.update(buf);
    lines = countNewlines(buf);
  } else {
    await pipeline(
      createReadStream(path),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          lines += countNewlines(chunk);
          sample();
          callback();
        },
      }),
    );
  }
  const ms = performance.now() - start;
  return {
    mode,
    ms: Math.round(ms),
    peakArrayBuffersMiB: toMiB(peakArrayBuffers),
    peakHeapUsedMiB: toMiB(peakHeapUsed),
    maxRssMiB: toMiB(process.resourceUsage().maxRSS * 1024), // maxRSS is in KiB
    sha256: hash.digest('hex'),
    lines,
  };
}

// ---- parent: write the input, run each mode in a child -------------------------
/** Runs one mode in a child process, killed if it has not finished within timeoutMs. */
function runChild(mode: Mode, path: string, timeoutMs: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [...process.execArgv, self, '--child', mode, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: timeoutMs, // sends killSignal when it expires
      killSignal: 'SIGKILL',
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => (out += s));
    child.on('error', reject); // spawn failed
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const how = child.killed ? `was killed after ${timeoutMs} ms` : code !== null ? `exited with code ${code}` : `was killed by ${signal}`;
        reject(new Error(`child for ${mode} ${how}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as Result);
      } catch (cause) {
        reject(new Error(`child for ${mode} printed no result`, { cause }));
      }
    });
  });
}

async function writeInput(path: string, sizeMiB: number): Promise<void> {
  async function* blocks(): AsyncGenerator<Buffer> {
    let row = 0;
    for (let mb = 0; mb < sizeMiB; mb++) {
      const parts: string[] = [];
      let bytes = 0;
      while (bytes < MiB) {
        const line = `{"row":${row++},"user":"u${row % 997}","amount":${(row * 7919) % 100000}}\n`;
        parts.push(line);
        bytes += line.length;
      }
      yield Buffer.from(parts.join(''));
    }
  }
  // Readable.from + pipeline: the writer respects the file stream's backpressure.
  await pipeline(Readable.from(blocks()), createWriteStream(path));
}

if (process.argv[2] === '--child') {
  const result = await runMode(process.argv[3] as Mode, process.argv[4] as string);
  process.stdout.write(JSON.stringify(result));
} else {
  const sizeMiB = Number(process.env.BENCH_ITERATIONS ?? 256);
  const path = 'input.ndjson'; // the working directory is a temporary folder
  const childTimeoutMs = 60_000 + sizeMiB * 1_000; // generous: a bound, not a prediction
  try {
    await writeInput(path, sizeMiB);
    const { size } = await stat(path);
    console.log(`input: ${sizeMiB} MiB of NDJSON, ${process.version}`);
    console.log('mode             time ms   peak arrayBuffers MiB   peak heapUsed MiB   maxRSS MiB');
    const results: Result[] = [];
    for (const mode of MODES) {
      if (mode === 'readFile+split' && size > constants.MAX_STRING_LENGTH) {
        console.log(`${mode.padEnd(15)}  skipped: ${size} bytes is more than MAX_STRING_LENGTH (${constants.MAX_STRING_LENGTH})`);
        continue;
      }
      try {
        const r = await runChild(mode, path, childTimeoutMs);
        results.push(r);
        console.log(
          `${mode.padEnd(15)}  ${String(r.ms).padStart(7)}   ${String(r.peakArrayBuffersMiB).padStart(21)}` +
            `   ${String(r.peakHeapUsedMiB).padStart(17)}   ${String(r.maxRssMiB).padStart(10)}`,
        );
      } catch (err) {
        console.log(`${mode.padEnd(15)}  failed: ${(err as Error).message}`); // the other modes still run
        process.exitCode = 1;
      }
    }
    const agree = results.length > 0 && results.every((r) => r.sha256 === results[0]?.sha256 && r.lines === results[0]?.lines);
    console.log(`all ${results.length} modes that ran agree on sha256 and line count: ${agree}`);
  } finally {
    await rm(path, { force: true });
  }
}
