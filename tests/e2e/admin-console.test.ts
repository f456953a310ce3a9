/**
 * The admin console in real headless Chromium at 1280 px, against the real API and a real
 * MariaDB (no mocked API), built as `npm start` builds it and served at /admin/ by the local
 * server: a doctor's login refused (and ended on the server), the admin's login, the dashboard's
 * chart (only the dashboard downloads ECharts: each page is its own chunk), a department created
 * and the departments reordered by dragging, a doctor created and listed (the initial password
 * shown once really logs the doctor in), a rule changed and its value in force and source shown,
 * the schedule and accounts pages; the
 * appointments filtered, one's history in its drawer, and the CSV export downloaded; the
 * statistics dashboard with every chart drawn from a seeded week, a rate's definition in its
 * tooltip and a chart's CSV; a doctor's 停诊 request approved from 停诊审批; and the audit log finding
 * every change made here, filtered by action. Screenshots go to
 * test-artifacts/e2e/admin-*.png, to be looked at.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, loadDemoHospital } from '../../functions/src/demo/demo-hospital.js';
import { getEffectiveRules } from '../../functions/src/rules/booking-rules.js';
import { generateSessions } from '../../functions/src/schedule/generator.js';
import { randomUUID } from 'node:crypto';
import { newPhone } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, tokenFor, type Session } from '../support/scenario.js';
import { REPO_ROOT } from '../miniapp/build.js';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');
const WAIT = { timeout: 15_000 };

let app: TestApp;
let browser: Browser;
let page: Page;
/** Tomorrow's session of a doctor of their own department, with two of its places booked. */
let clinic: Session & { departmentName: string };
/** Another department's session with one paid booking, for the admin's 取消预约. */
let paidClinic: Session & { departmentName: string };
const loginAnswers: { role: string; refreshToken: string }[] = [];
/** Every script the browser fetched, in order: which chunks a page needed. */
const scripts: string[] = [];
/** The session whose 停诊 an admin approves from 停诊审批. */
let approvedSessionId: number;

async function snap(name: string): Promise<void> {
  // From the top: a full-page shot of a scrolled page paints the fixed header mid-page.
  await page.mouse.wheel(0, -100_000);
  await page.waitForTimeout(400); // let the scroll, modals, messages and charts settle
  await page.screenshot({ path: path.join(ARTIFACTS, `admin-${name}.png`), fullPage: true });
}

