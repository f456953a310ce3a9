/**
 * 候补 in the H5 build of the mini-program, in real headless Chromium at 375 px, against the
 * real API and MariaDB: a patient joins the waitlist of a full session from the doctor's page
 * (choosing the 就诊人), sees the position in 我的候补; another patient cancels; the first sees
 * the offer in 消息 and on 我的预约, pays, and gets the queue number. Screenshots go to
 * test-artifacts/e2e/waitlist-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNotifications } from '../../functions/src/jobs/deliver-notifications.js';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, createDoctor, createPatients, createSession, shanghaiDay, type Hospital, type Patient, type Session } from '../support/scenario.js';
import { buildMiniapp } from '../miniapp/build.js';
import { ARTIFACTS, launchPhone, textOf } from './browser.js';
import path from 'node:path';

const WAIT = { timeout: 15_000 };

let app: TestApp;
let browser: Browser;
let page: Page;
let hospital: Hospital;
let session: Session;
let holder: Patient;
let holderAppointment: number;
let patient: { phone: string; password: string; userId: number };

beforeAll(async () => {
  await buildMiniapp('h5');
  app = await startTestApp({}, undefined, { frontEnd: true });
  hospital = await createDoctor(app.database.db, { name: '钱候补', title: 'chief' });
  // Two days ahead, so its waitlist (closing 18:00 Shanghai the day before) is open whenever this runs.
  session = await createSession(app.database.db, hospital, {
    date: shanghaiDay(app.clock.now(), 2),
    feeFen: 2500,
    slots: [{ start: '08:00', capacity: 1 }],
  });
  [holder] = (await createPatients(app.database.db, 1)) as [Patient];
  const booked = await book(app, holder, session.slotIds[0]!);
  holderAppointment = booked.body.id;
  patient = await registerPatient(app);
  const profile = await app.request('POST', '/api/v1/me/profiles', {
    token: (await registerToken()).accessToken,
    body: { realName: '王候补', idType: 'resident_id', idNumber: '411302199003071232', phone: patient.phone, relation: 'self', isDefault: true },
  });
  if (profile.status !== 201) throw new Error(JSON.stringify(profile.body));
  ({ browser, page } = await launchPhone({ screenshotPrefix: 'waitlist-' }));
}, 300_000);

async function registerToken() {
  const res = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
  return res.body.tokens as { accessToken: string };
}

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

let shots = 0;
async function snap(name: string) {
  shots += 1;
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(ARTIFACTS, `waitlist-${String(shots).padStart(2, '0')}-${name}.png`), fullPage: true });
}

let visits = 0;
const url = (route: string) => `${app.baseUrl}/patient/?visit=${++visits}#/pages/${route}`;
const seen = (text: string | RegExp) => page.getByText(text).filter({ visible: true }).first();
const button = (name: string | RegExp) => page.locator('.nut-button:visible', { hasText: name });

describe('候补 at 375 px', () => {
  it('signs in', async () => {
    await page.goto(url('login/index'));
    await page.getByPlaceholder('请输入手机号').fill(patient.phone);
    await page.getByPlaceholder('请输入密码').fill(patient.password);
    await button(/^登录$/).click();
    await page.waitForFunction("localStorage.getItem('bx87h9.session') !== null");
  });

  it('joins the waitlist of the full session from the doctor page, for a chosen 就诊人', async () => {
    await page.goto(url(`doctor/index?id=${hospital.doctorId}`));
    await seen('号源已约满，可排队候补：有人退号时按先后顺序为您保留号源。').waitFor();
    await snap('doctor-full');
    await button(/^候补$/).click();
    await seen('候补须知').waitFor();
    await seen('王候补').waitFor();
    await expect.poll(() => textOf(page.locator('.profile-option.selected:visible')), WAIT).toContain('已选择');
    await snap('join');
    await button('加入候补').click();
    await page.locator('[data-waitlist-entry]:visible').first().waitFor();
    const entry = page.locator('[data-waitlist-entry]:visible').first();
    await expect.poll(() => textOf(entry), WAIT).toContain('当前排第 1 位');
    expect(await textOf(entry)).toContain('候补中');
    expect(await textOf(entry)).toContain('钱候补');
    await snap('mine-waiting');
    const rows = await app.database.db.selectFrom('waitlist_entry').select(['status', 'session_id']).where('account_id', '=', patient.userId).execute();
    expect(rows).toEqual([{ status: 'waiting', session_id: session.sessionId }]);
  });

  it('another patient cancels: the offer is in 消息 and on 我的预约; paying gives the queue number', async () => {
    expect((await appointmentAction(app, holder, holderAppointment, 'cancel')).status).toBe(200);
    // The offer's message was written with the cancellation; the delivery job (every 5 s under
    // npm start) puts it in the inbox.
    await deliverNotifications(app.deps);
    await page.goto(url('messages/index'));
    await seen('候补成功').waitFor();
    await expect.poll(() => textOf(page.locator('.section:visible', { hasText: '候补成功' })), WAIT).toMatch(/已有号源，已为您保留，请于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 前完成支付/);
    await snap('messages-offer');
    await page.goto(url('appointments/index'));
    const card = page.locator('.appointment-card:visible').first();
    await expect.poll(() => textOf(card), WAIT).toContain('待支付');
    expect(await textOf(card)).toContain('钱候补');
    await snap('appointments-offer');
    const [offered] = await app.database.db.selectFrom('appointment').select(['id']).where('account_id', '=', patient.userId).execute();
    await page.goto(url(`pay/index?id=${offered!.id}`));
    await expect.poll(() => textOf(page.locator('.countdown-time:visible')), WAIT).toMatch(/^\d{2}:\d{2}$/);
    await snap('pay');
    await button(/确认支付/).click();
    await seen('预约成功').waitFor();
    await expect.poll(() => textOf(page.locator('.queue-number:visible')), WAIT).toBe('1 号');
    await snap('paid');
    await page.goto(url('waitlist/mine/index'));
    const entry = page.locator('[data-waitlist-entry]:visible').first();
    await expect.poll(() => textOf(entry), WAIT).toContain('候补成功');
    await snap('mine-fulfilled');
    const rows = await app.database.db.selectFrom('appointment').select(['status', 'queue_number']).where('account_id', '=', patient.userId).execute();
    expect(rows).toEqual([{ status: 'booked', queue_number: 1 }]);
  });
});
