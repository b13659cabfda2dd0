import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { EMPTY_PROGRESS, setLessonState, updateChallenge } from '../../src/core/progress/progress.ts';
import { buildStudyTree, completion, emptyFilterNotice, filterDescription } from '../../src/core/study/studyTree.ts';
import { reviewCards } from '../../src/core/review/reviewQueue.ts';
import { briefText, challengeFiles, lessonText, snippetFiles, validContent } from './helpers/contentFixture.ts';

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

  it('follows a target level: its items and those of the levels below, dropping groups left empty', async () => {
    const tree = buildStudyTree(await catalog(), EMPTY_PROGRESS, 'staff');
    assert.deepEqual(tree.map((node) => node.label), ['Node.js fundamentals', 'Challenges']);
    assert.deepEqual(tree[0]!.children.map((node) => node.id), ['event-loop', 'streams']);
    assert.deepEqual(tree[1]!.children.map((node) => node.id).sort(), ['connection-pool', 'rate-limiter']);
    const senior = buildStudyTree(await catalog(), EMPTY_PROGRESS, 'senior');
    assert.deepEqual(senior.flatMap((node) => node.children.map((child) => child.id)), ['event-loop', 'rate-limiter']);
    assert.equal(buildStudyTree(await catalog(), EMPTY_PROGRESS, 'principal').flatMap((node) => node.children).length, 5);
  });

  it('counts overall completion over the whole catalog, whatever the filter', async () => {
    const progress = updateChallenge(setLessonState(EMPTY_PROGRESS, 'caching', 'done', T), 'rate-limiter', { state: 'done' }, T);
    assert.deepEqual(completion(await catalog(), progress), { done: 2, total: 5 });
  });
});

describe('the study tree: challenge order and the level track', () => {
  async function withChallenges() {
    const rate = challengeFiles()['challenges/rate-limiter/challenge.md']!;
    const variant = (id: string, difficulty: string, title: string) =>
      challengeFiles(id, rate.replaceAll('rate-limiter', id).replace(/^difficulty: .*$/m, `difficulty: ${difficulty}`).replace(/^title: .*$/m, `title: ${title}`));
    const files = { ...validContent(), ...variant('aaa-expert', 'expert', 'Alpha'), ...variant('bbb-medium', 'medium', 'Zulu'), ...variant('ccc-hard', 'hard', 'Beta') };
    return (await loadCatalog(memorySource(files))).catalog;
  }

  it('sorts challenges from the easiest, not by title', async () => {
    const tree = buildStudyTree(await withChallenges(), EMPTY_PROGRESS, 'all');
    const challenges = tree.find((node) => node.kind === 'challenges')!;
    const difficulties = challenges.children.map((child) => child.description.split(' · ')[0]);
    assert.deepEqual(difficulties.filter((each, index) => difficulties.indexOf(each) === index), ['medium', 'hard', 'expert']);
  });

  it('puts a challenge\'s full description in its tooltip, which the side bar never cuts off', async () => {
    const tree = buildStudyTree(await withChallenges(), EMPTY_PROGRESS, 'all');
    const challenge = tree.find((node) => node.kind === 'challenges')!.children[0]!;
    assert.ok(challenge.tooltip.split('\n').some((line) => line.startsWith(challenge.description)), challenge.tooltip);
  });

  it('names an active filter, and offers a way back when it leaves nothing', () => {
    assert.equal(filterDescription('all'), undefined);
    assert.equal(filterDescription('senior'), 'senior track');
    assert.equal(filterDescription('principal'), 'principal track: senior, staff, principal');
    const notice = emptyFilterNotice('senior');
    assert.equal(notice.kind, 'notice');
    assert.match(notice.label, /No lessons or challenges up to the senior level/);
  });
});

describe('the study tree: focus-area briefs', () => {
  it('lists briefs after the challenges, one group per focus area, under the level track', async () => {
    const files = { ...validContent(), 'focus-areas/system-architecture/service-mesh.md': briefText(), 'focus-areas/data-architecture/cap-theorem.md': briefText({ id: 'cap-theorem', focus: 'data-architecture', order: 1, frontMatter: { level: 'staff' } }) };
    const { catalog, problems } = await loadCatalog(memorySource(files));
    assert.deepEqual(problems, []);
    const tree = buildStudyTree(catalog, setLessonState(EMPTY_PROGRESS, 'cap-theorem', 'done', T), 'all');
    assert.deepEqual(tree.map((node) => [node.kind, node.label, node.description]), [
      ['area', 'Node.js fundamentals', '0/1'],
      ['challenges', 'Challenges', '0/1'],
      ['focus', 'Focus: System architecture', '0/1'],
      ['focus', 'Focus: Data architecture', '1/1'],
    ]);
    assert.deepEqual(tree[3]!.children.map((node) => [node.kind, node.id, node.state]), [['brief', 'cap-theorem', 'done']]);
    assert.deepEqual(buildStudyTree(catalog, EMPTY_PROGRESS, 'staff').filter((node) => node.kind === 'focus').map((node) => node.id), ['data-architecture']);
    const cards = reviewCards(catalog).filter((card) => card.lessonId === 'cap-theorem');
    assert.deepEqual([cards.length, cards[0]!.area, cards[0]!.lessonTitle], [6, 'data-architecture', 'Service mesh implementation']);
  });
});
