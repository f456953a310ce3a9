/**
 * The visit flow in real headless Chromium, the doctor H5 (/doctor/) and the patient H5
 * (/patient/) side by side at 375 px, against the real API on a fresh database with the demo
 * hospital: the demo patient checks in on the appointment detail, the demo doctor sees them in
 * the queue and calls them, the patient's page (polling) shows "请到 … 就诊", the doctor passes
 * them, checks them in again at the desk, calls, starts and completes the visit.
 * Screenshots: test-artifacts/e2e/visit-NN-*.png, each pair also joined side by side (visit-NN-*-pair.png).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, loadDemoHospital } from '../../functions/src/demo/demo-hospital.js';
import { shanghaiDate, shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { book, createPatients, createSession, shanghaiDay, tokenFor, type Hospital, type Patient, type Session } from '../support/scenario.js';
import { buildMiniapp, REPO_ROOT } from '../miniapp/build.js';
import { ARTIFACTS, launchPhone, textOf } from './browser.js';

const WAIT = { timeout: 15_000 };
/**
 * The patient's page learns of the doctor's step at its next poll (every 4 s), and on a loaded
 * machine a poll and its render take seconds more: wait for the text itself, with room for that.
 */
const POLLED = { timeout: 30_000 };
let app: TestApp;
let browser: Browser;
let doctorPage: Page;
let patientPage: Page;
let doctor: Hospital & { department: string };
let session: Session;
let demoPatient: Patient;
let appointmentId: number;

