// The four-week plan of the study outline, spread over the learner's days. The outline gives the
// weeks and their goals; the catalog gives the items and their minutes; the learner gives a
// start date, optionally an interview date and the hours a week. The spread is a function of
// those alone, so a day's items stay where they were put as the learner works: what was not
// done by its day is overdue, not silently moved.
import type { Catalog } from '../content/model.ts';
import { inTrack, type LevelFilter } from '../study/studyTree.ts';
import { addDays, daysBetween } from './calendar.ts';

export interface PlanItemRef {
  readonly kind: 'lesson' | 'challenge';
  readonly id: string;
}

export interface PlanGoal {
  /** As the outline writes it. */
  readonly text: string;
  readonly items: readonly PlanItemRef[];
}

export interface PlanWeek {
  readonly week: number;
  readonly title: string;
  readonly goals: readonly PlanGoal[];
}

const lesson = (id: string): PlanItemRef => ({ kind: 'lesson', id });
const challenge = (id: string): PlanItemRef => ({ kind: 'challenge', id });

/** The outline's weeks with their goals as written, and the items that serve each goal. */
export const STUDY_WEEKS: readonly PlanWeek[] = [
  {
    week: 1,
    title: 'Node.js fundamentals',
    goals: [
      { text: 'Event loop and async patterns', items: [lesson('event-loop'), lesson('error-handling'), challenge('rate-limiter')] },
      { text: 'Streams and buffers', items: [lesson('streams'), lesson('memory-management')] },
      { text: 'Clustering scenarios', items: [lesson('clustering'), challenge('connection-pool')] },
    ],
  },
  {
    week: 2,
    title: 'API design',
    goals: [
      { text: 'REST vs GraphQL', items: [lesson('rest-best-practices'), lesson('graphql-schemas'), challenge('batch-loader')] },
      { text: 'Real-time features', items: [lesson('websockets'), lesson('grpc'), challenge('message-queue')] },
      { text: 'API versioning', items: [lesson('versioning'), challenge('idempotency-keys')] },
    ],
  },
  {
    week: 3,
    title: 'Databases',
    goals: [
      { text: 'Complex queries', items: [lesson('sql-optimization'), lesson('transactions'), lesson('nosql-patterns')] },
      { text: 'Sharding strategies', items: [lesson('sharding'), challenge('consistent-hash-ring')] },
      { text: 'Caching layers', items: [lesson('caching'), challenge('cache-loader'), challenge('distributed-lock')] },
    ],
  },
  {
    week: 4,
    title: 'Microservices',
    goals: [
      { text: 'Microservices patterns', items: [lesson('communication'), lesson('service-discovery'), lesson('saga-pattern'), lesson('event-sourcing')] },
      { text: 'Failure scenarios', items: [lesson('circuit-breakers'), challenge('circuit-breaker')] },
      { text: 'Resilient systems', items: [challenge('saga-orchestrator')] },
    ],
  },
];

/** The outline's length when no interview date is set. */
export const PLAN_DAYS = 28;

export interface PlanSettings {
  /** `YYYY-MM-DD`. */
  readonly start: string;
  /** `YYYY-MM-DD`, after the start; the plan ends the day before. */
  readonly interview?: string;
  readonly hoursPerWeek?: number;
}

export interface PlanEntry extends PlanItemRef {
  readonly title: string;
  readonly minutes: number;
  readonly week: number;
  readonly goal: string;
  readonly done: boolean;
}

export interface PlanDay {
  readonly date: string;
  /** 0-based from the start. */
  readonly index: number;
  readonly week: number;
  readonly entries: readonly PlanEntry[];
  /** A day kept for practice: mock design questions and reviews, no new material. */
  readonly practice: boolean;
}

export interface StudyPlan {
  readonly settings: Required<Pick<PlanSettings, 'start' | 'hoursPerWeek'>> & Pick<PlanSettings, 'interview'>;
  /** The learner set no hours a week: these are the fewest at which everything fits. */
  readonly hoursDerived: boolean;
  readonly days: readonly PlanDay[];
  /** The last day of the plan. */
  readonly end: string;
  /** Items that do not fit before the practice days at these hours a week. */
  readonly unscheduled: readonly PlanEntry[];
  readonly minutesPerDay: number;
}

