import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FAILED_LOGINS } from '../../functions/src/auth/login.js';
import { REFRESH_RACE_SECONDS } from '../../functions/src/auth/refresh.js';
import { SMS_CODE_MAX_ATTEMPTS, SMS_MAX_PER_IP_PER_HOUR, SMS_MAX_PER_PHONE_PER_DAY } from '../../functions/src/auth/sms-codes.js';
import { lastSmsCode, newPhone, registerPatient, staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function auditActions(userId: number) {
  const rows = await app.deps.db
    .selectFrom('audit_log')
    .select(['action', 'outcome', 'ip', 'request_id'])
    .where('target_type', '=', 'user')
    .where('target_id', '=', String(userId))
    .orderBy('id')
    .execute();
  return rows;
}

describe('registration with an SMS code', () => {
  it('registers, logs in at once and answers /me', async () => {
    const patient = await registerPatient(app);
    const me = await app.request('GET', '/api/v1/me', { token: patient.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: patient.userId, phone: patient.phone, role: 'patient', status: 'active', displayName: '张三' });
    const audit = await auditActions(patient.userId);
    expect(audit.map((a) => a.action)).toContain('auth.register');
    expect(audit[0]?.ip).toBeTruthy();
    expect(audit[0]?.request_id).toBeTruthy();
    const masked = `${patient.phone.slice(0, 3)}****${patient.phone.slice(7)}`;
    const sent = await app.deps.db.selectFrom('audit_log').select(['actor_role', 'summary']).where('action', '=', 'auth.sms_code').where('target_id', '=', masked).execute();
    expect(sent).toEqual([{ actor_role: 'anonymous', summary: JSON.stringify({ purpose: 'register' }) }]);
  });

  it('stores codes hashed and refuses a wrong, reused or exhausted code', async () => {
    const phone = newPhone();
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    const code = await lastSmsCode(app, phone);
    const stored = await app.deps.db.selectFrom('sms_code').select('code_hash').where('phone', '=', phone).executeTakeFirstOrThrow();
    expect(stored.code_hash).not.toContain(code);

    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await app.request('POST', '/api/v1/auth/register', { body: { phone, code: wrong, password: 'Passw0rd1' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('SMS_CODE_INVALID');

    const ok = await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password: 'Passw0rd1' } });
    expect(ok.status).toBe(201);
    // Used once: the same code again is a wrong code (it does not reveal the account either).
    const again = await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password: 'Passw0rd1' } });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('SMS_CODE_INVALID');
  });

  it('kills a code after the attempt limit, even if the right code comes next', async () => {
    const phone = newPhone();
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    const code = await lastSmsCode(app, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(
      Array.from({ length: SMS_CODE_MAX_ATTEMPTS + 3 }, () =>
        app.request('POST', '/api/v1/auth/register', { body: { phone, code: wrong, password: 'Passw0rd1' } }),
      ),
    );
    expect(answers.every((a) => a.status === 422)).toBe(true);
    const row = await app.deps.db.selectFrom('sms_code').select('attempts').where('phone', '=', phone).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(SMS_CODE_MAX_ATTEMPTS);
    const right = await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password: 'Passw0rd1' } });
    expect(right.body.error.code).toBe('SMS_CODE_TOO_MANY_ATTEMPTS');
  });

  it('sends no registration code to a phone that already has an account (tests/auth/enumeration.test.ts: nor says so)', async () => {
    const patient = await registerPatient(app);
    app.clock.advance(61_000);
    const res = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone: patient.phone, purpose: 'register' } });
    expect(res.status).toBe(202);
    const sms = await app.request('GET', `/api/v1/dev/sms?phone=${patient.phone}`);
    expect(sms.body.items[0]).toMatchObject({ code: null, text: expect.stringContaining('该手机号已注册，可直接登录或找回密码') });
  });
});

