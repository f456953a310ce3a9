/**
 * The patient journey in the H5 build of the mini-program, in real headless Chromium at 375 px,
 * against the real API and a real MariaDB (no mocked API): an administrator's login refused and
 * pointed to the admin console, register with an SMS code, add a 就诊人, a refused booking (the
 * slot filled up meanwhile), book (retrying after a lost answer), pay, see the queue number in
 * 我的预约, survive an access-token expiry, cancel and see the place back in the calendar,
 * elder mode. A screenshot of every step is kept in test-artifacts/e2e/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, loadDemoHospital } from '../../functions/src/demo/demo-hospital.js';
import { generateSessions } from '../../functions/src/schedule/generator.js';
import { newPhone } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { book, createDoctor, createPatients, createSession, shanghaiDay, type Hospital, type Session } from '../support/scenario.js';
import { buildMiniapp } from '../miniapp/build.js';
import { launchPhone, snap, textOf } from './browser.js';

const ID_NUMBER = '411302199003071232';
const WAIT = { timeout: 15_000 };
/** Runs in the page: an element's computed font size in px. */
const FONT_SIZE = (el: { ownerDocument: { defaultView: unknown } }) =>
  parseFloat((el.ownerDocument.defaultView as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize);

let app: TestApp;
let browser: Browser;
let page: Page;
let hospital: Hospital;
let session: Session;
const refreshCalls: string[] = [];
const logoutCalls: string[] = [];

beforeAll(async () => {
  await buildMiniapp('h5');
  app = await startTestApp({}, undefined, { frontEnd: true });
  await loadDemoHospital(app.deps);
  await generateSessions(app.deps);
  // The doctor this journey books: one session tomorrow whose 08:30 slot has a single place.
  hospital = await createDoctor(app.database.db, { name: '周文博', title: 'chief' });
  session = await createSession(app.database.db, hospital, {
    date: shanghaiDay(app.clock.now(), 1),
    feeFen: 2500,
    slots: [
      { start: '08:00', capacity: 3 },
      { start: '08:30', capacity: 1 },
      { start: '09:00', capacity: 2 },
    ],
  });
  ({ browser, page } = await launchPhone());
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/refresh')) refreshCalls.push(request.url());
    if (request.url().endsWith('/api/v1/auth/logout')) logoutCalls.push(request.url());
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

let visits = 0;
/**
 * A page of the app, loaded afresh (the query before the hash makes it a new document): Taro's
 * hash router would otherwise treat a jump as a move within its page stack. The session stays
 * in localStorage, as on a phone.
 */
const url = (route: string) => `${app.baseUrl}/patient/?visit=${++visits}#/pages/${route}`;

// Taro's H5 router keeps earlier pages of the stack in the DOM, hidden: look at what is shown.
function slotCell(time: string) {
  return page.locator('.slot:visible', { hasText: time });
}

/** Text on the page being shown (Taro keeps hidden earlier pages in the DOM). */
function seen(text: string | RegExp) {
  return page.getByText(text).filter({ visible: true }).first();
}

/** A NutUI button: Taro's H5 button core takes the pointer events, not the label inside. */
function button(name: string | RegExp) {
  return page.locator('.nut-button:visible', { hasText: name });
}

describe('patient H5 journey at 375 px', () => {
  const phone = newPhone();

  it('shows the home page with departments and notices', async () => {
    await page.goto(url('index/index'));
    await seen('南阳市第二人民医院').waitFor();
    await page.locator('.dept-item:visible').first().waitFor();
    expect(await page.locator('.notice:visible').allInnerTexts()).toEqual([
      '就诊请提前 15 分钟到院，凭证件到分诊台签到',
      '预约后请按时支付，逾期号源自动释放',
      '就诊前取消预约，挂号费原路退回',
    ]);
    // Every department of the demo hospital that takes bookings, grouped under its parent.
    const departments = await page.locator('.dept-item:visible').allInnerTexts();
    expect(departments).toContain('心血管内科');
    expect(departments).toContain('眼科');
    expect(departments.length).toBeGreaterThan(15);
    await snap(page, 'home');
    await page.getByPlaceholder('搜索科室、医生姓名或擅长').fill('心');
    // Only the matching department is left, under its group.
    await expect.poll(() => page.locator('.dept-item:visible').allInnerTexts(), WAIT).toEqual(['心血管内科']);
    expect(await page.locator('.dept-group-name:visible').allInnerTexts()).toEqual(['内科']);
    await snap(page, 'home-department-search');
    // Signed out, 我的预约 asks the visitor to sign in instead of failing.
    await page.goto(url('appointments/index'));
    await seen('请先登录').waitFor();
    await snap(page, 'appointments-signed-out');
  });

  it("browses a department of the demo hospital and a doctor's booking window", async () => {
    await page.goto(url('index/index'));
    await seen('心血管内科').click();
    await page.locator('.doctor-card:visible').first().waitFor();
    // The department's two demo doctors, each with title, specialty and fee.
    const cards = page.locator('.doctor-card:visible');
    expect((await cards.locator('.doctor-name').allInnerTexts()).sort()).toEqual(['张建国', '李秀兰'].sort());
    const zhang = cards.filter({ hasText: '张建国' });
    expect(await textOf(zhang)).toContain('主任医师');
    expect(await textOf(zhang)).toContain('心血管内科 · 擅长：冠心病介入治疗、复杂心律失常');
    expect(await textOf(zhang.locator('.fee'))).toBe('¥30.00');
    await snap(page, 'demo-department-doctors');
    await zhang.click();
    await page.locator('.date-cell:visible').first().waitFor();
    // One date cell per day the doctor sits in the booking window (the generator's sessions).
    const doctorId = (await app.database.db.selectFrom('doctor').select('id').where('name', '=', '张建国').executeTakeFirstOrThrow()).id;
    const calendar = await app.request('GET', `/api/v1/doctors/${doctorId}/sessions`);
    const sessions = calendar.body.sessions as { date: string; slots: { startTime: string; endTime: string }[] }[];
    const dates = [...new Set(sessions.map((s) => s.date))];
    expect(dates.length).toBeGreaterThan(0);
    const cells = await page.locator('.date-cell:visible').allInnerTexts();
    expect(cells).toHaveLength(dates.length);
    for (const cell of cells) expect(cell).toMatch(/^(今天|明天|\d{2}-\d{2})\s+周[日一二三四五六]\s+(余\d+|约满|待放号)$/);
    // The selected day's sessions, each with its time slots.
    expect(await page.locator('.section-title:visible', { hasText: /\d+月\d+日 周. (上午|下午)/ }).count()).toBeGreaterThan(0);
    const times = new Set(sessions.flatMap((s) => s.slots.map((slot) => `${slot.startTime.slice(0, 5)}-${slot.endTime.slice(0, 5)}`)));
    const slots = await page.locator('.slot:visible').allInnerTexts();
    expect(slots.length).toBeGreaterThan(0);
    for (const slot of slots) {
      const [time, ...note] = slot.split(/\s+/);
      expect(times.has(time!), slot).toBe(true);
      expect(note.join(' ')).toMatch(/^(余\d+|\d{2}-\d{2} \d{2}:\d{2} 放号|已约满|已过期|停诊)$/);
    }
    await snap(page, 'demo-doctor-calendar');
  });

  it("refuses an administrator's login and points to the admin console, leaving no login behind", async () => {
    await page.goto(url('login/index'));
    await page.getByPlaceholder('请输入手机号').fill(DEMO_ACCOUNTS.admin.phone);
    await page.getByPlaceholder('请输入密码').fill(DEMO_ACCOUNTS.admin.password);
    await button(/^登录$/).click();
    await seen('管理员请使用管理后台 /admin/ 登录').waitFor();
    await snap(page, 'admin-login-refused');
    expect(await page.evaluate("localStorage.getItem('bx87h9.session')")).toBeNull();
    expect(logoutCalls).toHaveLength(1); // the server's login for it was ended at once
    await page.goto(url('me/index'));
    await expect.poll(() => textOf(page.locator('.me-name:visible')), WAIT).toBe('未登录');
    expect(await textOf(page.locator('body'))).not.toContain('系统管理员');
  });

  it('registers with an SMS code read from the dev inbox', async () => {
    await page.goto(url('login/index'));
    await page.getByText('注册新账号').first().click();
    await page.getByPlaceholder('请输入手机号').fill(phone);
    await button('获取验证码').click();
    await seen(/开发环境：短信验证码为 \d{6}/).waitFor();
    await page.getByPlaceholder('8–64 位，须含字母和数字').fill('Journey2026');
    await snap(page, 'register-form');
    await button('注册并登录').click();
    // Signed in (the session is kept on the device), the app goes back to where the patient
    // came from; 我的 shows the phone, masked.
    await page.waitForFunction("localStorage.getItem('bx87h9.session') !== null");
    await page.goto(url('me/index'));
    await expect.poll(() => textOf(page.locator('.me-sub:visible')), WAIT).toContain(`${phone.slice(0, 3)}****${phone.slice(7)}`);
    await snap(page, 'me-signed-in');
  });

  it('adds a 就诊人 with ID validation and shows the ID masked', async () => {
    await page.goto(url('profiles/index'));
    await seen('还没有就诊人，添加后即可预约挂号').waitFor();
    await snap(page, 'profiles-empty');
    await button('添加就诊人').click();
    await page.getByPlaceholder('与证件上的姓名一致').fill('张晓梅');
    await page.getByPlaceholder('18 位身份证号码').fill('411302199003071233');
    await page.getByPlaceholder('就诊人的手机号').fill(phone);
    await button('保存').click();
    await seen('身份证号码不正确').waitFor();
    await snap(page, 'profile-invalid-id');
    await page.getByPlaceholder('18 位身份证号码').fill(ID_NUMBER);
    await button('保存').click();
    // Saved, the app goes back to the list, which shows the new 就诊人 with the ID masked.
    await page.locator('.section:visible', { hasText: '张晓梅' }).waitFor();
    expect(await textOf(page.locator('.section:visible', { hasText: '张晓梅' }))).toContain('411***********1232');
    expect(await textOf(page.locator('body'))).not.toContain(ID_NUMBER);
    await snap(page, 'profiles');
  });

  it('opens the department and the doctor calendar', async () => {
    await page.goto(url(`department/index?id=${hospital.departmentId}`));
    await seen('周文博').waitFor();
    await snap(page, 'department-doctors');
    await seen('周文博').click();
    await expect.poll(() => textOf(slotCell('08:00-08:30')), WAIT).toContain('余3');
    await expect.poll(() => textOf(slotCell('08:30-09:00')), WAIT).toContain('余1');
    await snap(page, 'doctor-calendar');
  });

  it('refuses a booking whose slot filled up meanwhile, with the right message', async () => {
    // Someone else takes the last place of 08:30 while this patient is looking at it.
    const [other] = await createPatients(app.database.db, 1);
    expect((await book(app, other!, session.slotIds[1]!)).status).toBe(201);
    await slotCell('08:30-09:00').click();
    await button(/确认预约/).click();
    await expect.poll(() => textOf(page.locator('.refusal:visible')), WAIT).toContain('该时段号源已约满，请返回选择其他时段或其他日期。');
    await snap(page, 'booking-refused-full');
    await page.goBack();
    await expect.poll(() => textOf(slotCell('08:30-09:00')), WAIT).toContain('已约满');
  });

  it('books a slot, pays within the countdown and sees the queue number', async () => {
    await slotCell('08:00-08:30').click();
    await seen('张晓梅').waitFor();
    await seen('¥25.00').waitFor();
    // The department's rules, in words: the hold and the cut-off with its clock time (08:00 − 2 h).
    await seen(/请在 15分钟内完成支付/).waitFor();
    await seen(/就诊开始前 2小时（即 \d+月\d+日 06:00）前可取消/).waitFor();
    await snap(page, 'confirm');
    const confirm = button(/确认预约/);
    // The first answer is lost on the way back (the server did book): the app says so...
    let lost = 0;
    await page.route('**/api/v1/appointments', async (route) => {
      if (route.request().method() !== 'POST' || lost > 0) return route.continue();
      lost += 1;
      expect((await route.fetch()).status()).toBe(201);
      await route.abort('connectionreset');
    });
    await confirm.click();
    await expect.poll(() => textOf(page.locator('.refusal:visible')), WAIT).toBe('网络异常，请检查网络后重试');
    await snap(page, 'booking-answer-lost');
    await page.unroute('**/api/v1/appointments');
    // ...and a retry (here a double tap) sends the same key: the server answers with the hold it
    // made, not ALREADY_BOOKED.
    await confirm.dblclick();
    await expect.poll(() => textOf(page.locator('.countdown-time:visible')), WAIT).toMatch(/^\d{2}:\d{2}$/);
    await snap(page, 'pay-countdown');
    await button(/确认支付/).click();
    await seen('预约成功').waitFor();
    await expect.poll(() => textOf(page.locator('.queue-number:visible')), WAIT).toBe('1 号');
    await snap(page, 'success');
    const rows = await app.database.db.selectFrom('appointment').select(['status']).where('session_id', '=', session.sessionId).where('slot_id', '=', session.slotIds[0]!).execute();
    expect(rows).toEqual([{ status: 'booked' }]);
  });

  it('lists it in 我的预约 and survives an access-token expiry', async () => {
    await page.goto(url('appointments/index'));
    await expect.poll(() => textOf(page.locator('.appointment-card:visible')), WAIT).toContain('就诊序号 1 号');
    await snap(page, 'my-appointments');
    // The 15-minute access token runs out; the app refreshes it once, invisibly.
    app.clock.advance(20 * 60_000);
    await page.locator('.appointment-card:visible').click();
    await seen('预约信息').waitFor();
    await seen(/取消规则：就诊开始前 2小时，即 \d+月\d+日 06:00 前可取消/).waitFor();
    expect(await page.getByText('请先登录').filter({ visible: true }).count()).toBe(0);
    expect(refreshCalls).toHaveLength(1);
    await snap(page, 'appointment-detail-after-token-expiry');
  });

  it('cancels with a confirmation and the place returns to the calendar', async () => {
    await button('取消预约').click();
    await snap(page, 'cancel-confirm');
    await page.getByText('确定取消', { exact: true }).filter({ visible: true }).click();
    await page.locator('.badge.status:visible', { hasText: '已取消' }).waitFor();
    await snap(page, 'cancelled');
    await page.goto(url(`doctor/index?id=${hospital.doctorId}`));
    await expect.poll(() => textOf(slotCell('08:00-08:30')), WAIT).toContain('余3');
    await snap(page, 'calendar-place-returned');
    await page.goto(url('appointments/index'));
    await page.locator('.nut-tabs-titles-item:visible', { hasText: '已取消' }).click();
    await expect.poll(() => textOf(page.locator('.appointment-card:visible')), WAIT).toContain('周文博');
    // On screen, not just in the DOM (a tab's content once slid out of view).
    const box = await page.locator('.appointment-card:visible').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    await snap(page, 'my-appointments-cancelled');
  });

  it('switches to elder mode (适老化) with larger text', async () => {
    await page.goto(url('me/index'));
    const before = await page.locator('.me-name:visible').evaluate(FONT_SIZE);
    await page.locator('.nut-switch:visible').click();
    await page.locator('.page.elder:visible').first().waitFor();
    const after = await page.locator('.me-name:visible').evaluate(FONT_SIZE);
    expect(after).toBeGreaterThan(before);
    await snap(page, 'elder-mode-me');
    await page.goto(url(`doctor/index?id=${hospital.doctorId}`));
    await slotCell('08:00-08:30').waitFor();
    await snap(page, 'elder-mode-calendar');
  });
});