export type IsDone = (item: PlanItemRef) => boolean;

/** How many of the last days are practice: none for a plan of two days or less, up to three for a full four weeks. */
export function practiceDays(length: number): number {
  if (length >= 21) return 3;
  if (length >= 7) return 2;
  return length >= 3 ? 1 : 0;
}

/** The plan's entries in outline order, each once (an item serving two goals counts for the first), in the learner's track. */
export function planEntries(catalog: Catalog, isDone: IsDone, track: LevelFilter = 'all'): PlanEntry[] {
  const seen = new Set<string>();
  const entries: PlanEntry[] = [];
  for (const week of STUDY_WEEKS) {
    for (const goal of week.goals) {
      for (const item of goal.items) {
        const key = `${item.kind}:${item.id}`;
        const found = item.kind === 'lesson' ? catalog.lessons.get(item.id) : catalog.challenges.get(item.id);
        if (!found || seen.has(key) || !inTrack(found.level, track)) continue;
        seen.add(key);
        entries.push({ ...item, title: found.title, minutes: found.minutes, week: week.week, goal: goal.text, done: isDone(item) });
      }
    }
  }
  return entries;
}

/**
 * Spreads the outline over the days from the start to the interview (or four weeks). Each week
 * of the outline gets an equal share of the study days and its items never start before that
 * share does; within it, items fill days up to the daily minutes in order, and one longer than
 * a day runs into the next. The last days are practice. Without hours a week from the learner,
 * the plan takes what the outline needs: its minutes spread evenly over the study days, rounded
 * up to a half hour, and more in half hours until every item starts before the practice days.
 * A plan that says items do not fit at a number the learner never chose is no plan.
 */
export function buildPlan(catalog: Catalog, settings: PlanSettings, isDone: IsDone, track: LevelFilter = 'all'): StudyPlan {
  const length = settings.interview === undefined ? PLAN_DAYS : Math.max(1, daysBetween(settings.start, settings.interview));
  const entries = planEntries(catalog, isDone, track);
  const chosen = settings.hoursPerWeek !== undefined && settings.hoursPerWeek > 0 ? settings.hoursPerWeek : undefined;
  if (chosen !== undefined) return spread(entries, settings, length, chosen, false);
  const studyDays = length - practiceDays(length);
  const total = entries.reduce((sum, entry) => sum + entry.minutes, 0);
  // The least that could fit, then up in half hours: week starts and whole items can need more.
  let hours = Math.max(0.5, Math.ceil(((total / Math.max(1, studyDays)) * 7 * 2) / 60) / 2);
  let plan = spread(entries, settings, length, hours, true);
  while (plan.unscheduled.length > 0 && hours < MAX_DERIVED_HOURS) {
    hours += 0.5;
    plan = spread(entries, settings, length, hours, true);
  }
  return plan;
}

/** No learner studies more: a plan that needs more than this says what does not fit. */
const MAX_DERIVED_HOURS = 100;

function spread(entries: readonly PlanEntry[], settings: PlanSettings, length: number, hoursPerWeek: number, hoursDerived: boolean): StudyPlan {
  const practice = practiceDays(length);
  const studyDays = length - practice;
  const minutesPerDay = (hoursPerWeek * 60) / 7;
  const weekStart = (week: number): number => Math.floor(((week - 1) * studyDays) / STUDY_WEEKS.length);

  const placed: PlanEntry[][] = Array.from({ length }, () => []);
  const unscheduled: PlanEntry[] = [];
  let day = 0;
  let used = 0;
  for (const entry of entries) {
    const start = weekStart(entry.week);
    if (day < start) {
      day = start;
      used = 0;
    }
    if (used > 0 && used + entry.minutes > minutesPerDay) {
      day += 1;
      used = 0;
    }
    if (day >= studyDays) {
      unscheduled.push(entry);
      continue;
    }
    placed[day]?.push(entry);
    used += entry.minutes;
    if (used >= minutesPerDay) {
      day += Math.floor(used / minutesPerDay);
      used %= minutesPerDay;
    }
  }

  const days = placed.map((dayEntries, index) => ({
    date: addDays(settings.start, index),
    index,
    week: Math.min(STUDY_WEEKS.length, STUDY_WEEKS.findLastIndex((week) => weekStart(week.week) <= index) + 1),
    entries: dayEntries,
    practice: index >= studyDays,
  }));
  return {
    settings: { start: settings.start, hoursPerWeek, ...(settings.interview === undefined ? {} : { interview: settings.interview }) },
    hoursDerived,
    days,
    end: addDays(settings.start, length - 1),
    unscheduled,
    minutesPerDay,
  };
}