describe('SMS rate limits', () => {
  it('allows one code a minute per phone, with Retry-After', async () => {
    const phone = newPhone();
    const first = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    expect(first.status).toBe(202);
    const second = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('SMS_TOO_FREQUENT');
    expect(second.headers.get('retry-after')).toBe('60');
    app.clock.advance(61_000);
    const third = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    expect(third.status).toBe(202);
  });

  it('holds the per-minute limit under a burst of concurrent requests: exactly one code is sent', async () => {
    for (let round = 0; round < 3; round += 1) {
      const phone = newPhone();
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } })),
      );
      expect(answers.filter((a) => a.status === 202).length).toBe(1);
      expect(answers.filter((a) => a.status === 429).length).toBe(7);
      const sent = await app.deps.db.selectFrom('notification').select('id').where('recipient', '=', phone).execute();
      expect(sent.length).toBe(1);
    }
    app.clock.advance(3_600_000); // these codes do not count against the per-IP limit of later tests
  });

  it(`stops at ${SMS_MAX_PER_PHONE_PER_DAY} codes a day per phone`, async () => {
    const phone = newPhone();
    const statuses: number[] = [];
    for (let i = 0; i < SMS_MAX_PER_PHONE_PER_DAY + 1; i++) {
      const res = await app.request('POST', '/api/v1/auth/sms-codes', {
        body: { phone, purpose: 'register' },
        headers: { 'x-forwarded-for': `10.9.0.${i}` },
      });
      statuses.push(res.status);
      if (res.status === 429) expect(res.body.error.code).toBe('SMS_DAILY_LIMIT');
      app.clock.advance(61_000);
    }
    expect(statuses.slice(0, SMS_MAX_PER_PHONE_PER_DAY).every((s) => s === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it(`stops at ${SMS_MAX_PER_IP_PER_HOUR} codes an hour per client IP`, async () => {
    const ipApp = await startTestApp({ TRUST_PROXY: '1' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < SMS_MAX_PER_IP_PER_HOUR + 1; i++) {
        const res = await ipApp.request('POST', '/api/v1/auth/sms-codes', {
          body: { phone: newPhone(), purpose: 'register' },
          headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' },
        });
        statuses.push(res.status);
      }
      expect(statuses.filter((s) => s === 202)).toHaveLength(SMS_MAX_PER_IP_PER_HOUR);
      expect(statuses.at(-1)).toBe(429);
      const other = await ipApp.request('POST', '/api/v1/auth/sms-codes', {
        body: { phone: newPhone(), purpose: 'register' },
        headers: { 'x-forwarded-for': '203.0.113.8' },
      });
      expect(other.status).toBe(202);
    } finally {
      await ipApp.close();
    }
  });
});

describe('login and lockout', () => {
  it('answers the same error for an unknown phone and a wrong password', async () => {
    const patient = await registerPatient(app);
    const unknown = await app.request('POST', '/api/v1/auth/login', { body: { phone: newPhone(), password: 'whatever1' } });
    const wrong = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'wrongpass1' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it(`locks the account after ${MAX_FAILED_LOGINS} wrong passwords, then lets it in 15 minutes later`, async () => {
    const patient = await registerPatient(app);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const res = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'wrongpass1' } });
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    const locked = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect(locked.status).toBe(403);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);

    app.clock.advance(15 * 60_000 + 1000);
    const ok = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect(ok.status).toBe(200);
    const audit = await auditActions(patient.userId);
    expect(audit.filter((a) => a.action === 'auth.login' && a.outcome === 'failure')).toHaveLength(MAX_FAILED_LOGINS + 1);
  });

  it('a successful login resets the failure count', async () => {
    const patient = await registerPatient(app);
    for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) {
      await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'wrongpass1' } });
    }
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } })).status).toBe(200);
    await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'wrongpass1' } });
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } })).status).toBe(200);
  });
});

