/**
 * The WeChat build (`npm run build:weapp -w miniapp`), as WeChat DevTools would import it:
 * every page present, package sizes within budget, nothing left for the runtime to choke on;
 * then the compiled booking page run in miniprogram-simulate against the real API and database.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createDoctor, createSession, shanghaiDay } from '../support/scenario.js';
import { buildMiniapp, REPO_ROOT } from './build.js';
import { WEAPP_ROOT, WeappHost, sleep, type SimulatedComponent } from './weapp-harness.js';

const KB = 1024;
/** WeChat refuses any package over 2 MB. */
const WECHAT_PACKAGE_LIMIT = 2048 * KB;
/**
 * The project's goal for the main package (all patient pages). Taro's React runtime and
 * reconciler (~230 KB) and its base templates (~50 KB) are a fixed part of it.
 */
const MAIN_PACKAGE_BUDGET = 500 * KB;

let buildSeconds = 0;

beforeAll(async () => {
  buildSeconds = (await buildMiniapp('weapp')).seconds;
}, 300_000);

function filesUnder(dir: string): { file: string; bytes: number }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => ({ file, bytes: statSync(file).size }));
}

interface AppJson {
  pages: string[];
  subPackages?: { root: string; pages: string[] }[];
  subpackages?: { root: string; pages: string[] }[];
  tabBar?: { list: { pagePath: string }[] };
}

const appJson = (): AppJson => JSON.parse(readFileSync(path.join(WEAPP_ROOT, 'app.json'), 'utf8'));

describe('the weapp build', () => {
  it('has every page of app.config.ts in app.json, each compiled', () => {
    const source = readFileSync(path.join(REPO_ROOT, 'miniapp/src/app.config.ts'), 'utf8');
    const declared = [...source.matchAll(/'(pages\/[\w-]+\/index)'/g)].map((m) => m[1]);
    // Subpackages: `{ root: 'pages/waitlist', pages: ['join/index', …] }`.
    for (const sub of source.matchAll(/root: '([\w/-]+)', pages: \[([^\]]*)\]/g)) {
      declared.push(...[...sub[2]!.matchAll(/'([\w/-]+)'/g)].map((m) => `${sub[1]}/${m[1]}`));
    }
    const json = appJson();
    const subPages = (json.subPackages ?? json.subpackages ?? []).flatMap((p) => p.pages.map((page) => `${p.root}/${page}`));
    expect([...json.pages, ...subPages]).toEqual(declared.filter((page, i) => declared.indexOf(page) === i));
    for (const page of [...json.pages, ...subPages]) {
      for (const ext of ['js', 'json', 'wxml']) expect(statSync(path.join(WEAPP_ROOT, `${page}.${ext}`)).size, `${page}.${ext}`).toBeGreaterThan(0);
    }
    for (const tab of json.tabBar?.list ?? []) expect(json.pages).toContain(tab.pagePath);
  });

  it('keeps every package within budget and reports their sizes', () => {
    const json = appJson();
    const subRoots = (json.subPackages ?? json.subpackages ?? []).map((p) => p.root);
    const files = filesUnder(WEAPP_ROOT);
    const sizeOf = (root: string | null) =>
      files
        .filter(({ file }) => {
          const rel = path.relative(WEAPP_ROOT, file);
          const inSub = subRoots.find((r) => rel.startsWith(`${r}/`));
          return root === null ? !inSub : inSub === root;
        })
        .reduce((sum, { bytes }) => sum + bytes, 0);
    const main = sizeOf(null);
    const sizes = { main, ...Object.fromEntries(subRoots.map((r) => [r, sizeOf(r)])) };
    console.log(`weapp build in ${buildSeconds.toFixed(1)} s; package sizes (KB):`, Object.fromEntries(Object.entries(sizes).map(([k, v]) => [k, +(v / KB).toFixed(1)])));
    expect(main).toBeLessThanOrEqual(MAIN_PACKAGE_BUDGET);
    for (const bytes of Object.values(sizes)) expect(bytes).toBeLessThanOrEqual(WECHAT_PACKAGE_LIMIT);
  });

  it('leaves no unresolved process.env in the code and points DevTools at the build', () => {
    for (const { file } of filesUnder(WEAPP_ROOT).filter(({ file }) => file.endsWith('.js'))) {
      expect(readFileSync(file, 'utf8'), path.relative(WEAPP_ROOT, file)).not.toMatch(/process\.env\.TARO_APP_/);
    }
    const project = JSON.parse(readFileSync(path.join(REPO_ROOT, 'miniapp/project.config.json'), 'utf8'));
    expect(path.resolve(REPO_ROOT, 'miniapp', project.miniprogramRoot)).toBe(WEAPP_ROOT);
  });
});

