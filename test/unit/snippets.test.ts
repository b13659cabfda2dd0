import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareOutput } from '../../src/core/snippets/expectedOutput.ts';
import { runProcess } from '../../src/core/process/runProcess.ts';
import { runSnippet } from '../../src/core/snippets/runSnippet.ts';
import { DEFAULT_SNIPPET_SETTINGS, parseSnippetSettings } from '../../src/core/snippets/settings.ts';

/** Whether a process runs; a killed one that nobody reaped yet (a zombie) does not. */
function isRunning(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('compareOutput', () => {
  it('accepts identical output, ignoring a trailing newline and CRLF', () => {
    assert.deepEqual(compareOutput('a\nb\n', 'a\r\nb'), { ok: true });
  });

  it('reports the first differing line with both sides', () => {
    assert.deepEqual(compareOutput('a\nb\nc\n', 'a\nB\nc\n'), { ok: false, line: 2, expected: 'b', actual: 'B' });
  });

  it('lets [...] stand for any text within a line', () => {
    assert.deepEqual(compareOutput('took [...] ms (rss [...] MB)', 'took 12.5 ms (rss 48 MB)'), { ok: true });
    assert.deepEqual(compareOutput('[...]', 'anything at all'), { ok: true });
    assert.equal(compareOutput('took [...] ms', 'took 12 s').ok, false);
  });

  it('treats every other character literally', () => {
    assert.equal(compareOutput('a.b (1+1)', 'axb (1+1)').ok, false);
    assert.equal(compareOutput('a.b (1+1)', 'a.b (1+1)').ok, true);
  });

  it('requires the same number of lines, so a wildcard never swallows a missing line', () => {
    assert.deepEqual(compareOutput('a\n[...]\n', 'a\n'), { ok: false, line: 2, expected: '[...]', actual: undefined });
    assert.deepEqual(compareOutput('a\n', 'a\nextra\n'), { ok: false, line: 2, expected: undefined, actual: 'extra' });
  });
});

describe('parseSnippetSettings', () => {
  it('reads flags, environment, timeout and benchmark size', () => {
    const { settings, problems } = parseSnippetSettings('x/snippets.json', JSON.stringify({ 'gc.ts': { nodeOptions: ['--expose-gc'], env: { UV_THREADPOOL_SIZE: '8' }, timeoutMs: 2000, benchmark: true, benchIterations: 50 } }));
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.get('gc.ts'), { nodeOptions: ['--expose-gc'], env: { UV_THREADPOOL_SIZE: '8' }, timeoutMs: 2000, benchmark: true, benchIterations: 50, services: [] });
  });

  it('reads the servers a snippet needs, and refuses unknown or repeated ones', () => {
    const text = JSON.stringify({ 'locks.ts': { services: ['postgres', 'redis'] }, 'a.ts': { services: ['mysql'] }, 'b.ts': { services: ['redis', 'redis'] }, 'c.ts': { services: 'redis' } }, null, 2);
    const { settings, problems } = parseSnippetSettings('x/snippets.json', text);
    assert.deepEqual(settings.get('locks.ts')?.services, ['postgres', 'redis']);
    assert.deepEqual([...settings.keys()], ['locks.ts']);
    assert.deepEqual(problems.map((problem) => problem.message), [
      'a.ts: `services` must list each of "postgres", "redis" at most once',
      'b.ts: `services` must list each of "postgres", "redis" at most once',
      'c.ts: `services` must list each of "postgres", "redis" at most once',
    ]);
  });

  it('refuses flags that are not single Node flags, and a benchmark without a test size', () => {
    const text = JSON.stringify({ 'a.ts': { nodeOptions: ['--expose-gc; rm -rf /'] }, 'b.ts': { benchmark: true } }, null, 2);
    const { settings, problems } = parseSnippetSettings('x/snippets.json', text);
    assert.equal(settings.size, 0);
    assert.deepEqual(problems.map((problem) => problem.line), [2, 7]);
    assert.match(problems[0]!.message, /^a.ts: `nodeOptions` must be a list of single Node flags/);
    assert.match(problems[1]!.message, /^b.ts: a benchmark needs `benchIterations`/);
  });

  it('names unknown settings, bad environment names and entries that are not objects, keeping the valid entries', () => {
    const text = JSON.stringify({ 'a.ts': { timeout: 5 }, 'b.ts': { env: { lower: 'x' } }, 'c.ts': [], 'd.ts': { timeoutMs: 50 }, 'ok.ts': { env: { A_B: '1' } }, 'e.js': {} }, null, 2);
    const { settings, problems } = parseSnippetSettings('x/snippets.json', text);
    assert.deepEqual([...settings.keys()], ['ok.ts']);
    assert.deepEqual(
      problems.map((problem) => problem.message),
      [
        'a.ts: unknown setting `timeout` (known: nodeOptions, env, timeoutMs, benchmark, benchIterations, services)',
        'b.ts: `env` must map upper-case variable names to strings',
        'c.ts: settings must be an object',
        'd.ts: `timeoutMs` must be a whole number from 100 to 120000',
        'e.js: keys must be snippet file names ending in .ts',
      ],
    );
    assert.deepEqual(parseSnippetSettings('x/snippets.json', '[]').problems.map((problem) => problem.message), ['must be an object keyed by snippet file name']);
  });

  it('reports malformed JSON instead of throwing', () => {
    const { problems } = parseSnippetSettings('x/snippets.json', '{ nope');
    assert.match(problems[0]!.message, /^not valid JSON/);
  });
});

