// The UI smoke test: uses the headless workbench as a person would (click the activity-bar
// entry, see the study view) and saves a screenshot into the git-ignored .artifacts/.
import { join } from 'node:path';
import { ROOT } from './provision.mjs';
import { workbenchUrl } from './vscode-host.mjs';

export async function runUiSmoke({ browser, server, workspace, screenshots }) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
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
    const welcome = page.getByText('Lessons and coding challenges for backend interviews');
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    const file = join(screenshots, 'study-view.png');
    await page.screenshot({ path: file });
    return { ok: true, detail: `clicked the activity-bar entry, saw the study view; screenshot ${file}` };
  } catch (error) {
    const file = join(screenshots, 'study-view-failure.png');
    await page.screenshot({ path: file }).catch(() => {});
    return { ok: false, detail: `${error.message.split('\n')[0]}; screenshot ${file}` };
  } finally {
    await page.close().catch(() => {});
  }
}
