// Headless launcher for the integration suite: VS Code's server build in Chromium.
//   node scripts/test-integration.mjs [--grep <pattern>] [--timeout <seconds>] [--no-ui] [--keep-logs] [--packaged-only]
// Runs test/integration (built to out/test/integration by esbuild.mjs) inside the real
// extension host, then a UI smoke test that uses the workbench as a person would. Exits
// with the suite's result. The server and the browser are ended on every path; when
// anything fails, the logs are kept in .artifacts/integration/.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureVSCodeServer, ROOT } from './lib/provision.mjs';
import { launchBrowser, startServer, TEST_SETTINGS, workbenchUrl } from './lib/vscode-host.mjs';
import { runNoFolderStart, runUiSmoke } from './lib/ui-smoke.mjs';

const { values: args } = parseArgs({
  options: {
    grep: { type: 'string' },
    timeout: { type: 'string', default: process.env.BACKEND_STUDY_TEST_TIMEOUT ?? '600' },
    'no-ui': { type: 'boolean', default: false },
    measurements: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    // Only the installed-.vsix phase (it packages the release build first).
    'packaged-only': { type: 'boolean', default: false },
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
const servers = [];
let browser;
let result;
const timeoutMs = Number(args.timeout) * 1000;
const started = Date.now();

const timeout = new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ ok: false, reason: `timed out after ${args.timeout} s (set --timeout or BACKEND_STUDY_TEST_TIMEOUT)` }), timeoutMs);
  timer.unref();
});

/** One server, one workbench page, one run of the suite; the server is left for the caller to stop. */
async function runPhase({ name, env = {}, settings, workspaceTrust = false, folder, home, developmentPath = ROOT }) {
  server = await startServer({
    home,
    logFile: join(logs, `server-${name}.log`),
    env: {
      BACKEND_STUDY_TEST_REPORT: report,
      ...(args.grep ? { BACKEND_STUDY_TEST_GREP: args.grep } : {}),
      ...(args.measurements ? { BACKEND_STUDY_MEASUREMENTS: args.measurements } : {}),
      ...env,
    },
    ...(settings ? { settings } : {}),
    workspaceTrust,
  });
  servers.push(server);
  browser ??= await launchBrowser();
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
    await page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath: developmentPath, extensionTestsPath: entry }));
    const code = await exitCode;
    tail.flush();
    console.log(`[integration] ${name} suite ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s (page load to result)`);
    return code === 0;
  } finally {
    tail.stop();
    writeFileSync(join(logs, `workbench-console-${name}.log`), consoleLog.join('\n'));
    await page.close().catch(() => {});
  }
}

async function runSuite() {
  if (args['packaged-only']) return (await runPackagedPhase()) ? { ok: true, reason: 'passed' } : { ok: false, reason: 'the packaged-extension suite failed' };
  if (!(await runPhase({ name: 'trusted', folder: workspace }))) return { ok: false, reason: 'the integration suite failed' };
  if (!args['no-ui'] && !args.grep) {
    const shots = join(ROOT, '.artifacts', 'screenshots');
    mkdirSync(shots, { recursive: true });
    const ui = await runUiSmoke({ browser, server, workspace, screenshots: shots });
    console.log(`[integration] UI smoke ${ui.ok ? 'passed' : 'FAILED'}: ${ui.detail}`);
    if (!ui.ok) return { ok: false, reason: 'the UI smoke test failed' };
    const target = join(work, 'chosen-folder');
    mkdirSync(target);
    const start = await runNoFolderStart({ browser, server, target, screenshots: shots });
    console.log(`[integration] UI start without a folder ${start.ok ? 'passed' : 'FAILED'}: ${start.detail}`);
    if (!start.ok || !existsSync(join(target, 'challenges', 'rate-limiter', 'src', 'rate-limiter.ts'))) return { ok: false, reason: 'starting a challenge without a folder failed' };
  }
  if (!args.grep && process.env.BACKEND_STUDY_BENCH !== '1') {
    // A second server with workspace trust on: a new folder is untrusted (restricted mode).
    const untrusted = join(work, 'untrusted-workspace');
    cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), untrusted, { recursive: true });
    const ok = await runPhase({
      name: 'untrusted',
      folder: untrusted,
      env: { BACKEND_STUDY_UNTRUSTED: '1' },
      settings: { ...TEST_SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
      workspaceTrust: true,
    });
    if (!ok) return { ok: false, reason: 'the untrusted-workspace suite failed' };
    if (!(await runPackagedPhase())) return { ok: false, reason: 'the packaged-extension suite failed' };
  }
  return { ok: true, reason: 'passed' };
}

