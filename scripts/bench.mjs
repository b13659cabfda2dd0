// `npm run bench`: prints the figures we hold the extension to. Measures, never asserts:
// a benchmark that fails on a slow machine would be a flaky test.
//   node scripts/bench.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/provision.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(args.runs));

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = [];
const row = (figure, value, aim = '') => rows.push([figure, value, aim]);

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    throw new Error(`${command} ${commandArgs.join(' ')} failed (exit ${result.status})`);
  }
  return result;
}

// Size: the release bundle and the .vsix, built exactly as `npm run package` builds them.
run('npm', ['run', '--silent', 'package']);
const bundle = statSync(join(ROOT, 'dist', 'extension.js')).size;
const vsix = statSync(join(ROOT, 'backend-interview-prep.vsix')).size;
row('bundle dist/extension.js (minified)', kb(bundle), 'under 300 KB');
row('package backend-interview-prep.vsix', kb(vsix), 'under 1.5 MB');

// Activation, measured inside a real extension host (the headless VS Code server build):
// the time activate() takes, and the time from focusing the study view to the extension
// being active (loading the bundle included).
const activation = [];
const viewToActive = [];
for (let index = 0; index < runs; index += 1) {
  const dir = mkdtempSync(join(tmpdir(), 'backend-study-bench-'));
  const file = join(dir, 'measurements.json');
  run(process.execPath, [join(ROOT, 'scripts', 'test-integration.mjs'), '--grep', '^activation ', '--measurements', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(file)) throw new Error('the activation test wrote no measurements');
  const measured = JSON.parse(readFileSync(file, 'utf8'));
  activation.push(measured.activationMs);
  viewToActive.push(measured.viewToActiveMs);
  rmSync(dir, { recursive: true, force: true });
}
const list = (values) => values.map((value) => value.toFixed(1)).join(', ');
row(`activate() in the extension host (median of ${runs})`, `${median(activation).toFixed(1)} ms`, `runs: ${list(activation)}`);
row(`focus study view -> active (median of ${runs})`, `${median(viewToActive).toFixed(1)} ms`, `runs: ${list(viewToActive)}`);

const width = Math.max(...rows.map(([figure]) => figure.length));
console.log(`\nBackend Interview Prep benchmarks (${new Date().toISOString()}, Node ${process.version} for the scripts, VS Code 1.139.1 server build for the host)\n`);
for (const [figure, value, aim] of rows) console.log(`  ${figure.padEnd(width)}  ${value.padStart(10)}  ${aim}`);
console.log('');
