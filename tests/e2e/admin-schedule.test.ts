/**
 * 出诊模板 and 排班管理 in real headless Chromium at 1280 px, against the real API and MariaDB,
 * built as `npm start` builds it: a doctor is given a weekly template, the generator is run for a
 * chosen range and lists what it made (and, run again, that it made nothing), the audit log
 * shows one 按模板生成出诊 entry per session it made, a generated
 * session is booked by a registered patient in the patient H5 app at 375 px, and the sessions are found in the department's
 * week view; a session with a paid and an
 * unpaid booking is 停诊'd after its preview lists both (refund vs. cancel); another session is
 * 替诊'd to a more senior colleague. Screenshots go to test-artifacts/e2e/schedule-*.png, to be
 * looked at.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import { addDays, isoWeekday, shanghaiDate } from '../../functions/src/time/shanghai.js';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, createDoctor, createPatients, createSession, type Hospital, type Session } from '../support/scenario.js';
import { buildMiniapp, REPO_ROOT } from '../miniapp/build.js';
import { launchPhone, textOf } from './browser.js';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');
const WAIT = { timeout: 15_000 };
const ADMIN = { phone: '13966667777', password: 'Admin2026x' };
const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

let app: TestApp;
let browser: Browser;
let page: Page;
let doctor: Hospital;
let chiefId: number;
let afternoon: Session;
/** The day the template's session falls on: three days ahead (Shanghai). */
let day: string;

async function snap(name: string): Promise<void> {
  await page.mouse.wheel(0, -100_000);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(ARTIFACTS, `schedule-${name}.png`), fullPage: true });
}

