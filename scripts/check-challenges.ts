// `npm run test:challenges`: proves every challenge honest and its suite strong.
// Honest, on every supported Node: the starter loads and fails its suite; the reference
// solution passes every test.
// Strong (the mutation check): each known-wrong variant in test/challenge-variants/<id>/wrong/
// must fail at least one test, and each alternative correct design in .../alternative/ must pass
// every test on every supported Node. A variant is either a unified diff against the reference
// solution's entry file (`<name>.diff`: one idea, readable as a change, and it stops applying,
// loudly, when the solution changes under it), whose first line says what it gets wrong
// (`Wrong: ...`) or how it differs (`Alternative: ...`); or, for a design that shares little
// with the reference, a whole replacement of the entry file (`<name>.ts`) whose first line is
// `// Wrong: ...` or `// Alternative: ...`. `scripts/variant-diff.ts` turns an edited copy of
// the solution into a diff. They live outside content/, so they never ship.
//   node scripts/with-node.mjs 24 scripts/check-challenges.ts [challenge-id]
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { applyPatch } from 'diff';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadCatalog } from '../src/core/content/catalog.ts';
import type { Challenge } from '../src/core/content/model.ts';
import { folderSource } from '../src/core/content/source.ts';
import { runProcess } from '../src/core/process/runProcess.ts';
import { mapLimited, supportedNodes } from './lib/nodes.ts';

const root = join(import.meta.dirname, '..', 'content');
const variantsRoot = join(import.meta.dirname, '..', 'test', 'challenge-variants');
/** The fewest wrong variants and alternatives a challenge may have (the content guide). */
const minimumWrong = 12;
const minimumAlternatives = 1;
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

/**
 * A learner's folder as the scaffold lays it out: starter, tests as test/, optionally the
 * solution over src/, and optionally a variant over the entry file.
 */
async function layOut(challenge: Challenge, withSolution: boolean, variant?: Variant): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `challenge-${challenge.id}-`));
  const folder = join(root, challenge.folder);
  await cp(join(folder, 'starter'), dir, { recursive: true });
  await cp(join(folder, 'tests'), join(dir, 'test'), { recursive: true });
  if (withSolution) await cp(join(folder, 'solution', 'src'), join(dir, 'src'), { recursive: true });
  if (variant !== undefined) await writeFile(join(dir, challenge.entry), variant.source);
  return dir;
}

type VariantKind = 'wrong' | 'alternative';
interface Variant {
  kind: VariantKind;
  name: string;
  /** The entry file's text in this variant. */
  source: string;
  idea: string;
}

/** The variants kept for a challenge, each with the idea its first line states. */
async function variantsOf(challenge: Challenge): Promise<{ variants: Variant[]; problems: string[] }> {
  const variants: Variant[] = [];
  const problems: string[] = [];
  const solution = await readFile(join(root, challenge.folder, 'solution', challenge.entry), 'utf8');
  for (const kind of ['wrong', 'alternative'] as const) {
    const dir = join(variantsRoot, challenge.id, kind);
    const names = await readdir(dir).catch(() => [] as string[]);
    const label = kind === 'wrong' ? 'Wrong: ' : 'Alternative: ';
    for (const name of names.filter((entry) => entry.endsWith('.ts') || entry.endsWith('.diff')).sort()) {
      const text = await readFile(join(dir, name), 'utf8');
      const first = text.split('\n', 1)[0] ?? '';
      const prefix = name.endsWith('.ts') ? `// ${label}` : label;
      if (!first.startsWith(prefix)) problems.push(`${kind}/${name}: the first line must start with "${prefix}"`);
      let source: string | false = text;
      if (name.endsWith('.diff')) {
        source = applyPatch(solution, text);
        if (source === false) {
          problems.push(`${kind}/${name}: no longer applies to solution/${challenge.entry}; make it again from an edited copy (scripts/variant-diff.ts)`);
          continue;
        }
        if (source === solution) problems.push(`${kind}/${name}: changes nothing`);
      }
      variants.push({ kind, name: name.replace(/\.(ts|diff)$/, ''), source, idea: first.slice(prefix.length).trim() });
    }
  }
  return { variants, problems };
}

interface Job {
  challenge: Challenge;
  version: string;
  node: string;
  kind: 'starter' | 'solution' | VariantKind;
  variant?: Variant;
}

