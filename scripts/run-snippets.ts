// `npm run test:snippets`: runs every lesson snippet on every supported Node (22.18.0 and 24)
// with its settings, and compares its output with the expected output beside it.
//   node scripts/with-node.mjs 24 scripts/run-snippets.ts [path-filter]
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/content/catalog.ts';
import { folderSource } from '../src/core/content/source.ts';
import { compareOutput } from '../src/core/snippets/expectedOutput.ts';
import { runSnippet } from '../src/core/snippets/runSnippet.ts';
import { mapLimited, supportedNodes } from './lib/nodes.ts';
import { serverUser, Services } from './lib/services.ts';

const root = join(import.meta.dirname, '..', 'content');
const filter = process.argv[2] ?? '';
const { snippets } = await loadCatalog(folderSource(root));
const jobs = [...snippets]
  .filter(([path]) => path.includes(filter))
  .flatMap(([path, settings]) => supportedNodes().map(([version, node]) => ({ path, settings, version, node })));

// Snippets that declare `services` get throwaway servers: one PostgreSQL cluster for the run
// with a fresh database per snippet run, a Redis instance per snippet run.
const services = new Services();
const stopServices = (): void => {
  void services.close().finally(() => process.exit(130));
};
process.once('SIGINT', stopServices);
process.once('SIGTERM', stopServices);
if (jobs.some((job) => job.settings.services.length > 0)) console.log(`services run as ${serverUser()}`);

// Benchmarks and timing-sensitive snippets share the machine: one at a time per core.
const results = await mapLimited(jobs, Math.max(1, availableParallelism()), async (job) => {
  let lease: Awaited<ReturnType<Services['lease']>> | undefined;
  if (job.settings.services.length > 0) {
    try {
      lease = await services.lease(job.settings.services);
    } catch (error) {
      console.log(`FAIL ${job.path} on Node ${job.version}: its ${job.settings.services.join(' and ')} could not start\n${String(error instanceof Error ? error.message : error).replace(/^/gm, '     ')}`);
      return false;
    }
  }
  let run;
  try {
    run = await runSnippet({ node: job.node, file: join(root, job.path), settings: job.settings, mode: 'test', env: lease?.env ?? {} });
  } finally {
    await lease?.release().catch((error: unknown) => { console.log(`     (could not clean up after ${job.path}: ${error instanceof Error ? error.message : String(error)})`); });
  }
  const expected = await readFile(join(root, job.path.replace(/\.ts$/, '.expected.txt')), 'utf8');
  const comparison = compareOutput(expected, run.stdout);
  let failure: string | undefined;
  if (run.timedOut) failure = `timed out after ${job.settings.timeoutMs} ms`;
  else if (run.exitCode !== 0) failure = `exited with ${run.exitCode ?? run.signal ?? '?'}\n${run.stderr.trim()}`;
  else if (!comparison.ok) failure = `output differs at line ${comparison.line}:\n  expected: ${comparison.expected ?? '(no line)'}\n  actual:   ${comparison.actual ?? '(no line)'}`;
  const status = failure ? 'FAIL' : 'ok  ';
  console.log(`${status} ${job.path} on Node ${job.version} (${Math.round(run.durationMs)} ms)${failure ? `\n${failure.replace(/^/gm, '     ')}` : ''}`);
  return failure === undefined;
});

await services.close();
const failed = results.filter((ok) => !ok).length;
console.log(`snippets: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
if (results.length === 0) console.error('no snippet matched');
