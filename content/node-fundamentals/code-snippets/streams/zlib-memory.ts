// What one compression stream costs in native memory. zlib's own formula (zconf.h):
// deflate needs (1 << (windowBits + 2)) + (1 << (memLevel + 9)) bytes plus a few KiB of
// state, 256 KiB at the defaults (windowBits 15, memLevel 8); inflate needs
// 1 << windowBits (32 KiB) plus about 7 KiB. The memory is malloc'd outside the V8 heap,
// so it shows in RSS; process.memoryUsage().external and arrayBuffers see little of it.
// Each configuration runs in a fresh child process, because freed malloc memory is reused
// and would hide the next configuration's cost inside the same process.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import type { Transform } from 'node:stream';

declare const gc: () => void; // --expose-gc (snippets.json)

const KiB = 1024;
const STREAMS = 200;

interface Measurement {
  rssKiB: number;
  externalKiB: number;
}

const configs: Record<string, { formulaKiB: number; make: () => Transform; input: () => Buffer }> = {
  'gzip, defaults (windowBits 15, memLevel 8)': { formulaKiB: 256, make: () => createGzip(), input: () => randomBytes(64 * KiB) },
  'gzip, windowBits 10, memLevel 4': { formulaKiB: 12, make: () => createGzip({ windowBits: 10, memLevel: 4 }), input: () => randomBytes(64 * KiB) },
  'gunzip, defaults': { formulaKiB: 39, make: () => createGunzip(), input: () => gzipSync(randomBytes(64 * KiB)) },
};

async function measure(name: string): Promise<Measurement> {
  const config = configs[name];
  if (!config) throw new RangeError(`unknown configuration ${name}`);
  const input = config.input(); // one shared input: no per-stream garbage is counted
  gc();
  const before = process.memoryUsage();
  const streams: Transform[] = [];
  try {
    for (let i = 0; i < STREAMS; i++) streams.push(config.make());
    // 64 KiB of incompressible input each, so that the window, the hash chains and the
    // output buffer are touched (resident); output is consumed and dropped.
    await Promise.all(streams.map((stream) => new Promise<void>((resolve, reject) => {
      stream.on('data', () => {});
      stream.once('error', reject);
      stream.write(input, (error) => (error ? reject(error) : resolve()));
    })));
    gc();
    const after = process.memoryUsage();
    return { rssKiB: (after.rss - before.rss) / STREAMS / KiB, externalKiB: (after.external - before.external) / STREAMS / KiB };
  } finally {
    for (const stream of streams) stream.destroy(); // each one closed; native memory is freed on close
  }
}

if (process.argv[2] !== undefined) {
  console.log(JSON.stringify(await measure(process.argv[2])));
} else {
  const run = promisify(execFile);
  const results = new Map<string, Measurement>();
  for (const [name, { formulaKiB }] of Object.entries(configs)) {
    const { stdout } = await run(process.execPath, [...process.execArgv, import.meta.filename, name], { timeout: 10_000 });
    const m = JSON.parse(stdout) as Measurement;
    results.set(name, m);
    console.log(`${name}: zlib formula ${formulaKiB} KiB; measured per stream: rss ${m.rssKiB.toFixed(0)} KiB, external ${m.externalKiB.toFixed(0)} KiB`);
  }
  const gzip = results.get('gzip, defaults (windowBits 15, memLevel 8)')!;
  const small = results.get('gzip, windowBits 10, memLevel 4')!;
  console.log(`default gzip stream costs at least the formula's 256 KiB of RSS: ${gzip.rssKiB >= 256}`);
  console.log(`most of it is invisible to external: ${gzip.externalKiB < gzip.rssKiB / 2}`);
  console.log(`windowBits 10, memLevel 4 costs clearly less, but far more than its formula: ${small.rssKiB < 0.75 * gzip.rssKiB && small.rssKiB > 2 * 12}`);
  console.log(`10,000 concurrent default gzip streams: about ${((10_000 * gzip.rssKiB) / KiB / KiB).toFixed(1)} GiB of RSS`);
}
