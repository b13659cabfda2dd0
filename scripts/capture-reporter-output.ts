// Captures what the test reporter prints for test/fixtures/reporter-suite on each supported
// Node, into test/fixtures/reporter-output/, for the unit tests of the event parser. Run it
// again after changing the reporter (`npm run build` first):
//   node scripts/with-node.mjs 24 scripts/capture-reporter-output.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../src/core/process/runProcess.ts';
import { supportedNodes } from './lib/nodes.ts';

const root = join(import.meta.dirname, '..');
const suite = join(root, 'test', 'fixtures', 'reporter-suite');
const out = join(root, 'test', 'fixtures', 'reporter-output');
mkdirSync(out, { recursive: true });
for (const [version, node] of supportedNodes()) {
  const run = await runProcess({
    command: node,
    args: ['--test', `--test-reporter=${join(root, 'dist', 'reporter.mjs')}`, '--test-reporter-destination=stdout'],
    cwd: suite,
    timeoutMs: 60_000,
  });
  // Paths become <root> so that the fixture is the same on every machine; timings stay as they came.
  const text = run.stdout.replaceAll(`file://${suite}`, 'file://<root>').replaceAll(suite, '<root>');
  writeFileSync(join(out, `node-${version}.txt`), text);
  console.log(`Node ${version}: exit ${run.exitCode ?? run.signal ?? '?'}, ${text.split('\n').length - 1} lines`);
}