describe('the compiled booking page in miniprogram-simulate, on the real API', () => {
  let app: TestApp;
  let host: WeappHost;
  const templateErrors: string[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    // WeChat's template runtime reports a node it cannot draw (e.g. an <i> icon) and goes on.
    const original = console.error;
    console.error = (...args: unknown[]) => {
      if (String(args[0]).includes('not found')) templateErrors.push(String(args[0]));
      else original(...args);
    };
  });

  afterAll(async () => {
    await app?.close();
  });

  async function until(page: SimulatedComponent, text: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!page.dom.textContent?.includes(text)) {
      if (Date.now() > deadline) throw new Error(`"${text}" never appeared; page shows: ${page.dom.textContent?.slice(0, 500)}`);
      await sleep(50);
    }
  }

  it('books the chosen slot for the default 就诊人 once, even on a double tap, and goes to payment', async () => {
    const hospital = await createDoctor(app.database.db, { name: '李春华' });
    const date = shanghaiDay(app.clock.now(), 2);
    const session = await createSession(app.database.db, hospital, { date, feeFen: 1800, slots: [{ start: '14:00', capacity: 2 }] });
    const patient = await registerPatient(app);
    const profile = await app.request('POST', '/api/v1/me/profiles', {
      token: patient.accessToken,
      body: { realName: '王建国', idType: 'resident_id', idNumber: '41130219650812456X', phone: patient.phone, relation: 'self' },
    });
    expect(profile.status).toBe(201);
    const me = await app.request('GET', '/api/v1/me', { token: patient.accessToken });

    // The build's configured API origin (config/index.ts) is where a phone would go; here it
    // is routed to this test's server.
    host = new WeappHost('http://localhost:3000', app.baseUrl);
    host.storage.set('bx87h9.session', { account: me.body, accessToken: patient.accessToken, refreshToken: patient.refreshToken });
    host.install();
    const page = host.open('pages/confirm/index', { doctorId: String(hospital.doctorId), date, slotId: String(session.slotIds[0]) });

    await until(page, '确认预约 ¥18.00');
    expect(page.dom.textContent).toContain('王建国');
    expect(page.dom.textContent).toContain('411***********456X'.slice(0, 3));
    expect(page.dom.textContent).not.toContain('41130219650812456X');
    expect(page.dom.textContent).toContain('14:00-14:30');

    const confirm = page.querySelector('.nut-button');
    expect(confirm).toBeDefined();
    confirm!.dispatchEvent('tap');
    confirm!.dispatchEvent('tap');
    const deadline = Date.now() + 10_000;
    while (!host.calls.some((c) => c.api === 'redirectTo') && Date.now() < deadline) await sleep(50);

    const redirect = host.calls.find((c) => c.api === 'redirectTo');
    expect(String(redirect?.args.url)).toMatch(/^\/pages\/pay\/index\?id=\d+$/);
    const bookings = host.calls.filter((c) => c.api === 'request' && String(c.args.url).endsWith('/api/v1/appointments'));
    expect(bookings.length).toBeGreaterThanOrEqual(1);
    const keys = new Set(bookings.map((c) => (c.args.header as Record<string, string>)['Idempotency-Key']));
    expect(keys.size).toBe(1);
    const rows = await app.database.db.selectFrom('appointment').select(['id', 'status', 'queue_number']).where('slot_id', '=', session.slotIds[0]!).execute();
    expect(rows).toEqual([{ id: Number(String(redirect?.args.url).split('=')[1]), status: 'pending_payment', queue_number: 1 }]);
    expect(templateErrors).toEqual([]);
  });
});
