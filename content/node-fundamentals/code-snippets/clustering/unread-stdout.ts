// A spawned child whose stdout nobody reads: how much it writes before it blocks. The child
// writes 1 KiB at a time and reports its running total on stderr, which the parent does read.
import { spawn } from 'node:child_process';

const CHILD = `const fs = require('node:fs');
const chunk = Buffer.alloc(1024, 120);
for (let total = 1024; ; total += 1024) { fs.writeSync(1, chunk); fs.writeSync(2, total + '\\n'); }`;
const REPS = 5;
const KiB = 1024;

function once(): Promise<{ written: number; buffered: number; highWaterMark: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'pipe'] });
    let written = 0;
    let tail = '';
    let idle: NodeJS.Timeout | undefined;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      const lines = (tail + text).split('\n');
      tail = lines.pop() ?? '';
      if (lines.length > 0) written = Number(lines.at(-1));
      clearTimeout(idle);
      // 300 ms without progress: the child is blocked in write(2) on a full pipe.
      idle = setTimeout(() => {
        resolve({ written, buffered: child.stdout.readableLength, highWaterMark: child.stdout.readableHighWaterMark });
        child.kill('SIGKILL');
      }, 300);
    });
  });
}

const runs = [];
for (let i = 0; i < REPS; i++) runs.push(await once());
const writtenKiB = runs.map((r) => r.written / KiB);
const bufferedKiB = runs.map((r) => r.buffered / KiB);
console.log(`node ${process.version}, ${REPS} runs`);
console.log(`written before the child blocked: ${Math.min(...writtenKiB)} to ${Math.max(...writtenKiB)} KiB`);
console.log(`held in the parent's stdout stream: ${Math.min(...bufferedKiB)} to ${Math.max(...bufferedKiB)} KiB`);
console.log(`the stream stopped reading only at or above its highWaterMark (${runs[0]!.highWaterMark / KiB} KiB) ` +
  `in every run: ${runs.every((r) => r.buffered >= r.highWaterMark)}`);
