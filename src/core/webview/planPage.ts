// The plan page: today first (what is overdue, today's items, the reviews due, the days left and
// the streak), then the four weeks with their goals and items, each with its day and state.
import type { PlanEntry, StudyPlan, Streak, TodayView, WeekProgress } from '../plan/plan.ts';
import type { LevelTrack } from '../study/levelTrack.ts';
import { escapeHtml } from '../markdown/highlight.ts';
import { contentSecurityPolicy } from './lessonPage.ts';

export interface PlanPageInput {
  /** Undefined until the learner sets a start date. */
  readonly plan: StudyPlan | undefined;
  readonly today: TodayView | undefined;
  readonly weeks: readonly WeekProgress[];
  readonly streak: Streak;
  readonly reviews: { readonly due: number; readonly fresh: number };
  /** The learner's target level (undefined: every level) and its concepts checklist. */
  readonly track: { readonly target: string | undefined; readonly levels: readonly LevelTrack[] };
  readonly cspSource: string;
  readonly styleUri: string;
  readonly scriptUri: string;
  readonly nonce: string;
}

const e = escapeHtml;

function entryHtml(entry: PlanEntry, day?: string): string {
  const icon = entry.done ? '✓' : '○';
  const when = day ? ` <span class="plan-day">${e(day)}</span>` : '';
  return `<li class="plan-entry${entry.done ? ' done' : ''}" data-kind="${entry.kind}" data-id="${e(entry.id)}"><span class="plan-state" aria-label="${entry.done ? 'done' : 'not done'}">${icon}</span> <a href="#" data-open="${entry.kind}" data-id="${e(entry.id)}">${e(entry.title)}</a> <span class="level">${entry.kind} · ${entry.minutes} min</span>${when}</li>`;
}

function todayHtml(input: PlanPageInput): string {
  const { today, plan, reviews, streak } = input;
  const parts: string[] = ['<section class="plan-today" aria-labelledby="today"><h2 id="today">Today</h2>'];
  const reviewLine = reviews.due + reviews.fresh > 0
    ? `<p class="plan-reviews">${reviews.due} review(s) due and ${reviews.fresh} new card(s). <button type="button" class="primary" data-command="startReview">Review now</button></p>`
    : '<p class="plan-reviews">No review waits.</p>';
  const streakLine = `<p class="plan-streak">Streak: ${streak.days} day(s)${streak.activeToday ? ', today included' : streak.days > 0 ? '; study today to keep it' : ''}${streak.repaired ? ` (one missed day, ${e(streak.repaired)}, forgiven)` : ''}.</p>`;
  if (!plan || !today) {
    parts.push('<p>Set a start date and the four weeks of the outline are spread over your days by their minutes.</p>', '<p><button type="button" class="primary" data-command="setStart">Set a start date</button></p>', reviewLine, streakLine, '</section>');
    return parts.join('\n');
  }
  if (today.startsIn !== undefined) parts.push(`<p class="plan-when">The plan starts in ${today.startsIn} day(s), on ${e(plan.settings.start)}.</p>`);
  else if (today.day) parts.push(`<p class="plan-when">Day ${today.day.index + 1} of ${plan.days.length} (week ${today.day.week}) · ${today.daysRemaining} day(s) left${plan.settings.interview ? ` before the interview on ${e(plan.settings.interview)}` : ''}.</p>`);
  else parts.push(`<p class="plan-when">The plan ended on ${e(plan.end)}.</p>`);
  if (today.overdue.length > 0) parts.push(`<h3>Overdue</h3><ul class="plan-list plan-overdue">${today.overdue.map((entry) => entryHtml(entry)).join('')}</ul>`);
  if (today.items.length > 0) parts.push(`<h3>Today’s items</h3><ul class="plan-list plan-items">${today.items.map((entry) => entryHtml(entry)).join('')}</ul>`);
  if (today.practice) parts.push('<p class="plan-practice">A practice day: answer a design question against the clock, then do your reviews.</p>');
  parts.push(reviewLine, streakLine, '</section>');
  return parts.join('\n');
}

