// Figures for `npm run bench` (runs only with BACKEND_STUDY_BENCH=1): how long starting a
// challenge takes, and a full run of its suite through the extension, from the request to the
// last result, so that the benchmark can compare it with `node --test` from a shell.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ScaffoldedChallenge } from '../../src/vscode/challenges.ts';
import type { ChallengeRunSummary } from '../../src/vscode/challengeTests.ts';
import { perTestLimitMs, testArgs } from '../../src/vscode/testing/testRunner.ts';
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
    // Interleaved pairs, so that both sides of the ratio see the same machine: a full run through
    // the Testing API (request to every result shown), then plain `node --test` of the same
    // folder, spawned from this host without our reporter, probe or Testing API.
    const node = join(extension().extensionPath, '.vscode-test', 'node', '24', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
    const shown: number[] = [];
    const recorded: number[] = [];
    const bare: number[] = [];
    // The same command the extension runs (our probe and reporter), with nothing reading its events.
    const ours: number[] = [];
    const dist = join(extension().extensionPath, 'dist');
    const withOurs = [...testArgs({ probe: join(dist, 'probe.mjs'), reporter: join(dist, 'reporter.mjs'), namePatterns: [], skipPatterns: [] }), `--test-timeout=${perTestLimitMs(30)}`, '--test-reporter-destination=stdout'];
    const ratios: number[] = [];
    const phases: Record<'prepareMs' | 'processMs' | 'settleMs' | 'handleMs' | 'stdoutBytes', number[]> = { prepareMs: [], processMs: [], settleMs: [], handleMs: [], stdoutBytes: [] };
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
      const bareMs = await timeNode(existsSync(node) ? node : 'node', ['--test'], scaffolded.folder.fsPath);
      const withOursMs = await timeNode(existsSync(node) ? node : 'node', withOurs, scaffolded.folder.fsPath);
      // The first pair warms the runtime probe and the file cache.
      if (index === 0) continue;
      shown.push(summary.shownAt - summary.startedAt);
      recorded.push(summary.endedAt - summary.startedAt);
      bare.push(bareMs);
      ours.push(withOursMs);
      ratios.push((summary.shownAt - summary.startedAt) / bareMs);
      for (const key of ['prepareMs', 'processMs', 'settleMs', 'handleMs', 'stdoutBytes'] as const) phases[key].push(summary.phases[key]);
    }
    recording.dispose();
    const outcomes = [...recording.results.values()].map((result) => result.outcome);
    assert.ok(outcomes.length > 0 && outcomes.every((outcome) => outcome === 'passed'), `not every test passed: ${outcomes.join(',')}`);
    recordMeasurements({
      scaffoldMs,
      scaffoldWriteMs: challenges.lastWrite?.ms ?? Number.NaN,
      challengeRunMs: median(shown),
      challengeRecordedMs: median(recorded),
      bareRunInHostMs: median(bare),
      oursRunInHostMs: median(ours),
      pairedRatio: median(ratios),
      prepareMs: median(phases.prepareMs),
      processMs: median(phases.processMs),
      settleMs: median(phases.settleMs),
      handleMs: median(phases.handleMs),
      stdoutBytes: median(phases.stdoutBytes),
    });
    rmSync(scaffolded.folder.fsPath, { recursive: true, force: true });
  });
});

/** Node with these arguments in the folder, its output read and dropped: milliseconds from spawn to exit. */
function timeNode(node: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => {
      resolve(performance.now() - started);
    });
  });
}
