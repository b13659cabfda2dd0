// `npm run test:challenges`: proves every challenge honest on every supported Node. The
// starter must load and fail its suite; the reference solution must pass every test.
//   node scripts/with-node.mjs 24 scripts/check-challenges.ts [challenge-id]
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCatalog } from '../src/core/content/catalog.ts';
import type { Challenge } from '../src/core/content/model.ts';
import { folderSource } from '../src/core/content/source.ts';
import { runProcess } from '../src/core/process/runProcess.ts';
import { mapLimited, supportedNodes } from './lib/nodes.ts';

const root = join(import.meta.dirname, '..', 'content');
const only = process.argv[2];
const { catalog } = await loadCatalog(folderSource(root));
const challenges = [...catalog.challenges.values()].filter((challenge) => !only || challenge.id === only);

interface Summary {
  tests: number;
  pass: number;
  fail: number;
}

/** The totals node:test's spec reporter prints last (`ℹ tests 30`, ...). */
function summaryOf(output: string): Summary | undefined {
  const count = (name: string): number | undefined => {
    const match = new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(output);
    return match ? Number(match[1]) : undefined;
  };
  const tests = count('tests');
  const pass = count('pass');
  const fail = count('fail');
  return tests === undefined || pass === undefined || fail === undefined ? undefined : { tests, pass, fail };
}

/** A learner's folder as the scaffold lays it out: starter, tests as test/, optionally the solution over src/. */
async function layOut(challenge: Challenge, withSolution: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `challenge-${challenge.id}-`));
  const folder = join(root, challenge.folder);
  await cp(join(folder, 'starter'), dir, { recursive: true });
  await cp(join(folder, 'tests'), join(dir, 'test'), { recursive: true });
  if (withSolution) await cp(join(folder, 'solution', 'src'), join(dir, 'src'), { recursive: true });
  return dir;
}

const jobs = challenges.flatMap((challenge) => supportedNodes().flatMap(([version, node]) => [
  { challenge, version, node, solution: false },
  { challenge, version, node, solution: true },
]));

const results = await mapLimited(jobs, 2, async ({ challenge, version, node, solution }) => {
  const dir = await layOut(challenge, solution);
  const label = `${challenge.id} ${solution ? 'solution' : 'starter '} on Node ${version}`;
  try {
    const problems: string[] = [];
    const load = await runProcess({
      command: node,
      args: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(dir, challenge.entry)).href)})`],
      cwd: dir,
      timeoutMs: 30_000,
    });
    if (load.exitCode !== 0) problems.push(`${challenge.entry} does not load:\n${load.stderr.trim()}`);

    const run = await runProcess({ command: node, args: ['--test', '--test-reporter=spec'], cwd: dir, timeoutMs: 60_000 });
    const summary = summaryOf(run.stdout);
    if (run.timedOut) problems.push('the suite timed out after 60 s');
    else if (!summary) problems.push(`no test summary in the output:\n${(run.stdout + run.stderr).trim().slice(-2000)}`);
    else if (solution && (run.exitCode !== 0 || summary.fail > 0 || summary.pass !== summary.tests)) {
      problems.push(`the reference solution fails ${summary.fail} of ${summary.tests} tests:\n${run.stdout.split('\n').filter((line) => /✖|Error|expected|actual/.test(line)).slice(0, 40).join('\n')}`);
    } else if (!solution && (run.exitCode === 0 || summary.fail === 0)) {
      problems.push(`the starter passes its suite (${summary.pass} of ${summary.tests}): the tests cannot tell a stub from a solution`);
    }
    const figures = summary ? `${summary.tests} tests, ${summary.pass} pass, ${summary.fail} fail, ${(run.durationMs / 1000).toFixed(2)} s` : '';
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${label}: ${figures}${problems.length ? `\n${problems.join('\n').replace(/^/gm, '     ')}` : ''}`);
    return problems.length === 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

const failed = results.filter((ok) => !ok).length;
console.log(`challenges: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
