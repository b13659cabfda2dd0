import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import { countWords } from '../../src/core/content/lessonParser.ts';
import { formatProblem } from '../../src/core/content/problems.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { briefText, challengeFiles, h3Items, lessonBody, lessonText, quizBlocks, snippetFiles, validContent } from './helpers/contentFixture.ts';

const LESSON = 'node-fundamentals/event-loop.md';

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const { problems } = await loadCatalog(memorySource(files));
  return problems.map(formatProblem);
}

/** The 1-based line of the first line of `text` containing `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.notEqual(index, -1, `fixture lacks ${needle}`);
  return index + 1;
}

function withLesson(text: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...validContent(), [LESSON]: text, ...extra };
}

describe('loadCatalog', () => {
  describe('a valid content folder', () => {
    it('loads with no problems', async () => {
      assert.deepEqual(await problemsOf(validContent()), []);
    });

    it('reads the lesson front matter, its quiz cards, interview questions and snippet includes', async () => {
      const { catalog } = await loadCatalog(memorySource(validContent()));
      const lesson = catalog.lessons.get('event-loop');
      assert.ok(lesson);
      assert.equal(lesson.title, 'The event loop');
      assert.equal(lesson.level, 'senior');
      assert.deepEqual(lesson.objectives, ['Explain the phases.', 'Measure loop delay.', 'Partition CPU work.']);
      assert.deepEqual(lesson.quizCards.map((card) => card.id), [1, 2, 3, 4, 5].map((n) => `event-loop-quiz-${n}`));
      assert.deepEqual(lesson.quizCards[0], { id: 'event-loop-quiz-1', question: 'Q1?', answer: 'A.', why: 'Because.', line: lesson.quizCards[0]!.line });
      assert.equal(lesson.interviewQuestions[2]!.level, 'staff');
      assert.deepEqual(
        lesson.snippets.map((snippet) => snippet.path),
        ['one.ts', 'two.ts', 'bench.ts'].map((name) => `node-fundamentals/code-snippets/event-loop/${name}`),
      );
      assert.equal(lesson.snippets[0]!.line, lineOf(lessonText(), '@[snippet](code-snippets/event-loop/one.ts)'));
    });

    it('counts prose words without code blocks', async () => {
      const code = '\n```ts\n' + 'const x = 1;\n'.repeat(500) + '```\n';
      const base = lessonBody('event-loop');
      const { catalog: withoutCode } = await loadCatalog(memorySource(withLesson(lessonText({ body: base }))));
      const { catalog: withCode } = await loadCatalog(memorySource(withLesson(lessonText({ body: base.replace('## Production code examples\n', `## Production code examples\n${code}`) }))));
      assert.equal(withCode.lessons.get('event-loop')!.proseWords, withoutCode.lessons.get('event-loop')!.proseWords);
      assert.ok(withoutCode.lessons.get('event-loop')!.proseWords > 2000);
    });

    it('counts a word as a run of letters, digits and \'’._- that holds a letter, as the definition says', () => {
      const definition = (text: string): number => text.match(/[\p{L}\p{N}'’._-]*\p{L}[\p{L}\p{N}'’._-]*/gu)?.length ?? 0;
      const samples = [
        '', '42', '3 4.5 -1', 'node:test', "it's O’Brien's", 'p99 is 12.5 ms', 'a-b_c.d', 'über Straße', '東京 タワー',
        '𝒳 is a letter outside the BMP', '١٢٣ are digits', 'x\ty\nz', '— dash — and … ellipsis', '`code` and **bold**',
      ];
      for (const text of samples) assert.equal(countWords(text), definition(text), JSON.stringify(text));
      // And on random mixtures of the characters that matter.
      const alphabet = ["a", "Z", "é", "東", "𝒳", "7", "٣", "'", "’", ".", "_", "-", " ", ",", "\n", "—", ":"];
      let seed = 7;
      const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let round = 0; round < 500; round += 1) {
        const text = Array.from({ length: 1 + Math.floor(random() * 30) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
        assert.equal(countWords(text), definition(text), JSON.stringify(text));
      }
    });

    it('gives the settings of every runnable snippet, defaults included', async () => {
      const { snippets } = await loadCatalog(memorySource(validContent()));
      assert.equal(snippets.get('node-fundamentals/code-snippets/event-loop/bench.ts')!.benchIterations, 10);
      assert.equal(snippets.get('node-fundamentals/code-snippets/event-loop/one.ts')!.timeoutMs, 10_000);
    });

    it('keeps the text of every included snippet it read, so that a page render reads no file', async () => {
      const content = validContent();
      const { snippetSources } = await loadCatalog(memorySource(content));
      const path = 'node-fundamentals/code-snippets/event-loop/one.ts';
      assert.equal(snippetSources.get(path), content[path]);
    });
  });

  describe('sections', () => {
    it('reports a renamed section at its line, and the section it replaced as missing', async () => {
      const text = lessonText().replace('## Best practices', '## Good practices');
      const problems = await problemsOf(withLesson(text));
      const line = lineOf(text, '## Good practices');
      assert.ok(problems.includes(`${LESSON}:${line}: unknown section "## Good practices": the sections are, in order: Theoretical foundations; Production code examples; Performance benchmarks; Common pitfalls; Best practices; Interview questions; Check your understanding; Further reading`), problems.join('\n'));
      assert.ok(problems.some((problem) => problem.includes('missing section "## Best practices" (section 5 of 8)')), problems.join('\n'));
    });

    it('reports sections out of order', async () => {
      const body = lessonBody('event-loop');
      const pitfalls = body.slice(body.indexOf('## Common pitfalls'), body.indexOf('## Best practices'));
      const practices = body.slice(body.indexOf('## Best practices'), body.indexOf('## Interview questions'));
      const text = lessonText({ body: body.replace(pitfalls + practices, practices + pitfalls) });
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, '## Common pitfalls')}: section "## Common pitfalls" is out of order: it belongs before "## Best practices"`), problems.join('\n'));
    });

    it('reports a section that appears twice', async () => {
      const text = lessonText().replace('## Further reading', '## Best practices\n\nAgain.\n\n## Further reading');
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.some((problem) => problem.endsWith('section "## Best practices" appears twice')), problems.join('\n'));
    });
  });

  describe('minimum counts', () => {
    it('reports too few pitfalls at the section heading', async () => {
      const body = lessonBody('event-loop').replace(h3Items('Pitfall', 5, true), h3Items('Pitfall', 4, true));
      const text = lessonText({ body });
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, '## Common pitfalls')}: needs at least 5 pitfalls (level-3 headings under "Common pitfalls"), has 4`), problems.join('\n'));
    });

    it('reports a pitfall without its Fix', async () => {
      const text = lessonText().replace('### Pitfall 3\n\n**Symptom.** It hangs.\n\n**Cause.** A blocked loop.\n\n**Fix.** Partition the work.', '### Pitfall 3\n\n**Symptom.** It hangs.\n\n**Cause.** A blocked loop.');
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, '### Pitfall 3')}: pitfall "Pitfall 3" lacks **Fix.**`), problems.join('\n'));
    });

    it('reports too few quiz cards', async () => {
      const text = lessonText({ body: lessonBody('event-loop').replace(quizBlocks('event-loop', 5), quizBlocks('event-loop', 3)) });
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, '## Check your understanding')}: needs at least 5 quiz cards, has 3`), problems.join('\n'));
    });

    it('reports too few words of prose', async () => {
      const body = lessonBody('event-loop');
      const theory = body.slice(body.indexOf('## Theoretical foundations') + 27, body.indexOf('## Production code examples'));
      const problems = await problemsOf(withLesson(lessonText({ body: body.replace(theory, '\nShort.\n\n') })));
      assert.ok(problems.some((problem) => /needs at least 2000 words of prose \(code not counted\), has \d+$/.test(problem)), problems.join('\n'));
    });

    it('reports a lesson with no benchmark snippet', async () => {
      const problems = await problemsOf(withLesson(lessonText(), { 'node-fundamentals/code-snippets/event-loop/snippets.json': '{}' }));
      assert.ok(problems.some((problem) => problem.includes('needs at least 1 benchmark snippet')), problems.join('\n'));
    });
  });

  describe('includes and references', () => {
    it('reports a broken snippet include at its line', async () => {
      const text = lessonText().replace('code-snippets/event-loop/two.ts', 'code-snippets/event-loop/missing.ts');
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, 'missing.ts')}: snippet include \`node-fundamentals/code-snippets/event-loop/missing.ts\` does not exist`), problems.join('\n'));
    });

    it('reports an include that leaves the content folder', async () => {
      const text = lessonText().replace('code-snippets/event-loop/two.ts', '../../../etc/passwd');
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, 'etc/passwd')}: snippet include \`../../../etc/passwd\` leaves the content folder`), problems.join('\n'));
    });

    it('reports a snippet without its expected output', async () => {
      const files = withLesson(lessonText());
      delete files['node-fundamentals/code-snippets/event-loop/two.expected.txt'];
      const problems = await problemsOf(files);
      assert.ok(problems.some((problem) => problem.endsWith('snippet `node-fundamentals/code-snippets/event-loop/two.ts` has no expected output `node-fundamentals/code-snippets/event-loop/two.expected.txt`')), problems.join('\n'));
    });

    it('reports a runnable snippet that no lesson includes', async () => {
      const problems = await problemsOf(withLesson(lessonText(), { 'node-fundamentals/code-snippets/event-loop/orphan.ts': '' }));
      assert.ok(problems.includes('node-fundamentals/code-snippets/event-loop/orphan.ts:1: snippet is not included by any lesson (helpers that are imported, not run, go in lib/)'), problems.join('\n'));
    });

    it('reports a related challenge that does not exist, and a prerequisite outside the study outline', async () => {
      const text = lessonText({ frontMatter: { challenges: '[rate-limiter, no-such-challenge]', prerequisites: '[no-such-lesson]' } });
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:1: challenge \`no-such-challenge\` does not exist under challenges/`), problems.join('\n'));
      assert.ok(problems.includes(`${LESSON}:1: prerequisite \`no-such-lesson\` is not a lesson of the study outline`), problems.join('\n'));
    });

    it('accepts a prerequisite that is a lesson of the outline not written yet, as lessons land one at a time', async () => {
      const text = lessonText({ frontMatter: { prerequisites: '[streams, grpc]' } });
      const problems = await problemsOf(withLesson(text));
      assert.deepEqual(problems.filter((problem) => problem.includes('prerequisite')), []);
    });

    it('resolves links to other lessons, allows an outline lesson not written yet, and reports any other markdown link', async () => {
      const text = lessonText().replace('An introduction.', 'See [streams](streams.md), [memory](./memory-management.md#heap) and [heap](./heap-internals.md).');
      const streams = lessonText({ id: 'streams', order: 2, frontMatter: { challenges: '[]' } });
      const problems = await problemsOf({ ...withLesson(text), 'node-fundamentals/streams.md': streams, ...snippetFiles('node-fundamentals', 'streams') });
      const linkProblems = problems.filter((problem) => problem.includes('link to'));
      assert.deepEqual(linkProblems, [`${LESSON}:${lineOf(text, 'See [streams]')}: link to \`node-fundamentals/heap-internals.md\`, which is not a lesson`]);
    });

    it('reports a quiz card id used in two lessons', async () => {
      const streams = lessonText({ id: 'streams', order: 2, body: lessonBody('streams').replace('id: streams-quiz-1', 'id: event-loop-quiz-1') });
      const problems = await problemsOf({ ...validContent(), 'node-fundamentals/streams.md': streams, ...snippetFiles('node-fundamentals', 'streams') });
      assert.ok(problems.some((problem) => problem.includes('id `event-loop-quiz-1` is already used at node-fundamentals/event-loop.md:')), problems.join('\n'));
    });

    it('reports a lesson file that is not in the outline, and an order that disagrees with it', async () => {
      const problems = await problemsOf({ ...validContent(), 'node-fundamentals/promises.md': lessonText({ id: 'promises' }), [LESSON]: lessonText({ order: 3 }) });
      assert.ok(problems.includes('node-fundamentals/promises.md:1: `promises` is not a lesson of the Node.js fundamentals outline (event-loop, streams, clustering, memory-management, error-handling)'));
      assert.ok(problems.includes(`${LESSON}:1: \`order\` is 3, but the outline puts \`event-loop\` at position 1`), problems.join('\n'));
    });
  });

  describe('front matter', () => {
    it('reports each invalid field at its line and keeps checking the rest', async () => {
      const text = lessonText({ frontMatter: { level: 'junior', week: '7', tag: '[x]' } });
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, 'level: junior')}: \`level\` must be one of senior, staff, principal`), problems.join('\n'));
      assert.ok(problems.includes(`${LESSON}:${lineOf(text, 'week: 7')}: \`week\` must be a whole number from 1 to 4`), problems.join('\n'));
      assert.ok(problems.some((problem) => problem.startsWith(`${LESSON}:${lineOf(text, 'tag: [x]')}: unknown front matter field \`tag\``)), problems.join('\n'));
    });

    it('reports an id that is not the file name, and an objective that does not start with a verb', async () => {
      const text = lessonText({ frontMatter: { id: 'loop', objectives: '\n  - Explain it.\n  - The phases matter.\n  - Measure it.' } });
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.some((problem) => problem.includes('`id` must be the file name without .md (`event-loop`), is `loop`')), problems.join('\n'));
      assert.ok(problems.some((problem) => problem.includes('objective "The phases matter." must be a sentence that starts with a verb')), problems.join('\n'));
    });

    it('reports an interview question whose id lacks the lesson prefix or whose level is unknown', async () => {
      const text = lessonText().replace('id: event-loop-iq-2\nlevel: staff', 'id: iq-2\nlevel: guru');
      const problems = await problemsOf(withLesson(text));
      assert.ok(problems.some((problem) => problem.endsWith('interview question id `iq-2` must be lower-case words joined by hyphens, starting with `event-loop-`')), problems.join('\n'));
      assert.ok(problems.some((problem) => problem.endsWith('interview question `iq-2`: `level` must be one of senior, staff, principal')), problems.join('\n'));
    });

    it('keeps a lesson whose counts fall short, so that the learner can still read it', async () => {
      const { catalog, problems } = await loadCatalog(memorySource(withLesson(lessonText({ body: 'Too short.\n' }))));
      assert.ok(problems.length > 0);
      assert.ok(catalog.lessons.has('event-loop'));
    });
  });

  describe('challenges', () => {
    it('reads a challenge', async () => {
      const { catalog } = await loadCatalog(memorySource(validContent()));
      const challenge = catalog.challenges.get('rate-limiter');
      assert.ok(challenge);
      assert.equal(challenge.entry, 'src/rate-limiter.ts');
      assert.equal(challenge.hints.length, 3);
      assert.equal(challenge.folder, 'challenges/rate-limiter');
    });

    it('reports missing follow-up questions and too few hints', async () => {
      const md = challengeFiles()['challenges/rate-limiter/challenge.md']!.replace('## Follow-up questions', '## Later').replace('  - Refill lazily on take.\n', '');
      const problems = await problemsOf({ ...validContent(), ...challengeFiles('rate-limiter', md) });
      assert.ok(problems.some((problem) => problem.endsWith('the statement must end with a section "## Follow-up questions"')), problems.join('\n'));
      assert.ok(problems.includes('challenges/rate-limiter/challenge.md:9: `hints` must have at least 3 entries, has 2'), problems.join('\n'));
    });

    it('reports a challenge folder that lacks a file the scaffold needs', async () => {
      const files = validContent();
      delete files['challenges/rate-limiter/solution/NOTES.md'];
      delete files['challenges/rate-limiter/tests/rate-limiter.test.ts'];
      const problems = await problemsOf(files);
      assert.ok(problems.includes('challenges/rate-limiter/challenge.md:1: the challenge folder lacks solution/NOTES.md'), problems.join('\n'));
      assert.ok(problems.includes('challenges/rate-limiter/challenge.md:1: the challenge folder has no tests/*.test.ts'), problems.join('\n'));
    });

    it('reports a starter whose npm test would run more than the test files (a helper beside them counts as a test)', async () => {
      for (const packageJson of ['{"type":"module","scripts":{"test":"node --test"}}', '{"type":"module"}', 'not json']) {
        const problems = await problemsOf({ ...validContent(), 'challenges/rate-limiter/starter/package.json': packageJson });
        assert.ok(problems.some((problem) => problem.startsWith('challenges/rate-limiter/starter/package.json:1: its test script is ') && problem.endsWith('must be "node --test \\"test/**/*.test.ts\\"", the files the Testing view runs')), `${packageJson}: ${problems.join('\n')}`);
      }
    });

    it('refuses an entry file outside src/', async () => {
      const md = challengeFiles()['challenges/rate-limiter/challenge.md']!.replace('entry: src/rate-limiter.ts', 'entry: src/../../x.ts');
      const { catalog, problems } = await loadCatalog(memorySource({ ...validContent(), ...challengeFiles('rate-limiter', md) }));
      assert.ok(problems.some((problem) => problem.message.startsWith('`entry` must be a TypeScript file directly under src/')));
      assert.equal(catalog.challenges.has('rate-limiter'), false);
    });

    it('reports a challenge that points at a lesson outside the outline', async () => {
      const md = challengeFiles()['challenges/rate-limiter/challenge.md']!.replace('lessons: [rest-best-practices]', 'lessons: [kubernetes]');
      const problems = await problemsOf({ ...validContent(), ...challengeFiles('rate-limiter', md) });
      assert.ok(problems.includes('challenges/rate-limiter/challenge.md:1: lesson `kubernetes` is not in the study outline'), problems.join('\n'));
    });
  });
});

