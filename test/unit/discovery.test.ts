import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverTests, type DiscoveredTest } from '../../src/core/testing/discovery.ts';

const names = (tests: readonly DiscoveredTest[]): unknown[] => tests.map((test) => (test.children.length > 0 ? [test.name, names(test.children)] : test.name));

describe('discoverTests', () => {
  it('finds tests and suites with literal names, nested, with their ranges', () => {
    const source = [
      "import { describe, it, test } from 'node:test';",
      "test('top level', () => {});",
      "describe('outer', () => {",
      '  describe("inner", () => {',
      '    it(`deep`, async () => {',
      '      await x();',
      '    });',
      '  });',
      "  it.skip('skipped', () => {});",
      "  it.todo('later');",
      '});',
    ].join('\n');
    const tests = discoverTests(source);
    assert.deepEqual(names(tests), ['top level', ['outer', [['inner', ['deep']], 'skipped', 'later']]]);
    assert.deepEqual(tests[1]!.range, { startLine: 2, startColumn: 0, endLine: 10, endColumn: 2 });
    assert.equal(tests[1]!.kind, 'suite');
    assert.deepEqual(tests[1]!.children[0]!.children[0]!.range, { startLine: 4, startColumn: 4, endLine: 6, endColumn: 6 });
  });

  it('ignores calls in comments and strings, and names computed at run time', () => {
    const source = [
      "// test('in a comment', () => {});",
      "/* describe('in a block comment', () => {}); */",
      "const text = \"it('in a string', () => {})\";",
      'for (const n of [1, 2]) test(`case ${n}`, () => {});',
      'test(name, () => {});',
      "obj.test('a method, not node:test', () => {});",
      "test('real', () => {});",
    ].join('\n');
    assert.deepEqual(names(discoverTests(source)), ['real']);
  });

  it('is not confused by parentheses and braces inside strings, templates and regular expressions', () => {
    const source = [
      "describe('parser', () => {",
      "  it('handles (', () => { const re = /\\)+[)}]/g; const s = ')}'; const t = `${fn(')')} }`; });",
      "  it('comes after', () => {});",
      '});',
    ].join('\n');
    assert.deepEqual(names(discoverTests(source)), [['parser', ['handles (', 'comes after']]]);
  });

  it('finds every test of the shipped challenge suites', () => {
    const challenges = join(import.meta.dirname, '..', '..', 'content', 'challenges');
    for (const challenge of readdirSync(challenges)) {
      const folder = join(challenges, challenge, 'tests');
      let files: string[];
      try {
        files = readdirSync(folder).filter((file) => file.endsWith('.test.ts'));
      } catch {
        continue;
      }
      for (const file of files) {
        const source = readFileSync(join(folder, file), 'utf8');
        const count = (tests: readonly DiscoveredTest[]): number => tests.reduce((sum, test) => sum + (test.kind === 'test' ? 1 : 0) + count(test.children), 0);
        // Names built with ${...} are known only at run time; every other literal name must be found.
        const literalCalls = (source.match(/^\s*(?:it|test)(?:\.\w+)?\(\s*['"`].*$/gm) ?? []).filter((line) => !/\(\s*`[^`]*\$\{/.test(line)).length;
        assert.ok(count(discoverTests(source)) >= literalCalls, `${challenge}/${file}: found ${count(discoverTests(source))} of ${literalCalls} tests`);
      }
    }
  });
});

describe('discoverTests on a real parser', () => {
  it('keeps string escapes, so the name matches the one the run reports', () => {
    assert.deepEqual(names(discoverTests("import { test } from 'node:test';\ntest('tab\\there \\'quoted\\'', () => {});\ntest(`line\\nbreak`, () => {});\n")), ['tab\there \'quoted\'', 'line\nbreak']);
  });

  it('reads a regular expression after `)` as a regular expression, keeping the nesting', () => {
    const source = [
      "import { describe, it } from 'node:test';",
      "describe('outer', () => {",
      "  if (ok) /\\)/.test(')') && call();",
      "  it('inner', () => {});",
      '});',
    ].join('\n');
    assert.deepEqual(names(discoverTests(source)), [['outer', ['inner']]]);
  });

  it('takes template literals without substitutions as names, and leaves those with substitutions to the run', () => {
    assert.deepEqual(names(discoverTests("import { test } from 'node:test';\ntest(`plain`, () => {});\ntest(`n = ${1}`, () => {});\n")), ['plain']);
  });

  it('follows aliased, default and namespace imports of node:test', () => {
    const aliased = "import { test as check, describe as group } from 'node:test';\ngroup('g', () => { check('c', () => {}); check.skip('s', () => {}); });\ntest('not node:test here', () => {});\n";
    assert.deepEqual(names(discoverTests(aliased)), [['g', ['c', 's']]]);
    const namespace = "import * as t from 'node:test';\nt.describe('d', () => { t.it('i', () => {}); t.test.only('o', () => {}); });\n";
    assert.deepEqual(names(discoverTests(namespace)), [['d', ['i', 'o']]]);
    const fallback = "import run from 'node:test';\nrun('r', () => {});\nrun.describe('s', () => { run.it('x', () => {}); });\n";
    assert.deepEqual(names(discoverTests(fallback)), ['r', ['s', ['x']]]);
  });

  it('understands TypeScript, and still finds the tests of a half-typed file', () => {
    const typed = "import { test } from 'node:test';\ninterface Pool { size: number }\nconst make = <T,>(x: T): T => x;\ntest('typed', async (): Promise<void> => { const p: Pool = { size: 1 } as Pool; make<number>(p.size); });\n";
    assert.deepEqual(names(discoverTests(typed)), ['typed']);
    const half = "import { describe, it } from 'node:test';\ndescribe('pool', () => {\n  it('acquires', () => {\n    const x: number = \n  });\n  it('releases', () => {});\n});\n";
    assert.deepEqual(names(discoverTests(half)), [['pool', ['acquires', 'releases']]]);
  });
});
