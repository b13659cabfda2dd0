import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { EMPTY_PROGRESS, setLessonState, updateChallenge } from '../../src/core/progress/progress.ts';
import { buildStudyTree, completion } from '../../src/core/study/studyTree.ts';
import { challengeFiles, lessonText, snippetFiles, validContent } from './helpers/contentFixture.ts';

const T = new Date('2026-01-01T00:00:00.000Z');

async function catalog() {
  const files = {
    ...validContent(),
    'node-fundamentals/streams.md': lessonText({ id: 'streams', order: 2, frontMatter: { level: 'staff', title: 'Streams' } }),
    ...snippetFiles('node-fundamentals', 'streams'),
    'databases/caching.md': lessonText({ id: 'caching', area: 'databases', order: 5, frontMatter: { title: 'Caching', level: 'principal' } }),
    ...snippetFiles('databases', 'caching'),
    ...challengeFiles('connection-pool', challengeFiles()['challenges/rate-limiter/challenge.md']!.replaceAll('rate-limiter', 'connection-pool').replace('level: senior', 'level: staff')),
  };
  return (await loadCatalog(memorySource(files))).catalog;
}

describe('buildStudyTree', () => {
  it('lists the areas that have lessons, in outline order, then the challenges', async () => {
    const tree = buildStudyTree(await catalog(), EMPTY_PROGRESS, 'all');
    assert.deepEqual(tree.map((node) => [node.kind, node.label]), [['area', 'Node.js fundamentals'], ['area', 'Databases'], ['challenges', 'Challenges']]);
    assert.deepEqual(tree[0]!.children.map((node) => node.id), ['event-loop', 'streams']);
  });

  it('shows each item\'s state, and counts done items per group', async () => {
    const progress = updateChallenge(setLessonState(setLessonState(EMPTY_PROGRESS, 'event-loop', 'done', T), 'streams', 'in-progress', T), 'rate-limiter', { state: 'done' }, T);
    const tree = buildStudyTree(await catalog(), progress, 'all');
    assert.deepEqual(tree[0]!.children.map((node) => node.state), ['done', 'in-progress']);
    assert.equal(tree[0]!.description, '1/2');
    assert.equal(tree[1]!.description, '0/1');
    assert.equal(tree[2]!.description, '1/2');
  });

  it('describes lessons by minutes and level, and puts their objectives in the tooltip', async () => {
    const lesson = buildStudyTree(await catalog(), EMPTY_PROGRESS, 'all')[0]!.children[0]!;
    assert.equal(lesson.description, '60 min · senior');
    assert.equal(lesson.tooltip, 'The event loop (Not started)\n\nYou will be able to:\n- Explain the phases.\n- Measure loop delay.\n- Partition CPU work.');
  });

  it('filters by level, dropping groups left empty', async () => {
    const tree = buildStudyTree(await catalog(), EMPTY_PROGRESS, 'staff');
    assert.deepEqual(tree.map((node) => node.label), ['Node.js fundamentals', 'Challenges']);
    assert.deepEqual(tree[0]!.children.map((node) => node.id), ['streams']);
    assert.deepEqual(tree[1]!.children.map((node) => node.id), ['connection-pool']);
  });

  it('counts overall completion over the whole catalog, whatever the filter', async () => {
    const progress = updateChallenge(setLessonState(EMPTY_PROGRESS, 'caching', 'done', T), 'rate-limiter', { state: 'done' }, T);
    assert.deepEqual(completion(await catalog(), progress), { done: 2, total: 5 });
  });
});