describe('loadCatalog: focus-area briefs', () => {
  const FILE = 'focus-areas/system-architecture/service-mesh.md';
  const withBrief = (text: string, extra: Record<string, string> = {}): Record<string, string> => ({ ...validContent(), [FILE]: text, ...extra });

  it('loads a valid brief with its blocks, links and word count, in outline order', async () => {
    const { catalog, problems } = await loadCatalog(memorySource(withBrief(briefText(), { 'focus-areas/data-architecture/cap-theorem.md': briefText({ id: 'cap-theorem', focus: 'data-architecture', order: 1 }) })));
    assert.deepEqual(problems, []);
    assert.deepEqual([...catalog.briefs!.keys()], ['service-mesh', 'cap-theorem']);
    const brief = catalog.briefs!.get('service-mesh')!;
    assert.equal(brief.depth, 'full');
    assert.deepEqual(brief.interviewQuestions.map((question) => question.id), ['service-mesh-iq-1', 'service-mesh-iq-2', 'service-mesh-iq-3']);
    assert.ok(brief.proseWords >= 1600);
  });

  it('reports a brief that is not a topic of its focus area, or out of its place', async () => {
    const problems = await problemsOf({ ...validContent(), 'focus-areas/system-architecture/kubernetes.md': briefText({ id: 'kubernetes' }), [FILE]: briefText({ order: 2 }) });
    assert.ok(problems.some((problem) => problem.startsWith('focus-areas/system-architecture/kubernetes.md:1: `kubernetes` is not a topic of the System architecture focus area')), problems.join('\n'));
    assert.ok(problems.includes(`${FILE}:1: \`order\` is 2, but the focus area puts \`service-mesh\` at position 3`), problems.join('\n'));
  });

  it('checks the six sections, the blocks and the words its depth asks for', async () => {
    const noQuiz = briefText().replace(/```quiz[\s\S]*?```\n/g, '');
    const problems = await problemsOf(withBrief(noQuiz));
    assert.ok(problems.some((problem) => problem.startsWith(`${FILE}:`) && problem.includes('needs at least 3 quiz cards, has 0')), problems.join('\n'));
    const renamed = await problemsOf(withBrief(briefText().replace('## Go deeper', '## See also')));
    assert.ok(renamed.some((problem) => problem.includes('unknown section "## See also"')), renamed.join('\n'));
    assert.ok(renamed.some((problem) => problem.includes('missing section "## Go deeper"')), renamed.join('\n'));
    const short = await problemsOf(withBrief(briefText({ words: 700 })));
    assert.ok(short.some((problem) => problem.includes('words of prose for a brief of depth `full`')), short.join('\n'));
    assert.deepEqual(await problemsOf(withBrief(briefText({ words: 700, frontMatter: { depth: 'angle' } }))), []);
  });

  it('checks its references and keeps one id space with the lessons', async () => {
    const problems = await problemsOf(withBrief(briefText({ frontMatter: { lessons: '[kubernetes-basics]', challenges: '[no-such-challenge]' } })));
    assert.ok(problems.includes(`${FILE}:1: lesson \`kubernetes-basics\` is not in the study outline`), problems.join('\n'));
    assert.ok(problems.includes(`${FILE}:1: challenge \`no-such-challenge\` does not exist under challenges/`), problems.join('\n'));
    const clash = briefText().replaceAll('service-mesh-quiz-1', 'service-mesh-quiz-x');
    const lessonWithClash = lessonText().replace('event-loop-quiz-1', 'event-loop-quiz-x');
    const duplicate = await problemsOf({ ...validContent(), 'node-fundamentals/event-loop.md': lessonWithClash.replace('id: event-loop-quiz-x', 'id: event-loop-quiz-x'), [FILE]: clash.replace('id: service-mesh-quiz-x', 'id: service-mesh-iq-1') });
    assert.ok(duplicate.some((problem) => problem.includes('id `service-mesh-iq-1` is already used at')), duplicate.join('\n'));
  });
});

