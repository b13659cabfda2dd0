// `npm run bench`: prints the figures we hold the extension to. Measures, never asserts:
// a benchmark that fails on a slow machine would be a flaky test.
//   node scripts/bench.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNode, ROOT } from './lib/provision.mjs';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(args.runs));

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value) => (value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(1)} ms`);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const list = (values) => values.map((value) => value.toFixed(1)).join(', ');
const rows = [];
const row = (figure, value, note = '') => rows.push([figure, value, note]);

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
const reporter = statSync(join(ROOT, 'dist', 'reporter.mjs')).size;
const vsix = statSync(join(ROOT, 'backend-interview-prep.vsix')).size;
row('bundle dist/extension.js (minified), read at activation', kb(bundle), 'aim: under 300 KB');
row('  dist/render.js, read when the first page opens', kb(statSync(join(ROOT, 'dist', 'render.js')).size), 'markdown-it and highlight.js');
row('  dist/discovery.js, read when the first challenge is discovered', kb(statSync(join(ROOT, 'dist', 'discovery.js')).size), 'acorn and acorn-loose');
row('  dist/review.js, read when the first review sitting starts', kb(statSync(join(ROOT, 'dist', 'review.js')).size), 'ts-fsrs');
row('reporter dist/reporter.mjs (minified)', kb(reporter));
row('package backend-interview-prep.vsix', kb(vsix), 'aim: under 10 MB with the content libraries: PGlite alone is 7.0 MB of it compressed (its 9.1 MB wasm and 6.2 MB data), all content libraries 8.1 MB; 1.5 MB with the API-design libraries only, 0.59 MB with none');

// The core on plain Node 24: catalog load, render of the largest lesson, tree build.
const core = JSON.parse(run(process.execPath, [join(ROOT, 'scripts', 'with-node.mjs'), '24', join(ROOT, 'scripts', 'bench-core.ts')]).stdout);
row('load and validate the catalog in full (median of 5)', ms(core.loadMs), `CPU ${ms(core.cpu.load)}; what development and the validator do`);
row('  load it from the build\'s content index (median of 5)', ms(core.indexedLoadMs), `CPU ${ms(core.cpu.indexedLoad)}; ${core.indexedFrom === 'index' ? 'fingerprint matched' : 'NOT USED: the fingerprint did not match'}; ${core.indexKB.toFixed(0)} KB; what the installed extension does; aim: under 100 ms`);
row(`render the largest lesson's page (median of 20)`, ms(core.renderMs), `CPU ${ms(core.cpu.render)}; ${core.largestLesson}: ${core.largestLessonKB.toFixed(0)} KB of markdown -> ${core.htmlKB.toFixed(0)} KB of HTML; aim: under 20 ms`);
row('  its first render in a fresh process', ms(core.firstRenderMs), 'cold code');
row(`  colour its ${core.codeBlocks} code blocks (median of 20), while the webview loads`, ms(core.highlightMs), `first: ${ms(core.firstHighlightMs)}; posted when the page is ready`);
row('build the study tree (median of 200)', ms(core.treeMs));

// Inside a real extension host (the headless VS Code server build): activation, scaffolding,
// and a full run of a challenge's suite through the Testing API.
const activation = [];
const viewToActive = [];
const scaffold = [];
const scaffoldWrite = [];
const challengeRun = [];
const challengeRecorded = [];
const bareRun = [];
const oursRun = [];
const pairedRatio = [];
const phase = { prepareMs: [], processMs: [], settleMs: [], handleMs: [], stdoutBytes: [] };
for (let index = 0; index < runs; index += 1) {
  const dir = mkdtempSync(join(tmpdir(), 'backend-study-bench-'));
  const file = join(dir, 'measurements.json');
  run(process.execPath, [join(ROOT, 'scripts', 'test-integration.mjs'), '--grep', '^(activation|benchmarks) ', '--measurements', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BACKEND_STUDY_BENCH: '1' },
  });
  if (!existsSync(file)) throw new Error('the integration run wrote no measurements');
  const measured = JSON.parse(readFileSync(file, 'utf8'));
  activation.push(measured.activationMs);
  viewToActive.push(measured.viewToActiveMs);
  scaffold.push(measured.scaffoldMs);
  scaffoldWrite.push(measured.scaffoldWriteMs);
  challengeRun.push(measured.challengeRunMs);
  challengeRecorded.push(measured.challengeRecordedMs);
  bareRun.push(measured.bareRunInHostMs);
  oursRun.push(measured.oursRunInHostMs);
  pairedRatio.push(measured.pairedRatio);
  for (const key of Object.keys(phase)) phase[key].push(measured[key]);
  rmSync(dir, { recursive: true, force: true });
}
row(`activate() in the extension host (median of ${runs})`, ms(median(activation)), `runs: ${list(activation)}`);
row(`focus study view -> active (median of ${runs})`, ms(median(viewToActive)), `runs: ${list(viewToActive)}`);
row(`scaffold rate-limiter: files written (median of ${runs})`, ms(median(scaffoldWrite)), `runs: ${list(scaffoldWrite)}`);
row(`scaffold rate-limiter: command to editors open (median of ${runs})`, ms(median(scaffold)), `runs: ${list(scaffold)} (includes the statement page)`);

