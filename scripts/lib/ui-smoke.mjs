// The UI smoke test: uses the headless workbench as a person would and saves screenshots into
// the git-ignored .artifacts/screenshots/. A new learner opens the study view, reads a lesson,
// marks it done, and sees the tree and the status bar agree, after a window reload too.
/* global window, document, getComputedStyle -- the functions passed to evaluate() run in the webview page. */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './provision.mjs';
import { workbenchUrl } from './vscode-host.mjs';

/** The lesson webview's content frame: webviews are iframes nested in an iframe. */
async function lessonFrame(page, title) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const heading = await frame.locator('h1').first().textContent({ timeout: 200 }).catch(() => null);
      if (heading && heading.trim() === title) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview frame shows the lesson "${title}"`);
}

async function statusText(page) {
  return (await page.locator('[id="backend-interview-prep.backend-interview-prep.backendStudy.progress"]').first().textContent({ timeout: 10_000 }))?.trim() ?? '';
}

async function waitForStatus(page, pattern) {
  const deadline = Date.now() + 15_000;
  let text = '';
  while (Date.now() < deadline) {
    text = await statusText(page).catch(() => '');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`the status bar shows "${text}", expected ${pattern}`);
}


/** Runs a palette command by its title, as a person would. */
async function palette(page, title) {
  await page.keyboard.press('F1');
  // Typed into the palette's own box: keys sent straight after F1 can still go to a webview
  // that had the focus.
  const box = page.locator('.quick-input-widget input').first();
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  await box.fill(`>${title}`);
  // By the start of its label: Enter would take the best fuzzy match, which can be another command.
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/**
 * Every code block of the lesson page has its colours: none is left as plain text
 * (`code[data-code]`). The frame is looked up again on each try, since a webview that comes
 * back from the background is rebuilt (and its old frame detached).
 */
async function waitForNoPlainCode(page, title, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no frame yet';
  while (Date.now() < deadline) {
    try {
      const frame = await lessonFrame(page, title);
      const plain = await frame.locator('code[data-code]').count();
      const keywords = await frame.locator('.hljs-keyword').count();
      if (plain === 0 && keywords > 0) return;
      last = `${plain} code block(s) plain, ${keywords} coloured keyword(s)`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the lesson's code is not coloured ${timeoutMs} ms after the page loaded: ${last}`);
}

