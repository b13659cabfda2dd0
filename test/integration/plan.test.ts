import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { addDays, localDay } from '../../src/core/plan/calendar.ts';
import { hooks, waitFor } from './extension.ts';

function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}

describe('the study plan and Today', () => {
  const today = localDay(new Date());

  beforeEach(async () => {
    const { studyView } = await hooks();
    await vscode.commands.executeCommand('backendStudy.resetProgress', true);
    await studyView.setLevelFilter('all');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('puts Today first in the study view, asking for a start date, and opens the plan from it', async () => {
    const { studyView, planPanel } = await hooks();
    const [first] = await studyView.getChildren();
    assert.equal(first?.kind, 'today');
    const item = studyView.getTreeItem(first);
    assert.equal(item.description, 'set a start date');
    assert.equal(item.command?.command, 'backendStudy.openPlan');
    await vscode.commands.executeCommand(item.command.command);
    assert.match(textOf(planPanel.html ?? ''), /Set a start date and the four weeks of the outline are spread over your days/);
    assert.match(planPanel.html ?? '', /Week 1: Node\.js fundamentals/);
  });

  it('spreads the outline from the start date and shows today’s items, the days left and the reviews', async () => {
    const { planPanel, study, studyView } = await hooks();
    await vscode.commands.executeCommand('backendStudy.openPlan');
    await vscode.commands.executeCommand('backendStudy.setPlanStart', today);
    assert.deepEqual(study.progress.progress.plan, { start: today });
    await waitFor(() => /Day 1 of 28/.test(textOf(planPanel.html ?? '')), 'the plan page to show day 1 of 28');
    const text = textOf(planPanel.html!);
    assert.match(text, /28 day\(s\) left/);
    // No hours a week set: the plan takes what the outline needs, and everything fits.
    assert.match(text, /h a week \(what the outline needs in these days; set your own with Hours a week\)/);
    assert.doesNotMatch(text, /do not fit/);
    assert.match(text, /Today’s items/);
    const { catalog } = await study.loaded();
    const first = catalog.lessons.get('event-loop')!;
    assert.match(planPanel.html!, new RegExp(`class="plan-list plan-items"><li class="plan-entry" data-kind="lesson" data-id="${first.id}"`));
    const [todayNode] = (await studyView.getChildren());
    assert.match(studyView.getTreeItem(todayNode!).description as string, /^\d+ item\(s\) today · 28 day\(s\) left/);
  });

  it('shortens the plan to an interview sooner than four weeks, and says what no longer fits', async () => {
    const { planPanel } = await hooks();
    await vscode.commands.executeCommand('backendStudy.openPlan');
    await vscode.commands.executeCommand('backendStudy.setPlanStart', today);
    await vscode.commands.executeCommand('backendStudy.setInterviewDate', addDays(today, 7));
    await vscode.commands.executeCommand('backendStudy.setHoursPerWeek', 2);
    await waitFor(() => /Day 1 of 7/.test(textOf(planPanel.html ?? '')), 'a seven-day plan');
    assert.match(textOf(planPanel.html!), /\d+ item\(s\) do not fit before the practice days at 2 hours a week/);
    await vscode.commands.executeCommand('backendStudy.setInterviewDate', '');
    await waitFor(() => /Day 1 of 28/.test(textOf(planPanel.html ?? '')), 'the four-week plan again');
  });

  it('refuses a date that is not a calendar day, or an interview before the start, changing nothing', async () => {
    const { study } = await hooks();
    await vscode.commands.executeCommand('backendStudy.setPlanStart', today);
    await vscode.commands.executeCommand('backendStudy.setPlanStart', '2026-02-30');
    await vscode.commands.executeCommand('backendStudy.setInterviewDate', addDays(today, -1));
    await vscode.commands.executeCommand('backendStudy.setHoursPerWeek', 0);
    assert.deepEqual(study.progress.progress.plan, { start: today });
  });

  it('counts the streak from what was done, not from the plan', async () => {
    const { planPanel, study } = await hooks();
    await vscode.commands.executeCommand('backendStudy.openPlan');
    assert.match(textOf(planPanel.html!), /Streak: 0 day\(s\)\./);
    const id = [...(await study.loaded()).catalog.lessons.keys()][0]!;
    await vscode.commands.executeCommand('backendStudy.markLessonComplete', id);
    await waitFor(() => /Streak: 1 day\(s\), today included/.test(textOf(planPanel.html ?? '')), 'a streak of one day');
    assert.deepEqual(study.progress.progress.activeDays, [today]);
  });

  it('follows the target level: the plan keeps to the track and lists its key concepts, linked to where they are taught', async () => {
    const { planPanel, study, studyView } = await hooks();
    const { catalog } = await study.loaded();
    await vscode.commands.executeCommand('backendStudy.setPlanStart', today);
    await vscode.commands.executeCommand('backendStudy.openPlan');
    assert.match(textOf(planPanel.html!), /Level track: every level/);
    await studyView.setLevelFilter('senior');
    await waitFor(() => /Level track: senior \(and the levels below\)/.test(textOf(planPanel.html ?? '')), 'the plan page to follow the senior track');
    const html = planPanel.html!;
    const planned = [...html.matchAll(/class="plan-entry[^"]*" data-kind="(lesson|challenge)" data-id="([^"]+)"/g)].map((match) => match[2]!);
    assert.ok(planned.length > 0);
    for (const id of planned) assert.equal((catalog.lessons.get(id) ?? catalog.challenges.get(id))?.level, 'senior', id);
    assert.match(textOf(html), /RESTful API design : REST/);
    assert.match(textOf(html), /Authentication and authorisation : not taught here yet/);
    assert.doesNotMatch(textOf(html), /Platform engineering/);
  });

  it('exports the plan as an iCalendar file and a Markdown checklist', async () => {
    await vscode.commands.executeCommand('backendStudy.setPlanStart', today);
    const folder = mkdtempSync(join(tmpdir(), 'plan-'));
    const ics = vscode.Uri.file(join(folder, 'plan.ics'));
    const markdown = vscode.Uri.file(join(folder, 'plan.md'));
    await vscode.commands.executeCommand('backendStudy.exportPlanCalendar', ics);
    await vscode.commands.executeCommand('backendStudy.exportPlanChecklist', markdown);
    const calendar = readFileSync(ics.fsPath, 'utf8');
    assert.ok(calendar.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'));
    assert.match(calendar, new RegExp(`DTSTART;VALUE=DATE:${today.replaceAll('-', '')}\r\n`));
    assert.equal(calendar.split('BEGIN:VEVENT').length - 1 > 0, true);
    assert.match(readFileSync(markdown.fsPath, 'utf8'), /^# Interview study plan\n[\s\S]*## Week 4: Microservices/);
  });
});
