// The plan outside the editor: an iCalendar file (RFC 5545) with one all-day event per day that
// has work, and a Markdown checklist. Both are made from the plan alone, so the same plan always
// gives the same files (the calendar's UIDs are stable, and a re-import updates the events).
import { addDays } from './calendar.ts';
import { STUDY_WEEKS, type PlanEntry, type StudyPlan } from './plan.ts';

const PRODID = '-//Backend Interview Prep//Study plan//EN';

function describe(entry: PlanEntry): string {
  return `${entry.kind === 'lesson' ? 'Lesson' : 'Challenge'}: ${entry.title} (${entry.minutes} min)`;
}

/** RFC 5545 §3.3.11: backslash, semicolon and comma are escaped, a line break is `\n`. */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded, continuing with a space; never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const compact = (day: string): string => day.replaceAll('-', '');
const stamp = (now: Date): string => now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export function planToIcs(plan: StudyPlan, now: Date): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Interview study plan'];
  for (const day of plan.days) {
    const practice = day.entries.length === 0;
    if (practice && !day.practice) continue;
    const summary = practice
      ? 'Interview practice: a mock design question and your reviews'
      : `Study (week ${day.week}): ${day.entries.map((entry) => entry.title).join(', ')}`;
    const description = practice ? 'No new material today: practise a design question against the clock, then do the reviews that are due.' : day.entries.map(describe).join('\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${compact(plan.settings.start)}-day-${day.index + 1}@backend-interview-prep`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART;VALUE=DATE:${compact(day.date)}`,
      `DTEND;VALUE=DATE:${compact(addDays(day.date, 1))}`,
      `SUMMARY:${escapeText(summary)}`,
      `DESCRIPTION:${escapeText(description)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

export function planToMarkdown(plan: StudyPlan): string {
  const out = [`# Interview study plan`, '', `From ${plan.settings.start} to ${plan.end}${plan.settings.interview ? ` (interview on ${plan.settings.interview})` : ''}, ${plan.settings.hoursPerWeek} hours a week.`, ''];
  const dayOf = new Map(plan.days.flatMap((day) => day.entries.map((entry) => [`${entry.kind}:${entry.id}`, day.date] as const)));
  for (const week of STUDY_WEEKS) {
    out.push(`## Week ${week.week}: ${week.title}`, '');
    for (const goal of week.goals) {
      const entries = [...plan.days.flatMap((day) => day.entries), ...plan.unscheduled].filter((entry) => entry.week === week.week && entry.goal === goal.text);
      if (entries.length === 0) continue;
      out.push(`### ${goal.text}`, '');
      for (const entry of entries) out.push(`- [${entry.done ? 'x' : ' '}] ${describe(entry)}, ${dayOf.get(`${entry.kind}:${entry.id}`) ?? 'does not fit before the interview'}`);
      out.push('');
    }
  }
  const practice = plan.days.filter((day) => day.practice).map((day) => day.date);
  if (practice.length > 0) out.push('## Practice days', '', ...practice.map((day) => `- [ ] ${day}: a mock design question against the clock, then the reviews due`), '');
  return out.join('\n');
}
