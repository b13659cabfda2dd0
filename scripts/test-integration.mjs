// Headless launcher for the integration suite: VS Code's server build in Chromium.
//   node scripts/test-integration.mjs [--grep <pattern>] [--timeout <seconds>] [--no-ui] [--keep-logs]
// Runs test/integration (built to out/test/integration by esbuild.mjs) inside the real
// extension host, then a UI smoke test that uses the workbench as a person would. Exits
// with the suite's result. The server and the browser are ended on every path; when
// anything fails, the logs are kept in .artifacts/integration/.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/provision.mjs';
import { launchBrowser, startServer, workbenchUrl } from './lib/vscode-host.mjs';
import { runUiSmoke } from './lib/ui-smoke.mjs';

const { values: args } = parseArgs({
  options: {
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.BACKEND_STUDY_TEST_TIMEOUT ?? '600' },
    'no-ui': { type: 'boolean', default: false },
    measurements: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});

const entry = join(ROOT, 'out', 'test', 'integration', 'index.js');
if (!existsSync(entry) || !existsSync(join(ROOT, 'dist', 'extension.js'))) {
  console.error('The extension or its integration suite is not built: run `npm run build` first.');
  process.exit(2);
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const work = mkdtempSync(join(tmpdir(), 'backend-study-it-'));
const logs = join(work, 'logs');
mkdirSync(logs);
const report = join(logs, 'suite.log');
writeFileSync(report, '');
const workspace = join(work, 'workspace');
cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

let server;
let browser;
let result;
const timeoutMs = Number(args.timeout) * 1000;
const started = Date.now();

const timeout = new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ ok: false, reason: `timed out after ${args.timeout} s (set --timeout or BACKEND_STUDY_TEST_TIMEOUT)` }), timeoutMs);
  timer.unref();
});

async function runSuite() {
  server = await startServer({
    logFile: join(logs, 'server.log'),
    env: {
      BACKEND_STUDY_TEST_REPORT: report,
      ...(args.grep ? { BACKEND_STUDY_TEST_GREP: args.grep } : {}),
      ...(args.measurements ? { BACKEND_STUDY_MEASUREMENTS: args.measurements } : {}),
    },
  });
  browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

  const consoleLog = [];
  page.on('console', (message) => consoleLog.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => consoleLog.push(`[pageerror] ${error.stack ?? error.message}`));
  const exitCode = new Promise((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
  });
  await page.exposeFunction('codeAutomationLog', (type, logArgs) => consoleLog.push(`[${type}] ${JSON.stringify(logArgs)}`));

  const tail = tailFile(report, (text) => process.stdout.write(text));
  try {
    const suiteStarted = Date.now();
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: ROOT, extensionTestsPath: entry }));
    const code = await exitCode;
    tail.flush();
    console.log(`[integration] suite ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s (page load to result)`);
    if (code !== 0) return { ok: false, reason: 'the integration suite failed' };
  } finally {
    tail.stop();
    writeFileSync(join(logs, 'workbench-console.log'), consoleLog.join('\n'));
    await page.close().catch(() => {});
  }

  if (!args['no-ui'] && !args.grep) {
    const shots = join(ROOT, '.artifacts', 'screenshots');
    mkdirSync(shots, { recursive: true });
    const ui = await runUiSmoke({ browser, server, workspace, screenshots: shots });
    console.log(`[integration] UI smoke ${ui.ok ? 'passed' : 'FAILED'}: ${ui.detail}`);
    if (!ui.ok) return { ok: false, reason: 'the UI smoke test failed' };
  }
  return { ok: true, reason: 'passed' };
}

try {
  result = await Promise.race([runSuite().catch((error) => ({ ok: false, reason: error.stack ?? String(error) })), timeout]);
} finally {
  await browser?.close().catch(() => {});
  server?.stop();
  await Promise.race([server?.exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

const wall = ((Date.now() - started) / 1000).toFixed(1);
const counts = /^integration: \d+ passed, \d+ failed$/m.exec(readFileSync(report, 'utf8'))?.[0];
if (result.ok && !args['keep-logs']) {
  rmSync(work, { recursive: true, force: true });
  console.log(`[integration] passed; wall time ${wall} s`);
  if (counts) console.log(counts);
  process.exit(0);
} else {
  const kept = join(ROOT, '.artifacts', 'integration', stamp);
  mkdirSync(kept, { recursive: true });
  cpSync(logs, kept, { recursive: true });
  if (server) {
    const hostLogs = [join(server.home, 'server', 'data', 'logs'), join(server.home, 'user', 'logs')];
    for (const dir of hostLogs) if (existsSync(dir)) cpSync(dir, join(kept, dir.includes('server') ? 'server-logs' : 'user-logs'), { recursive: true });
  }
  rmSync(work, { recursive: true, force: true });
  console.error(`[integration] ${result.ok ? 'passed' : `FAILED: ${result.reason}`}\n[integration] logs kept in ${kept}; wall time ${wall} s`);
  if (counts) console.log(counts);
  process.exit(result.ok ? 0 : 1);
}

/** Streams what is appended to a file, polling (fs.watch misses appends on some file systems). */
function tailFile(path, onText) {
  let offset = 0;
  const read = () => {
    const size = statSync(path).size;
    if (size > offset) {
      const text = readFileSync(path).subarray(offset, size).toString();
      offset = size;
      onText(text);
    }
  };
  const timer = setInterval(read, 100);
  return { flush: read, stop: () => { clearInterval(timer); read(); } };
}
