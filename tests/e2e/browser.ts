/**
 * Headless Debian Chromium (/usr/bin/chromium, installed by scripts/browser.sh) driven by playwright-core,
 * as a 375 px phone. Screenshots go to test-artifacts/e2e/ (gitignored) to be looked at.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from '../miniapp/build.js';

export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');

/**
 * A 375 px phone. It clears only its own earlier screenshots, since other browser tests write
 * theirs beside them in parallel: those starting with `screenshotPrefix`, or without one the
 * numbered `NN-name.png` files that `snap` writes.
 */
export async function launchPhone(options: { screenshotPrefix?: string } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // Root in CI containers cannot use Chromium's sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    // The phone is elsewhere: dates shown must still be Shanghai's.
    timezoneId: 'America/New_York',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Only this run's screenshots: a stale one from an earlier run would mislead whoever looks.
  const prefix = options.screenshotPrefix;
  const own = (name: string) => (prefix === undefined ? /^\d{2}-.*\.png$/.test(name) : name.startsWith(prefix));
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const name of readdirSync(ARTIFACTS)) if (own(name)) rmSync(path.join(ARTIFACTS, name), { force: true });
  return { browser, page };
}

let step = 0;
/** Saves `NN-name.png` for the current screen, full page. */
export async function snap(page: Page, name: string): Promise<string> {
  step += 1;
  const file = path.join(ARTIFACTS, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.waitForTimeout(300); // let transitions (tabs, toasts) settle
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The element's visible text, or '' while it is not there yet (for expect.poll). */
export async function textOf(locator: Locator): Promise<string> {
  try {
    return await locator.innerText({ timeout: 1000 });
  } catch {
    return '';
  }
}
