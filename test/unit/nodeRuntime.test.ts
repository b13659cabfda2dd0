import assert from 'node:assert/strict';
import { candidates, meetsMinimum, probeByRunning, resolveNodeRuntime, type Probe, type ProbeReport } from '../../src/core/runtime/nodeRuntime.ts';

const report = (version: string, typescript: unknown, executable = `/opt/node-${version}/bin/node`): ProbeReport => ({ executable, version, typescript });

describe('node runtime', () => {
  it('tries the setting, then node on PATH, then the editor\'s runtime with ELECTRON_RUN_AS_NODE', () => {
    assert.deepEqual(candidates({ settingPath: ' /opt/node/bin/node ', editorExecutable: '/usr/share/code/code' }), [
      { source: 'setting', command: '/opt/node/bin/node', env: {} },
      { source: 'path', command: 'node', env: {} },
      { source: 'editor', command: '/usr/share/code/code', env: { ELECTRON_RUN_AS_NODE: '1' } },
    ]);
    assert.deepEqual(candidates({ settingPath: '', editorExecutable: 'e' }).map((candidate) => candidate.source), ['path', 'editor']);
  });

  it('compares versions against 22.18.0', () => {
    assert.equal(meetsMinimum('v22.18.0'), true);
    assert.equal(meetsMinimum('v22.17.9'), false);
    assert.equal(meetsMinimum('v24.1.0'), true);
    assert.equal(meetsMinimum('v20.20.2'), false);
    assert.equal(meetsMinimum('garbage'), false);
  });

  it('takes the first candidate that strips types, skipping ones that cannot', async () => {
    const reports: Record<string, ProbeReport | { error: string }> = {
      '/bad/node': { error: 'not found' },
      node: report('v20.20.2', undefined),
      editor: report('v24.21.0', 'strip', '/editor'),
    };
    const probe: Probe = (candidate) => Promise.resolve(reports[candidate.command]!);
    const result = await resolveNodeRuntime(candidates({ settingPath: '/bad/node', editorExecutable: 'editor' }), probe);
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.deepEqual(result.runtime, { source: 'editor', command: 'editor', env: { ELECTRON_RUN_AS_NODE: '1' }, executable: '/editor', version: 'v24.21.0' });
  });

  it('says what to install and what it tried when no candidate can run TypeScript', async () => {
    const probe: Probe = (candidate) => Promise.resolve(candidate.source === 'path' ? report('v22.12.0', false) : { error: 'not found' });
    const result = await resolveNodeRuntime(candidates({ settingPath: undefined, editorExecutable: 'editor' }), probe);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.message, /Install Node\.js 22\.18 or later/);
    assert.deepEqual(result.tried, ['`node` on PATH (/opt/node-v22.12.0/bin/node): Node v22.12.0 cannot run TypeScript directly', "the editor's own runtime (editor): not found"]);
  });

  it('probes a real Node by running it', async () => {
    const found = await probeByRunning({ source: 'setting', command: process.execPath, env: {} });
    assert.deepEqual(found, { executable: process.execPath, version: process.version, typescript: (process.features as { typescript?: unknown }).typescript });
    assert.deepEqual(await probeByRunning({ source: 'setting', command: '/no/such/node', env: {} }), { error: 'not found' });
  });
});