describe('access tokens', () => {
  const secret = () => app.deps.config.jwtSecret;
  const base = (userId: number) =>
    new SignJWT({ role: 'admin' }).setSubject(String(userId)).setIssuer('bx87h9').setAudience('bx87h9-api').setIssuedAt();

  it('expire after their lifetime, also once verified and remembered', async () => {
    const patient = await registerPatient(app);
    expect((await app.request('GET', '/api/v1/me', { token: patient.accessToken })).status).toBe(200);
    app.clock.advance((app.deps.config.accessTokenTtlSeconds + 5) * 1000);
    const res = await app.request('GET', '/api/v1/me', { token: patient.accessToken });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses tampered, alg-swapped, unsigned, foreign and exp-less tokens', async () => {
    const patient = await registerPatient(app);
    const [header, payload, signature] = patient.accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const { privateKey } = await generateKeyPair('RS256');
    const exp = Math.floor(app.clock.now().getTime() / 1000) + 600;

    const tokens = {
      tampered: `${header}.${elevated}.${signature}`,
      hs512: await base(patient.userId).setProtectedHeader({ alg: 'HS512' }).setExpirationTime(exp).sign(secret()),
      none: new UnsecuredJWT({ role: 'admin' }).setSubject(String(patient.userId)).setIssuer('bx87h9').setAudience('bx87h9-api').setIssuedAt().setExpirationTime(exp).encode(),
      rs256: await base(patient.userId).setProtectedHeader({ alg: 'RS256' }).setExpirationTime(exp).sign(privateKey),
      otherSecret: await base(patient.userId).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new TextEncoder().encode('x'.repeat(40))),
      otherAudience: await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(patient.userId)).setIssuer('bx87h9').setAudience('elsewhere').setIssuedAt().setExpirationTime(exp).sign(secret()),
      noExp: await base(patient.userId).setProtectedHeader({ alg: 'HS256' }).sign(secret()),
      badRole: await new SignJWT({ role: 'root' }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(patient.userId)).setIssuer('bx87h9').setAudience('bx87h9-api').setIssuedAt().setExpirationTime(exp).sign(secret()),
      garbage: 'not-a-token',
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await app.request('GET', '/api/v1/admin/users', { token });
      expect([name, res.status, res.body.error.code]).toEqual([name, 401, 'TOKEN_INVALID']);
    }
    const noHeader = await app.request('GET', '/api/v1/me');
    expect(noHeader.body.error.code).toBe('UNAUTHENTICATED');
    const basic = await app.request('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(basic.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('refresh tokens', () => {
  it('rotate: each works once, and reuse revokes the whole login', async () => {
    const patient = await registerPatient(app);
    const first = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(patient.refreshToken);
    const me = await app.request('GET', '/api/v1/me', { token: first.body.accessToken });
    expect(me.status).toBe(200);

    const stored = await app.deps.db.selectFrom('refresh_token').select('token_hash').where('user_id', '=', patient.userId).execute();
    expect(stored.some((r) => r.token_hash === patient.refreshToken)).toBe(false);

    // Within seconds of the rotation a second use is taken for a race and only refused …
    const racing = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect([racing.status, racing.body.error.code]).toEqual([401, 'REFRESH_TOKEN_INVALID']);
    // … later it is a copy in someone else's hands.
    app.clock.advance((REFRESH_RACE_SECONDS + 1) * 1000);
    const reused = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    // The legitimate successor is dead too: the thief and the owner both have to log in again.
    const successor = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(successor.status).toBe(401);
    expect((await auditActions(patient.userId)).map((a) => a.action)).toEqual(
      expect.arrayContaining(['auth.register', 'auth.refresh', 'auth.refresh_reuse']),
    );
  });

  it('let exactly one of two concurrent refreshes win, and the winner stays signed in', async () => {
    for (let round = 0; round < 3; round += 1) {
      const patient = await registerPatient(app);
      const answers = await Promise.all(
        [1, 2].map(() => app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } })),
      );
      const winners = answers.filter((a) => a.status === 200);
      expect(winners.length).toBe(1);
      expect(answers.filter((a) => a.status === 401).map((a) => a.body.error.code)).toEqual(['REFRESH_TOKEN_INVALID']);
      // Two requests of one client racing are not a stolen token: the login lives on.
      expect((await app.request('GET', '/api/v1/me', { token: winners[0]!.body.accessToken })).status).toBe(200);
      expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: winners[0]!.body.refreshToken } })).status).toBe(200);
    }
  });

  it('expire, and die at logout', async () => {
    const patient = await registerPatient(app);
    const out = await app.request('POST', '/api/v1/auth/logout', { body: { refreshToken: patient.refreshToken } });
    expect(out.status).toBe(200);
    const after = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect(after.body.error.code).toBe('REFRESH_TOKEN_INVALID');

    const other = await registerPatient(app);
    app.clock.advance((app.deps.config.refreshTokenTtlDays * 86_400 + 60) * 1000);
    const expired = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: other.refreshToken } });
    expect(expired.body.error.code).toBe('REFRESH_TOKEN_INVALID');
    const unknown = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'x'.repeat(43) } });
    expect(unknown.body.error.code).toBe('REFRESH_TOKEN_INVALID');
  });
});

