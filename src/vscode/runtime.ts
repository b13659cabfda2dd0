import * as vscode from 'vscode';
import { affects, setting } from './settings.ts';
import { candidates, probeByRunning, resolveNodeRuntime, type NodeRuntime, type Resolution } from '../core/runtime/nodeRuntime.ts';

/**
 * The Node that runs snippets and challenge tests, resolved once and again whenever
 * `backendStudy.nodePath` changes. The setting is machine-scoped in the manifest, so a
 * cloned repository's workspace settings cannot choose what runs.
 */
export class Runtimes implements vscode.Disposable {
  private resolution: Promise<Resolution> | undefined;
  private readonly subscription: vscode.Disposable;
  private readonly log: vscode.LogOutputChannel;

  constructor(log: vscode.LogOutputChannel) {
    this.log = log;
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (affects(event, 'nodePath')) this.resolution = undefined;
    });
  }

  resolve(): Promise<Resolution> {
    this.resolution ??= resolveNodeRuntime(
      candidates({ settingPath: setting('nodePath'), editorExecutable: process.execPath }),
      probeByRunning,
    ).then((resolution) => {
      if (resolution.ok) this.log.info(`Running TypeScript with Node ${resolution.runtime.version} (${resolution.runtime.executable}, from ${resolution.runtime.source}).`);
      else this.log.warn(`${resolution.message}\n${resolution.tried.map((line) => `  tried ${line}`).join('\n')}`);
      return resolution;
    });
    return this.resolution;
  }

  /** The runtime, or undefined after telling the learner what to install (without waiting for them to read it: the run that asked ends now). */
  async require(): Promise<NodeRuntime | undefined> {
    const resolution = await this.resolve();
    if (resolution.ok) return resolution.runtime;
    this.resolution = undefined;
    void vscode.window.showErrorMessage(resolution.message, 'Open Setting', 'Show Log').then((choice) => {
      if (choice === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', 'backendStudy.nodePath');
      if (choice === 'Show Log') this.log.show(true);
    });
    return undefined;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** Learner code and snippets run only in a trusted workspace; says why otherwise. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`${what} runs code, which this untrusted workspace does not allow. Lessons stay readable; trust the workspace to run code.`, 'Manage Workspace Trust')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