describe('runProcess', () => {
  it('streams output to listeners and kills the process tree when its signal aborts', async () => {
    const chunks: string[] = [];
    const controller = new AbortController();
    const running = runProcess({
      command: process.execPath,
      args: ['-e', "console.log('ready'); setInterval(() => {}, 1000)"],
      cwd: process.cwd(),
      timeoutMs: 20_000,
      signal: controller.signal,
      onStdout: (chunk) => {
        chunks.push(chunk);
        controller.abort();
      },
    });
    const result = await running;
    assert.deepEqual({ cancelled: result.cancelled, timedOut: result.timedOut, signal: result.signal, stdout: result.stdout }, { cancelled: true, timedOut: false, signal: 'SIGKILL', stdout: '' });
    assert.equal(chunks.join(''), 'ready\n');
  });

  it('reports a command that cannot start instead of rejecting', async () => {
    const result = await runProcess({ command: '/no/such/program', args: [], cwd: process.cwd(), timeoutMs: 5_000 });
    assert.deepEqual(result.startError, { code: 'ENOENT', message: '/no/such/program was not found' });
  });
});

describe('runSnippet', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'snippet-test-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, code: string): string => {
    const file = join(dir, name);
    writeFileSync(file, code);
    return file;
  };
  const node = process.execPath;

  it('runs TypeScript with the snippet\'s Node flags and environment', async () => {
    const file = write('flags.ts', 'const size: string = process.env.UV_THREADPOOL_SIZE ?? "unset";\nconsole.log(typeof (globalThis as { gc?: unknown }).gc, size);\n');
    const run = await runSnippet({ node, file, mode: 'test', settings: { ...DEFAULT_SNIPPET_SETTINGS, nodeOptions: ['--expose-gc'], env: { UV_THREADPOOL_SIZE: '8' } } });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, 'function 8\n');
  });

  it('runs benchmarks small in test mode and at their own size in full mode', async () => {
    const file = write('bench.ts', 'console.log(Number(process.env.BENCH_ITERATIONS ?? 1000000));\n');
    const settings = { ...DEFAULT_SNIPPET_SETTINGS, benchmark: true, benchIterations: 10 };
    assert.equal((await runSnippet({ node, file, settings, mode: 'test' })).stdout, '10\n');
    assert.equal((await runSnippet({ node, file, settings, mode: 'full' })).stdout, '1000000\n');
  });

  it('runs in a temporary working folder that is removed afterwards', async () => {
    const file = write('cwd.ts', "import { writeFileSync } from 'node:fs';\nwriteFileSync('left-behind.txt', 'x');\nconsole.log(process.cwd());\n");
    const run = await runSnippet({ node, file, mode: 'test', settings: DEFAULT_SNIPPET_SETTINGS });
    const cwd = run.stdout.trim();
    assert.notEqual(cwd, process.cwd());
    assert.equal(existsSync(cwd), false);
  });

  it('kills a snippet that hangs, with the children it started, at its timeout', async () => {
    const file = write(
      'hang.ts',
      "import { spawn } from 'node:child_process';\nconst child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });\nconsole.log(child.pid);\nsetInterval(() => {}, 1000);\n",
    );
    const run = await runSnippet({ node, file, mode: 'test', settings: { ...DEFAULT_SNIPPET_SETTINGS, timeoutMs: 1000 } });
    assert.equal(run.timedOut, true);
    assert.equal(run.signal, 'SIGKILL');
    const grandchild = Number(run.stdout.trim());
    assert.ok(grandchild > 0, run.stdout);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(isRunning(grandchild), false, 'the snippet\'s child outlived it');
  });

  it('reports a failing snippet\'s exit code and error output', async () => {
    const file = write('throws.ts', "throw new Error('boom');\n");
    const run = await runSnippet({ node, file, mode: 'test', settings: DEFAULT_SNIPPET_SETTINGS });
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /Error: boom/);
  });
});
