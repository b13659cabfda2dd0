import assert from 'node:assert/strict';
import { splitFrontMatter } from '../../src/core/content/frontMatter.ts';
import { formatProblem } from '../../src/core/content/problems.ts';

describe('splitFrontMatter', () => {
  it('parses the YAML between the fences and returns the body with its starting line', () => {
    const text = ['---', 'id: event-loop', 'order: 1', 'tags: [a, b]', '---', '# Title', '', 'Body.'].join('\n');
    const split = splitFrontMatter('node-fundamentals/event-loop.md', text);
    assert.deepEqual(split.problems, []);
    assert.deepEqual(split.data, { id: 'event-loop', order: 1, tags: ['a', 'b'] });
    assert.equal(split.body, '# Title\n\nBody.');
    assert.equal(split.bodyLine, 6);
  });

  it('records the file line of every top-level key', () => {
    const text = ['---', 'id: x', 'objectives:', '  - Explain it.', 'minutes: 5', '---', ''].join('\n');
    const split = splitFrontMatter('a.md', text);
    assert.equal(split.keyLines.get('id'), 2);
    assert.equal(split.keyLines.get('objectives'), 3);
    assert.equal(split.keyLines.get('minutes'), 5);
  });

  it('accepts CRLF line endings and a byte-order mark', () => {
    const split = splitFrontMatter('a.md', '\uFEFF---\r\nid: x\r\n---\r\nBody\r\n');
    assert.deepEqual(split.problems, []);
    assert.deepEqual(split.data, { id: 'x' });
    assert.equal(split.body, 'Body\n');
  });

  it('reports a file without front matter at line 1 and keeps the whole text as body', () => {
    const split = splitFrontMatter('a.md', '# Just markdown\n');
    assert.equal(split.data, undefined);
    assert.equal(split.body, '# Just markdown\n');
    assert.equal(formatProblem(split.problems[0]!), 'a.md:1: missing front matter: the file must start with a line `---`');
  });

  it('reports front matter that is never closed', () => {
    const split = splitFrontMatter('a.md', '---\nid: x\n# Title\n');
    assert.equal(split.data, undefined);
    assert.match(split.problems[0]!.message, /not closed/);
  });

  it('reports broken YAML at the file line where it breaks', () => {
    const split = splitFrontMatter('a.md', ['---', 'id: x', 'title: [unclosed', 'order: 1', '---', ''].join('\n'));
    assert.equal(split.data, undefined);
    assert.equal(split.problems.length > 0, true);
    assert.equal(split.problems[0]!.line >= 3, true, `line ${split.problems[0]!.line} should be at or after the broken line 3`);
    assert.match(split.problems[0]!.message, /not valid YAML/);
  });

  it('reports a duplicated key instead of silently keeping one of the values', () => {
    const split = splitFrontMatter('a.md', ['---', 'id: x', 'id: y', '---', ''].join('\n'));
    assert.equal(split.data, undefined);
    assert.equal(split.problems[0]!.line, 3);
  });

  it('rejects front matter that is a list or a scalar rather than a mapping', () => {
    for (const yaml of ['- a\n- b', 'just a string']) {
      const split = splitFrontMatter('a.md', `---\n${yaml}\n---\n`);
      assert.equal(split.data, undefined, yaml);
      assert.match(split.problems[0]!.message, /mapping/, yaml);
    }
  });
});
