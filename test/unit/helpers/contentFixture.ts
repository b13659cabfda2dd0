// Builds small, valid content folders in memory, so that each test breaks exactly one thing.

export interface LessonOptions {
  id?: string;
  area?: string;
  order?: number;
  frontMatter?: Record<string, string>;
  /** Replaces the whole body after the front matter. */
  body?: string;
}

const filler = (count: number): string =>
  Array.from({ length: count }, (_, index) => ['the', 'loop', 'runs', 'timers', 'then', 'poll', 'then', 'check'][index % 8]).join(' ');

export function h3Items(prefix: string, count: number, withParts = false): string {
  return Array.from({ length: count }, (_, index) =>
    withParts
      ? `### ${prefix} ${index + 1}\n\n**Symptom.** It hangs.\n\n**Cause.** A blocked loop.\n\n**Fix.** Partition the work.\n`
      : `### ${prefix} ${index + 1}\n\nBecause it matters.\n`,
  ).join('\n');
}

export function interviewBlocks(id: string, count: number): string {
  return Array.from(
    { length: count },
    (_, index) => `\`\`\`interview\nid: ${id}-iq-${index + 1}\nlevel: staff\nquestion: Question ${index + 1}?\nanswer: |\n  A model answer.\n\`\`\`\n`,
  ).join('\n');
}

export function quizBlocks(id: string, count: number): string {
  return Array.from(
    { length: count },
    (_, index) => `\`\`\`quiz\nid: ${id}-quiz-${index + 1}\nquestion: Q${index + 1}?\nanswer: A.\nwhy: Because.\n\`\`\`\n`,
  ).join('\n');
}

export function lessonBody(id: string): string {
  return [
    'An introduction.',
    '',
    '## Theoretical foundations',
    '',
    filler(2100),
    '',
    '## Production code examples',
    '',
    `@[snippet](code-snippets/${id}/one.ts)`,
    '',
    `@[snippet](code-snippets/${id}/two.ts)`,
    '',
    '## Performance benchmarks',
    '',
    `@[snippet](code-snippets/${id}/bench.ts)`,
    '',
    '## Common pitfalls',
    '',
    h3Items('Pitfall', 5, true),
    '## Best practices',
    '',
    h3Items('Practice', 5),
    '## Interview questions',
    '',
    interviewBlocks(id, 5),
    '## Check your understanding',
    '',
    quizBlocks(id, 5),
    '## Further reading',
    '',
    '- [Node.js event loop](https://nodejs.org/en/learn/asynchronous-work/event-loop-timers-and-nexttick)',
    '- [libuv design](https://docs.libuv.org/en/v1.x/design.html)',
    '- [V8 blog](https://v8.dev/blog)',
    '',
  ].join('\n');
}

export function lessonText(options: LessonOptions = {}): string {
  const id = options.id ?? 'event-loop';
  const fields: Record<string, string> = {
    id,
    title: 'The event loop',
    area: options.area ?? 'node-fundamentals',
    order: String(options.order ?? 1),
    level: 'senior',
    week: '1',
    minutes: '60',
    objectives: '\n  - Explain the phases.\n  - Measure loop delay.\n  - Partition CPU work.',
    prerequisites: '[]',
    tags: '[event-loop]',
    challenges: '[rate-limiter]',
    ...options.frontMatter,
  };
  const yaml = Object.entries(fields)
    .filter(([, value]) => value !== '<omit>')
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
  return `---\n${yaml}\n---\n${options.body ?? lessonBody(id)}`;
}

export function snippetFiles(area: string, id: string): Record<string, string> {
  const folder = `${area}/code-snippets/${id}`;
  return {
    [`${folder}/one.ts`]: "console.log('one');\n",
    [`${folder}/one.expected.txt`]: 'one\n',
    [`${folder}/two.ts`]: "console.log('two');\n",
    [`${folder}/two.expected.txt`]: 'two\n',
    [`${folder}/bench.ts`]: "console.log('bench', Number(process.env.BENCH_ITERATIONS ?? 1e6));\n",
    [`${folder}/bench.expected.txt`]: 'bench [...]\n',
    [`${folder}/snippets.json`]: JSON.stringify({ 'bench.ts': { benchmark: true, benchIterations: 10 } }),
  };
}

export function challengeFiles(id = 'rate-limiter', challengeMd?: string): Record<string, string> {
  const folder = `challenges/${id}`;
  return {
    [`${folder}/challenge.md`]:
      challengeMd ??
      [
        '---',
        `id: ${id}`,
        'title: Rate limiter',
        'difficulty: medium',
        'level: senior',
        'minutes: 60',
        'lessons: [rest-best-practices]',
        'entry: src/rate-limiter.ts',
        'hints:',
        '  - Think about time.',
        '  - Keep a bucket per key.',
        '  - Refill lazily on take.',
        '---',
        'Implement it.',
        '',
        '## Follow-up questions',
        '',
        '- How would you distribute it?',
        '',
      ].join('\n'),
    [`${folder}/starter/package.json`]: JSON.stringify({ type: 'module', scripts: { test: 'node --test "test/**/*.test.ts"' } }),
    [`${folder}/starter/tsconfig.json`]: '{}',
    [`${folder}/starter/src/rate-limiter.ts`]: "export function take(): boolean { throw new Error('Not implemented'); }\n",
    [`${folder}/tests/rate-limiter.test.ts`]: "import { test } from 'node:test';\n",
    [`${folder}/solution/src/rate-limiter.ts`]: 'export function take(): boolean { return true; }\n',
    [`${folder}/solution/NOTES.md`]: '# Notes\n',
  };
}

/** A complete valid content folder: one lesson with its snippets, one challenge. */
export function validContent(): Record<string, string> {
  return {
    'node-fundamentals/event-loop.md': lessonText(),
    ...snippetFiles('node-fundamentals', 'event-loop'),
    ...challengeFiles(),
  };
}

export interface BriefOptions {
  id?: string;
  focus?: string;
  order?: number;
  frontMatter?: Record<string, string>;
  body?: string;
  words?: number;
}

export function briefText(options: BriefOptions = {}): string {
  const id = options.id ?? 'service-mesh';
  const fields: Record<string, string> = {
    id,
    title: 'Service mesh implementation',
    focus: options.focus ?? 'system-architecture',
    order: String(options.order ?? 3),
    level: 'principal',
    depth: 'full',
    minutes: '40',
    lessons: '[event-loop]',
    challenges: '[rate-limiter]',
    tags: '[service-mesh]',
    ...options.frontMatter,
  };
  const yaml = Object.entries(fields)
    .filter(([, value]) => value !== '<omit>')
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n');
  const body =
    options.body ??
    [
      'An introduction.',
      '',
      '## What interviewers probe',
      '',
      filler(options.words ?? 1600),
      '',
      '## Mechanisms and trade-offs',
      '',
      'Sidecars and their cost.',
      '',
      '## Interview questions',
      '',
      interviewBlocks(id, 3),
      '## Check your understanding',
      '',
      quizBlocks(id, 3),
      '## Go deeper',
      '',
      '- [The event loop](../../node-fundamentals/event-loop.md)',
      '',
      '## Further reading',
      '',
      '- [Envoy](https://www.envoyproxy.io/docs)',
      '- [Istio](https://istio.io/latest/docs/)',
      '- [SPIFFE](https://spiffe.io/docs/latest/)',
      '',
    ].join('\n');
  return `---\n${yaml}\n---\n${body}`;
}
