// `npm run setup`: the whole set-up of a fresh clone. The Debian packages (when missing),
// the npm packages, then the Node runtimes and the VS Code server build (scripts/lib/provision.mjs).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib/provision.mjs';
import { planSystemPackages, systemFacts } from './lib/system-packages.mjs';

const log = (message) => process.stderr.write(`[setup] ${message}\n`);

function run(command, args, env = process.env) {
  log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.status !== 0) {
    log(`${command} failed (exit ${result.status ?? result.signal ?? result.error?.message})`);
    process.exit(1);
  }
}

const facts = systemFacts();
const plan = planSystemPackages(facts);
if (plan.action === 'none') log('system packages: all there');
else if (plan.action === 'install') {
  log(`system packages missing: ${facts.missing.join(' ')}`);
  for (const [command, ...args] of plan.commands) run(command, args, { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
} else {
  log(`system packages missing: ${facts.missing.join(' ')}. This user cannot install them; run this, then \`npm run setup\` again:`);
  process.stdout.write(`\n  ${plan.command}\n\n`);
  process.exit(1);
}

run('npm', ['ci']);
// The libraries the lesson snippets use (graphql, ws, gRPC, ...) have their own lock file in content/,
// because the .vsix ships them and the extension's own dependencies are bundled instead.
run('npm', ['ci', '--prefix', 'content', '--no-audit', '--no-fund']);
run(process.execPath, [join(ROOT, 'scripts', 'lib', 'provision.mjs')]);
log('done: `npm start` opens the extension, `npm test` runs every check');
