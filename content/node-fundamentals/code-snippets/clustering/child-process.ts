// child_process in production: no shell for untrusted input, bounded output,
// deadlines through AbortSignal, and what the IPC serializer keeps.
import { execFile, exec, fork } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const execAsync = promisify(exec);
const node = process.execPath;

// 1. A shell parses its command line; execFile passes argv verbatim.
const untrusted = 'report.txt; echo INJECTED';
const viaShell = await execAsync(`echo ${untrusted}`);
const viaArgv = await execFileAsync(node, ['-e', 'console.log(process.argv[1])', untrusted]);
console.log(`exec (shell):       ${JSON.stringify(viaShell.stdout.trim().split('\n'))}`);
console.log(`execFile (no shell): ${JSON.stringify(viaArgv.stdout.trim().split('\n'))}`);

// 2. exec/execFile buffer all output; past maxBuffer the child is killed.
try {
  await execFileAsync(node, ['-e', 'process.stdout.write("x".repeat(4 * 1024 * 1024))'], {
    maxBuffer: 1024 * 1024,
  });
} catch (err) {
  const e = err as NodeJS.ErrnoException & { stdout: string };
  console.log(`4 MiB of output, maxBuffer 1 MiB -> ${e.code}; kept ${e.stdout.length} bytes`);
}

// 3. A deadline: the signal kills the child (killSignal, SIGTERM by default).
const started = performance.now();
try {
  await execFileAsync(node, ['-e', 'setTimeout(() => {}, 60_000)'], {
    signal: AbortSignal.timeout(200),
  });
} catch (err) {
  const e = err as Error & { cause?: unknown };
  const cause = e.cause instanceof Error ? e.cause.name : String(e.cause);
  console.log(`hanging child, 200 ms deadline -> ${e.name} (cause ${cause}) after ${Math.round(performance.now() - started)} ms`);
}

// 4. fork() IPC: 'json' flattens what JSON cannot express; 'advanced' uses the
//    V8 serializer (structured clone), like worker_threads.
const sample = { when: new Date(0), tags: new Map([['a', 1]]), big: 2n ** 64n };
for (const serialization of ['json', 'advanced'] as const) {
  const child = fork(new URL('./lib/ipc-echo-child.ts', import.meta.url), { serialization });
  const reply = once(child, 'message');
  try {
    child.send(serialization === 'json' ? { ...sample, big: String(sample.big) } : sample);
    const [types] = (await reply) as [string];
    console.log(`fork serialization '${serialization}': child saw ${types}`);
  } finally {
    const exited = once(child, 'exit');
    child.disconnect(); // closes the IPC channel; the child's loop empties and it exits
    await exited;
  }
}
try {
  const child = fork(new URL('./lib/ipc-echo-child.ts', import.meta.url), { serialization: 'json' });
  try {
    child.send({ big: 1n });
  } finally {
    const exited = once(child, 'exit');
    child.disconnect();
    await exited;
  }
} catch (err) {
  console.log(`a BigInt over 'json' IPC -> ${(err as Error).name}: ${(err as Error).message}`);
}
