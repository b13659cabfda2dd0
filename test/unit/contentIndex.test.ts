import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import { buildContentIndex, loadCatalogIndexed } from '../../src/core/content/contentIndex.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { validContent } from './helpers/contentFixture.ts';

const SNIPPET = 'node-fundamentals/code-snippets/event-loop/one.ts';

describe('the content index', () => {
  it('gives, for the content it was built from, exactly the catalog a full load gives', async () => {
    const files = validContent();
    const { index } = await buildContentIndex(memorySource(files));
    const indexed = await loadCatalogIndexed(memorySource(files), index);
    assert.equal(indexed.from, 'index');
    const full = await loadCatalog(memorySource(files));
    assert.deepEqual([...indexed.loaded.catalog.lessons], [...full.catalog.lessons]);
    assert.deepEqual([...indexed.loaded.catalog.challenges], [...full.catalog.challenges]);
    assert.deepEqual(indexed.loaded.catalog.areas, full.catalog.areas);
    assert.deepEqual([...indexed.loaded.snippets], [...full.snippets]);
    assert.deepEqual([...indexed.loaded.snippetSources].sort(), [...full.snippetSources].sort());
    assert.deepEqual(indexed.loaded.problems, full.problems);
  });

  it('keeps the problems it was built with', async () => {
    const files = { ...validContent(), 'node-fundamentals/code-snippets/event-loop/stray.ts': 'console.log(1);\n' };
    const { index, loaded } = await buildContentIndex(memorySource(files));
    assert.ok(loaded.problems.length > 0);
    const indexed = await loadCatalogIndexed(memorySource(files), index);
    assert.equal(indexed.from, 'index');
    assert.deepEqual(indexed.loaded.problems, loaded.problems);
  });

  const changes: [string, (files: Record<string, string>) => void][] = [
    ['a lesson is edited', (files) => {
      files['node-fundamentals/event-loop.md'] = files['node-fundamentals/event-loop.md']!.replace('An introduction.', 'An edited introduction.');
    }],
    ['a snippet is edited', (files) => {
      files[SNIPPET] = `${files[SNIPPET]!}// edited\n`;
    }],
    ['a file appears in a snippet folder', (files) => {
      files['node-fundamentals/code-snippets/event-loop/new.ts'] = 'console.log(2);\n';
    }],
    ['an expected output is removed', (files) => {
      Reflect.deleteProperty(files, SNIPPET.replace(/\.ts$/, '.expected.txt'));
    }],
    ['a lesson appears', (files) => {
      files['node-fundamentals/streams.md'] = files['node-fundamentals/event-loop.md']!.replaceAll('event-loop', 'streams');
    }],
    ['a challenge file is removed', (files) => {
      const notes = Object.keys(files).find((path) => path.endsWith('solution/NOTES.md'));
      assert.ok(notes);
      Reflect.deleteProperty(files, notes);
    }],
  ];
  for (const [change, apply] of changes) {
    it(`loads in full, and says why, when ${change}`, async () => {
      const files = validContent();
      const { index } = await buildContentIndex(memorySource(files));
      apply(files);
      const indexed = await loadCatalogIndexed(memorySource(files), index);
      assert.ok(indexed.from === 'content', 'the stale index was used');
      assert.match(indexed.why, /changed since the index was built/);
      assert.deepEqual(indexed.loaded.problems, (await loadCatalog(memorySource(files))).problems);
      assert.deepEqual([...indexed.loaded.catalog.lessons.keys()], [...(await loadCatalog(memorySource(files))).catalog.lessons.keys()]);
    });
  }

  it('reads each file once when it falls back: the full load reuses what the check read', async () => {
    const files = validContent();
    const { index } = await buildContentIndex(memorySource(files));
    files[SNIPPET] = `${files[SNIPPET]!}// edited\n`;
    const inner = memorySource(files);
    const reads = new Map<string, number>();
    const counting = {
      readFile: (path: string) => {
        reads.set(path, (reads.get(path) ?? 0) + 1);
        return inner.readFile(path);
      },
      list: (path: string) => inner.list(path),
    };
    const indexed = await loadCatalogIndexed(counting, index);
    assert.equal(indexed.from, 'content');
    assert.ok(reads.size > 5);
    assert.deepEqual([...reads].filter(([, count]) => count > 1), []);
    assert.ok(indexed.loaded.snippetSources.get(SNIPPET)?.endsWith('// edited\n'), 'the fallback served a stale text');
  });

  it('loads in full when the index is missing, not JSON, or of another format, and never throws', async () => {
    const files = validContent();
    for (const [index, why] of [[undefined, /no content index/], ['{', /not valid JSON/], ['{"format":2}', /another format/], ['null', /another format/]] as const) {
      const indexed = await loadCatalogIndexed(memorySource(files), index);
      assert.ok(indexed.from === 'content', 'a bad index was used');
      assert.match(indexed.why, why);
      assert.equal(indexed.loaded.catalog.lessons.size, 1);
    }
  });
});