/**
 * The .vsix as a learner installs it: packaged (vsce, with the release build), installed into
 * a fresh server's extensions folder, and run with no development copy of the extension (the
 * workbench's development path is an empty extension that only carries the test runner), with
 * npm's registry and any proxy pointed at a closed port.
 */
async function runPackagedPhase() {
  const vsix = join(work, 'backend-interview-prep.vsix');
  const packaged = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
  if (packaged.status !== 0) {
    console.error(`[integration] vsce package failed:\n${packaged.stdout}${packaged.stderr}`);
    return false;
  }
  console.log(`[integration] packaged ${(statSync(vsix).size / 1024).toFixed(0)} KB`);
  const home = join(work, 'packaged-home');
  const { serverMain, node } = ensureVSCodeServer();
  const installed = spawnSync(
    node,
    [serverMain, '--install-extension', vsix, '--extensions-dir', join(home, 'extensions'), '--server-data-dir', join(home, 'server'), '--user-data-dir', join(home, 'user'), '--accept-server-license-terms'],
    { encoding: 'utf8' },
  );
  if (installed.status !== 0 || !/successfully installed/.test(installed.stdout)) {
    console.error(`[integration] installing the .vsix failed:\n${installed.stdout}${installed.stderr}`);
    return false;
  }
  const runnerOnly = join(work, 'test-runner-extension');
  mkdirSync(runnerOnly);
  writeFileSync(join(runnerOnly, 'package.json'), JSON.stringify({ name: 'packaged-check', publisher: 'backend-study-tests', version: '0.0.0', engines: { vscode: '*' } }));
  // Proxies lead nowhere, as on a machine with no network; loopback is exempt, as any proxied
  // machine's no_proxy has it (grpc-js sends even 127.0.0.1 calls through http_proxy otherwise).
  const offline = 'http://127.0.0.1:9/';
  return runPhase({
    name: 'packaged',
    folder: workspace,
    home,
    developmentPath: runnerOnly,
    env: { BACKEND_STUDY_PACKAGED: '1', npm_config_registry: offline, npm_config_offline: 'true', HTTP_PROXY: offline, HTTPS_PROXY: offline, http_proxy: offline, https_proxy: offline, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
  });
}

try {
  result = await Promise.race([runSuite().catch((error) => ({ ok: false, reason: error.stack ?? String(error) })), timeout]);
} finally {
  await browser?.close().catch(() => {});
  for (const each of servers) each.stop();
  await Promise.race([Promise.all(servers.map((each) => each.exited)), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

const wall = ((Date.now() - started) / 1000).toFixed(1);
// Each phase reports its own count; the last line sums them.
const phases = [...readFileSync(report, 'utf8').matchAll(/^integration: (\d+) passed, (\d+) failed$/gm)];
const counts = phases.length === 0 ? undefined : `integration: ${phases.reduce((sum, match) => sum + Number(match[1]), 0)} passed, ${phases.reduce((sum, match) => sum + Number(match[2]), 0)} failed`;
if (result.ok && !args['keep-logs']) {
  rmSync(work, { recursive: true, force: true });
  for (const each of servers) each.cleanup();
  console.log(`[integration] passed; wall time ${wall} s`);
  if (counts) console.log(counts);
  process.exit(0);
} else {
  const kept = join(ROOT, '.artifacts', 'integration', stamp);
  mkdirSync(kept, { recursive: true });
  cpSync(logs, kept, { recursive: true });
  servers.forEach((each, index) => {
    const hostLogs = [join(each.home, 'server', 'data', 'logs'), join(each.home, 'user', 'logs')];
    for (const dir of hostLogs) if (existsSync(dir)) cpSync(dir, join(kept, `${dir.includes('server') ? 'server-logs' : 'user-logs'}-${index + 1}`), { recursive: true });
  });
  rmSync(work, { recursive: true, force: true });
  for (const each of servers) each.cleanup();
  console.error(`[integration] ${result.ok ? 'passed' : `FAILED: ${result.reason}`}\n[integration] logs kept in ${kept}; wall time ${wall} s`);
  if (counts) console.log(counts);
  process.exit(result.ok ? 0 : 1);
}

/** Streams what is appended to a file, polling (fs.watch misses appends on some file systems). */
function tailFile(path, onText) {
  let offset = statSync(path).size;
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
