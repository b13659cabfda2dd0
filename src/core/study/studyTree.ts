// What the study view shows, decided without the editor: the areas with their lessons, the
// challenges, each with its state, description and tooltip, under the learner's level filter.
import { briefsOfFocus, DIFFICULTIES, FOCUS_AREAS, lessonsOfArea, LEVELS, type Brief, type Catalog, type Challenge, type Lesson, type Level } from '../content/model.ts';
import { challengeProgress, lessonState, type ItemState, type Progress } from '../progress/progress.ts';

export type LevelFilter = 'all' | Level;
export const LEVEL_FILTERS: readonly LevelFilter[] = ['all', ...LEVELS];

export interface LessonNode {
  readonly kind: 'lesson';
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly state: ItemState;
}

export interface ChallengeNode {
  readonly kind: 'challenge';
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly state: ItemState;
}

/** A focus-area brief: the interview angle on one topic of the outline's focus areas. */
export interface BriefNode {
  readonly kind: 'brief';
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly state: ItemState;
}

export interface GroupNode {
  readonly kind: 'area' | 'challenges' | 'focus';
  readonly id: string;
  readonly label: string;
  /** `done/total` of the items shown. */
  readonly description: string;
  readonly children: readonly (LessonNode | ChallengeNode | BriefNode)[];
}

/** Stands in for an empty tree under a level filter, so that it does not read as unreadable content. */
export interface NoticeNode {
  readonly kind: 'notice';
  readonly id: string;
  readonly label: string;
  readonly description: string;
}

/** The first row: what the plan says for today; a click opens the plan. */
export interface TodayNode {
  readonly kind: 'today';
  readonly id: 'today';
  readonly label: string;
  readonly description: string;
}

export type StudyNode = GroupNode | LessonNode | ChallengeNode | BriefNode | NoticeNode | TodayNode;

/**
 * Whether an item belongs to the learner's track: a target level takes in its own items and
 * those of the levels below it (a staff candidate is asked senior questions too).
 */
export function inTrack(level: Level, filter: LevelFilter): boolean {
  return filter === 'all' || LEVELS.indexOf(level) <= LEVELS.indexOf(filter);
}

/** How the view names an active track (its description); undefined when every level shows. */
export function filterDescription(filter: LevelFilter): string | undefined {
  if (filter === 'all') return undefined;
  const levels = LEVELS.slice(0, LEVELS.indexOf(filter) + 1);
  return levels.length === 1 ? `${filter} track` : `${filter} track: ${levels.join(', ')}`;
}

/** What the view shows when the track leaves nothing. */
export function emptyFilterNotice(filter: Level): NoticeNode {
  return { kind: 'notice', id: `empty-${filter}`, label: `No lessons or challenges up to the ${filter} level yet`, description: 'click to show all levels' };
}

export function buildStudyTree(catalog: Catalog, progress: Progress, filter: LevelFilter): GroupNode[] {
  const shown = (level: Level): boolean => inTrack(level, filter);
  const groups: GroupNode[] = [];
  for (const area of catalog.areas) {
    const lessons = lessonsOfArea(catalog, area.id).filter((lesson) => shown(lesson.level));
    if (lessons.length === 0) continue;
    groups.push(group('area', area.id, area.title, lessons.map((lesson) => lessonNode(lesson, lessonState(progress, lesson.id)))));
  }
  // Easiest first, the order to take them in; then the shorter first.
  const challenges = [...catalog.challenges.values()]
    .filter((challenge) => shown(challenge.level))
    .sort((a, b) => DIFFICULTIES.indexOf(a.difficulty) - DIFFICULTIES.indexOf(b.difficulty) || a.minutes - b.minutes || a.title.localeCompare(b.title));
  if (challenges.length > 0) {
    groups.push(group('challenges', 'challenges', 'Challenges', challenges.map((challenge) => challengeNode(challenge, challengeProgress(progress, challenge.id).state))));
  }
  // The interview focus areas after the outline's areas and challenges: briefs are the angle on
  // what the lessons teach in depth.
  for (const focus of FOCUS_AREAS) {
    const briefs = briefsOfFocus(catalog, focus.id).filter((brief) => shown(brief.level));
    if (briefs.length === 0) continue;
    groups.push(group('focus', focus.id, `Focus: ${focus.title}`, briefs.map((brief) => briefNode(brief, lessonState(progress, brief.id)))));
  }
  return groups;
}

function briefNode(brief: Brief, state: ItemState): BriefNode {
  return {
    kind: 'brief',
    id: brief.id,
    label: brief.title,
    description: `${brief.minutes} min · ${brief.level}`,
    tooltip: [`${brief.title} (${STATE_WORDS[state]})`, '', `Interview brief, ${brief.depth === 'full' ? 'full' : 'the interview angle on its lessons'}.`].join('\n'),
    state,
  };
}

/** Overall completion for the status bar: every lesson and challenge in the catalog, whatever the filter. */
export function completion(catalog: Catalog, progress: Progress): { done: number; total: number } {
  const lessons = [...catalog.lessons.keys()].filter((id) => lessonState(progress, id) === 'done').length;
  const challenges = [...catalog.challenges.keys()].filter((id) => challengeProgress(progress, id).state === 'done').length;
  return { done: lessons + challenges, total: catalog.lessons.size + catalog.challenges.size };
}

function group(kind: GroupNode['kind'], id: string, label: string, children: (LessonNode | ChallengeNode | BriefNode)[]): GroupNode {
  const done = children.filter((child) => child.state === 'done').length;
  return { kind, id, label, description: `${done}/${children.length}`, children };
}

const STATE_WORDS: Record<ItemState, string> = { 'not-started': 'Not started', 'in-progress': 'In progress', done: 'Done' };

function lessonNode(lesson: Lesson, state: ItemState): LessonNode {
  return {
    kind: 'lesson',
    id: lesson.id,
    label: lesson.title,
    description: `${lesson.minutes} min · ${lesson.level}`,
    tooltip: [`${lesson.title} (${STATE_WORDS[state]})`, '', 'You will be able to:', ...lesson.objectives.map((objective) => `- ${objective}`)].join('\n'),
    state,
  };
}

function challengeNode(challenge: Challenge, state: ItemState): ChallengeNode {
  return {
    kind: 'challenge',
    id: challenge.id,
    label: challenge.title,
    description: `${challenge.difficulty} · ${challenge.minutes} min · ${challenge.level}`,
    // The side bar cuts long titles and their description off; the tooltip has both in full.
    tooltip: [`${challenge.title} (${STATE_WORDS[state]})`, `${challenge.difficulty} · ${challenge.minutes} min · ${challenge.level} level`, '', `Edit ${challenge.entry} until its tests pass.`].join('\n'),
    state,
  };
}