export interface TodayView {
  readonly date: string;
  /** Before the start: the days until it; otherwise undefined. */
  readonly startsIn?: number;
  readonly day: PlanDay | undefined;
  /** Items of earlier days not done yet, the oldest first. */
  readonly overdue: readonly PlanEntry[];
  /** Today's items (done ones included, to tick). */
  readonly items: readonly PlanEntry[];
  /** Today is for practice: a practice day, or a day with nothing new. */
  readonly practice: boolean;
  /** Days left before the interview (or the plan's end), today included; 0 once it is over. */
  readonly daysRemaining: number;
}

export function todayView(plan: StudyPlan, today: string): TodayView {
  const index = daysBetween(plan.settings.start, today);
  const length = plan.days.length;
  const daysRemaining = Math.max(0, length - Math.max(0, index));
  if (index < 0) return { date: today, startsIn: -index, day: undefined, overdue: [], items: [], practice: false, daysRemaining };
  const day = plan.days[index];
  const overdue = plan.days.slice(0, Math.min(index, length)).flatMap((earlier) => earlier.entries.filter((entry) => !entry.done));
  const items = day?.entries ?? [];
  return { date: today, day, overdue, items, practice: day !== undefined && (day.practice || items.length === 0), daysRemaining };
}

export interface WeekProgress {
  readonly week: number;
  readonly title: string;
  readonly done: number;
  readonly total: number;
  readonly goals: readonly { readonly text: string; readonly done: number; readonly total: number }[];
}

/** Done items of each week and goal, from progress (an item that does not exist yet is not counted). */
export function weekProgress(catalog: Catalog, isDone: IsDone, track: LevelFilter = 'all'): WeekProgress[] {
  const entries = planEntries(catalog, isDone, track);
  return STUDY_WEEKS.map((week) => {
    const goals = week.goals.map((goal) => {
      const ofGoal = entries.filter((entry) => entry.week === week.week && entry.goal === goal.text);
      return { text: goal.text, done: ofGoal.filter((entry) => entry.done).length, total: ofGoal.length };
    });
    return { week: week.week, title: week.title, done: goals.reduce((sum, goal) => sum + goal.done, 0), total: goals.reduce((sum, goal) => sum + goal.total, 0), goals };
  });
}

export interface Streak {
  /** Consecutive days with study, ending today or yesterday (today is not over yet). */
  readonly days: number;
  readonly activeToday: boolean;
  /** The one missed day the streak bridged, if it did. */
  readonly repaired?: string;
}

/**
 * The streak from the days on which something was done (a lesson completed, a challenge run, a
 * card reviewed), never from the plan itself. One missed day between two active days is
 * forgiven, once: a second gap ends the streak.
 */
export function streak(activeDays: ReadonlySet<string>, today: string): Streak {
  const activeToday = activeDays.has(today);
  let cursor = activeToday ? today : addDays(today, -1);
  let days = 0;
  let repaired: string | undefined;
  for (;;) {
    if (activeDays.has(cursor)) {
      days += 1;
      cursor = addDays(cursor, -1);
      continue;
    }
    const before = addDays(cursor, -1);
    if (repaired === undefined && days > 0 && activeDays.has(before)) {
      repaired = cursor;
      cursor = before;
      continue;
    }
    break;
  }
  return { days, activeToday, ...(repaired ? { repaired } : {}) };
}
