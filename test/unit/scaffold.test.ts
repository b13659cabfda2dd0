import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { backupName, challengeFolder, changedTests, isSafeRelativePath, MARKER_FILE, parseMarker, planScaffold, sha256, tsconfigWithInstalledNodeTypes, type ChallengeSources } from '../../src/core/challenges/scaffold.ts';
import { validContent } from './helpers/contentFixture.ts';

const NOW = new Date('2026-03-04T05:06:07.000Z');
const sources: ChallengeSources = {
  starter: {
    'package.json': '{"type":"module","scripts":{"test":"node --test"}}',
    'tsconfig.json': '{"compilerOptions":{"strict":true,"types":["node"]},"include":["src","test"]}',
    'src/rate-limiter.ts': "export function take(): boolean { throw new Error('Not implemented'); }\n",
  },
  tests: { 'rate-limiter.test.ts': "import { test } from 'node:test';\n", 'helpers.ts': 'export const x = 1;\n' },
  nodeTypes: "declare module 'node:test' {}\n",
};

async function challenge() {
  const { catalog } = await loadCatalog(memorySource(validContent()));
  return catalog.challenges.get('rate-limiter')!;
}

describe('scaffold plan', () => {
  it('writes the statement, the starter, the tests, the Node types and a marker with test hashes', async () => {
    const result = planScaffold({ challenge: await challenge(), sources, folder: '/ws/challenges/rate-limiter', contentVersion: '0.1.0', now: NOW });
    assert.ok('plan' in result);
    assert.deepEqual(result.plan.files.map((file) => file.path), ['README.md', 'package.json', 'src/rate-limiter.ts', 'tsconfig.json', 'types/node.d.ts', 'test/rate-limiter.test.ts', 'test/helpers.ts', MARKER_FILE]);
    assert.deepEqual(result.plan.marker, {
      format: 'backend-interview-prep/challenge',
      challenge: 'rate-limiter',
      contentVersion: '0.1.0',
      entry: 'src/rate-limiter.ts',
      tests: { 'test/rate-limiter.test.ts': sha256(sources.tests['rate-limiter.test.ts']!), 'test/helpers.ts': sha256(sources.tests['helpers.ts']!) },
      scaffoldedAt: NOW.toISOString(),
    });
    const readme = result.plan.files[0]!.content;
    assert.match(readme, /^# Rate limiter\n/);
    assert.match(readme, /Implement it\./);
    assert.doesNotMatch(readme, /Keep a bucket per key/, 'hints must not be in the README');
  });

  it('points the tsconfig at the bundled Node types instead of @types/node', async () => {
    const result = planScaffold({ challenge: await challenge(), sources, folder: '/ws/c/rate-limiter', contentVersion: '0.1.0', now: NOW });
    assert.ok('plan' in result);
    const tsconfig = JSON.parse(result.plan.files.find((file) => file.path === 'tsconfig.json')!.content) as { compilerOptions: { types: string[]; strict: boolean }; include: string[] };
    assert.deepEqual(tsconfig.compilerOptions.types, []);
    assert.equal(tsconfig.compilerOptions.strict, true);
    assert.deepEqual(tsconfig.include, ['src', 'test', 'types']);
  });

  it('switches the tsconfig to the installed @types/node, leaving the rest as it was', () => {
    const before = JSON.stringify({ compilerOptions: { strict: true, types: [] }, include: ['src', 'test', 'types'] });
    assert.deepEqual(JSON.parse(tsconfigWithInstalledNodeTypes(before)!), { compilerOptions: { strict: true, types: ['node'] }, include: ['src', 'test'] });
    assert.equal(tsconfigWithInstalledNodeTypes('{ not json'), undefined);
  });

  it('refuses a starter or test file whose path would leave the challenge folder', async () => {
    for (const bad of ['../escape.ts', '/etc/passwd', 'src/../../x.ts', 'a\\b.ts']) {
      const result = planScaffold({ challenge: await challenge(), sources: { ...sources, starter: { ...sources.starter, [bad]: 'x' } }, folder: '/ws/challenges/rate-limiter', contentVersion: '1', now: NOW });
      assert.ok('error' in result, bad);
    }
  });

  it('puts the challenge inside the workspace folder, and refuses a setting that leaves it', () => {
    assert.deepEqual(challengeFolder('/ws', 'challenges', 'pool'), { folder: '/ws/challenges/pool' });
    assert.deepEqual(challengeFolder('/ws', ' study/katas/ ', 'pool'), { folder: '/ws/study/katas/pool' });
    assert.deepEqual(challengeFolder('/ws', '', 'pool'), { folder: '/ws/challenges/pool' });
    for (const bad of ['..', '../elsewhere', '/tmp', 'a/../../b', 'C:\\x']) assert.ok('error' in challengeFolder('/ws', bad, 'pool'), bad);
  });

  it('accepts only plain relative paths', () => {
    assert.equal(isSafeRelativePath('src/pool.ts'), true);
    for (const bad of ['', '.', '..', 'a//b', '/a', 'a/../b', 'a\\b', 'c:/x']) assert.equal(isSafeRelativePath(bad), false, bad);
  });
});

describe('marker', () => {
  it('round-trips, and rejects markers that are corrupt or name unsafe paths', async () => {
    const result = planScaffold({ challenge: await challenge(), sources, folder: '/ws/challenges/rate-limiter', contentVersion: '0.1.0', now: NOW });
    assert.ok('plan' in result);
    const text = result.plan.files.find((file) => file.path === MARKER_FILE)!.content;
    assert.deepEqual(parseMarker(text), result.plan.marker);
    assert.equal(parseMarker('{ broken'), undefined);
    assert.equal(parseMarker(JSON.stringify({ ...result.plan.marker, entry: '../../x.ts' })), undefined);
    assert.equal(parseMarker(JSON.stringify({ ...result.plan.marker, format: 'other' })), undefined);
    // Arrays are objects to JSON.parse, not records: `["hash"]` would read as a test file named "0".
    assert.equal(parseMarker(JSON.stringify({ ...result.plan.marker, tests: ['abc'] })), undefined);
    assert.equal(parseMarker(JSON.stringify([result.plan.marker])), undefined);
    assert.equal(parseMarker(JSON.stringify({ ...result.plan.marker, challenge: 'Rate_Limiter' })), undefined);
    assert.equal(parseMarker(JSON.stringify({ ...result.plan.marker, tests: { 'test/a.test.ts': 5 } })), undefined);
  });

  it('tells which test files changed since scaffolding', async () => {
    const result = planScaffold({ challenge: await challenge(), sources, folder: '/ws/challenges/rate-limiter', contentVersion: '0.1.0', now: NOW });
    assert.ok('plan' in result);
    const original = sources.tests['rate-limiter.test.ts']!;
    const helpers = sources.tests['helpers.ts']!;
    assert.deepEqual(changedTests(result.plan.marker, { 'test/rate-limiter.test.ts': original, 'test/helpers.ts': helpers }), []);
    assert.deepEqual(changedTests(result.plan.marker, { 'test/rate-limiter.test.ts': `${original}// edited\n`, 'test/helpers.ts': helpers }), ['test/rate-limiter.test.ts']);
    // A helper the suite imports can change its verdict as much as a test file can.
    assert.deepEqual(changedTests(result.plan.marker, { 'test/rate-limiter.test.ts': original, 'test/helpers.ts': 'export const x = 2;\n' }), ['test/helpers.ts']);
    assert.deepEqual(changedTests(result.plan.marker, {}), ['test/rate-limiter.test.ts', 'test/helpers.ts']);
  });

  it('names backups beside the folder with a timestamp', () => {
    assert.equal(backupName('pool', NOW), 'pool.backup-2026-03-04T05-06-07-000Z');
  });
});
