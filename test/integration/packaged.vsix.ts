// The packaged extension, installed from its .vsix into a VS Code with no development copy of
// it: its lesson pages run snippets on the libraries the .vsix ships (content/node_modules),
// with the npm registry out of reach. Run by the launcher's "packaged" phase only.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { WILDCARD } from '../../src/core/snippets/expectedOutput.ts';
import { EXTENSION_ID } from './extension.ts';

interface SnippetRun {
  readonly exitCode: number | null;
  readonly output: string;
}

/** Whether a snippet is marked as a benchmark in its folder's snippets.json (those run long at full size). */
function isBenchmark(path: string): boolean {
  try {
    const settings = JSON.parse(readFileSync(join(dirname(path), 'snippets.json'), 'utf8')) as Record<string, { benchmark?: boolean } | undefined>;
    return settings[basename(path)]?.benchmark === true;
  } catch {
    return false;
  }
}

/** Content paths of the runnable snippets under `content/` that import `library`, benchmarks left out. */
function snippetsImporting(content: string, library: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'lib' && entry.name !== 'challenges') walk(path);
      } else if (entry.name.endsWith('.ts') && !isBenchmark(path) && readFileSync(path, 'utf8').includes(`from '${library}'`)) {
        found.push(relative(content, path).split(sep).join('/'));
      }
    }
  };
  walk(content);
  return found.sort();
}

describe('the packaged extension, installed from its .vsix', function () {
  this.timeout(120_000);

  it('is the installed copy, not a development folder', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    assert.equal(extension.extensionKind, vscode.ExtensionKind.Workspace);
    assert.match(extension.extensionPath, /[/\\]extensions[/\\]backend-interview-prep\.backend-interview-prep-/);
    assert.ok(readdirSync(join(extension.extensionPath, 'content', 'node_modules')).length > 0, 'the .vsix ships no content/node_modules');
  });

  for (const library of ['graphql', '@grpc/grpc-js']) {
    it(`runs a lesson snippet that imports ${library}, from its lesson page, offline`, async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
      await extension.activate();
      const content = join(extension.extensionPath, 'content');
      const [path] = snippetsImporting(content, library);
      assert.ok(path, `no snippet in the package imports ${library}`);
      const lessonId = path.split('/')[2]!;
      await vscode.commands.executeCommand('backendStudy.openLesson', lessonId);
      const run = await vscode.commands.executeCommand<SnippetRun | undefined>('backendStudy.runSnippet', vscode.Uri.from({ scheme: 'backend-study-snippet', path: `/${path}` }));
      assert.ok(run, `${path} did not run`);
      assert.equal(run.exitCode, 0, `${path} failed:\n${run.output}`);
      // Its standard output is in the terminal's text, in order (standard error may be interleaved).
      const expected = readFileSync(join(content, path.replace(/\.ts$/, '.expected.txt')), 'utf8').split('\n').filter((line) => line !== '' && !line.includes(WILDCARD));
      const output = run.output.replace(/\r\n/g, '\n');
      let from = 0;
      for (const line of expected) {
        const at = output.indexOf(line, from);
        assert.notEqual(at, -1, `${path}: the output lacks "${line}" (in order):\n${run.output}`);
        from = at + line.length;
      }
    });
  }
});
