/**
 * The whole HTTP app on the PlanetScale driver (through the shim): the account paths that lean
 * hardest on the database — inserts with insertId, conditional UPDATEs counted by
 * numUpdatedRows, SUM-based rate limits, DATETIME comparisons, transactions and a duplicate
 * key — behave exactly as on mysql2 (tests/auth/auth.test.ts covers every path there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastSmsCode, newPhone, registerPatient, staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, undefined, { driver: 'planetscale' });
});
afterAll(() => app?.close());

describe('accounts on the PlanetScale driver', () => {
  it('runs the app on PlanetScale, and the database answers the health check', async () => {
    expect(app.deps.config.database.kind).toBe('planetscale');
    const health = await app.request('GET', '/api/v1/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('register → me → login; the SMS rate limit counts', async () => {
    const patient = await registerPatient(app);
    const me = await app.request('GET', '/api/v1/me', { token: patient.accessToken });
    expect(me.body).toMatchObject({ id: patient.userId, phone: patient.phone, role: 'patient', displayName: '张三' });
    expect(typeof me.body.id).toBe('number');
    expect(me.body.createdAt).toBe(new Date(me.body.createdAt).toISOString());

    const again = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone: newPhone(), purpose: 'register' } });
    expect(again.status).toBe(202);
    const phone = newPhone();
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    const tooSoon = await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    expect(tooSoon.body.error.code).toBe('SMS_TOO_FREQUENT');

    const login = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect(login.status).toBe(200);
    expect(login.body.account.id).toBe(patient.userId);
  });

  it('a wrong SMS code is counted, and a used one cannot be used again', async () => {
    const phone = newPhone();
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } });
    const code = await lastSmsCode(app, phone);
    const wrong = await app.request('POST', '/api/v1/auth/register', { body: { phone, code: code === '000000' ? '111111' : '000000', password: 'Passw0rd1' } });
    expect(wrong.body.error.code).toBe('SMS_CODE_INVALID');
    const row = await app.deps.db.selectFrom('sms_code').select('attempts').where('phone', '=', phone).executeTakeFirstOrThrow();
    expect(row.attempts).toBe(1);
    expect((await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password: 'Passw0rd1' } })).status).toBe(201);
    expect((await app.request('POST', '/api/v1/auth/register', { body: { phone, code, password: 'Passw0rd1' } })).status).toBe(422);
  });

  it('locks an account after repeated wrong passwords', async () => {
    const patient = await registerPatient(app);
    for (let i = 0; i < 5; i++) {
      await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'wrongpass1' } });
    }
    const locked = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    app.clock.advance(15 * 60_000 + 1000);
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } })).status).toBe(200);
  });

  it('refresh tokens rotate, reuse revokes the login, and only one of two concurrent refreshes wins', async () => {
    const patient = await registerPatient(app);
    const first = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect(first.status).toBe(200);
    app.clock.advance(60_000); // a reuse, not two requests racing (auth/refresh.ts REFRESH_RACE_SECONDS)
    const reused = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect(reused.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    const successor = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(successor.status).toBe(401);

    for (let round = 0; round < 3; round += 1) {
      const other = await registerPatient(app);
      const answers = await Promise.all(
        [1, 2, 3].map(() => app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: other.refreshToken } })),
      );
      const winners = answers.filter((a) => a.status === 200);
      expect(winners.length).toBe(1);
      expect(answers.filter((a) => a.status !== 200).map((a) => a.body.error.code)).toEqual(['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_INVALID']);
      expect((await app.request('GET', '/api/v1/me', { token: winners[0]!.body.accessToken })).status).toBe(200);
    }

    // Exactly one code of a burst on one phone is sent, on this driver too.
    const phone = newPhone();
    const sent = await Promise.all(Array.from({ length: 6 }, () => app.request('POST', '/api/v1/auth/sms-codes', { body: { phone, purpose: 'register' } })));
    expect(sent.filter((a) => a.status === 202).length).toBe(1);
  });

  it('change password signs out other sessions and keeps this one', async () => {
    const patient = await registerPatient(app);
    const ok = await app.request('POST', '/api/v1/me/password', { token: patient.accessToken, body: { oldPassword: patient.password, newPassword: 'Another1pass' } });
    expect(ok.status).toBe(200);
    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } })).status).toBe(401);
    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: ok.body.refreshToken } })).status).toBe(200);
    expect((await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: 'Another1pass' } })).status).toBe(200);
  });

  it('a duplicate phone for a staff account is a 409 (duplicate key through the driver)', async () => {
    const admin = await staffSession(app, 'admin');
    const body = { phone: newPhone(), password: 'Doctor123', role: 'doctor', displayName: '王医生' };
    expect((await app.request('POST', '/api/v1/admin/users', { token: admin.accessToken, body })).status).toBe(201);
    const duplicate = await app.request('POST', '/api/v1/admin/users', { token: admin.accessToken, body });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('PHONE_ALREADY_REGISTERED');
  });
});
