// The Debian packages the set-up needs, and how `npm run setup` gets them: installed when it
// can (as root, or through sudo), otherwise the one command to run is printed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * chromium: the headless workbench the integration tests drive. libkrb5-dev: a native module
 * of VS Code's server compiles against its headers. python3, make, g++: node-gyp builds those
 * native modules; a fresh Debian image has none of them. postgresql, redis-server: the real
 * servers that database lessons' snippets need where one embedded session cannot show it (two
 * concurrent transactions, locks, Redis semantics); the snippet runner starts throwaway
 * instances of its own from their binaries, never the system's services.
 */
export const SYSTEM_PACKAGES = ['chromium', 'libkrb5-dev', 'python3', 'make', 'g++', 'postgresql', 'redis-server'];

/**
 * What to do about the missing packages; decided from facts only, so it is unit-tested.
 * @param {{ missing: readonly string[], hasApt: boolean, isRoot: boolean, hasSudo: boolean }} facts
 * @returns {{ action: 'none' } | { action: 'install', commands: string[][] } | { action: 'print', command: string }}
 */
export function planSystemPackages({ missing, hasApt, isRoot, hasSudo }) {
  if (missing.length === 0) return { action: 'none' };
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
  // Without the update a fresh machine's empty or stale package lists make the install fail.
  const update = ['apt-get', 'update'];
  if (!hasApt) return { action: 'print', command: `install these packages with your system's package manager: ${missing.join(' ')}` };
  if (isRoot) return { action: 'install', commands: [update, install] };
  if (hasSudo) return { action: 'install', commands: [['sudo', ...update], ['sudo', ...install]] };
  return { action: 'print', command: `su -c '${update.join(' ')} && ${install.join(' ')}'` };
}

/** The packages of SYSTEM_PACKAGES that dpkg does not list as installed (chromium counts as there when a Chromium is). */
export function missingPackages() {
  const chromiumThere = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].some((path) => path && existsSync(path));
  return SYSTEM_PACKAGES.filter((name) => {
    if (name === 'chromium' && chromiumThere) return false;
    const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !(query.status === 0 && query.stdout.includes('install ok installed'));
  });
}

export function systemFacts() {
  const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  return {
    missing: missingPackages(),
    hasApt: has('apt-get') && has('dpkg-query'),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasSudo: has('sudo'),
  };
}
