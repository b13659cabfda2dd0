// The study domain: areas, lessons, challenges and the content inside them. Everything here
// has been validated by the catalog loader; nothing downstream re-checks it.

export const LEVELS = ['senior', 'staff', 'principal'] as const;
export type Level = (typeof LEVELS)[number];

export const DIFFICULTIES = ['medium', 'hard', 'expert'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export interface Area {
  readonly id: string;
  readonly title: string;
  /** The lesson ids of the study outline, in order; a lesson not written yet is simply absent from the catalog. */
  readonly outline: readonly string[];
}

/** The study outline: four areas of five lessons each. Paths follow it (`content/<area>/<lesson>.md`). */
export const AREAS: readonly Area[] = [
  {
    id: 'node-fundamentals',
    title: 'Node.js fundamentals',
    outline: ['event-loop', 'streams', 'clustering', 'memory-management', 'error-handling'],
  },
  {
    id: 'api-design',
    title: 'API design',
    outline: ['rest-best-practices', 'graphql-schemas', 'websockets', 'grpc', 'versioning'],
  },
  {
    id: 'databases',
    title: 'Databases',
    outline: ['sql-optimization', 'nosql-patterns', 'sharding', 'transactions', 'caching'],
  },
  {
    id: 'microservices',
    title: 'Microservices',
    outline: ['communication', 'saga-pattern', 'service-discovery', 'circuit-breakers', 'event-sourcing'],
  },
];

/** The eight sections of every lesson, in order, exactly as their level-2 headings read. */
export const LESSON_SECTIONS = [
  'Theoretical foundations',
  'Production code examples',
  'Performance benchmarks',
  'Common pitfalls',
  'Best practices',
  'Interview questions',
  'Check your understanding',
  'Further reading',
] as const;
export type LessonSectionName = (typeof LESSON_SECTIONS)[number];

/** The guide's minimums for a core lesson. */
export const LESSON_MINIMUMS = {
  proseWords: 2000,
  snippets: 3,
  benchmarks: 1,
  pitfalls: 5,
  bestPractices: 5,
  interviewQuestions: 5,
  quizCards: 5,
  furtherReadingLinks: 3,
  objectives: { min: 3, max: 6 },
  hints: 3,
} as const;

export interface QuizCard {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  readonly why: string;
  /** 1-based line of the card's block in the lesson file. */
  readonly line: number;
}

export interface InterviewQuestion {
  readonly id: string;
  readonly level: Level;
  readonly question: string;
  /** Markdown. */
  readonly answer: string;
  readonly line: number;
}

export interface Heading {
  readonly level: number;
  readonly text: string;
  /** The anchor the renderer gives it. */
  readonly slug: string;
  readonly line: number;
}

export interface SnippetInclude {
  /** Relative to the content folder, `/`-separated, such as `node-fundamentals/code-snippets/event-loop/order.ts`. */
  readonly path: string;
  readonly line: number;
}

export interface Lesson {
  readonly kind: 'lesson';
  readonly id: string;
  readonly title: string;
  readonly area: string;
  readonly order: number;
  readonly level: Level;
  readonly week: number;
  readonly minutes: number;
  readonly objectives: readonly string[];
  readonly prerequisites: readonly string[];
  readonly tags: readonly string[];
  readonly challenges: readonly string[];
  /** Relative to the content folder. */
  readonly file: string;
  /** The markdown after the front matter, and the file line it starts on. */
  readonly body: string;
  readonly bodyLine: number;
  readonly headings: readonly Heading[];
  readonly snippets: readonly SnippetInclude[];
  readonly interviewQuestions: readonly InterviewQuestion[];
  readonly quizCards: readonly QuizCard[];
  readonly proseWords: number;
}

export interface Challenge {
  readonly kind: 'challenge';
  readonly id: string;
  readonly title: string;
  readonly difficulty: Difficulty;
  readonly level: Level;
  readonly minutes: number;
  readonly lessons: readonly string[];
  /** The file the learner edits, relative to the challenge folder (`src/pool.ts`). */
  readonly entry: string;
  readonly hints: readonly string[];
  /** `challenges/<id>`, relative to the content folder. */
  readonly folder: string;
  /** The statement (markdown after the front matter). */
  readonly body: string;
}

/** The outline's interview focus areas, four topics each; a brief covers one topic (`content/focus-areas/<focus>/<brief>.md`). */
export interface FocusArea {
  readonly id: string;
  readonly title: string;
  readonly outline: readonly string[];
}

export const FOCUS_AREAS: readonly FocusArea[] = [
  { id: 'system-architecture', title: 'System architecture', outline: ['microservices-vs-monolith', 'event-driven-architecture', 'service-mesh', 'api-gateway'] },
  { id: 'data-architecture', title: 'Data architecture', outline: ['cap-theorem', 'eventual-consistency', 'multi-region-data', 'data-pipelines'] },
  { id: 'performance-scale', title: 'Performance and scale', outline: ['query-optimization', 'caching-layers', 'load-balancing', 'rate-limiting'] },
  { id: 'security-reliability', title: 'Security and reliability', outline: ['authn-authz', 'secret-management', 'disaster-recovery', 'observability'] },
];

/** The six sections of every brief, in order. */
export const BRIEF_SECTIONS = ['What interviewers probe', 'Mechanisms and trade-offs', 'Interview questions', 'Check your understanding', 'Go deeper', 'Further reading'] as const;

export const BRIEF_DEPTHS = ['full', 'angle'] as const;
export type BriefDepth = (typeof BRIEF_DEPTHS)[number];

/** The guide's minimums for a brief: a full brief, or the interview angle on a topic a lesson covers. */
export const BRIEF_MINIMUMS = {
  proseWords: { full: 1500, angle: 600 },
  interviewQuestions: 3,
  quizCards: 3,
  furtherReadingLinks: 3,
} as const;

export interface Brief {
  readonly kind: 'brief';
  readonly id: string;
  readonly title: string;
  readonly focus: string;
  readonly order: number;
  readonly level: Level;
  readonly depth: BriefDepth;
  readonly minutes: number;
  readonly lessons: readonly string[];
  readonly challenges: readonly string[];
  readonly tags: readonly string[];
  readonly file: string;
  readonly body: string;
  readonly bodyLine: number;
  readonly headings: readonly Heading[];
  readonly snippets: readonly SnippetInclude[];
  readonly interviewQuestions: readonly InterviewQuestion[];
  readonly quizCards: readonly QuizCard[];
  readonly proseWords: number;
}

export interface Catalog {
  readonly areas: readonly Area[];
  /** Lessons by id, in outline order. */
  readonly lessons: ReadonlyMap<string, Lesson>;
  readonly challenges: ReadonlyMap<string, Challenge>;
  /** Focus-area briefs by id, in outline order (absent: none written). */
  readonly briefs?: ReadonlyMap<string, Brief>;
}

/** What a review sitting can be limited to: an area of the outline, or an interview focus area. */
export const REVIEW_GROUPS: readonly { readonly id: string; readonly title: string }[] = [...AREAS, ...FOCUS_AREAS];

/** A page the lesson panel shows: a lesson, or a focus-area brief (their ids share one space). */
export type StudyDocument = Lesson | Brief;

export function documentOf(catalog: Catalog, id: string): StudyDocument | undefined {
  return catalog.lessons.get(id) ?? catalog.briefs?.get(id);
}

export function briefsOfFocus(catalog: Catalog, focusId: string): Brief[] {
  return [...(catalog.briefs?.values() ?? [])].filter((brief) => brief.focus === focusId).sort((a, b) => a.order - b.order);
}

export function lessonsOfArea(catalog: Catalog, areaId: string): Lesson[] {
  return [...catalog.lessons.values()].filter((lesson) => lesson.area === areaId).sort((a, b) => a.order - b.order);
}