describe('passwords', () => {
  it('reset by SMS code signs out every session', async () => {
    const patient = await registerPatient(app);
    app.clock.advance(61_000);
    const sent = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone: patient.phone, purpose: 'reset_password' } });
    expect(sent.status).toBe(202);
    const code = await lastSmsCode(app, patient.phone);
    const reset = await app.request('POST', '/api/v1/auth/password-reset', { body: { phone: patient.phone, code, newPassword: 'NewPassw0rd' } });
    expect(reset.status).toBe(200);

    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } })).status).toBe(401);
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } })).status).toBe(401);
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'NewPassw0rd' } })).status).toBe(200);
    expect((await auditActions(patient.userId)).map((a) => a.action)).toContain('auth.password_reset');
  });

  it('reset for an unknown phone looks sent but sends nothing', async () => {
    const phone = newPhone();
    const res = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'reset_password' } });
    expect(res.status).toBe(202);
    expect((await app.request('GET', `/api/v1/dev/sms?phone=${phone}`)).body.items).toEqual([]);
    const reset = await app.request('POST', '/api/v1/auth/password-reset', { body: { phone, code: '123456', newPassword: 'NewPassw0rd' } });
    expect(reset.body.error.code).toBe('SMS_CODE_INVALID');
  });

  it('change needs the old password, signs out other sessions and keeps this one', async () => {
    const patient = await registerPatient(app);
    const wrong = await app.request('POST', '/api/v1/me/password', { token: patient.accessToken, body: { oldPassword: 'nope12345', newPassword: 'Another1pass' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('原密码错误');
    const same = await app.request('POST', '/api/v1/me/password', { token: patient.accessToken, body: { oldPassword: patient.password, newPassword: patient.password } });
    expect(same.body.error.code).toBe('PASSWORD_SAME_AS_OLD');

    const ok = await app.request('POST', '/api/v1/me/password', { token: patient.accessToken, body: { oldPassword: patient.password, newPassword: 'Another1pass' } });
    expect(ok.status).toBe(200);
    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } })).status).toBe(401);
    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: ok.body.refreshToken } })).status).toBe(200);
  });

  it('are stored as scrypt hashes and must mix letters and digits', async () => {
    const patient = await registerPatient(app);
    const row = await app.deps.db.selectFrom('user_account').select('password_hash').where('id', '=', patient.userId).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(new RegExp(`^scrypt\\$${app.deps.config.passwordCost.N}\\$8\\$1\\$`));
    expect(row.password_hash).not.toContain(patient.password);
    const phone = newPhone();
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    const weak = await app.request('POST', '/api/v1/auth/register', { body: { phone, code: await lastSmsCode(app, phone), password: '12345678' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toBe('参数「密码」有误');
  });
});

describe('roles', () => {
  it('only admins create staff; staff never self-register', async () => {
    const admin = await staffSession(app, 'admin');
    const patient = await registerPatient(app);
    const body = { phone: newPhone(), password: 'Doctor123', role: 'doctor', displayName: '王医生' };

    expect((await app.request('POST', '/api/v1/admin/users', { body })).status).toBe(401);
    const asPatient = await app.request('POST', '/api/v1/admin/users', { token: patient.accessToken, body });
    expect(asPatient.status).toBe(403);
    expect(asPatient.body.error.code).toBe('FORBIDDEN');

    const created = await app.request('POST', '/api/v1/admin/users', { token: admin.accessToken, body });
    expect(created.status).toBe(201);
    expect(created.body.role).toBe('doctor');
    const doctorLogin = await app.request('POST', '/api/v1/auth/login', { body: { phone: body.phone, password: body.password } });
    expect(doctorLogin.body.account.role).toBe('doctor');
    const asDoctor = await app.request('POST', '/api/v1/admin/users', { token: doctorLogin.body.tokens.accessToken, body: { ...body, phone: newPhone() } });
    expect(asDoctor.status).toBe(403);

    const duplicate = await app.request('POST', '/api/v1/admin/users', { token: admin.accessToken, body });
    expect(duplicate.status).toBe(409);
    // The register endpoint only ever makes patients; a role field is an unknown field.
    const sneaky = await app.request('POST', '/api/v1/auth/register', { body: { phone: newPhone(), code: '123456', password: 'Passw0rd1', role: 'admin' } });
    expect(sneaky.status).toBe(400);
    expect(sneaky.body.error.message).toContain('role');
  });

  it('an admin lists accounts with masked phones and disables one, which ends its sessions', async () => {
    const admin = await staffSession(app, 'admin');
    const patient = await registerPatient(app);
    const list = await app.request('GET', '/api/v1/admin/users?role=patient&pageSize=100', { token: admin.accessToken });
    expect(list.status).toBe(200);
    const row = list.body.items.find((u: { id: number }) => u.id === patient.userId);
    expect(row.phone).toBe(`${patient.phone.slice(0, 3)}****${patient.phone.slice(7)}`);

    const disabled = await app.request('PUT', `/api/v1/admin/users/${patient.userId}/status`, { token: admin.accessToken, body: { status: 'disabled' } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } })).status).toBe(401);
    const login = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('ACCOUNT_DISABLED');

    const self = await app.request('PUT', `/api/v1/admin/users/${admin.userId}/status`, { token: admin.accessToken, body: { status: 'disabled' } });
    expect(self.status).toBe(403);
    const missing = await app.request('PUT', '/api/v1/admin/users/999999/status', { token: admin.accessToken, body: { status: 'disabled' } });
    expect(missing.status).toBe(404);
  });
});