/** A webview frame whose page has an element matching `selector` (webviews are rebuilt as they come back). */
async function frameWith(page, selector, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview frame has ${selector}`);
}

/** The challenge's title and hints, read from its content file the way the smoke needs them. */
function challengeContent(id) {
  const text = readFileSync(join(ROOT, 'content', 'challenges', id, 'challenge.md'), 'utf8');
  const title = /^title: "?(.*?)"?$/m.exec(text)?.[1] ?? id;
  const hints = [...text.matchAll(/^ {2}- "(.*)"$/gm)].map((match) => match[1]);
  return { title, hints };
}

async function scrollYOf(frame) {
  return frame.evaluate(() => window.scrollY);
}

export async function runUiSmoke({ browser, server, workspace, screenshots }) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const steps = [];
  const shot = async (name) => {
    const file = join(screenshots, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  try {
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: ROOT }));
    const entry = page.locator('.activitybar [aria-label^="Backend Interview Prep"]').first();
    await entry.waitFor({ state: 'visible', timeout: 60_000 });
    await entry.click();
    // With a single view in the container, the side bar's title reads "<container>: <view>".
    const title = page.locator('.part.sidebar .composite.title').first();
    await title.waitFor({ state: 'visible', timeout: 30_000 });
    const heading = (await title.textContent()) ?? '';
    if (!heading.includes('Backend Interview Prep')) throw new Error(`the side bar shows "${heading}", not the study view`);
    const area = page.locator('.part.sidebar [role="treeitem"]', { hasText: 'Node.js fundamentals' }).first();
    await area.waitFor({ state: 'visible', timeout: 30_000 });
    steps.push(`study view open (${await shot('study-view')})`);

    const before = await waitForStatus(page, /^\d+\/\d+$/);
    const [done, total] = before.split('/').map(Number);
    const lessonRow = page.locator('.part.sidebar [role="treeitem"][aria-level="2"]').first();
    const lessonTitle = ((await lessonRow.locator('.label-name').first().textContent()) ?? '').trim();
    await lessonRow.click();
    const frame = await lessonFrame(page, lessonTitle);
    steps.push(`lesson "${lessonTitle}" open (${await shot('lesson')})`);

    await frame.locator('button[data-action="toggle-complete"]').first().click();
    await waitForStatus(page, new RegExp(`^${done + 1}/${total}$`));
    const doneIcon = page.locator('.part.sidebar [role="treeitem"][aria-level="2"]').first().locator('.codicon-pass-filled');
    await doneIcon.waitFor({ state: 'visible', timeout: 10_000 });
    steps.push(`marked complete: status bar ${done + 1}/${total}, tree shows it done (${await shot('lesson-complete')})`);

    // Code blocks wrap at the default width, and keywords have their own colour (the colours
    // arrive after the page, when its script says it is ready: every block gets them).
    await waitForNoPlainCode(page, lessonTitle);
    const layout = await frame.evaluate(() => {
      const wide = [...document.querySelectorAll('pre')].filter((pre) => pre.scrollWidth > pre.clientWidth + 1).length;
      const keyword = document.querySelector('.hljs-keyword');
      const code = keyword?.closest('code');
      return { wide, keyword: keyword ? getComputedStyle(keyword).color : undefined, text: code ? getComputedStyle(code).color : undefined };
    });
    if (layout.wide > 0) throw new Error(`${layout.wide} code block(s) scroll sideways at the default width`);
    if (!layout.keyword || layout.keyword === layout.text) throw new Error(`keywords are not coloured (${layout.keyword} on ${layout.text})`);
    steps.push(`code blocks wrap, keywords ${layout.keyword} on ${layout.text}`);

    // The reading position survives a tab switch.
    await frame.evaluate(() => window.scrollTo(0, 4000));
    await page.waitForTimeout(500);
    const read = await scrollYOf(frame);
    if (read < 1000) throw new Error(`the lesson did not scroll (${read})`);
    await palette(page, 'File: New Untitled Text File');
    await page.waitForTimeout(1000);
    await page.locator('.tab', { hasText: lessonTitle }).first().click();
    let back = await lessonFrame(page, lessonTitle);
    await page.waitForTimeout(1000);
    // The webview was rebuilt from its plain HTML: it asked for its colours again.
    await waitForNoPlainCode(page, lessonTitle);
    back = await lessonFrame(page, lessonTitle);
    const after = await scrollYOf(back);
    if (Math.abs(after - read) > 50) throw new Error(`after a tab switch the lesson is at ${after}, was at ${read}`);
    steps.push(`tab switch keeps the reading position (${read} → ${after}) (${await shot('lesson-position')})`);

    // Jump to a heading while the lesson's tab is in the background.
    const jump = await back.evaluate(() => {
      const found = [...document.querySelectorAll('main h2[id], main h3[id]')].at(-2);
      return found ? { id: found.id, text: found.textContent.trim() } : undefined;
    });
    if (!jump) throw new Error('the lesson has no headings to jump to');
    await palette(page, 'File: New Untitled Text File');
    await page.waitForTimeout(500);
    await palette(page, 'Backend Study: Open Lesson or Challenge...');
    // The pick opens once the catalog is read; typing before that goes into the editor.
    await page.locator('.quick-input-widget input[placeholder^="Search titles"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.type(jump.text);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: jump.text }).first().click({ timeout: 15_000 });
    const deadline = Date.now() + 15_000;
    let top = Number.POSITIVE_INFINITY;
    while (Date.now() < deadline) {
      back = await lessonFrame(page, lessonTitle);
      top = await back.evaluate((id) => document.getElementById(id)?.getBoundingClientRect().top ?? Number.POSITIVE_INFINITY, jump.id).catch(() => top);
      if (Math.abs(top) < 60) break;
      await page.waitForTimeout(300);
    }
    if (Math.abs(top) >= 60) throw new Error(`jumping to "${jump.text}" from the background left it at ${top} px`);
    // The position to compare after the reload is the settled one: the jump from the background
    // can be applied twice (on the message, and again when the rebuilt webview says it is
    // ready), and the page saves its position 100 ms after the last scroll.
    let beforeReload = await scrollYOf(back);
    for (let tries = 0; tries < 10; tries += 1) {
      await page.waitForTimeout(500);
      const settled = await scrollYOf(back);
      if (settled === beforeReload) break;
      beforeReload = settled;
    }
    steps.push(`jump to "${jump.text}" from a background tab (${await shot('lesson-heading')})`);

    // Reload as a person would, through the command palette: the workbench then saves its
    // state (open editors, webview state) before it unloads.
    await page.keyboard.press('F1');
    await page.keyboard.type('Developer: Reload Window');
    const reload = page.locator('.quick-input-list .monaco-list-row[aria-label^="Developer: Reload Window"]').filter({ hasNotText: 'Extensions' }).first();
    await reload.waitFor({ timeout: 15_000 });
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await reload.click();
    await loaded;
    const reloaded = await lessonFrame(page, lessonTitle);
    await waitForStatus(page, new RegExp(`^${done + 1}/${total}$`));
    await page.waitForTimeout(1000);
    const restored = await scrollYOf(reloaded);
    if (Math.abs(restored - beforeReload) > 50) throw new Error(`after a reload the lesson is at ${restored}, was at ${beforeReload}`);
    steps.push(`after a reload the lesson panel is back at its position (${restored}) and the status bar still shows ${done + 1}/${total} (${await shot('after-reload')})`);

    // The statement of a challenge not started: no hint until Show Next Hint.
    const { title: challengeTitle, hints } = challengeContent('rate-limiter');
    const challengeRow = page.locator('.part.sidebar [role="treeitem"]', { hasText: challengeTitle }).first();
    await challengeRow.click();
    let statement = await frameWith(page, 'body[data-challenge-id="rate-limiter"] .no-hints');
    const text = await statement.locator('body').innerText();
    const leaked = hints.filter((hint) => text.includes(hint.slice(0, 40)));
    if (leaked.length > 0 || /^hints:/m.test(text)) throw new Error(`the statement shows ${leaked.length} hint(s) before Show Next Hint`);
    steps.push(`statement without hints (${await shot('statement')})`);
    await statement.locator('button[data-action="show-next-hint"]').click();
    statement = await frameWith(page, 'body[data-challenge-id="rate-limiter"] #hint-1');
    if ((await statement.locator('.hint-list li').count()) !== 1) throw new Error('Show Next Hint did not show exactly one hint');
    steps.push(`Show Next Hint shows hint 1 in the statement (${await shot('statement-hint')})`);

    // Start it, reset it: one root in the Testing view, two editor groups at most.
    await statement.locator('button[data-action="start-challenge"]').click();
    await page.locator('.tab', { hasText: 'rate-limiter.ts' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.tab', { hasText: 'rate-limiter.ts' }).first().click();
    await palette(page, 'Backend Study: Reset Challenge...');
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Reset' }).first().click({ timeout: 15_000 });
    await page.waitForTimeout(2000);
    await palette(page, 'Testing: Focus on Test Explorer View');
    const roots = page.locator('.test-explorer [role="treeitem"][aria-level="1"]', { hasText: challengeTitle });
    await roots.first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForTimeout(2000);
    const rootCount = await roots.count();
    const groups = await page.locator('.editor-group-container').count();
    const testingShot = await shot('testing-after-reset');
    if (rootCount !== 1) throw new Error(`after a reset the Testing view lists ${rootCount} roots titled "${challengeTitle}" (${testingShot})`);
    if (groups > 2) throw new Error(`after start and reset ${groups} editor groups are open (${testingShot})`);
    steps.push(`after a reset the Testing view has one root, ${groups} editor group(s) (${testingShot})`);

    // Debug the whole challenge, solved: every test passes, as in a run (issue 11, item 2: the
    // test files each keep their own process, so their mock.timers do not collide).
    cpSync(join(ROOT, 'content', 'challenges', 'rate-limiter', 'solution', 'src'), join(workspace, 'challenges', 'rate-limiter', 'src'), { recursive: true });
    // No verdict before: the one read afterwards is this debug run's, not an older run's.
    if ((await roots.first().locator('.computed-state.codicon-testing-passed-icon').count()) > 0) throw new Error('the rate limiter shows as passed before it was debugged');
    await palette(page, 'Test: Debug All Tests');
    const summary = page.locator('.test-explorer .result-summary').first();
    const debugDeadline = Date.now() + 120_000;
    let counted = '';
    for (;;) {
      counted = ((await summary.innerText().catch(() => '')) || '').replace(/\s+/g, ' ').trim();
      const match = /(\d+)\s*\/\s*(\d+)/.exec(counted);
      // The workspace holds other challenges too (the integration suite's fixture, failing on
      // purpose): the verdict that counts is the rate limiter's root, passed only when every
      // test under it passed.
      const passed = await roots.first().locator('.computed-state.codicon-testing-passed-icon').count();
      if (match && Number(match[2]) > 0 && passed > 0 && !(await page.locator('.debug-toolbar').isVisible().catch(() => false))) break;
      if (Date.now() > debugDeadline) throw new Error(`debugging the whole challenge: the Testing view says "${counted}" (${await shot('debug-all')})`);
      await page.waitForTimeout(500);
    }
    steps.push(`Debug All Tests: the solved rate limiter passes under the debugger (workspace total "${counted}") (${await shot('debug-all')})`);

    // A review sitting from the status bar, by keys: the lesson read above brought its cards in.
    await page.locator('[id="backend-interview-prep.backend-interview-prep.backendStudy.reviews"]').first().click({ timeout: 15_000 });
    let review = await frameWith(page, 'body.review textarea#scratch');
    const firstCard = await review.locator('body').getAttribute('data-card');
    await review.locator('textarea#scratch').fill('The poll phase runs I/O callbacks.');
    await review.locator('textarea#scratch').press('Control+Enter');
    review = await frameWith(page, `body.review[data-card="${firstCard}"][data-revealed="true"] .model-answer`);
    if (!(await review.locator('pre.scratch-shown').innerText()).includes('The poll phase')) throw new Error('the revealed card does not show what was typed');
    steps.push(`review card revealed with Ctrl+Enter, the typed answer beside the model answer (${await shot('review-answer')})`);
    await review.locator('h1.review-question').click();
    await page.keyboard.press('3');
    review = await frameWith(page, 'body.review[data-revealed="false"] textarea#scratch');
    const secondCard = await review.locator('body').getAttribute('data-card');
    if (secondCard === firstCard) throw new Error('rating with the key 3 did not move to the next card');
    await review.locator('h1.review-question').click();
    await page.keyboard.press('u');
    await frameWith(page, `body.review[data-card="${firstCard}"][data-revealed="true"]`);
    steps.push(`key 3 rated "Good" and moved on, key U took it back (${await shot('review-undo')})`);

    // The plan as a new learner sets it up: a start date typed into the input box, then Today.
    await palette(page, 'Backend Study: Set Plan Start Date...');
    const dateBox = page.locator('.quick-input-widget input').first();
    await dateBox.waitFor({ state: 'visible', timeout: 15_000 });
    await dateBox.fill('2026-02-30');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'A calendar day' }).first().waitFor({ timeout: 10_000 });
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    await dateBox.fill(day);
    // The box takes Enter only once its (debounced) validation has cleared the old message.
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'A calendar day' }).first().waitFor({ state: 'hidden', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').first().waitFor({ state: 'hidden', timeout: 10_000 });
    await palette(page, 'Backend Study: Open Study Plan (Today)');
    const plan = await frameWith(page, 'body.plan .plan-today');
    const todayText = (await plan.locator('.plan-today').innerText()).replace(/\s+/g, ' ');
    if (!/Day 1 of 28/.test(todayText)) throw new Error(`the plan page's Today says "${todayText.slice(0, 200)}"`);
    steps.push(`a start date refused as 2026-02-30, taken as ${day}; the plan shows day 1 of 28 (${await shot('plan-today')})`);
    return { ok: true, detail: steps.join('; ') };
  } catch (error) {
    const file = await shot('failure').catch(() => 'no screenshot');
    return { ok: false, detail: `${steps.join('; ')}${steps.length ? '; then ' : ''}${error.message.split('\n')[0]} (${file})` };
  } finally {
    await page.close().catch(() => {});
  }
}

