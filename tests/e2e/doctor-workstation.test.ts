/**
 * The doctor workstation (H5 build `--mode doctor`, served at /doctor/) in real headless
 * Chromium at 375 px, against the real API on a fresh database with the demo hospital: a
 * patient's login refused, the demo doctor signs in, sees today's and the week's sessions with
 * the places patients booked through the API, opens a session's queue (叫号 disabled, drawn as one
 * button, a double tap selecting nothing), changes a slot's capacity (and is refused below
 * what is booked), adds a slot (加号), changes the fee of a session not yet released, asks for
 * 停诊 of it (pending, approved through the API, shown 停诊), lists, adds and deletes
 * weekly templates, reads their profile, changes the password and signs out. Screenshots: test-artifacts/e2e/doctor-*.png.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, loadDemoHospital } from '../../functions/src/demo/demo-hospital.js';
import { addDays, shanghaiDate, shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { book, createPatients, createSession, type Hospital, type Session } from '../support/scenario.js';
import { REPO_ROOT } from '../miniapp/build.js';
import { ARTIFACTS, launchPhone, textOf } from './browser.js';

const WAIT = { timeout: 15_000 };
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const TITLES = { chief: '主任医师', associate_chief: '副主任医师', attending: '主治医师', resident: '住院医师' } as const;

let app: TestApp;
let browser: Browser;
let page: Page;
let doctor: Hospital & { name: string; department: string; title: string; specialty: string };
let today: Session;
let nextWeek: Session;
const logoutCalls: string[] = [];

/** "11月29日 周日": how the app shows a clinic date. */
function dateLabel(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日 ${WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]}`;
}

beforeAll(async () => {
  // The doctor app's own build script, as `npm start` runs it when dist/h5-doctor is missing.
  await promisify(execFile)('npm', ['run', 'build:h5:doctor', '-w', 'miniapp'], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 64 * 1024 * 1024 });
  app = await startTestApp({}, undefined, { frontEnd: true });
  await loadDemoHospital(app.deps);
  // Early this (Shanghai) morning on the server: today's slots are still ahead and bookable,
  // whenever the test runs; the browser's "today" is the same Shanghai date.
  const date = shanghaiDate(app.clock.now());
  app.clock.set(shanghaiToInstant(date, '00:30'));
  const row = await app.database.db
    .selectFrom('doctor')
    .innerJoin('user_account as u', 'u.id', 'doctor.user_id')
    .innerJoin('department as d', 'd.id', 'doctor.department_id')
    .select(['doctor.id', 'doctor.department_id', 'doctor.user_id', 'doctor.name', 'doctor.title', 'doctor.specialty', 'd.name as department'])
    .where('u.phone', '=', DEMO_ACCOUNTS.doctor.phone)
    .executeTakeFirstOrThrow();
  doctor = { doctorId: row.id, departmentId: row.department_id, doctorUserId: row.user_id, name: row.name, department: row.department, title: TITLES[row.title], specialty: row.specialty };
  // Evening sessions: the demo templates sit mornings and afternoons only, so nothing collides.
  today = await createSession(app.database.db, doctor, {
    date,
    period: 'evening',
    feeFen: 3000,
    slots: [
      { start: '18:00', capacity: 3 },
      { start: '18:30', capacity: 2, seqCount: 4 },
    ],
  });
  // A week later, released tomorrow (ahead of the browser's clock too), so its fee may still change.
  nextWeek = await createSession(app.database.db, doctor, {
    date: addDays(date, 7),
    period: 'evening',
    feeFen: 2000,
    releaseAt: shanghaiToInstant(addDays(date, 1), '07:30'),
    slots: [{ start: '18:00', capacity: 5 }],
  });
  // Patients book through the API: two places at 18:00, one at 18:30.
  const patients = await createPatients(app.database.db, 3);
  for (const [i, slotId] of [today.slotIds[0]!, today.slotIds[0]!, today.slotIds[1]!].entries()) {
    expect((await book(app, patients[i]!, slotId)).status).toBe(201);
  }
  ({ browser, page } = await launchPhone({ screenshotPrefix: 'doctor-' }));
  page.on('request', (request) => {
    if (request.url().endsWith('/api/v1/auth/logout')) logoutCalls.push(request.url());
  });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

let step = 0;
async function snap(name: string): Promise<void> {
  step += 1;
  await page.waitForTimeout(300); // let tabs and toasts settle
  await page.screenshot({ path: path.join(ARTIFACTS, `doctor-${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

let visits = 0;
/** A page of the doctor app, loaded afresh (see patient-journey.test.ts for why the query). */
const url = (route: string) => `${app.baseUrl}/doctor/?visit=${++visits}#/pages/${route}`;
/** Text on the page being shown (Taro keeps hidden earlier pages in the DOM). */
const seen = (text: string | RegExp) => page.getByText(text).filter({ visible: true }).first();
const button = (name: string | RegExp) => page.locator('.nut-button:visible', { hasText: name });
const card = (date: string) => page.locator('.session-card:visible', { hasText: dateLabel(date) });
const slotRow = (date: string, start: string) => card(date).locator('.slot-item', { hasText: `${start}–` });

async function slotInDb(slotId: number) {
  return app.database.db.selectFrom('slot').select(['capacity', 'remaining']).where('id', '=', slotId).executeTakeFirstOrThrow();
}

describe('doctor workstation H5 at 375 px', () => {
  it('asks a visitor to sign in, and refuses a patient, pointing to the patient app', async () => {
    await page.goto(url('today/index'));
    await seen('请先登录').waitFor();
    await snap('signed-out');
    await button(/^登录$/).click();
    await page.getByPlaceholder('请输入手机号').fill(DEMO_ACCOUNTS.patient.phone);
    await page.getByPlaceholder('请输入密码').fill(DEMO_ACCOUNTS.patient.password);
    // The page navigated from stays visible until the transition ends: wait for one 登录 button.
    await expect.poll(() => button(/^登录$/).count(), WAIT).toBe(1);
    await button(/^登录$/).click();
    await seen('患者请使用患者端微信小程序或 /patient/ 登录').waitFor();
    await snap('patient-refused');
    expect(await page.evaluate("localStorage.getItem('bx87h9.session')")).toBeNull();
    expect(logoutCalls).toHaveLength(1); // the login the server made for the patient was ended
    await page.getByText('知道了', { exact: true }).filter({ visible: true }).click();
  });

  it("signs the demo doctor in and shows today's session with the places booked", async () => {
    await page.goto(url('login/index'));
    await page.getByPlaceholder('请输入手机号').fill(DEMO_ACCOUNTS.doctor.phone);
    await page.getByPlaceholder('请输入密码').fill(DEMO_ACCOUNTS.doctor.password);
    await button(/^登录$/).click();
    await card(today.date).waitFor(WAIT);
    expect(await textOf(seen(/您好$/))).toBe(`${doctor.name}，您好`);
    expect(await textOf(page.locator('.summary:visible'))).toBe('今日 1 场出诊 · 已约 3 / 5');
    const text = await textOf(card(today.date));
    expect(text).toContain(`${dateLabel(today.date)} 晚上`);
    expect(text).toContain('18:00–19:00 · 挂号费 ¥30.00');
    expect(text).toContain('已约 3 / 5');
    expect(await card(today.date).locator('.slot-count').allInnerTexts()).toEqual(['2 / 3', '1 / 2']);
    await snap('today');
  });

  it('opens the session’s queue: nobody has checked in, so 叫号 is one disabled button, and a double tap on it selects nothing', async () => {
    await seen('进入候诊队列 ›').click();
    const call = button('暂无候诊患者');
    await call.waitFor(WAIT);
    await call.dblclick({ force: true }); // force: no waiting for the disabled button to be enabled
    expect(await page.evaluate('window.getSelection().toString()')).toBe('');
    // What looked like the label selected in blue was its own box: NutUI repeats the disabled class on
    // the label, and on H5 Taro's grey outranked it on the button only (miniapp/src/h5-buttons.css).
    const colours = await call.evaluate((el) => {
      type Style = { backgroundColor: string; color: string };
      const style = (e: unknown) => (el.ownerDocument.defaultView as { getComputedStyle(e: unknown): Style }).getComputedStyle(e);
      const label = style(el.querySelector('.nut-button-children'));
      return { button: style(el).backgroundColor, label: label.backgroundColor, text: label.color };
    });
    expect(colours).toEqual({ button: 'rgb(156, 195, 234)', label: 'rgba(0, 0, 0, 0)', text: 'rgb(255, 255, 255)' });
    await snap('queue-nobody-waiting');
    await page.goto(url('today/index'));
    await card(today.date).waitFor(WAIT);
  });

  it("changes a slot's capacity in 我的排班, and is refused below what is booked", async () => {
    await page.locator('.weui-tabbar__item:visible', { hasText: '我的排班' }).click();
    await card(today.date).waitFor(WAIT);
    // 加号 within the slot's range: 18:30 from 2 to 4 places.
    await slotRow(today.date, '18:30').getByText('调整号源').click();
    await page.locator('.editor:visible input').fill('4');
    await snap('schedule-capacity-editor');
    await button('保存').click();
    await expect.poll(() => card(today.date).locator('.slot-count').allInnerTexts(), WAIT).toEqual(['2 / 3', '1 / 4']);
    expect(await slotInDb(today.slotIds[1]!)).toEqual({ capacity: 4, remaining: 3 });
    expect(await textOf(card(today.date).locator('.session-total'))).toBe('已约 3 / 7');
    // Two patients hold 18:00: one place is too few, and the server says why.
    await slotRow(today.date, '18:00').getByText('调整号源').click();
    await page.locator('.editor:visible input').fill('1');
    await button('保存').click();
    await seen('该时段已预约 2 人，号源数不能少于已预约人数').waitFor();
    await snap('schedule-capacity-refused');
    expect(await slotInDb(today.slotIds[0]!)).toEqual({ capacity: 3, remaining: 1 });
    await button('取消').click();
    await expect.poll(() => page.locator('.editor:visible').count(), WAIT).toBe(0);
  });

  it('adds a slot (加号) to today’s session, bookable at once', async () => {
    await card(today.date).getByText('加号', { exact: true }).click();
    const inputs = page.locator('.slot-adder:visible input');
    // The new slot follows the session's last one by default.
    expect(await inputs.nth(0).inputValue()).toBe('19:00');
    expect(await inputs.nth(1).inputValue()).toBe('19:30');
    await inputs.nth(2).fill('2');
    await snap('schedule-add-slot');
    await button('保存').click();
    await expect.poll(() => card(today.date).locator('.slot-count').allInnerTexts(), WAIT).toEqual(['2 / 3', '1 / 4', '0 / 2']);
    const added = await app.database.db.selectFrom('slot').select(['start_time', 'end_time', 'capacity', 'remaining']).where('session_id', '=', today.sessionId).orderBy('start_time', 'desc').executeTakeFirstOrThrow();
    expect(added).toEqual({ start_time: '19:00:00', end_time: '19:30:00', capacity: 2, remaining: 2 });
    await snap('schedule-slot-added');
  });

  it('changes the fee of next week’s session before its places are released', async () => {
    // Released sessions (today's) offer no fee change.
    expect(await textOf(card(today.date))).toContain('挂号费不可再改');
    await button('下一周').click();
    await card(nextWeek.date).waitFor(WAIT);
    expect(await textOf(card(nextWeek.date))).toContain(`${dateLabel(addDays(today.date, 1)).split(' ')[0]} 07:30 放号`);
    await card(nextWeek.date).getByText('修改挂号费').click();
    await page.locator('.editor:visible input').fill('25.5');
    await button('保存').click();
    await expect.poll(() => textOf(card(nextWeek.date)), WAIT).toContain('挂号费 ¥25.50');
    const fee = await app.database.db.selectFrom('clinic_session').select('fee_fen').where('id', '=', nextWeek.sessionId).executeTakeFirstOrThrow();
    expect(fee.fee_fen).toBe(2550);
    await snap('schedule-next-week-fee');
  });

  it('asks for 停诊 of next week’s session with a reason, sees it pending, then approved (through the API) and the session 停诊', async () => {
    await card(nextWeek.date).getByText('申请停诊').click();
    await button('提交').click();
    await seen('请填写停诊原因').waitFor();
    await page.locator('.suspend-form:visible input').fill('外出参加学术会议');
    await snap('suspend-request-form');
    await button('提交').click();
    await page.getByText('提交', { exact: true }).filter({ visible: true }).last().click(); // the confirmation
    await expect.poll(() => textOf(card(nextWeek.date)), WAIT).toContain('停诊申请审核中：外出参加学术会议');
    expect(await card(nextWeek.date).getByText('申请停诊').count()).toBe(0); // one pending request per session
    await snap('suspend-request-pending');
    const request = await app.database.db.selectFrom('suspension_request').select(['id', 'status']).where('session_id', '=', nextWeek.sessionId).executeTakeFirstOrThrow();
    expect(request.status).toBe('pending');

    const adminLogin = await app.request('POST', '/api/v1/auth/login', { body: { phone: DEMO_ACCOUNTS.admin.phone, password: DEMO_ACCOUNTS.admin.password } });
    const approved = await app.request('POST', `/api/v1/admin/suspension-requests/${request.id}/approve`, { token: adminLogin.body.tokens.accessToken });
    expect(approved.status).toBe(200);

    await page.goto(url('schedule/index'));
    await button('下一周').click();
    await expect.poll(() => textOf(card(nextWeek.date)), WAIT).toContain('已停诊');
    const text = await textOf(card(nextWeek.date));
    expect(text).toContain('停诊原因：外出参加学术会议');
    expect(text).toContain(`停诊申请已批准（${DEMO_ACCOUNTS.admin.displayName}`);
    await snap('suspend-request-approved');
    await page.locator('.nut-tabs-titles-item:visible', { hasText: '停诊申请' }).click();
    await expect.poll(() => textOf(page.locator('.request-row:visible').first()), WAIT).toContain('已批准');
    expect(await textOf(page.locator('.request-row:visible').first())).toContain('申请原因：外出参加学术会议');
    await snap('suspend-requests-list');
  });

  it("lists the doctor's weekly templates", async () => {
    const templates = await app.database.db.selectFrom('schedule_template').select('id').where('doctor_id', '=', doctor.doctorId).execute();
    expect(templates.length).toBeGreaterThan(0);
    await page.locator('.nut-tabs-titles-item:visible', { hasText: '出诊模板' }).click();
    await expect.poll(() => page.locator('.template-row:visible').count(), WAIT).toBe(templates.length);
    for (const row of await page.locator('.template-row:visible').allInnerTexts()) {
      expect(row).toMatch(/^每周[一二三四五六日] (上午|下午|晚上)\s+启用\s+\d{2}:\d{2}–\d{2}:\d{2} · 每 \d+ 分钟 \d+ 个号 · ¥\d+\.\d{2}\s+修改\s+删除$/);
    }
    await snap('schedule-templates');
  });

  it('adds a weekly template, refuses a bad one, and deletes it', async () => {
    const before = await page.locator('.template-row:visible').count();
    await button('新增出诊模板').click();
    await page.locator('.template-form:visible .nut-radio', { hasText: '周日' }).click();
    await page.getByPlaceholder('如 08:00').fill('18:00');
    await page.getByPlaceholder('如 11:30').fill('17:00');
    await page.getByPlaceholder('1–200').fill('4');
    await page.getByPlaceholder('如 30.00').fill('20');
    await button('保存模板').click();
    await seen('结束时间须晚于开始时间').waitFor();
    await page.getByPlaceholder('如 11:30').fill('20:00');
    await snap('template-form');
    await button('保存模板').click();
    await expect.poll(() => page.locator('.template-row:visible').count(), WAIT).toBe(before + 1);
    const added = page.locator('.template-row:visible', { hasText: '每周日 晚上' });
    expect(await textOf(added)).toContain('18:00–20:00 · 每 30 分钟 4 个号 · ¥20.00');
    const row = await app.database.db.selectFrom('schedule_template').selectAll().where('doctor_id', '=', doctor.doctorId).where('weekday', '=', 7).executeTakeFirstOrThrow();
    expect({ start: row.start_time, end: row.end_time, capacity: row.capacity_per_slot, fee: row.fee_fen }).toEqual({ start: '18:00:00', end: '20:00:00', capacity: 4, fee: 2000 });
    await snap('template-added');
    await added.getByText('删除').click();
    await page.getByText('删除', { exact: true }).filter({ visible: true }).last().click();
    await expect.poll(() => page.locator('.template-row:visible').count(), WAIT).toBe(before);
    expect(await app.database.db.selectFrom('schedule_template').select('id').where('id', '=', row.id).executeTakeFirst()).toBeUndefined();
  });

  it('shows name, department and title in 我的, changes the password, and signs out', async () => {
    await page.locator('.weui-tabbar__item:visible', { hasText: '我的' }).last().click();
    await expect.poll(() => textOf(page.locator('.me-name:visible')), WAIT).toBe(doctor.name);
    await expect.poll(() => textOf(page.locator('.nut-cell:visible', { hasText: '科室' })), WAIT).toContain(doctor.department);
    expect(await textOf(page.locator('.nut-cell:visible', { hasText: '职称' }))).toContain(doctor.title);
    // From GET /doctor/profile: the app no longer scans the doctor's sessions to find who they are.
    expect(await textOf(page.locator('.nut-cell:visible', { hasText: '擅长' }))).toContain(doctor.specialty);
    await snap('me');
    // A password change: refused while the repeat differs, then done; the new password signs in.
    await page.locator('.nut-cell:visible', { hasText: '修改密码' }).click();
    await page.getByPlaceholder('请输入原密码').fill(DEMO_ACCOUNTS.doctor.password);
    await page.getByPlaceholder('8–64 位，须含字母和数字').fill('Clinic2027');
    await page.getByPlaceholder('再次输入新密码').fill('Clinic2028');
    await button('确认修改').click();
    await seen('两次输入的新密码不一致').waitFor();
    await snap('password-mismatch');
    await page.getByPlaceholder('再次输入新密码').fill('Clinic2027');
    await button('确认修改').click();
    await page.locator('.me-name:visible').waitFor(WAIT);
    const relogin = await app.request('POST', '/api/v1/auth/login', { body: { phone: DEMO_ACCOUNTS.doctor.phone, password: 'Clinic2027' } });
    expect(relogin.status).toBe(200);
    await button('退出登录').click();
    await page.getByText('退出', { exact: true }).filter({ visible: true }).click();
    await seen('请先登录').waitFor();
    expect(await page.evaluate("localStorage.getItem('bx87h9.session')")).toBeNull();
    expect(logoutCalls).toHaveLength(2);
    await snap('signed-out-again');
  });
});
