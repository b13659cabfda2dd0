// "nextTick runs before promise reactions" holds in a callback that Node calls from C++ (a
// timer, an I/O callback), but not after an `await`, in either module system. The code after an `await` runs as a promise job, i.e.
// while V8 is draining its microtask queue; a promise reaction queued there joins the same
// drain, and Node gets to its nextTick queue only once the microtask queue is empty.
// The same experiment runs as a CommonJS main module and as an ES module, each in a child
// process (the files are written to a fresh temporary folder, removed afterwards).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const experiment = `
const order = [];
function plainCallback() {
  process.nextTick(() => order.push('nextTick'));
  Promise.resolve().then(() => order.push('promise'));
}
async function afterAwait() {
  await null; // any await: everything below runs inside a promise job
  process.nextTick(() => order.push('nextTick'));
  Promise.resolve().then(() => order.push('promise'));
}
setTimeout(() => {
  plainCallback();
  setTimeout(() => {
    console.log('timer callback, no await: ' + order.join(' then '));
    order.length = 0;
    afterAwait();
    setTimeout(() => console.log('async function, after await: ' + order.join(' then ')), 1);
  }, 1);
}, 1);
`;

// Never the working directory: a learner's folder may already hold an order.cjs.
const dir = await mkdtemp(join(tmpdir(), 'after-await-'));
try {
  for (const name of ['order.cjs', 'order.mjs']) {
    const file = join(dir, name);
    await writeFile(file, experiment);
    // Bounded: a child that hangs is killed after 5 s and the await rejects.
    const { stdout } = await run(process.execPath, [file], { timeout: 5_000 });
    const kind = name.endsWith('.cjs') ? 'CommonJS' : 'ES module';
    for (const line of stdout.trim().split('\n')) console.log(`${kind}, ${line}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