/**
 * Starting a challenge with no folder open, as a person would: the palette, the challenge, a
 * folder typed into the folder dialog; the window then opens that folder and shows the
 * statement and the file to edit.
 */
export async function runNoFolderStart({ browser, server, target, screenshots }) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const shot = async (name) => {
    const file = join(screenshots, `${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  try {
    // `ew=true` opens an empty window: no folder.
    await page.goto(workbenchUrl(server, { folder: target, extensionDevelopmentPath: ROOT }).replace(/\?folder=[^&]*&/, '?ew=true&'));
    // The extension's contributions show first in the activity bar; its commands reach the
    // palette once the extension host has read the manifest, which can take a while longer.
    await page.locator('.activitybar [aria-label^="Backend Interview Prep"]').first().waitFor({ state: 'visible', timeout: 60_000 });
    const command = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Backend Study: Start Challenge' }).first();
    for (let attempt = 1; ; attempt += 1) {
      await page.keyboard.press('F1');
      await page.keyboard.type('Backend Study: Start Challenge');
      try {
        await command.waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 6) throw error;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(2_000);
      }
    }
    await command.click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Rate limiter' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.type('Rate limiter');
    await page.keyboard.press('Enter');
    // The folder dialog is a quick input holding a path.
    await page.locator('.quick-input-widget', { hasText: 'Choose a folder' }).waitFor({ timeout: 15_000 });
    // The dialog fills in a starting folder after it shows: typing before that lands in front of
    // it (seen once: /root/tmp/...). Wait for it, replace it, and check what the box holds.
    // It can also reset the box once more as its listing arrives: type, check, and type again.
    const input = page.locator('.quick-input-widget input.input').first();
    let typed = '';
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      let value = await input.inputValue();
      const until = Date.now() + 15_000;
      for (let stable = 0; stable < 4 && Date.now() < until; ) {
        await page.waitForTimeout(250);
        const now = await input.inputValue();
        stable = now === value && now.length > 0 ? stable + 1 : 0;
        value = now;
      }
      await input.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(target);
      await page.waitForTimeout(750);
      typed = await input.inputValue();
      if (typed === target || typed === `${target}/`) break;
    }
    if (typed !== target && typed !== `${target}/`) throw new Error(`the folder dialog holds "${typed}", not ${target}`);
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'rate-limiter.ts' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.tab', { hasText: challengeContent('rate-limiter').title }).first().waitFor({ state: 'visible', timeout: 30_000 });
    return { ok: true, detail: `started rate-limiter from an empty window into ${target}; the folder opened with the statement and src/rate-limiter.ts (${await shot('start-without-folder')})` };
  } catch (error) {
    const file = await shot('start-without-folder-failure').catch(() => 'no screenshot');
    return { ok: false, detail: `${error.message.split('\n')[0]} (${file})` };
  } finally {
    await page.close().catch(() => {});
  }
}