function weeksHtml(input: PlanPageInput): string {
  const dayOf = new Map((input.plan?.days ?? []).flatMap((day) => day.entries.map((entry) => [`${entry.kind}:${entry.id}`, day.date] as const)));
  const entries = [...(input.plan?.days.flatMap((day) => day.entries) ?? []), ...(input.plan?.unscheduled ?? [])];
  return input.weeks
    .map((week) => {
      const goals = week.goals
        .map((goal) => {
          const ofGoal = entries.filter((entry) => entry.week === week.week && entry.goal === goal.text);
          const items = ofGoal.length > 0 ? `<ul class="plan-list">${ofGoal.map((entry) => entryHtml(entry, dayOf.get(`${entry.kind}:${entry.id}`) ?? (input.plan ? 'does not fit' : undefined))).join('')}</ul>` : '';
          return `<li><strong>${e(goal.text)}</strong> <span class="level">${goal.done}/${goal.total}</span>${items}</li>`;
        })
        .join('');
      return `<section class="plan-week" aria-labelledby="week-${week.week}"><h2 id="week-${week.week}">Week ${week.week}: ${e(week.title)} <span class="level">${week.done}/${week.total}</span></h2><ul class="plan-goals">${goals}</ul></section>`;
    })
    .join('\n');
}

function trackHtml(input: PlanPageInput): string {
  const { target, levels } = input.track;
  const heading = `<h2 id="track">Level track: ${target ? `${e(target)} (and the levels below)` : 'every level'}</h2>`;
  const change = '<p><button type="button" data-command="chooseLevel">Choose target level</button></p>';
  const body = levels
    .map((level) => {
      const concepts = level.concepts
        .map((concept) => {
          const where = concept.items.length === 0
            ? '<span class="plan-day">not taught here yet</span>'
            : concept.items.map((item) => `<a href="#" data-open="${item.kind}" data-id="${e(item.id)}">${e(item.title)}</a>${item.done ? ' ✓' : ''}`).join(', ');
          return `<li class="plan-entry${concept.done ? ' done' : ''}"><span class="plan-state" aria-label="${concept.done ? 'learnt' : 'not yet'}">${concept.done ? '✓' : '○'}</span> <strong>${e(concept.text)}</strong>: ${where}</li>`;
        })
        .join('');
      return `<h3>${e(level.level[0]?.toUpperCase() ?? '')}${e(level.level.slice(1))}</h3><ul class="plan-list plan-concepts">${concepts}</ul>`;
    })
    .join('');
  return `<section class="plan-track" aria-labelledby="track">${heading}${change}${body}</section>`;
}

export function planPage(input: PlanPageInput): string {
  const { plan } = input;
  const settings = plan
    ? `<p class="breadcrumb">From ${e(plan.settings.start)} to ${e(plan.end)}${plan.settings.interview ? ` · interview ${e(plan.settings.interview)}` : ''} · ${plan.settings.hoursPerWeek} h a week${plan.hoursDerived ? ' (what the outline needs in these days; set your own with Hours a week)' : ''}</p>`
    : '<p class="breadcrumb">No start date yet</p>';
  const unscheduled = plan && plan.unscheduled.length > 0
    ? `<p class="plan-warning">${plan.unscheduled.length} item(s) do not fit before the practice days at ${plan.settings.hoursPerWeek} hours a week. More hours a week, or a later interview date, makes room.</p>`
    : '';
  const actions = [
    ['setStart', plan ? 'Change start date' : 'Set start date'],
    ['setInterview', 'Interview date'],
    ['setHours', 'Hours a week'],
    ...(plan ? [['exportCalendar', 'Export calendar (.ics)'], ['exportChecklist', 'Export checklist (.md)']] : []),
  ]
    .map(([command, label]) => `<button type="button" data-command="${command}">${label}</button>`)
    .join(' ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${e(input.styleUri)}">
<title>Study plan</title>
</head>
<body class="plan">
<header class="lesson-header">
${settings}
<h1>Study plan</h1>
<p class="plan-actions">${actions}</p>
${unscheduled}
</header>
<main>
${todayHtml(input)}
${weeksHtml(input)}
${trackHtml(input)}
</main>
<script nonce="${e(input.nonce)}" src="${e(input.scriptUri)}"></script>
</body>
</html>
`;
}
