// Shared helpers for the integration tests: the extension under test and its manifest.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension.ts';
import type { RunReport } from '../../src/vscode/challengeTests.ts';

export const EXTENSION_ID = 'backend-interview-prep.backend-interview-prep';

export function extension(): vscode.Extension<ExtensionApi> {
  const found = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(found, `extension ${EXTENSION_ID} is not installed in this host`);
  return found;
}

interface Manifest {
  contributes: { commands: { command: string; title: string; category?: string }[] };
  activationEvents?: string[];
}

export function manifest(): Manifest {
  return extension().packageJSON as Manifest;
}

/** The extension's test hooks, activating it first. */
export async function hooks(): Promise<NonNullable<ExtensionApi['testing']>> {
  const api = await extension().activate();
  assert.ok(api.testing, 'the extension host is not in test mode');
  return api.testing;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Adds figures to the file `npm run bench` reads (BACKEND_STUDY_MEASUREMENTS); nothing when it is not set. */
export function recordMeasurements(figures: Record<string, number>): void {
  const file = process.env.BACKEND_STUDY_MEASUREMENTS;
  if (!file) return;
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
  writeFileSync(file, JSON.stringify({ ...before, ...figures }));
}

export type ItemResult = Extract<RunReport, { kind: 'result' }>;

/** What the challenge runs report while it is on: the latest result per item id, and the output. */
export interface RunRecording {
  readonly results: Map<string, ItemResult>;
  readonly output: Extract<RunReport, { kind: 'output' }>[];
  dispose(): void;
}

export async function recordRuns(): Promise<RunRecording> {
  const { challengeTests } = await hooks();
  const results = new Map<string, ItemResult>();
  const output: Extract<RunReport, { kind: 'output' }>[] = [];
  const listener = challengeTests.onDidReport((report) => {
    if (report.kind === 'result') results.set(report.itemId, report);
    else output.push(report);
  });
  return {
    results,
    output,
    dispose: () => {
      listener.dispose();
    },
  };
}
