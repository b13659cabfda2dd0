// Figures for `npm run bench` (runs only with BACKEND_STUDY_BENCH=1): how long starting a
// challenge takes, and a full run of its suite through the extension, from the request to the
// last result, so that the benchmark can compare it with `node --test` from a shell.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ScaffoldedChallenge } from '../../src/vscode/challenges.ts';
import type { ChallengeRunSummary } from '../../src/vscode/challengeTests.ts';
import { extension, hooks, recordMeasurements, recordRuns } from './extension.ts';

const CHALLENGE = 'rate-limiter';
const RUNS = Number(process.env.BACKEND_STUDY_BENCH_RUNS ?? 5);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe('benchmarks', function () {
  this.timeout(300_000);

  it('measures scaffolding and a full challenge run through the Testing API', async () => {
    const { challengeTests, challenges } = await hooks();
    const started = performance.now();
    const scaffolded = await vscode.commands.executeCommand<ScaffoldedChallenge | undefined>('backendStudy.startChallenge', CHALLENGE);
    const scaffoldMs = performance.now() - started;
    assert.ok(scaffolded);
    // The reference solution, so that the run is a full, passing one.
    cpSync(join(extension().extensionPath, 'content', 'challenges', CHALLENGE, 'solution', 'src'), join(scaffolded.folder.fsPath, 'src'), { recursive: true });
    await challengeTests.discoverAll();
    const item = challengeTests.challengeItem(CHALLENGE);
    assert.ok(item);
    const durations: number[] = [];
    const recording = await recordRuns();
    for (let index = 0; index < RUNS + 1; index += 1) {
      recording.results.clear();
      const completed = new Promise<ChallengeRunSummary>((resolve) => {
        const listener = challengeTests.onDidCompleteRun((summary) => {
          listener.dispose();
          resolve(summary);
        });
      });
      await challengeTests.run(new vscode.TestRunRequest([item], undefined, challengeTests.runProfile), new vscode.CancellationTokenSource().token);
      const summary = await completed;
      // Request to the end of the results; the first run warms the runtime probe and the file cache.
      if (index > 0) durations.push(summary.endedAt - summary.startedAt);
    }
    recording.dispose();
    // The bare command spawned from the extension host, no reporter: separates the cost of
    // running inside the editor's process tree from the cost of the extension's own work.
    const node = join(extension().extensionPath, '.vscode-test', 'node', '24', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
    const bare: number[] = [];
    for (let index = 0; index < RUNS + 1; index += 1) {
      const begin = performance.now();
      spawnSync(existsSync(node) ? node : 'node', ['--test'], { cwd: scaffolded.folder.fsPath, stdio: 'ignore' });
      if (index > 0) bare.push(performance.now() - begin);
    }
    const outcomes = [...recording.results.values()].map((result) => result.outcome);
    assert.ok(outcomes.length > 0 && outcomes.every((outcome) => outcome === 'passed'), `not every test passed: ${outcomes.join(',')}`);
    recordMeasurements({ scaffoldMs, scaffoldWriteMs: challenges.lastWrite?.ms ?? Number.NaN, challengeRunMs: median(durations), bareRunInHostMs: median(bare) });
    rmSync(scaffolded.folder.fsPath, { recursive: true, force: true });
  });
});