// The same suite with `node --test` from a shell: the baseline the extension's run is held to.
const folder = mkdtempSync(join(tmpdir(), 'backend-study-bench-shell-'));
const challenge = join(ROOT, 'content', 'challenges', 'rate-limiter');
cpSync(join(challenge, 'starter'), folder, { recursive: true });
cpSync(join(challenge, 'tests'), join(folder, 'test'), { recursive: true });
cpSync(join(challenge, 'solution', 'src'), join(folder, 'src'), { recursive: true });
const node = ensureNode('24').bin;
const shell = [];
for (let index = 0; index < 6; index += 1) {
  const started = performance.now();
  run(node, ['--test'], { cwd: folder });
  if (index > 0) shell.push(performance.now() - started);
}
rmSync(folder, { recursive: true, force: true });
const perLaunch = `medians of ${process.env.BACKEND_STUDY_BENCH_RUNS ?? 5} interleaved pairs per launch, ${runs} launch(es)`;
row('rate-limiter suite through the extension: to every result shown', ms(median(challengeRun)), `${perLaunch}: ${list(challengeRun)}`);
row('  of which: before the test process', ms(median(phase.prepareMs)), `runs: ${list(phase.prepareMs)} (trust, runtime, plan, files, enqueue)`);
row('  of which: the test process (probe, reporter, results applied)', ms(median(phase.processMs)), `runs: ${list(phase.processMs)}`);
row('    of it, the host handling the output', ms(median(phase.handleMs)), `runs: ${list(phase.handleMs)} (${(median(phase.stdoutBytes) / 1024).toFixed(0)} K characters: parse, Testing API calls)`);
row('  of which: after the process exits', ms(median(phase.settleMs)), `runs: ${list(phase.settleMs)} (unreported tests settled, summary)`);
row('  then: progress recorded (the learner does not wait)', ms(median(challengeRecorded)), `runs: ${list(challengeRecorded)}`);
row("the extension's command (probe, reporter) spawned from the host, unread", ms(median(oursRun)), `runs: ${list(oursRun)} (same pairs)`);
row('plain node --test spawned from the host, paired', ms(median(bareRun)), `runs: ${list(bareRun)} (no reporter, no probe, no Testing API)`);
row('rate-limiter suite with node --test in a shell (median of 5)', ms(median(shell)), `runs: ${list(shell)} (after the host runs, not paired)`);
row('test-run overhead: extension / plain node --test, paired', median(pairedRatio).toFixed(2), `aim: at most 1.15 (issue 12); per launch: ${pairedRatio.map((value) => value.toFixed(2)).join(', ')}`);
row('  of it: our probe and reporter (their command / plain)', (median(oursRun) / median(bareRun)).toFixed(2), 'the process-level share');
row('  of it: the editor side (extension / their command)', (median(challengeRun) / median(oursRun)).toFixed(2), 'the extension host and the workbench showing results');
row('  cross-check: extension / shell, not paired', (median(challengeRun) / median(shell)).toFixed(2), 'moves with the machine\'s load between the two phases');

const width = Math.max(...rows.map(([figure]) => figure.length));
console.log(`\nBackend Interview Prep benchmarks (${new Date().toISOString()}; scripts on Node ${process.version}, host: VS Code 1.139.1 server build on Node 24)\n`);
for (const [figure, value, note] of rows) console.log(`  ${figure.padEnd(width)}  ${value.padStart(10)}  ${note}`);
console.log('');
