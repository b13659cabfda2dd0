// Where an error goes when nothing catches it. Each scenario runs in a fresh Node process
// (the same binary as this one) so that crashing is allowed; the snippet prints the exit
// code, what the program managed to print, and the first error line on stderr.
import { spawnSync } from 'node:child_process';

interface Scenario {
  title: string;
  code: string;
  flags?: string[];
}

// Two independent calls: A succeeds after 50 ms, B fails after 10 ms.
const twoCalls = `
  const call = (ms, fail) => new Promise((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error('B failed')) : resolve('A ok')), ms));
`;
const lateAwait = `${twoCalls}
  try {
    const a = call(50, false);
    const b = call(10, true);   // rejects while we are still awaiting a
    console.log(await a);
    console.log(await b);
  } catch (error) {
    console.log('caught ' + error.message);
  }
`;

const scenarios: Scenario[] = [
  {
    title: 'throw inside a timer callback, try/catch around setTimeout',
    code: `
      try {
        setTimeout(() => { throw new Error('thrown in a timer'); }, 1);
      } catch { console.log('caught'); }   // the callback runs later, on another stack
    `,
  },
  {
    title: 'async function rejects and nobody awaits it',
    code: `
      async function save() { throw new Error('write failed'); }
      save();                                            // a floating promise
      setTimeout(() => console.log('still running'), 20);
    `,
  },
  { title: 'two calls started, then awaited one after the other', code: lateAwait },
  {
    title: 'the same two calls under Promise.all',
    code: `${twoCalls}
      try {
        const [a, b] = await Promise.all([call(50, false), call(10, true)]);
        console.log(a, b);
      } catch (error) { console.log('caught ' + error.message); }
    `,
  },
  { title: 'late await with --unhandled-rejections=warn', code: lateAwait, flags: ['--unhandled-rejections=warn'] },
  { title: 'late await with --unhandled-rejections=warn-with-error-code', code: lateAwait, flags: ['--unhandled-rejections=warn-with-error-code'] },
  {
    title: "an 'unhandledRejection' handler that only logs",
    code: `
      process.on('unhandledRejection', (reason) => console.log('logged: ' + reason.message));
      Promise.reject(new Error('lost write'));
      setTimeout(() => console.log('still serving, state unknown'), 20);
    `,
  },
  {
    title: 'handler attached in the same job, then after a macrotask',
    code: `
      const early = Promise.reject(new Error('early'));
      await null;                                   // still the same macrotask
      early.catch(() => console.log('early handled'));
      const late = Promise.reject(new Error('late'));
      await new Promise((resolve) => setImmediate(resolve));  // a macrotask passes
      late.catch(() => console.log('late handled'));
    `,
  },
  {
    title: "an 'uncaughtException' handler that throws",
    code: `
      process.on('uncaughtException', (error) => {
        console.log('handler saw ' + error.message);
        throw new Error('handler failed');
      });
      setTimeout(() => { throw new Error('boom'); }, 1);
    `,
  },
];

function firstErrorLine(stderr: string): string {
  for (const raw of stderr.split('\n')) {
    const line = raw.replace(/^\(node:\d+\) /, '');
    if (/^\w*(Error|Warning)\b/.test(line)) return line;
  }
  return '(none)';
}

scenarios.forEach((scenario, index) => {
  const run = spawnSync(process.execPath, [...(scenario.flags ?? []), '--input-type=module', '-e', scenario.code], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const stdout = run.stdout.trim().split('\n').filter(Boolean).join(' / ') || '(nothing)';
  console.log(`${index + 1}. ${scenario.title}`);
  console.log(`   exit ${run.status ?? run.signal}; stdout: ${stdout}`);
  console.log(`   stderr: ${firstErrorLine(run.stderr)}`);
});