beforeAll(async () => {
  await buildMiniapp('h5');
  await promisify(execFile)('npm', ['run', 'build:h5:doctor', '-w', 'miniapp'], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 64 * 1024 * 1024 });
  app = await startTestApp({}, undefined, { frontEnd: true });
  await loadDemoHospital(app.deps);
  // 07:30 this (Shanghai) morning on the server: the 08:00 slot's check-in window is open.
  const date = shanghaiDate(app.clock.now());
  app.clock.set(shanghaiToInstant(date, '07:30'));
  const row = await app.database.db
    .selectFrom('doctor')
    .innerJoin('user_account as u', 'u.id', 'doctor.user_id')
    .innerJoin('department as d', 'd.id', 'doctor.department_id')
    .select(['doctor.id', 'doctor.department_id', 'doctor.user_id', 'd.name as department'])
    .where('u.phone', '=', DEMO_ACCOUNTS.doctor.phone)
    .executeTakeFirstOrThrow();
  doctor = { doctorId: row.id, departmentId: row.department_id, doctorUserId: row.user_id, department: row.department };
  session = await createSession(app.database.db, doctor, { date, slots: [{ start: '08:00', capacity: 3 }, { start: '08:30', capacity: 3 }] });
  // The demo patient gets a 就诊人 and books number 1; another patient books number 2 and checks in by API.
  const account = await app.database.db.selectFrom('user_account').select('id').where('phone', '=', DEMO_ACCOUNTS.patient.phone).executeTakeFirstOrThrow();
  const now = new Date();
  const profile = await app.database.db
    .insertInto('patient_profile')
    .values({ account_id: account.id, real_name: '王小明', id_type: 'passport', id_number_cipher: 'test-only', id_number_hash: randomBytes(32).toString('hex'), id_number_masked: 'E****321', gender: 'male', birth_date: '1988-05-20', phone: DEMO_ACCOUNTS.patient.phone, relation: 'self', is_default: 1, created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  demoPatient = { userId: account.id, profileId: Number(profile.insertId), phone: DEMO_ACCOUNTS.patient.phone };
  const mine = await book(app, demoPatient, session.slotIds[0]!);
  expect(mine.status).toBe(201);
  appointmentId = mine.body.id;
  const [other] = await createPatients(app.database.db, 1);
  const theirs = await book(app, other!, session.slotIds[0]!);
  expect(theirs.status).toBe(201);
  const checked = await app.request('POST', `/api/v1/appointments/${theirs.body.id}/check-in`, { token: await tokenFor(app, other!.userId) });
  expect(checked.status).toBe(200);

  ({ browser, page: doctorPage } = await launchPhone({ screenshotPrefix: 'visit-' }));
  // The patient's phone: a second context (its own localStorage), same size.
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'America/New_York' });
  patientPage = await context.newPage();
  patientPage.setDefaultTimeout(15_000);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

let step = 0;
/** Both phones' screens, and the two joined side by side. */
async function snap(name: string): Promise<void> {
  step += 1;
  const base = path.join(ARTIFACTS, `visit-${String(step).padStart(2, '0')}-${name}`);
  await doctorPage.waitForTimeout(300);
  await doctorPage.screenshot({ path: `${base}-doctor.png` });
  await patientPage.screenshot({ path: `${base}-patient.png` });
  await promisify(execFile)('convert', [`${base}-doctor.png`, `${base}-patient.png`, '+append', `${base}-pair.png`]).catch(() => undefined);
}

let visits = 0;
const doctorUrl = (route: string) => `${app.baseUrl}/doctor/?visit=${++visits}#/pages/${route}`;
const patientUrl = (route: string) => `${app.baseUrl}/patient/?visit=${++visits}#/pages/${route}`;
const seen = (page: Page, text: string | RegExp) => page.getByText(text).filter({ visible: true }).first();
const button = (page: Page, name: string | RegExp) => page.locator('.nut-button:visible', { hasText: name });
const statusInDb = async () => (await app.database.db.selectFrom('appointment').select('status').where('id', '=', appointmentId).executeTakeFirstOrThrow()).status;

async function signIn(page: Page, url: string, phone: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByPlaceholder('请输入手机号').fill(phone);
  await page.getByPlaceholder('请输入密码').fill(password);
  await button(page, /^登录$/).click();
  await page.waitForFunction("localStorage.getItem('bx87h9.session') !== null");
}

describe('the visit flow, doctor and patient side by side at 375 px', () => {
  it('signs both in: the doctor opens today’s session queue, the patient their appointment', async () => {
    await signIn(doctorPage, doctorUrl('login/index'), DEMO_ACCOUNTS.doctor.phone, DEMO_ACCOUNTS.doctor.password);
    await doctorPage.goto(doctorUrl('today/index'));
    await seen(doctorPage, '进入候诊队列 ›').click();
    await seen(doctorPage, '当前患者').waitFor(WAIT);
    await expect.poll(() => textOf(doctorPage.locator('.queue-counts:visible')), WAIT).toContain('已签到');
    expect(await textOf(doctorPage.locator('.section:visible', { hasText: '未签到' }))).toContain('王小明');

    await signIn(patientPage, patientUrl('login/index'), DEMO_ACCOUNTS.patient.phone, DEMO_ACCOUNTS.patient.password);
    await patientPage.goto(patientUrl(`appointment/index?id=${appointmentId}`));
    await seen(patientPage, '已到签到时间，请签到').waitFor(WAIT);
    await snap('before-check-in');
  });

  it('the patient checks in; the doctor sees them waiting, first in line by queue number', async () => {
    await button(patientPage, /^签到$/).click();
    await seen(patientPage, /已签到，下一位就是您/).waitFor(WAIT);
    expect(await statusInDb()).toBe('checked_in');
    await doctorPage.reload();
    await seen(doctorPage, '候诊 2 人').waitFor(WAIT);
    // Number 1 (the demo patient) is called first: queue numbers decide among on-time patients.
    expect(await textOf(button(doctorPage, /^叫号/))).toBe('叫号（下一位 1 号）');
    await snap('checked-in');
  });

  it('the doctor calls; the patient’s page shows where to go', async () => {
    await button(doctorPage, /^叫号/).click();
    await expect.poll(() => textOf(doctorPage.locator('[data-testid="current-patient"]:visible')), WAIT).toContain('王小明');
    await seen(patientPage, `请到 ${doctor.department} 1 诊室 就诊`).waitFor(POLLED);
    await snap('called');
  });

  it('the doctor passes; the patient is told, is checked in again at the desk, called, seen and completed', async () => {
    await button(doctorPage, /^过号$/).click();
    await seen(doctorPage, '过号 1 人').waitFor(WAIT);
    await seen(patientPage, /您已过号/).waitFor(POLLED);
    await snap('passed');
    await doctorPage.locator('.section:visible', { hasText: '过号 1 人' }).locator('.nut-button', { hasText: '重新签到' }).click();
    // Back in the queue behind number 2 (a returning patient goes after others); call 2, complete, then 1.
    // 叫号 read 下一位 2 号 before the 重新签到 too, and is disabled until its answer comes: wait for
    // the answer (two waiting), else the click on 叫号 can land on the disabled button and be lost.
    await seen(doctorPage, '候诊 2 人').waitFor(WAIT);
    await expect.poll(() => textOf(button(doctorPage, /^叫号/)), WAIT).toBe('叫号（下一位 2 号）');
    await button(doctorPage, /^叫号/).click();
    await button(doctorPage, /^开始就诊$/).click();
    await button(doctorPage, /^完成就诊$/).click();
    await expect.poll(() => textOf(button(doctorPage, /^叫号/)), WAIT).toBe('叫号（下一位 1 号）');
    await button(doctorPage, /^叫号/).click();
    await seen(patientPage, `请到 ${doctor.department} 1 诊室 就诊`).waitFor(POLLED);
    await button(doctorPage, /^开始就诊$/).click();
    await seen(patientPage, '就诊中').waitFor(POLLED);
    await doctorPage.locator('.link:visible', { hasText: '查看患者信息' }).click();
    await seen(doctorPage, 'E****321').waitFor(WAIT);
    await snap('patient-detail');
    await doctorPage.goBack();
    await button(doctorPage, /^完成就诊$/).click();
    await expect.poll(() => textOf(doctorPage.locator('.queue-counts:visible')), WAIT).toMatch(/2\s*已完成/);
    await expect.poll(statusInDb, WAIT).toBe('completed');
    await patientPage.reload();
    await seen(patientPage, '已就诊').waitFor(WAIT);
    await snap('completed');
  });

  it("a 停诊 the doctor asked for, approved by an admin, cancels the patient's next booking with its reason", async () => {
    const tomorrow = await createSession(app.database.db, doctor, { date: shanghaiDay(app.clock.now(), 1), slots: [{ start: '09:00', capacity: 3 }] });
    const booked = await book(app, demoPatient, tomorrow.slotIds[0]!);
    expect(booked.status).toBe(201);
    const requested = await app.request('POST', `/api/v1/doctor/sessions/${tomorrow.sessionId}/suspension-requests`, {
      token: await tokenFor(app, doctor.doctorUserId, 'doctor'),
      body: { reason: '外出参加省级学术会议' },
    });
    expect(requested.status).toBe(201);
    const admin = await app.request('POST', '/api/v1/auth/login', { body: { phone: DEMO_ACCOUNTS.admin.phone, password: DEMO_ACCOUNTS.admin.password } });
    const approved = await app.request('POST', `/api/v1/admin/suspension-requests/${requested.body.id}/approve`, { token: admin.body.tokens.accessToken });
    expect(approved.status).toBe(200);

    await patientPage.goto(patientUrl(`appointment/index?id=${booked.body.id}`));
    await seen(patientPage, /取消时间/).waitFor(WAIT);
    expect(await textOf(patientPage.locator('.section:visible').first())).toMatch(/已取消[\s\S]*（医生停诊：外出参加省级学术会议）/);
    const row = await app.database.db.selectFrom('appointment').select(['status', 'cancel_reason']).where('id', '=', booked.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'cancelled', cancel_reason: '外出参加省级学术会议' });
    await snap('suspended-by-request');
  });
});
