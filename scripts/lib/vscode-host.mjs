// A real VS Code, headless: VS Code's server build (from the npm package code-server) with its
// workbench opened in Debian's Chromium, driven by playwright-core. Used by the integration
// launcher, the benchmark and `npm start` on machines without a desktop VS Code.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.mjs';
import { ensureVSCodeServer, findChromium } from './provision.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Settings that keep the workbench quiet and deterministic in tests. */
export const TEST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};


/**
 * Starts VS Code's server on a free loopback port, as the leader of its own process group so
 * that `stop()` ends it together with the extension hosts and watchers it starts.
 * @param {{ env?: Record<string, string>, settings?: Record<string, unknown>, logFile: string,
 *           home?: string, port?: number, workspaceTrust?: boolean }} options
 *   `home` keeps the server's state (defaults to a new temporary folder); `settings` are
 *   written as user settings unless the home already has some.
 */
export async function startServer({ env = {}, settings = TEST_SETTINGS, logFile, home, port, workspaceTrust = false }) {
  const { serverMain, node } = ensureVSCodeServer();
  const temporary = home === undefined;
  home ??= mkdtempSync(join(tmpdir(), 'backend-study-vscode-'));
  const userData = join(home, 'user');
  // The server keeps the remote's user settings under its server data folder.
  for (const dir of [join(userData, 'User'), join(home, 'server', 'data', 'User')]) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'settings.json'))) writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  }

  port ??= await freePort();
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    node,
    [
      serverMain,
      '--host', '127.0.0.1',
      '--port', String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--enable-smoke-test-driver',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-telemetry',
      '--user-data-dir', userData,
      '--server-data-dir', join(home, 'server'),
      '--extensions-dir', join(home, 'extensions'),
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );

  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return; // the group is gone already
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already ended
      }
    }, 3000);
    killer.unref();
  };

  const ready = new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      log.write(chunk);
      if (seen !== null) {
        seen += chunk.toString();
        if (/Web UI available at|Extension host agent listening/.test(seen)) {
          seen = null;
          resolve();
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`the VS Code server exited before it was ready (${code ?? signal}); see ${logFile}`)));
    child.once('error', reject);
  });
  const startupLimit = setTimeout(() => child.emit('error', new Error(`the VS Code server was not ready within 60 s; see ${logFile}`)), 60_000);
  try {
    await ready;
  } catch (error) {
    stop();
    throw error;
  } finally {
    clearTimeout(startupLimit);
  }

  return {
    port,
    home,
    userData,
    url: `http://127.0.0.1:${port}`,
    /** `vscode-remote://` address of a server-side path, as the workbench's payload expects. */
    remote: (path) => `vscode-remote://127.0.0.1:${port}${path}`,
    /** Resolves when the whole process group has ended. */
    exited: new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve))),
    stop,
    /** Removes the server's state folder when it was a temporary one (after its logs were copied). */
    cleanup: () => {
      if (temporary) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The workbench's address for a folder, with a development-extension payload. */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [['extensionDevelopmentPath', server.remote(extensionDevelopmentPath)], ['skipWelcome', 'true']];
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remote(extensionTestsPath)]);
  return `${server.url}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
}
