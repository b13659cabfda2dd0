// The UI smoke test: uses the headless workbench as a person would and saves screenshots into
// the git-ignored .artifacts/screenshots/. A new learner opens the study view, reads a lesson,
// marks it done, and sees the tree and the status bar agree, after a window reload too.
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

    // Reload as a person would, through the command palette: the workbench then saves its
    // state (open editors, webview state) before it unloads.
    await page.keyboard.press('F1');
    await page.keyboard.type('Developer: Reload Window');
    const reload = page.locator('.quick-input-list .monaco-list-row[aria-label^="Developer: Reload Window"]').filter({ hasNotText: 'Extensions' }).first();
    await reload.waitFor({ timeout: 15_000 });
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await reload.click();
    await loaded;
    await lessonFrame(page, lessonTitle);
    await waitForStatus(page, new RegExp(`^${done + 1}/${total}$`));
    steps.push(`after a reload the lesson panel is back and the status bar still shows ${done + 1}/${total} (${await shot('after-reload')})`);
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
    await page.keyboard.press('Control+A');
    await page.keyboard.type(target);
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    await page.locator('.tab', { hasText: 'rate-limiter.ts' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.tab', { hasText: 'Preview README.md' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    return { ok: true, detail: `started rate-limiter from an empty window into ${target}; the folder opened with the statement and src/rate-limiter.ts (${await shot('start-without-folder')})` };
  } catch (error) {
    const file = await shot('start-without-folder-failure').catch(() => 'no screenshot');
    return { ok: false, detail: `${error.message.split('\n')[0]} (${file})` };
  } finally {
    await page.close().catch(() => {});
  }
}
