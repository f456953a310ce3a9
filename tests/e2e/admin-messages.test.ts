/**
 * 消息管理 in real headless Chromium at 1280 px, against the real API and MariaDB, built as
 * `npm start` builds it: the outbox written by real bookings (one free, one paid), the SMS the
 * provider refused shown as 发送失败 with its error, filtered to the failed ones, and 重新发送
 * putting one back in the queue (tries reset, audited). Screenshots go to
 * test-artifacts/e2e/messages-*.png, to be looked at.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import type { Channels } from '../../functions/src/notification/channels.js';
import { deliverDueNotifications } from '../../functions/src/notification/delivery.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { book, createDoctor, createPatients, createSession, shanghaiDay } from '../support/scenario.js';
import { REPO_ROOT } from '../miniapp/build.js';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');
const WAIT = { timeout: 15_000 };
const ADMIN = { phone: '13966668888', password: 'Admin2026x' };

let app: TestApp;
let browser: Browser;
let page: Page;
let failedId: number;

async function snap(name: string): Promise<void> {
  await page.mouse.wheel(0, -100_000);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(ARTIFACTS, `messages-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '-w', 'admin'], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 64 * 1024 * 1024 });
  app = await startTestApp({}, undefined, { frontEnd: true });
  // 10:00 in Shanghai, so the refused SMS below is tried now rather than deferred out of quiet hours.
  app.clock.set(shanghaiToInstant(shanghaiDay(new Date(), 1), '10:00'));
  const db = app.database.db;
  await createStaffAccount(app.deps, 'system', { ...ADMIN, role: 'admin', displayName: '消息管理员' });
  const doctor = await createDoctor(db, { name: '周文博', title: 'chief' });
  const date = shanghaiDay(app.clock.now(), 2);
  const free = await createSession(db, doctor, { date, period: 'morning', slots: [{ start: '08:00', capacity: 5 }] });
  const paid = await createSession(db, doctor, { date, period: 'afternoon', feeFen: 2500, slots: [{ start: '14:00', capacity: 5 }] });
  const [a, b] = await createPatients(db, 2);
  for (const [patient, slotId] of [[a!, free.slotIds[0]!], [b!, paid.slotIds[0]!]] as const) {
    const res = await book(app, patient, slotId);
    if (res.status !== 201) throw new Error(`booking failed: ${JSON.stringify(res.body)}`);
  }
  // The SMS gateway refuses everything due now (the free booking's 预约成功), and one try is all it gets.
  const refusing: Channels = { sms: { send: async () => Promise.reject(new Error('短信网关拒绝：签名未报备')) }, wechat: { send: async () => {} }, in_app: { send: async () => {} } };
  await deliverDueNotifications(app.deps.db, refusing, () => app.clock.now(), { maxAttempts: 1 });
  failedId = (await db.selectFrom('notification').select('id').where('status', '=', 'failed').executeTakeFirstOrThrow()).id;

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'America/New_York' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of readdirSync(ARTIFACTS)) if (file.startsWith('messages-')) rmSync(path.join(ARTIFACTS, file));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('消息管理 at 1280 px', () => {
  it('lists the outbox from the menu: statuses in Chinese, masked phones, the failed SMS with its error', async () => {
    await page.goto(`${app.baseUrl}/admin/`);
    await page.getByPlaceholder('手机号').fill(ADMIN.phone);
    await page.getByPlaceholder('密码').fill(ADMIN.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByText('消息管理', { exact: true }).first().click();
    await expect.poll(() => page.url()).toMatch(/#\/messages$/);
    await page.getByText('共 4 条消息').waitFor(WAIT);
    const table = page.locator('.ant-table-tbody');
    const text = await table.innerText();
    expect(text).toContain('待支付提醒');
    expect(text).toContain('预约成功');
    expect(text).toContain('发送失败');
    expect(text).toContain('已发送');
    expect(text).toMatch(/1\d{2}\*{4}\d{4}/);
    expect(await page.getByTestId('message-error').first().innerText()).toContain('短信网关拒绝');
    await snap('01-list');
  });

  it('filters to the failed ones and sends one again: back in the queue, tries reset, audited', async () => {
    const status = page.locator('.ant-form-item', { has: page.getByLabel('状态', { exact: true }) });
    await status.locator('.ant-select-selector').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^发送失败$/ }).click();
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByText('共 1 条消息').waitFor(WAIT);
    await snap('02-failed');

    await page.getByTestId('message-retry').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '重新发送' }).click();
    await page.getByText('已重新加入发送队列').waitFor(WAIT);
    await page.getByText('没有符合条件的消息').first().waitFor(WAIT);
    await snap('03-retried');

    const row = await app.database.db.selectFrom('notification').select(['status', 'attempts']).where('id', '=', failedId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', attempts: 0 });
    const audit = await app.database.db.selectFrom('audit_log').select('actor_role').where('action', '=', 'notification.retry').where('target_id', '=', String(failedId)).execute();
    expect(audit).toEqual([{ actor_role: 'admin' }]);
  });

  it('says when the list cannot be loaded, and 重试 loads it again', async () => {
    await page.route('**/api/v1/admin/notifications?*', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', headers: { 'Retry-After': '1' }, body: JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: '服务暂不可用，请稍后重试' } }) }),
    );
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByText('加载失败：服务暂不可用，请稍后重试').waitFor(WAIT);
    await snap('04-load-failed');
    await page.unroute('**/api/v1/admin/notifications?*');
    const reloaded = page.waitForResponse((r) => r.url().includes('/api/v1/admin/notifications?') && r.status() === 200);
    await page.getByRole('button', { name: /重\s*试/ }).click();
    await reloaded;
    await expect.poll(() => page.getByText(/加载失败/).count()).toBe(0);
    // Still filtered to the failed ones, of which none is left after the retry above.
    await page.getByText('没有符合条件的消息').first().waitFor(WAIT);
  });
});
