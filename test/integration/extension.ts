// Shared helpers for the integration tests: the extension under test and its manifest.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension.ts';

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