const nodes = supportedNodes();
const newest = [...nodes].sort(([a], [b]) => b.localeCompare(a, 'en', { numeric: true }))[0];
if (!newest) throw new Error('no supported Node was provisioned');
const setupProblems: string[] = [];
const jobs: Job[] = [];
for (const challenge of challenges) {
  for (const [version, node] of nodes) {
    jobs.push({ challenge, version, node, kind: 'starter' }, { challenge, version, node, kind: 'solution' });
  }
  const { variants, problems } = await variantsOf(challenge);
  setupProblems.push(...problems.map((problem) => `${challenge.id}: ${problem}`));
  const wrong = variants.filter((variant) => variant.kind === 'wrong');
  const alternatives = variants.filter((variant) => variant.kind === 'alternative');
  if (wrong.length < minimumWrong) setupProblems.push(`${challenge.id}: ${wrong.length} wrong variants, at least ${minimumWrong} needed`);
  if (alternatives.length < minimumAlternatives) setupProblems.push(`${challenge.id}: ${alternatives.length} alternative designs, at least ${minimumAlternatives} needed`);
  // A wrong variant is killed when one Node rejects it: run it on the newest only. An
  // alternative must pass everywhere.
  for (const variant of wrong) jobs.push({ challenge, version: newest[0], node: newest[1], kind: 'wrong', variant });
  for (const variant of alternatives) {
    for (const [version, node] of nodes) jobs.push({ challenge, version, node, kind: 'alternative', variant });
  }
}

interface Outcome {
  job: Job;
  ok: boolean;
}

const suiteTimeoutMs = 60_000;

const results = await mapLimited(jobs, 2, async (job): Promise<Outcome> => {
  const { challenge, version, node, kind, variant } = job;
  const dir = await layOut(challenge, kind !== 'starter', variant);
  const label = `${challenge.id} ${variant ? `${kind} ${variant.name}` : kind} on Node ${version}`;
  try {
    const problems: string[] = [];
    const load = await runProcess({
      command: node,
      args: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(dir, challenge.entry)).href)})`],
      cwd: dir,
      timeoutMs: 30_000,
    });
    if (load.exitCode !== 0) problems.push(`${challenge.entry} does not load:\n${load.stderr.trim()}`);

    // What the learner's `npm test` runs (CHALLENGE_TEST_SCRIPT): the test files, not the helpers beside them.
    const run = await runProcess({ command: node, args: ['--test', '--test-reporter=spec', 'test/**/*.test.ts'], cwd: dir, timeoutMs: suiteTimeoutMs });
    const summary = summaryOf(run.stdout);
    const mustPass = kind === 'solution' || kind === 'alternative';
    if (run.timedOut) {
      // A wrong variant that hangs the suite is caught, if slowly; nothing else may hang.
      if (kind !== 'wrong') problems.push(`the suite timed out after ${suiteTimeoutMs / 1000} s`);
    } else if (!summary) problems.push(`no test summary in the output:\n${(run.stdout + run.stderr).trim().slice(-2000)}`);
    else if (mustPass && (run.exitCode !== 0 || summary.fail > 0 || summary.pass !== summary.tests)) {
      problems.push(`${kind === 'solution' ? 'the reference solution' : 'this correct design'} fails ${summary.fail} of ${summary.tests} tests:\n${run.stdout.split('\n').filter((line) => /✖|Error|expected|actual/.test(line)).slice(0, 40).join('\n')}`);
    } else if (!mustPass && (run.exitCode === 0 || summary.fail === 0)) {
      problems.push(kind === 'starter'
        ? `the starter passes its suite (${summary.pass} of ${summary.tests}): the tests cannot tell a stub from a solution`
        : `this wrong variant passes all ${summary.tests} tests (${variant?.idea ?? ''}): the suite lets the mistake through`);
    }
    const figures = run.timedOut ? `timed out after ${suiteTimeoutMs / 1000} s` : summary ? `${summary.tests} tests, ${summary.pass} pass, ${summary.fail} fail, ${(run.durationMs / 1000).toFixed(2)} s` : '';
    console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${label}: ${figures}${problems.length ? `\n${problems.join('\n').replace(/^/gm, '     ')}` : ''}`);
    return { job, ok: problems.length === 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

for (const problem of setupProblems) console.log(`FAIL ${problem}`);
for (const challenge of challenges) {
  const mine = results.filter((result) => result.job.challenge === challenge);
  const wrong = mine.filter((result) => result.job.kind === 'wrong');
  const alternatives = mine.filter((result) => result.job.kind === 'alternative');
  const alternativeNames = new Set(alternatives.map((result) => result.job.variant?.name));
  const failedAlternatives = new Set(alternatives.filter((result) => !result.ok).map((result) => result.job.variant?.name));
  console.log(`mutation ${challenge.id}: ${wrong.filter((result) => result.ok).length}/${wrong.length} wrong variants killed, ` +
    `${alternativeNames.size - failedAlternatives.size}/${alternativeNames.size} alternative designs pass`);
}
const failed = results.filter((result) => !result.ok).length + setupProblems.length;
console.log(`challenges: ${results.length - results.filter((result) => !result.ok).length} of ${results.length} runs as expected, ${failed} problems`);
process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
