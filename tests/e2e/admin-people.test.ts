/**
 * 预约限制, a patient's 就诊人 and 候补管理 in real headless Chromium at 1280 px, against the real
 * API and MariaDB, built as `npm start` builds it: a ban made by the no-show sweep after three
 * missed visits, lifted from the page with a reason (audited); a patient account's 就诊人 drawer
 * showing the resident ID masked (the read audited); a waiting entry on the 候补 page with its
 * position; the waitlist rules on 预约规则 with their value in force and its source. Screenshots go to test-artifacts/e2e/people-*.png, to be looked at.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import { residentIdCheckChar } from '../../functions/src/patient/id-document.js';
import { createProfile } from '../../functions/src/patient/profiles.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { sweepNoShows } from '../../functions/src/visit/no-show.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { book, createDoctor, createPatients, createSession, shanghaiDay, tokenFor, type Patient } from '../support/scenario.js';
import { REPO_ROOT } from '../miniapp/build.js';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');
const WAIT = { timeout: 15_000 };
const ADMIN = { phone: '13966667777', password: 'Admin2026x' };
const ID_FIRST17 = '41010120150601123';
const ID_NUMBER = ID_FIRST17 + residentIdCheckChar(ID_FIRST17);

let app: TestApp;
let browser: Browser;
let page: Page;
let banned: Patient;
let waiting: Patient;
let waitSessionId: number;

async function snap(name: string): Promise<void> {
  await page.mouse.wheel(0, -100_000);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(ARTIFACTS, `people-${name}.png`), fullPage: true });
}

async function openMenu(name: string, hash: string): Promise<void> {
  await page.getByText(name, { exact: true }).first().click();
  await expect.poll(() => page.url()).toMatch(new RegExp(`#/${hash}$`));
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '-w', 'admin'], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 64 * 1024 * 1024 });
  app = await startTestApp({}, undefined, { frontEnd: true });
  const db = app.database.db;
  await createStaffAccount(app.deps, 'system', { ...ADMIN, role: 'admin', displayName: '账号管理员' });
  [banned, waiting] = (await createPatients(db, 2)) as [Patient, Patient];

  // Three booked visits on the last days, none attended: the sweep bans the patient (3 in 90 days).
  app.clock.set(shanghaiToInstant(shanghaiDay(new Date(), -5), '10:00'));
  for (const days of [-4, -3, -2]) {
    const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(new Date(), days), slots: [{ start: '08:00', capacity: 2 }] });
    const res = await book(app, banned, session.slotIds[0]!);
    if (res.status !== 201) throw new Error(`booking failed: ${JSON.stringify(res.body)}`);
  }
  app.clock.set(new Date());
  const swept = await sweepNoShows(app.deps);
  if (swept.bans !== 1) throw new Error(`expected one ban, got ${JSON.stringify(swept)}`);

  // A child with a resident ID on the waiting patient's account, made as the patient makes one.
  const child = await createProfile(
    app.deps,
    { userId: waiting.userId, role: 'patient' },
    { realName: '王小明', idType: 'resident_id', idNumber: ID_NUMBER, phone: '13912345678', relation: 'child' },
    { requestId: 'e2e', ip: '127.0.0.1', userAgent: undefined },
  );
  // A full session in two days: the banned patient's neighbour took its one place, the child waits.
  const doctor = await createDoctor(db, { name: '林书华', title: 'chief' });
  const full = await createSession(db, doctor, { date: shanghaiDay(new Date(), 2), slots: [{ start: '09:00', capacity: 1 }] });
  waitSessionId = full.sessionId;
  const [taker] = await createPatients(db, 1);
  if ((await book(app, taker!, full.slotIds[0]!)).status !== 201) throw new Error('booking the one place failed');
  const joined = await app.request('POST', '/api/v1/waitlist', { token: await tokenFor(app, waiting.userId), body: { sessionId: full.sessionId, profileId: child.id } });
  if (joined.status !== 201) throw new Error(`joining the waitlist failed: ${JSON.stringify(joined.body)}`);

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'America/New_York' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of readdirSync(ARTIFACTS)) if (file.startsWith('people-')) rmSync(path.join(ARTIFACTS, file));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('people pages at 1280 px', () => {
  it('预约限制: the sweep’s ban in force, lifted with a reason, then shown as 已解除', async () => {
    await page.goto(`${app.baseUrl}/admin/`);
    await page.getByPlaceholder('手机号').fill(ADMIN.phone);
    await page.getByPlaceholder('密码').fill(ADMIN.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await openMenu('预约限制', 'bans');
    await page.getByText('共 1 条').waitFor(WAIT);
    const text = await page.locator('.ant-table-tbody').innerText();
    expect(text).toContain('生效中');
    expect(text).toContain(`${banned.phone.slice(0, 3)}****${banned.phone.slice(7)}`);
    expect(text).not.toContain(banned.phone);
    expect(text).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    await snap('01-bans');

    await page.getByTestId('ban-lift').click();
    // The dialog zooms in: under load a click during that animation can land on nothing.
    await page.getByTestId('ban-lift-reason').waitFor(WAIT);
    await expect.poll(() => page.evaluate(`getComputedStyle(document.querySelector('.ant-modal')).transform`)).toBe('none');
    await page.locator('.ant-modal').getByRole('button', { name: '解除限制' }).click();
    await page.getByText('请填写解除原因').waitFor(WAIT);
    await page.getByTestId('ban-lift-reason').fill('患者因急诊住院未能就诊，已核实');
    await snap('02-lift-reason');
    await page.locator('.ant-modal').getByRole('button', { name: '解除限制' }).click();
    await page.getByText('已解除预约限制，患者可以重新预约').waitFor(WAIT);
    await page.getByText('目前没有生效中的预约限制').first().waitFor(WAIT);
    await page.getByText('全部', { exact: true }).click();
    await page.getByTestId('ban-state').filter({ hasText: '已解除' }).waitFor(WAIT);
    expect(await page.locator('.ant-table-tbody').innerText()).toContain('患者因急诊住院未能就诊，已核实');
    await snap('03-lifted');

    const account = await app.database.db.selectFrom('user_account').select('banned_until').where('id', '=', banned.userId).executeTakeFirstOrThrow();
    expect(account.banned_until).toBeNull();
    const audit = await app.database.db.selectFrom('audit_log').select('actor_role').where('action', '=', 'booking_ban.lift').execute();
    expect(audit).toEqual([{ actor_role: 'admin' }]);
  });

  it('账号管理: a patient’s 就诊人 drawer with the ID number masked (the read audited)', async () => {
    await openMenu('账号管理', 'accounts');
    await page.getByPlaceholder('手机号前缀，如 138').fill(waiting.phone);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByText('共 1 个账号').waitFor(WAIT);
    await page.getByTestId('account-profiles').click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByText('王小明').waitFor(WAIT);
    const ids = await drawer.getByTestId('profile-id-number').allInnerTexts();
    expect(ids.join(' ')).toContain(`${ID_NUMBER.slice(0, 3)}***********${ID_NUMBER.slice(-4)}`);
    expect(await drawer.innerText()).not.toContain(ID_NUMBER);
    expect(await drawer.innerText()).toContain('139****5678');
    await snap('04-profiles');
    await page.locator('.ant-drawer-close').click();
    const audit = await app.database.db.selectFrom('audit_log').select('target_id').where('action', '=', 'patient_profile.view').execute();
    expect(audit).toEqual([{ target_id: String(waiting.userId) }]);
  });

  it('候补管理: the waiting entry under its session with its position', async () => {
    await openMenu('候补管理', 'waitlist');
    await page.getByText('共 1 条候补').waitFor(WAIT);
    expect(await page.getByTestId('waitlist-position').innerText()).toBe('第 1 位');
    const text = await page.locator('.ant-table-tbody').innerText();
    expect(text).toContain('林书华');
    expect(text).toContain(`出诊编号 ${waitSessionId}`);
    expect(text).toContain('王*明');
    expect(text).toContain('候补中');
    await snap('05-waitlist');
  });

  it('预约规则: the waitlist rules with their value in force and where it comes from', async () => {
    await openMenu('预约规则', 'rules');
    const row = (label: string) => page.locator('.ant-table-tbody tr', { hasText: label });
    await row('候补截止').waitFor(WAIT);
    expect(await page.locator('[data-rule="waitlistCloseMinutes"]').innerText()).toBe('360');
    expect(await page.locator('[data-rule="waitlistOfferHoldMinutes"]').innerText()).toBe('30');
    expect(await page.locator('[data-rule="waitlistMaxPerProfile"]').innerText()).toBe('3');
    expect(await row('候补截止').innerText()).toContain('系统默认');
    await snap('06-rules');
  });
});
