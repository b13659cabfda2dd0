// Desktop launcher for the same integration suite, with @vscode/test-electron: it downloads
// a desktop VS Code into .vscode-test/ (needs the internet), then runs the suite in it.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from './lib/provision.mjs';

const workspace = join(mkdtempSync(join(tmpdir(), 'backend-study-it-')), 'workspace');
cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

try {
  await runTests({
    version: process.env.VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'out', 'test', 'integration', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes'],
  });
} catch (error) {
  console.error(`[electron] the integration suite failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
