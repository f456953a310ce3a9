/**
 * The mini-program's API client (miniapp/src/services/) against the real API and database:
 * `@tarojs/taro` is replaced by a small stand-in whose `request` runs the registered
 * interceptors, in Taro's order, and then calls the server with fetch. A test may make the next
 * request to a path fail as the platform would (`taro.faults`): the network drops it, or a
 * gateway in front of the server answers 503.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { newPhone, registerPatient, staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

interface Params {
  url: string;
  method?: string;
  header?: Record<string, string>;
  data?: unknown;
}
type Interceptor = (chain: { requestParams: Params; proceed(p: Params): Promise<unknown> }) => Promise<unknown>;

const taro = vi.hoisted(() => {
  const interceptors: Interceptor[] = [];
  const storage = new Map<string, unknown>();
  const sent: Params[] = [];
  const toasts: string[] = [];
  const faults = new Map<string, 'network' | 503>();
  // Taro's Chain: each interceptor gets the next as `proceed`; the last one sends.
  const run = (index: number, params: Params): Promise<unknown> => {
    const interceptor = interceptors[index];
    if (interceptor) return interceptor({ requestParams: params, proceed: (next) => run(index + 1, next) });
    sent.push(params);
    const fault = [...faults.keys()].find((path) => params.url.endsWith(path));
    if (fault) {
      const kind = faults.get(fault);
      faults.delete(fault);
      // wx.request's fail callback: Taro rejects with { errMsg }.
      if (kind === 'network') return Promise.reject({ errMsg: 'request:fail timeout' });
      return Promise.resolve({ statusCode: 503, data: { error: { code: 'SERVICE_UNAVAILABLE', message: '服务暂不可用，请稍后重试' } }, header: {} });
    }
    const body = params.data === undefined ? undefined : JSON.stringify(params.data);
    return fetch(params.url, { method: params.method ?? 'GET', headers: params.header, body }).then(async (r) => {
      const text = await r.text();
      return { statusCode: r.status, data: text ? JSON.parse(text) : '', header: {} };
    });
  };
  return {
    interceptors,
    storage,
    sent,
    toasts,
    faults,
    default: {
      addInterceptor: (i: Interceptor) => void interceptors.push(i),
      request: (params: Params) => run(0, params),
      getStorageSync: (key: string) => storage.get(key) ?? '',
      setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
      removeStorageSync: (key: string) => void storage.delete(key),
      showToast: (options: { title: string }) => {
        toasts.push(options.title);
        return Promise.resolve();
      },
    },
  };
});
vi.mock('@tarojs/taro', () => ({ default: taro.default }));

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  // What config/index.ts defines for the build.
  process.env.TARO_APP_API_BASE_URL = `${app.baseUrl}/api/v1`;
  process.env.TARO_APP_DEV_SMS = 'true';
  process.env.TARO_APP_ROLE = 'patient';
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  taro.storage.clear();
  taro.sent.length = 0;
  taro.toasts.length = 0;
  taro.faults.clear();
});

/** What these tests use of miniapp/src/services/. */
interface Client {
  installInterceptors(): void;
  login(phone: string, password: string): Promise<unknown>;
  fetchProfiles(): Promise<unknown[]>;
  fetchAppointments(scope: 'upcoming' | 'past'): Promise<unknown[]>;
  devSmsCode(phone: string): Promise<string | null>;
  currentSession(): { refreshToken: string; accessToken: string } | null;
}

/**
 * The client's modules, imported by a computed path: they are type-checked with the app's own
 * settings (miniapp/tsconfig.json, in scripts/test.sh), not the server's NodeNext ones.
 */
async function client(): Promise<Client> {
  const modules = await Promise.all(['interceptors', 'auth', 'profiles', 'appointments', 'session'].map((name) => import(`../../miniapp/src/services/${name}.ts`)));
  const api = Object.assign({}, ...modules) as Client;
  api.installInterceptors();
  return api;
}