/** An antd Select inside the form item labelled `label`: open it and pick the option. */
async function pick(label: string, option: string): Promise<void> {
  // The chosen value covers the search input: click the select's box in that form item.
  const item = page.locator('.ant-form-item', { has: page.getByLabel(label, { exact: true }) });
  await item.locator('.ant-select-selector').click();
  // The option whose whole text is `option` (内科, not 心血管内科), and then the form shows it chosen:
  // a click lost while the dropdown was still opening must fail here, not save an empty field.
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${option}$`) }).first().click();
  await expect.poll(() => item.locator('.ant-select-selection-item').first().innerText().catch(() => '')).toBe(option);
}

/** The audit log's 操作 select lists every action, more than antd renders at once: search it by code. */
async function pickAction(code: string): Promise<void> {
  await page.locator('.ant-form-item', { has: page.getByLabel('操作', { exact: true }) }).locator('.ant-select-selector').click();
  await page.keyboard.type(code);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: `（${code}）` }).first().click();
}

beforeAll(async () => {
  // A production build, as npm start makes (vitest's NODE_ENV=test would give React's development build).
  await promisify(execFile)('npm', ['run', 'build', '-w', 'admin'], { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: 'production' }, maxBuffer: 64 * 1024 * 1024 });
  app = await startTestApp({}, undefined, { frontEnd: true });
  await loadDemoHospital(app.deps);
  await generateSessions(app.deps);
  const hospital = await createDoctor(app.database.db, { name: '周文博', title: 'chief' });
  const session = await createSession(app.database.db, hospital, {
    date: shanghaiDay(app.clock.now(), 1),
    feeFen: 2500,
    slots: [
      { start: '08:00', capacity: 3 },
      { start: '08:30', capacity: 2 },
    ],
  });
  for (const [patient, slotId] of (await createPatients(app.database.db, 2)).map((p, i) => [p, session.slotIds[i]!] as const)) {
    const booked = await book(app, patient, slotId);
    if (booked.status !== 201) throw new Error(`booking failed: ${JSON.stringify(booked.body)}`);
  }
  const department = await app.database.db.selectFrom('department').select('name').where('id', '=', hospital.departmentId).executeTakeFirstOrThrow();
  clinic = { ...session, departmentName: department.name };
  const other = await createDoctor(app.database.db, { name: '郑雅琴' });
  const otherSession = await createSession(app.database.db, other, { date: shanghaiDay(app.clock.now(), 2), feeFen: 1800, slots: [{ start: '09:00', capacity: 4 }] });
  const [payer] = await createPatients(app.database.db, 1);
  const paidBooking = await book(app, payer!, otherSession.slotIds[0]!);
  const paid = await appointmentAction(app, payer!, paidBooking.body.id, 'pay');
  if (paid.status !== 200) throw new Error(`payment failed: ${JSON.stringify(paid.body)}`);
  const otherDepartment = await app.database.db.selectFrom('department').select('name').where('id', '=', other.departmentId).executeTakeFirstOrThrow();
  paidClinic = { ...otherSession, departmentName: otherDepartment.name };
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  // A desk in another time zone: dates shown must still be Shanghai's.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'America/New_York' });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('response', (response) => {
    if (response.url().endsWith('.js')) scripts.push(new URL(response.url()).pathname);
  });
  page.on('response', async (response) => {
    if (!response.url().endsWith('/api/v1/auth/login') || response.status() !== 200) return;
    const body = (await response.json()) as { account: { role: string }; tokens: { refreshToken: string } };
    loginAnswers.push({ role: body.account.role, refreshToken: body.tokens.refreshToken });
  });
  // Only this run's admin screenshots (the patient journey's stay).
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const file of readdirSync(ARTIFACTS)) if (file.startsWith('admin-')) rmSync(path.join(ARTIFACTS, file));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function logIn(phone: string, password: string): Promise<void> {
  await page.getByPlaceholder('手机号').fill(phone);
  await page.getByPlaceholder('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

describe('admin console at 1280 px', () => {
  it('serves the build at /admin/ with the login page, and caches hashed assets for good', async () => {
    await page.goto(`${app.baseUrl}/admin/`);
    await expect.poll(() => page.url()).toMatch(/\/admin\/#\/login$/);
    await page.getByText('预约挂号管理后台').first().waitFor(WAIT);
    const script = await page.locator('script[type="module"]').getAttribute('src');
    const asset = await fetch(`${app.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // The login page is a chunk of its own, cached for good too; ECharts is not downloaded for it.
    const loginChunk = scripts.find((s) => /\/assets\/LoginPage-[\w-]{8}\.js$/.test(s));
    expect(loginChunk).toBeDefined();
    expect((await fetch(`${app.baseUrl}${loginChunk}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(scripts.filter((s) => s.includes('/echarts-'))).toEqual([]);
    await snap('01-login');
  });

  it("refuses a doctor's login, says where to go, and ends that login on the server", async () => {
    await logIn(DEMO_ACCOUNTS.doctor.phone, DEMO_ACCOUNTS.doctor.password);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.innerText().catch(() => '')).toContain('该账号不是管理员账号');
    await expect(alert.getByRole('link', { name: /医生工作站/ }).getAttribute('href')).resolves.toBe('/doctor/');
    await snap('02-doctor-refused');
    const doctorLogin = loginAnswers.find((a) => a.role === 'doctor');
    expect(doctorLogin).toBeDefined();
    // The console logged it out: its refresh token no longer works.
    const refreshed = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: doctorLogin!.refreshToken } });
    expect(refreshed.status).toBe(401);
    expect(page.url()).toMatch(/#\/login$/);
  });

  it('lets the admin in: the shell in Chinese with their name, and the statistics dashboard', async () => {
    await logIn(DEMO_ACCOUNTS.admin.phone, DEMO_ACCOUNTS.admin.password);
    await expect.poll(() => page.getByTestId('current-admin').innerText().catch(() => '')).toBe(DEMO_ACCOUNTS.admin.displayName);
    await page.getByText('南阳市第二人民医院 · 预约挂号管理后台').first().waitFor(WAIT);
    // The 2 bookings made above were ordered today: the daily chart has data from the start.
    await page.getByRole('img', { name: '每日预约量' }).locator('canvas').waitFor(WAIT);
    expect(scripts.filter((s) => /\/assets\/(echarts|DashboardPage)-/.test(s))).toHaveLength(2);
    await snap('03-dashboard');
  });

  it('creates a department and lists it in the tree', async () => {
    await page.getByRole('menuitem', { name: /科室管理/ }).click();
    await page.getByRole('button', { name: /新增科室/ }).click();
    await page.getByLabel('科室名称').fill('老年医学科');
    await page.getByLabel('科室编码').fill('geri');
    await pick('上级科室', '内科');
    await page.getByLabel('位置').fill('门诊楼 5 楼');
    await snap('04-department-form');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    const row = page.locator('.ant-table-row', { hasText: '老年医学科' });
    await row.waitFor(WAIT);
    await expect(row.innerText()).resolves.toContain('GERI');
    const stored = await app.database.db.selectFrom('department').select(['code', 'parent_id', 'active']).where('name', '=', '老年医学科').executeTakeFirstOrThrow();
    const internal = await app.database.db.selectFrom('department').select('id').where('name', '=', '内科').executeTakeFirstOrThrow();
    expect(stored).toEqual({ code: 'GERI', parent_id: internal.id, active: 1 });
    await snap('05-departments');
  });

  it('reorders the 小科 of 内科 by dragging them, and the new order is what the patient app lists, after a reload too', async () => {
    const db = app.database.db;
    const internal = await db.selectFrom('department').select('id').where('name', '=', '内科').executeTakeFirstOrThrow();
    const children = async () => (await db.selectFrom('department').select(['id', 'name']).where('parent_id', '=', internal.id).orderBy('sort_order').orderBy('id').execute());
    const before = await children();
    const geri = before.find((d) => d.name === '老年医学科')!;
    const [first] = before;
    expect(first!.name).not.toBe('老年医学科');
    await page.getByRole('button', { name: /调整顺序/ }).click();
    const tree = page.getByTestId('department-order-tree');
    const node = (id: number) => tree.locator('.ant-tree-treenode', { has: page.getByTestId(`order-${id}`) });
    await node(geri.id).waitFor(WAIT);
    const box = await node(first!.id).boundingBox();
    // Above the first 小科 (its top edge): the first place under 内科.
    await node(geri.id).dragTo(node(first!.id), { sourcePosition: { x: 120, y: 10 }, targetPosition: { x: 120, y: 2 } });
    await page.getByText('已调整「内科」下的科室顺序').waitFor(WAIT);
    const moved = ['老年医学科', ...before.filter((d) => d.id !== geri.id).map((d) => d.name)];
    await expect.poll(async () => (await children()).map((d) => d.name)).toEqual(moved);
    // Below the last 小科 (its bottom edge): the last place.
    const second = before.find((d) => d.name === moved[2])!;
    const last = before.at(-1)!;
    await node(second.id).dragTo(node(last.id), { sourcePosition: { x: 120, y: 10 }, targetPosition: { x: 120, y: box!.height - 2 } });
    const reordered = [...moved.filter((name) => name !== second.name), second.name];
    await expect.poll(async () => (await children()).map((d) => d.name)).toEqual(reordered);
    // The tree shows it: 内科, then its 小科 in the new order.
    await expect.poll(() => tree.locator('[data-testid^="order-"]').allInnerTexts().then((t) => t.map((x) => x.trim()).slice(0, reordered.length + 1))).toEqual(['内科', ...reordered]);
    await snap('05a-department-order');
    // A 小科 dragged under another 大科 (外科) is refused: that is an edit of its 上级科室.
    const surgery = await db.selectFrom('department').select('id').where('name', '=', '外科').executeTakeFirstOrThrow();
    const surgeryChild = await db.selectFrom('department').select('id').where('parent_id', '=', surgery.id).orderBy('sort_order').orderBy('id').executeTakeFirstOrThrow();
    await node(geri.id).dragTo(node(surgeryChild.id), { sourcePosition: { x: 120, y: 10 }, targetPosition: { x: 120, y: box!.height - 2 } });
    await page.waitForTimeout(500);
    await expect(db.selectFrom('department').select('parent_id').where('id', '=', geri.id).executeTakeFirstOrThrow()).resolves.toEqual({ parent_id: internal.id });
    expect((await children()).map((d) => d.name)).toEqual(reordered);
    await page.getByRole('button', { name: /完\s*成/ }).click();

    const publicTree = await app.request('GET', '/api/v1/departments');
    const listed = publicTree.body.items.find((d: { id: number }) => d.id === internal.id);
    expect(listed.children.map((c: { name: string }) => c.name)).toEqual(reordered);
    await page.reload();
    await page.locator('.ant-table-row', { hasText: '老年医学科' }).waitFor(WAIT); // the page's chunk and the list, fetched anew
    const names = page.locator('.ant-table-row-level-1 td:first-child');
    await expect.poll(() => names.allInnerTexts().then((t) => t.map((x) => x.trim()).slice(0, reordered.length))).toEqual(reordered);
    // A page longer than the window: the layout's background and the sider's divider run its whole
    // height (ProLayout's own background and the fixed sider stop after one viewport).
    const layout = (await page.evaluate(`(() => {
      const column = document.querySelector('.ant-layout-has-sider > div:has(+ .ant-pro-sider-fixed)');
      return { page: document.documentElement.scrollHeight, column: column.getBoundingClientRect().height, divider: getComputedStyle(column).borderInlineEndWidth, background: getComputedStyle(document.querySelector('.ant-pro-layout')).backgroundColor };
    })()`)) as { page: number; column: number; divider: string; background: string };
    expect(layout.page).toBeGreaterThan(800);
    expect(layout).toEqual({ page: layout.page, column: layout.page, divider: '1px', background: 'rgb(245, 245, 245)' });
    await snap('05b-departments-reordered');
  });

  it('creates a doctor with a login account whose initial password is shown once and works', async () => {
    const phone = newPhone();
    await page.getByRole('menuitem', { name: /医生管理/ }).click();
    await page.getByRole('button', { name: /新增医生/ }).click();
    await page.getByLabel('姓名').fill('林海涛');
    await pick('职称', '副主任医师');
    await pick('科室', '老年医学科');
    await page.getByLabel('挂号费（元）').fill('25');
    await page.getByLabel('登录手机号').fill(phone);
    await page.getByLabel('擅长').fill('老年慢病综合管理');
    await snap('06-doctor-form');
    await page.getByRole('button', { name: '创建医生及账号' }).click();
    const shown = page.getByTestId('initial-password');
    await shown.waitFor(WAIT);
    const password = (await shown.locator('code').innerText()).trim();
    expect(password).toMatch(/^(?=.*[A-Za-z])(?=.*\d).{10}$/);
    await snap('07-initial-password');
    const login = await app.request('POST', '/api/v1/auth/login', { body: { phone, password } });
    expect(login.status).toBe(200);
    expect(login.body.account.role).toBe('doctor');
    await page.getByRole('button', { name: '我已记下' }).click();
    const row = page.locator('.ant-table-row', { hasText: '林海涛' });
    await row.waitFor(WAIT);
    const text = await row.innerText();
    expect(text).toContain('老年医学科');
    expect(text).toContain('副主任医师');
    expect(text).toContain('¥25.00');
    await snap('08-doctors');
  });

  it('changes a global rule and shows the value in force and where it comes from', async () => {
    await page.getByRole('menuitem', { name: /预约规则/ }).click();
    const cutoff = page.locator('[data-rule="cancelCutoffMinutes"]');
    await cutoff.waitFor(WAIT);
    const before = await getEffectiveRules(app.database.db, null);
    await page.getByRole('button', { name: /修改全院规则/ }).click();
    await page.getByLabel('取消时限').fill('45');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => cutoff.innerText()).toBe('45');
    await expect(page.locator('[data-source="cancelCutoffMinutes"]').innerText()).resolves.toBe('全院设置');
    expect(before.cancelCutoffMinutes).not.toBe(45);
    expect((await getEffectiveRules(app.database.db, null)).cancelCutoffMinutes).toBe(45);
    await snap('09-rules');
  });

  it('shows the schedule with booked / capacity, and the accounts', async () => {
    await page.getByRole('menuitem', { name: /排班管理/ }).click();
    await page.locator('.ant-select', { has: page.getByLabel('科室', { exact: true }) }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '心血管内科' }).first().click();
    // The generated sessions start today: next week holds a full week of them whatever today is.
    await page.getByRole('button', { name: /下一周/ }).click();
    const booked = page.locator('[data-testid^="booked-"]');
    await booked.first().waitFor(WAIT);
    await expect(booked.first().innerText()).resolves.toMatch(/^0 \/ [1-9]\d*$/);
    await snap('10-schedule');
    await page.getByRole('menuitem', { name: /账号管理/ }).click();
    await page.getByText(/共 \d+ 个账号/).waitFor(WAIT);
    // Filtered on the server: only administrators, the demo admin among them.
    await pick('角色', '管理员');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.locator('.ant-table-row', { hasText: DEMO_ACCOUNTS.admin.displayName }).waitFor(WAIT);
    await expect.poll(() => page.getByText(/共 \d+ 个账号/).innerText()).toBe('共 1 个账号');
    await snap('11-accounts');
  });

  it('lowers a slot\'s capacity, then suspends the session after previewing what it cancels', async () => {
    await page.getByRole('menuitem', { name: /排班管理/ }).click();
    await page.locator('.ant-select', { has: page.getByLabel('科室', { exact: true }) }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: clinic.departmentName }).first().click();
    // Tomorrow is in next week when today is Sunday.
    if (new Date(`${clinic.date}T00:00:00Z`).getUTCDay() === 1) await page.getByRole('button', { name: /下一周/ }).click();
    const booked = page.getByTestId(`booked-${clinic.sessionId}`);
    await expect.poll(() => booked.innerText().catch(() => '')).toBe('2 / 5');
    const row = page.locator('.ant-table-row', { has: booked });
    await row.locator('.ant-table-row-expand-icon').click();
    // Down to what is booked: never below it (the input's minimum, and the server's rule).
    await page.getByLabel('08:00 号源数').fill('1');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await expect.poll(() => booked.innerText()).toBe('2 / 3');
    await snap('12-capacity');
    await row.getByText('停诊').click();
    const preview = page.locator('.ant-modal-content .ant-alert');
    await expect.poll(() => preview.innerText().catch(() => '')).toContain('停诊将取消以下 2 个预约，其中 0 笔已支付将原路退款');
    await page.getByLabel('停诊原因（将通知患者）').fill('医生临时外出会诊');
    await snap('13-suspend-preview');
    await page.getByRole('button', { name: '确认停诊' }).click();
    await expect.poll(() => row.innerText()).toContain('停诊：医生临时外出会诊');
    await page.getByText('已停诊：取消 2 个预约，退款 0 笔，通知 2 位患者').waitFor(WAIT);
    const active = await app.database.db
      .selectFrom('appointment')
      .innerJoin('slot', 'slot.id', 'appointment.slot_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('slot.session_id', '=', clinic.sessionId)
      .where('appointment.status', 'in', ['pending_payment', 'booked'])
      .executeTakeFirstOrThrow();
    expect(Number(active.n)).toBe(0);
    expect(await capacityViolations(app.database.db)).toEqual([]);
    await snap('14-suspended');
  });

  it('filters the appointments, shows one with its history, and exports the filtered list as CSV with a BOM', async () => {
    await page.getByRole('menuitem', { name: /预约管理/ }).click();
    await page.getByText(/共 \d+ 条预约/).waitFor(WAIT);
    await pick('科室', clinic.departmentName);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await expect.poll(() => page.getByText(/共 \d+ 条预约/).innerText()).toBe('共 2 条预约');
    const rows = page.locator('.ant-table-row', { hasText: clinic.departmentName });
    await expect.poll(() => rows.count()).toBe(2);
    await expect(rows.first().innerText()).resolves.toContain('已取消');
    await snap('17-appointments');
    await rows.first().getByText('详情').click();
    const history = page.getByTestId('appointment-history');
    await expect.poll(() => history.innerText().catch(() => '')).toContain('预约挂号');
    await expect(history.innerText()).resolves.toContain('取消预约');
    await expect(page.locator('.ant-drawer').innerText()).resolves.toContain('医生临时外出会诊');
    await snap('18-appointment-detail');
    await page.locator('.ant-drawer-close').click();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /导出 CSV/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^预约导出-\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n').filter((l) => l !== '');
    expect(lines[0]!.startsWith('订单号,就诊日期,时段')).toBe(true);
    // The department filter applied: its two appointments, nothing else.
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.includes(clinic.departmentName))).toBe(true);
  });

  it('cancels a paid appointment with a reason: the row says 已取消 and the place and the money go back', async () => {
    await pick('科室', paidClinic.departmentName);
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await expect.poll(() => page.getByText(/共 \d+ 条预约/).innerText()).toBe('共 1 条预约');
    const row = page.locator('.ant-table-row', { hasText: paidClinic.departmentName });
    await row.getByText('取消预约').click();
    const modal = page.locator('.ant-modal', { hasText: '取消原因' });
    await modal.waitFor(WAIT);
    await expect(modal.innerText()).resolves.toContain('已支付，将原路退回');
    await modal.getByRole('button', { name: '确认取消预约' }).click();
    await expect.poll(() => modal.innerText()).toContain('请填写取消原因');
    await modal.getByLabel('取消原因').fill('医生临时外出会诊，已电话告知患者');
    await snap('19-cancel-appointment');
    await modal.getByRole('button', { name: '确认取消预约' }).click();
    await expect.poll(() => row.innerText()).toContain('已取消');
    await expect(row.innerText()).resolves.not.toContain('取消预约');
    await snap('20-appointment-cancelled');
    const slot = await app.database.db.selectFrom('slot').select(['remaining', 'capacity']).where('id', '=', paidClinic.slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(slot.capacity);
    const payment = await app.database.db
      .selectFrom('payment')
      .innerJoin('appointment', 'appointment.id', 'payment.appointment_id')
      .select('payment.status')
      .where('appointment.session_id', '=', paidClinic.sessionId)
      .execute();
    expect(payment.map((p) => p.status)).toEqual(['refunded']);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('a new admin must set their own password before the console opens', async () => {
    const phone = newPhone();
    const demoAdmin = await app.request('POST', '/api/v1/auth/login', { body: { phone: DEMO_ACCOUNTS.admin.phone, password: DEMO_ACCOUNTS.admin.password } });
    const created = await app.request('POST', '/api/v1/admin/users', {
      token: demoAdmin.body.tokens.accessToken,
      body: { phone, password: 'Initial2026', role: 'admin', displayName: '孙管理员' },
    });
    expect(created.body.mustChangePassword).toBe(true);
    await page.evaluate('localStorage.clear()');
    await page.goto(`${app.baseUrl}/admin/`);
    await logIn(phone, 'Initial2026');
    await page.getByText('孙管理员，请先修改初始密码').waitFor(WAIT);
    await page.getByPlaceholder('初始密码').fill('Initial2026');
    await page.getByPlaceholder('新密码（8–64 位，含字母和数字）').fill('MyOwnPass2026');
    await page.getByPlaceholder('再次输入新密码').fill('MyOwnPass2027');
    await page.getByRole('button', { name: '修改密码并进入' }).click();
    await page.getByText('两次输入的新密码不一致').waitFor(WAIT);
    await page.getByPlaceholder('再次输入新密码').fill('MyOwnPass2026');
    await snap('21-first-password');
    await page.getByRole('button', { name: '修改密码并进入' }).click();
    await expect.poll(() => page.getByTestId('current-admin').innerText().catch(() => '')).toBe('孙管理员');
    await snap('22-after-first-password');
    const me = await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'MyOwnPass2026' } });
    expect(me.body.account.mustChangePassword).toBe(false);
  });

  it('draws every statistics chart from a seeded past session, explains a rate in its tooltip, and exports a chart as CSV', async () => {
    // Three days ago: a session of 6 places whose visits ended in every way the statistics count.
    const db = app.database.db;
    const hospital = await createDoctor(db, { name: '何统计', title: 'chief' });
    const past = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), -3), feeFen: 1500, slots: [{ start: '09:00', capacity: 6 }] });
    const patients = await createPatients(db, 5);
    const statuses = ['completed', 'completed', 'no_show', 'cancelled', 'completed'] as const;
    for (const [i, status] of statuses.entries()) {
      const ordered = new Date(app.clock.now().getTime() - (5 - i) * 86_400_000);
      const visit = new Date(`${past.date}T01:00:00Z`);
      const row = await db
        .insertInto('appointment')
        .values({
          order_no: `E${String(process.pid % 1000).padStart(3, '0')}${String(i).padStart(16, '0')}`,
          account_id: patients[i]!.userId,
          profile_id: patients[i]!.profileId,
          slot_id: past.slotIds[0]!,
          session_id: past.sessionId,
          doctor_id: hospital.doctorId,
          department_id: hospital.departmentId,
          session_date: past.date,
          period: 'morning',
          slot_start: '09:00:00',
          slot_end: '09:30:00',
          queue_number: i + 1,
          fee_fen: 1500,
          status,
          paid_at: ordered,
          checked_in_at: status === 'completed' ? visit : null,
          called_at: status === 'completed' ? new Date(visit.getTime() + (10 + i) * 60_000) : null,
          cancelled_at: status === 'cancelled' ? ordered : null,
          cancelled_by: status === 'cancelled' ? 'patient' : null,
          idempotency_key: randomUUID(),
          request_hash: 'x'.repeat(64),
          created_at: ordered,
          updated_at: ordered,
        })
        .executeTakeFirstOrThrow();
      await db
        .insertInto('payment')
        .values({
          appointment_id: Number(row.insertId),
          amount_fen: 1500,
          provider: 'simulated',
          status: status === 'cancelled' ? 'refunded' : 'paid',
          provider_txn_id: `e2e-${randomUUID()}`,
          paid_at: ordered,
          refund_amount_fen: status === 'cancelled' ? 1500 : null,
          refunded_at: status === 'cancelled' ? ordered : null,
          created_at: ordered,
          updated_at: ordered,
        })
        .execute();
    }
    await db.updateTable('slot').set({ remaining: 2 }).where('id', '=', past.slotIds[0]!).execute(); // 4 of 6 places held

    await page.getByRole('menuitem', { name: /统计看板/ }).click();
    await page.getByRole('button', { name: /刷\s*新/ }).click();
    const charts = ['每日预约量', '每日挂号费收入与退款', '每日比率', '时段分布', '热门科室', '医生排行'];
    for (const name of charts) await page.getByRole('img', { name }).locator('canvas').waitFor(WAIT);
    await expect(page.locator('.ant-empty').count()).resolves.toBe(0);
    // The no-show rate of the seeded session: 1 of 4 visits due (3 completed, 1 no-show).
    const noShowCard = page.locator('.ant-pro-statistic-card', { hasText: '爽约率' }).last(); // the innermost: the group is one too
    await expect.poll(() => noShowCard.innerText()).toContain('25.0%');
    await noShowCard.getByLabel('爽约率的定义').hover();
    await expect.poll(() => page.locator('.ant-tooltip:visible').innerText().catch(() => '')).toContain('分母：应就诊数');
    await snap('23-statistics');
    await page.mouse.move(0, 0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出医生排行' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^医生排行-\d{4}-\d{2}-\d{2}至\d{4}-\d{2}-\d{2}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('排名,医生,科室,预约数');
    expect(lines.some((l) => /^\d+,何统计,.+,5$/.test(l))).toBe(true);
  });

  it("approves a doctor's 停诊 request from 停诊审批, seeing how many bookings it cancels", async () => {
    const hospital = await createDoctor(app.database.db, { name: '孙请假' });
    const session = await createSession(app.database.db, hospital, { date: shanghaiDay(app.clock.now(), 2), feeFen: 0, slots: [{ start: '10:00', capacity: 4 }] });
    const [patient] = await createPatients(app.database.db, 1);
    expect((await book(app, patient!, session.slotIds[0]!)).status).toBe(201);
    const requested = await app.request('POST', `/api/v1/doctor/sessions/${session.sessionId}/suspension-requests`, {
      token: await tokenFor(app, hospital.doctorUserId, 'doctor'),
      body: { reason: '参加省级学术会议' },
    });
    expect(requested.status).toBe(201);

    await page.getByRole('menuitem', { name: /停诊审批/ }).click();
    const row = page.locator('.ant-table-row', { hasText: '孙请假' });
    await row.waitFor(WAIT);
    await expect(row.innerText()).resolves.toContain('参加省级学术会议');
    await snap('24-approvals');
    await row.getByRole('button', { name: /批\s*准/ }).click();
    await expect.poll(() => page.locator('.ant-modal-confirm').innerText().catch(() => '')).toContain('将取消 1 个预约');
    await snap('25-approve-confirm');
    await page.getByRole('button', { name: '批准并停诊' }).click();
    await page.getByText('已停诊：取消 1 个预约，退款 0 笔，通知 1 位患者').waitFor(WAIT);
    await expect.poll(() => row.count()).toBe(0);
    const stored = await app.database.db.selectFrom('clinic_session').select('status').where('id', '=', session.sessionId).executeTakeFirstOrThrow();
    expect(stored.status).toBe('suspended');
    approvedSessionId = session.sessionId;
    const request = await app.database.db.selectFrom('suspension_request').select('status').where('id', '=', requested.body.id).executeTakeFirstOrThrow();
    expect(request.status).toBe('approved');
    expect(await capacityViolations(app.database.db)).toEqual([]);
    await page.getByText('已批准', { exact: true }).click();
    await page.locator('.ant-table-row', { hasText: '孙请假' }).waitFor(WAIT);
    await snap('26-approved');
  });

  it('finds in the audit log every change made above, each by filtering on its action', async () => {
    const db = app.database.db;
    const id = async (table: 'department' | 'doctor', name: string) => String((await db.selectFrom(table).select('id').where('name', '=', name).executeTakeFirstOrThrow()).id);
    const doctor = await db.selectFrom('doctor').select(['id', 'user_id']).where('name', '=', '林海涛').executeTakeFirstOrThrow();
    const cancelled = await db.selectFrom('appointment').select('order_no').where('session_id', '=', paidClinic.sessionId).executeTakeFirstOrThrow();
    const request = await db.selectFrom('suspension_request').select('id').where('session_id', '=', approvedSessionId).executeTakeFirstOrThrow();
    // [action, its label, the 对象编号 of this file's entry, a part of its (newest) summary, how many]
    const expected: [string, string, string, string, number?][] = [
      ['department.create', '新增科室', await id('department', '老年医学科'), '老年医学科'],
      ['department.reorder', '调整科室顺序', await id('department', '内科'), `"parentId": ${await id('department', '内科')}`, 2], // two drags
      ['doctor.create', '新增医生', String(doctor.id), '林海涛'],
      ['user.create', '创建账号', String(doctor.user_id), '"role": "doctor"'],
      ['booking_rule.update', '修改预约规则', 'global', '"cancelCutoffMinutes": 45'],
      ['slot.capacity', '调整号源', String(clinic.slotIds[0]), '"after": 1'],
      ['session.suspend', '停诊', String(clinic.sessionId), '医生临时外出会诊'],
      ['suspension_request.approve', '批准停诊申请', String(request.id), `"sessionId": ${approvedSessionId}`],
      ['session.suspend', '停诊', String(approvedSessionId), '参加省级学术会议'],
      ['appointment.cancel', '取消预约', cancelled.order_no, '医生临时外出会诊，已电话告知患者'],
    ];
    await page.getByRole('menuitem', { name: /审计日志/ }).click();
    await page.getByText(/共 \d+ 条/).waitFor(WAIT);
    for (const [code, label, target, summary, count = 1] of expected) {
      await pickAction(code);
      await page.getByRole('button', { name: /查\s*询/ }).click();
      // Filtered on the server: every row is this action, and this file's entry is among them.
      const actions = page.getByTestId('audit-action');
      await expect.poll(() => actions.allInnerTexts().then((t) => [...new Set(t)])).toEqual([label]);
      const rows = page.locator('.ant-table-row').filter({ has: page.locator('td').getByText(target, { exact: true }) });
      await expect.poll(async () => [code, target, await rows.count()]).toEqual([code, target, count]);
      const row = rows.first();
      await row.locator('.ant-table-row-expand-icon').click();
      const details = row.locator('xpath=following-sibling::tr[1]').getByTestId('audit-summary');
      await expect.poll(async () => [code, target, await details.innerText().catch(() => '')]).toEqual([code, target, expect.stringContaining(summary)]);
      if (code === 'department.reorder') await snap('27-audit-reorder');
      await row.locator('.ant-table-row-expand-icon').click(); // folded again: the next filter's rows start closed
    }
    await snap('28-audit-cancel');
    // The CSV export above (a bulk read of patients' data): one entry, with the filter it used.
    await pickAction('appointment.export');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await expect.poll(() => page.getByTestId('audit-action').allInnerTexts()).toEqual(['导出预约 CSV']);
  });
});