/** Picks `option` in the antd select labelled `label` inside the open modal or page. */
async function choose(scope: ReturnType<Page['locator']>, label: string, option: string | RegExp): Promise<void> {
  await scope.locator('.ant-form-item', { has: page.getByText(label, { exact: true }) }).locator('.ant-select-selector').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build', '-w', 'admin'], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 64 * 1024 * 1024 });
  // The patient H5 app books the generated session; built once per clone, as `npm start` does
  // (tests/e2e/patient-journey.test.ts rebuilds it each run).
  if (!existsSync(path.join(REPO_ROOT, 'miniapp/dist/h5/index.html'))) await buildMiniapp('h5');
  app = await startTestApp({}, undefined, { frontEnd: true });
  const db = app.database.db;
  await createStaffAccount(app.deps, 'system', { ...ADMIN, role: 'admin', displayName: '排班管理员' });
  doctor = await createDoctor(db, { name: '陈立新', title: 'attending' });
  const now = new Date();
  const chief = await db
    .insertInto('user_account')
    .values({ phone: '16900001111', password_hash: 'x', role: 'doctor', display_name: '林主任', created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  chiefId = Number(
    (
      await db
        .insertInto('doctor')
        .values({ user_id: Number(chief.insertId), department_id: doctor.departmentId, name: '林振华', title: 'chief', default_fee_fen: 3000, created_at: now, updated_at: now })
        .executeTakeFirstOrThrow()
    ).insertId,
  );
  day = addDays(shanghaiDate(app.clock.now()), 3);
  // A session by hand that afternoon, with one paid and one unpaid booking: the 停诊 case.
  afternoon = await createSession(db, doctor, { date: day, period: 'afternoon', feeFen: 2500, slots: [{ start: '14:00', capacity: 5 }] });
  const [paid, unpaid] = await createPatients(db, 2);
  const first = await book(app, paid!, afternoon.slotIds[0]!);
  if (first.status !== 201) throw new Error(`booking failed: ${JSON.stringify(first.body)}`);
  if ((await appointmentAction(app, paid!, first.body.id, 'pay')).status !== 200) throw new Error('payment failed');
  if ((await book(app, unpaid!, afternoon.slotIds[0]!)).status !== 201) throw new Error('booking failed');

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'America/New_York' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of readdirSync(ARTIFACTS)) if (file.startsWith('schedule-')) rmSync(path.join(ARTIFACTS, file));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('出诊模板 and 排班管理 at 1280 px', () => {
  it('gives the doctor a weekly template and generates the sessions: the result lists the one on that day', async () => {
    await page.goto(`${app.baseUrl}/admin/`);
    await page.getByPlaceholder('手机号').fill(ADMIN.phone);
    await page.getByPlaceholder('密码').fill(ADMIN.password);
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByText('出诊模板', { exact: true }).first().click();
    await expect.poll(() => page.url()).toMatch(/#\/templates$/);
    await page.getByText('该医生还没有出诊模板').waitFor(WAIT);

    await page.getByRole('button', { name: '新增模板' }).click();
    const modal = page.locator('.ant-modal:visible');
    await choose(modal, '星期', new RegExp(`^${WEEKDAYS[isoWeekday(day)]}$`));
    await modal.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText('已新增模板').waitFor(WAIT);
    const templates = await page.locator('.ant-table-tbody').first().innerText();
    expect(templates).toContain(WEEKDAYS[isoWeekday(day)]);
    expect(templates).toContain('上午 08:00–12:00');

    // A range of its own choosing: from that day to a week later (Shanghai dates), typed into the picker.
    const panel = page.getByTestId('generation-panel');
    await panel.getByPlaceholder('开始日期').click();
    await panel.getByPlaceholder('开始日期').fill(day);
    await panel.getByPlaceholder('开始日期').press('Enter');
    await panel.getByPlaceholder('结束日期').fill(addDays(day, 7));
    await panel.getByPlaceholder('结束日期').press('Enter');
    await panel.getByRole('button', { name: '按模板生成排班' }).click();
    const result = page.getByTestId('generation-result');
    await result.waitFor(WAIT);
    const departmentName = (await app.database.db.selectFrom('department').select('name').where('id', '=', doctor.departmentId).executeTakeFirstOrThrow()).name;
    const summary = await result.locator('.ant-descriptions').innerText();
    expect(summary).toContain(`${day} 至 ${addDays(day, 7)}`);
    expect(summary.replace(/\s+/g, ' ')).toContain('新增排班 2');
    // The sessions it made: that day and a week later, the doctor, the department, the places.
    const rows = await result.locator('.ant-tabs-tabpane-active .ant-table-tbody tr').allInnerTexts();
    expect(rows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(
      [day, addDays(day, 7)].map((d) => `${d} ${WEEKDAYS[isoWeekday(d)]} 上午 08:00–12:00 ${departmentName} 陈立新 40 新增`),
    );
    await snap('01-range-generated');
    const made = await app.database.db.selectFrom('clinic_session').select(['id', 'template_id', 'session_date']).where('doctor_id', '=', doctor.doctorId).where('period', '=', 'morning').orderBy('session_date').execute();
    expect(made.map((s) => s.session_date)).toEqual([day, addDays(day, 7)]);
    expect(made.every((s) => s.template_id !== null)).toBe(true);

    // The same range again makes nothing: both dates are listed as already generated.
    await panel.getByRole('button', { name: '按模板生成排班' }).click();
    await expect.poll(async () => (await result.locator('.ant-descriptions').innerText()).replace(/\s+/g, ' '), WAIT).toContain('新增排班 0');
    await result.getByRole('tab', { name: /未生成（2）/ }).click();
    const skipped = await result.locator('.ant-tabs-tabpane-active .ant-table-tbody tr').allInnerTexts();
    expect(skipped.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([day, addDays(day, 7)].map((d) => `${d} ${WEEKDAYS[isoWeekday(d)]} 上午 08:00–12:00 ${departmentName} 陈立新 已生成`));
    await snap('02-range-again-skipped');
    expect(await app.database.db.selectFrom('clinic_session').select('id').where('doctor_id', '=', doctor.doctorId).where('period', '=', 'morning').execute()).toHaveLength(2);
  });

  it('finds each session the run made in the audit log, as 按模板生成出诊 by the admin', async () => {
    const made = await app.database.db.selectFrom('clinic_session').select('id').where('doctor_id', '=', doctor.doctorId).where('period', '=', 'morning').orderBy('id').execute();
    await page.getByRole('menuitem', { name: /审计日志/ }).click();
    await page.getByText(/共 \d+ 条/).waitFor(WAIT);
    // The 操作 select lists every action, more than antd renders at once: search it.
    await page.locator('.ant-form-item', { has: page.getByLabel('操作', { exact: true }) }).locator('.ant-select-selector').click();
    await page.keyboard.type('按模板生成出诊');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '按模板生成出诊' }).first().click();
    await page.getByRole('button', { name: /查\s*询/ }).click();
    const rows = page.locator('.ant-table-row', { hasText: '按模板生成出诊' });
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    const texts = (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
    // Newest first: one entry per session, each naming its session and the admin who ran the generator.
    expect(texts.map((t) => t.includes('排班管理员') && t.includes('clinic_session'))).toEqual([true, true]);
    expect(texts.map((t) => t.match(/clinic_session (\d+)/)?.[1])).toEqual(made.map((s) => String(s.id)).reverse());
    await snap('02b-audit-generated-sessions');

    // And the template the doctor was given, and the generator's two runs (the second made nothing).
    for (const [label, count, text] of [['新增排班模板', 1, 'schedule_template'], ['生成排班', 2, '排班管理员']] as const) {
      await page.locator('.ant-form-item', { has: page.getByLabel('操作', { exact: true }) }).locator('.ant-select-selector').click();
      await page.keyboard.type(label);
      await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: label }).first().click();
      await page.getByRole('button', { name: /查\s*询/ }).click();
      const found = page.locator('.ant-table-row', { hasText: label });
      await expect.poll(() => found.count(), WAIT).toBe(count);
      expect((await found.allInnerTexts()).every((t) => t.includes(text)), label).toBe(true);
    }
  });

  it('a registered patient books the generated session in the patient H5 app at 375 px: 201, and its slot has exactly one place less', async () => {
    const session = await app.database.db
      .selectFrom('clinic_session')
      .select('id')
      .where('doctor_id', '=', doctor.doctorId)
      .where('session_date', '=', day)
      .where('period', '=', 'morning')
      .executeTakeFirstOrThrow();
    const slot = await app.database.db.selectFrom('slot').select(['id', 'remaining', 'capacity']).where('session_id', '=', session.id).orderBy('start_time').executeTakeFirstOrThrow();
    expect([slot.remaining, slot.capacity]).toEqual([5, 5]);
    const patient = await registerPatient(app);
    const profile = await app.request('POST', '/api/v1/me/profiles', {
      token: patient.accessToken,
      body: { realName: '王建国', idType: 'resident_id', idNumber: '41130219650812456X', phone: patient.phone, relation: 'self' },
    });
    expect(profile.status).toBe(201);

    const phone = await launchPhone({ screenshotPrefix: 'schedule-h5-' });
    try {
      const h5 = phone.page;
      const shot = async (name: string) => {
        await h5.waitForTimeout(400); // let the page's slide-in transition settle
        await h5.screenshot({ path: path.join(ARTIFACTS, `schedule-h5-${name}.png`), fullPage: true });
      };
      let visits = 0;
      // A fresh document per page (the query before the hash), as tests/e2e/patient-journey.test.ts does.
      const open = (route: string) => h5.goto(`${app.baseUrl}/patient/?visit=${++visits}#/pages/${route}`);
      const seen = (text: string | RegExp) => h5.getByText(text).filter({ visible: true }).first();
      const button = (name: string | RegExp) => h5.locator('.nut-button:visible', { hasText: name });
      await open('login/index');
      await h5.getByPlaceholder('请输入手机号').fill(patient.phone);
      await h5.getByPlaceholder('请输入密码').fill(patient.password);
      await button(/^登录$/).click();
      await h5.waitForFunction("localStorage.getItem('bx87h9.session') !== null");

      await open(`department/index?id=${doctor.departmentId}`);
      await seen('陈立新').click();
      const first = h5.locator('.slot:visible', { hasText: '08:00-08:30' });
      await expect.poll(() => textOf(first), WAIT).toContain('余5');
      await shot('01-doctor-calendar');
      await first.click();
      await seen('王建国').waitFor();
      await seen('¥10.00').waitFor();
      await shot('02-confirm');
      const answer = h5.waitForResponse((r) => r.url().endsWith('/api/v1/appointments') && r.request().method() === 'POST');
      await button(/确认预约/).click();
      expect((await answer).status()).toBe(201);
      await expect.poll(() => textOf(h5.locator('.countdown-time:visible')), WAIT).toMatch(/^\d{2}:\d{2}$/);
      await button(/确认支付/).click();
      await seen('预约成功').waitFor();
      await expect.poll(() => textOf(h5.locator('.queue-number:visible')), WAIT).toBe('1 号');
      await shot('03-booked');
    } finally {
      await phone.browser.close();
    }
    const after = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', slot.id).executeTakeFirstOrThrow();
    expect(after.remaining).toBe(slot.remaining - 1);
    const booked = await app.database.db.selectFrom('appointment').select(['status', 'profile_id']).where('slot_id', '=', slot.id).execute();
    expect(booked).toEqual([{ status: 'booked', profile_id: profile.body.id }]);
  });

  it('finds the generated session in the department’s week view with booked / capacity', async () => {
    await page.getByText('排班管理', { exact: true }).first().click();
    await expect.poll(() => page.url()).toMatch(/#\/schedule$/);
    // The page opens on this week (Shanghai); three days ahead may be next week.
    if (isoWeekday(shanghaiDate(new Date())) + 3 > 7) await page.getByRole('button', { name: '下一周' }).click();
    const morning = await app.database.db.selectFrom('clinic_session').select('id').where('doctor_id', '=', doctor.doctorId).where('session_date', '=', day).where('period', '=', 'morning').executeTakeFirstOrThrow();
    await page.getByTestId(`booked-${morning.id}`).waitFor(WAIT);
    // One place taken by the patient above.
    expect(await page.getByTestId(`booked-${morning.id}`).innerText()).toBe('1 / 40');
    expect(await page.getByTestId(`booked-${afternoon.sessionId}`).innerText()).toBe('2 / 5');
    expect(await page.getByTestId('week-total').innerText()).toBe('出诊 2 个，已约 3 / 号源 45');
    await snap('03-week-view');
  });

  it('停诊 shows the two patients it cancels first (the paid one refunded), then the row says 已停诊 and what it did', async () => {
    await page.locator(`tr[data-row-key="${afternoon.sessionId}"]`).getByText('停诊', { exact: true }).click();
    const modal = page.locator('.ant-modal:visible');
    const preview = modal.getByTestId('suspend-preview');
    await modal.getByText('停诊将取消以下 2 个预约，其中 1 笔已支付将原路退款').waitFor(WAIT);
    const rows = await preview.locator('.ant-table-tbody').innerText();
    expect(rows).toContain('患*1');
    expect(rows).toContain('患*2');
    expect(rows).toContain('退款 ¥25.00');
    expect(rows).toContain('取消订单');
    expect(rows).toMatch(/1\d{2}\*{4}\d{4}/);
    await snap('04-suspend-preview');

    await modal.getByRole('button', { name: '确认停诊' }).click();
    await modal.getByText('请填写停诊原因').waitFor(WAIT);
    await modal.getByLabel('停诊原因（将通知患者）').fill('医生外出会诊');
    await modal.getByRole('button', { name: '确认停诊' }).click();
    const status = page.getByTestId(`status-${afternoon.sessionId}`);
    await status.getByText('取消 2 个预约，退款 1 笔，通知 2 位患者').waitFor(WAIT);
    // The outcome shows at once; the status when the week's sessions have been read again.
    await expect.poll(() => status.innerText()).toContain('已停诊：医生外出会诊');
    await snap('05-suspended');
    const left = await app.database.db.selectFrom('appointment').select('status').where('session_id', '=', afternoon.sessionId).execute();
    expect(left.map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('替诊 hands the morning session to the chief, chosen among the eligible doctors, with a reason', async () => {
    const morning = await app.database.db.selectFrom('clinic_session').select('id').where('doctor_id', '=', doctor.doctorId).where('session_date', '=', day).where('period', '=', 'morning').executeTakeFirstOrThrow();
    await page.locator(`tr[data-row-key="${morning.id}"]`).getByText('替诊', { exact: true }).click();
    const modal = page.locator('.ant-modal:visible');
    await choose(modal, '替诊医生', '林振华（主任医师）');
    await modal.getByLabel('替诊原因（记入审计日志）').fill('陈医生临时外出');
    await snap('06-substitute-modal');
    await modal.getByRole('button', { name: '确认替诊' }).click();
    const status = page.getByTestId(`status-${morning.id}`);
    await status.getByText(/替诊：陈立新 → 林振华/).waitFor(WAIT);
    expect(await page.locator(`tr[data-row-key="${morning.id}"]`).innerText()).toContain('林振华');
    await snap('07-substituted');
    const row = await app.database.db.selectFrom('clinic_session').select('doctor_id').where('id', '=', morning.id).executeTakeFirstOrThrow();
    expect(row.doctor_id).toBe(chiefId);
  });
});