describe('API client', () => {
  it('signs in, then refreshes an expired access token once for concurrent calls and retries them', async () => {
    const api = await client();
    const patient = await registerPatient(app);
    await api.login(patient.phone, patient.password);
    const firstRefreshToken = api.currentSession()?.refreshToken;

    app.clock.advance(20 * 60_000); // past the 15-minute access token
    const results = await Promise.all([api.fetchProfiles(), api.fetchAppointments('upcoming'), api.fetchAppointments('past')]);

    expect(results).toEqual([[], [], []]);
    const refreshes = taro.sent.filter((p) => p.url.endsWith('/auth/refresh'));
    // A second refresh with the same token would be taken as theft and end the login.
    expect(refreshes).toHaveLength(1);
    expect(api.currentSession()?.refreshToken).not.toBe(firstRefreshToken);
    expect(taro.toasts).toEqual([]);
  });

  it('signs out and says so when the refresh token is no longer valid', async () => {
    const api = await client();
    const patient = await registerPatient(app);
    await api.login(patient.phone, patient.password);
    const stale = api.currentSession()!;
    await app.request('POST', '/api/v1/auth/logout', { body: { refreshToken: stale.refreshToken } });

    app.clock.advance(20 * 60_000);
    await expect(api.fetchProfiles()).rejects.toMatchObject({ status: 401, code: 'REFRESH_TOKEN_INVALID' });
    expect(api.currentSession()).toBeNull();
    expect(taro.toasts).toEqual(['登录已过期，请重新登录']);
  });

  it.each([
    ['the network drops it', 'network' as const, { status: 0, code: 'NETWORK_ERROR' }, '网络异常，请检查网络后重试'],
    ['the service answers 503', 503 as const, { status: 503, code: 'SERVICE_UNAVAILABLE' }, '服务暂不可用，请稍后重试'],
  ])('keeps the login when the refresh fails because %s, and the next call refreshes', async (_, fault, refusal, toast) => {
    const api = await client();
    const patient = await registerPatient(app);
    await api.login(patient.phone, patient.password);
    const before = api.currentSession()!;

    app.clock.advance(20 * 60_000);
    taro.faults.set('/auth/refresh', fault);
    await expect(api.fetchProfiles()).rejects.toMatchObject(refusal);
    // The refresh token was not refused: the patient is still signed in with it.
    expect(api.currentSession()).toEqual(before);
    expect(taro.toasts).toEqual([toast]);

    expect(await api.fetchProfiles()).toEqual([]);
    expect(api.currentSession()?.refreshToken).not.toBe(before.refreshToken);
    expect(taro.sent.filter((p) => p.url.endsWith('/auth/refresh'))).toHaveLength(2);
  });

  it('signs out when the refresh token was already used (REFRESH_TOKEN_REUSED)', async () => {
    const api = await client();
    const patient = await registerPatient(app);
    await api.login(patient.phone, patient.password);
    // The same token used elsewhere first: the server takes the second use as theft.
    const rotated = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: api.currentSession()!.refreshToken } });
    expect(rotated.status).toBe(200);

    app.clock.advance(20 * 60_000);
    await expect(api.fetchProfiles()).rejects.toMatchObject({ status: 401, code: 'REFRESH_TOKEN_INVALID' });
    expect(api.currentSession()).toBeNull();
    expect(taro.toasts).toEqual(['登录已过期，请重新登录']);
  });

  it.each([
    ['doctor' as const, '医生请使用医生工作站 /doctor/ 登录'],
    ['admin' as const, '管理员请使用管理后台 /admin/ 登录'],
  ])('the patient app refuses the login of a %s account, points to their app and ends that login on the server', async (role, advice) => {
    const api = await client();
    const phone = newPhone();
    await staffSession(app, role, phone, 'Staff1234');
    await expect(api.login(phone, 'Staff1234')).rejects.toMatchObject({ status: 403, code: 'WRONG_APP', message: advice });
    expect(api.currentSession()).toBeNull();
    expect(taro.toasts).toEqual([]); // the login page shows the advice in a dialog
    // The server had signed the account in: its refresh token was revoked at once.
    const logout = taro.sent.find((p) => p.url.endsWith('/auth/logout'));
    const refreshToken = (logout?.data as { refreshToken: string } | undefined)?.refreshToken;
    expect(refreshToken).toMatch(/.{20,}/);
    const refused = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
    expect(refused.body.error.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('does not use a stored login of another role (kept on a device from before)', async () => {
    const admin = await staffSession(app, 'admin');
    taro.storage.set('bx87h9.session', { account: { id: admin.userId, role: 'admin', displayName: '系统管理员' }, accessToken: admin.accessToken, refreshToken: admin.refreshToken });
    // A fresh start of the app, which reads the storage again (and installs its interceptors anew).
    vi.resetModules();
    taro.interceptors.length = 0;
    expect((await client()).currentSession()).toBeNull();
  });

  it("shows the server's Chinese message for a refusal, and nothing for a quiet call", async () => {
    const api = await client();
    await expect(api.login('13800009999', 'Wrong1234')).rejects.toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    expect(taro.toasts).toEqual(['手机号或密码错误']);
    expect(await api.devSmsCode('13800009999')).toBeNull();
    expect(taro.toasts).toHaveLength(1);
  });
});
