/**
 * Forced password change: a staff account an admin created (POST /admin/doctors, POST
 * /admin/users) or whose password an admin reset (POST /admin/users/{id}/password-reset) may log
 * in, but every API call other than the password change, `me` and logout answers 403
 * PASSWORD_CHANGE_REQUIRED until it sets its own password. The first admin, made by the
 * bootstrap command, and patients are never flagged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { newPhone, registerPatient, staffSession } from '../support/accounts.js';
import { createDepartment } from '../support/hospital.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof staffSession>>;
beforeAll(async () => {
  app = await startTestApp();
  admin = await staffSession(app, 'admin');
});
afterAll(() => app.close());

const login = (phone: string, password: string) => app.request('POST', '/api/v1/auth/login', { body: { phone, password } });

async function newDoctorViaAdmin() {
  const department = await createDepartment(app, admin.accessToken);
  const phone = newPhone();
  const password = 'Initial2026';
  const res = await app.request('POST', '/api/v1/admin/doctors', {
    token: admin.accessToken,
    body: { departmentId: department.id, name: '赵医生', title: 'attending', specialty: '常见病', defaultFeeFen: 1000, phone, password },
  });
  expect(res.status).toBe(201);
  return { phone, password, userId: res.body.userId as number };
}

describe('an account an admin created', () => {
  it('a new doctor can log in but cannot list sessions until the password is changed; the change clears it', async () => {
    const doctor = await newDoctorViaAdmin();
    const first = await login(doctor.phone, doctor.password);
    expect(first.status).toBe(200);
    expect(first.body.account.mustChangePassword).toBe(true);
    const token = first.body.tokens.accessToken as string;

    const sessions = await app.request('GET', '/api/v1/doctor/sessions', { token });
    expect([sessions.status, sessions.body.error.code, sessions.body.error.message]).toEqual([403, 'PASSWORD_CHANGE_REQUIRED', '为了账号安全，请先修改初始密码']);
    expect((await app.request('GET', '/api/v1/doctor/profile', { token })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const me = await app.request('GET', '/api/v1/me', { token });
    expect([me.status, me.body.mustChangePassword]).toEqual([200, true]);
    // A refreshed token carries the flag on.
    const refreshed = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.body.tokens.refreshToken } });
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: refreshed.body.accessToken })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const changed = await app.request('POST', '/api/v1/me/password', { token, body: { oldPassword: doctor.password, newPassword: 'MyOwn2026pw' } });
    expect(changed.status).toBe(200);
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: changed.body.accessToken })).status).toBe(200);
    expect((await app.request('GET', '/api/v1/me', { token: changed.body.accessToken })).body.mustChangePassword).toBe(false);
    // The flagged tokens died with the change; a new login is free.
    expect((await app.request('GET', '/api/v1/me', { token })).status).toBe(401);
    expect((await login(doctor.phone, 'MyOwn2026pw')).body.account.mustChangePassword).toBe(false);
  });

  it('a new admin (POST /admin/users) is held the same way; logout still works', async () => {
    const phone = newPhone();
    const created = await app.request('POST', '/api/v1/admin/users', { token: admin.accessToken, body: { phone, password: 'Admin2026x', role: 'admin', displayName: '钱管理员' } });
    expect([created.status, created.body.mustChangePassword]).toEqual([201, true]);
    const session = await login(phone, 'Admin2026x');
    expect((await app.request('GET', '/api/v1/admin/users', { token: session.body.tokens.accessToken })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await app.request('POST', '/api/v1/auth/logout', { body: { refreshToken: session.body.tokens.refreshToken } })).status).toBe(200);
  });

  it('the bootstrap admin and patients are not flagged', async () => {
    const me = await app.request('GET', '/api/v1/me', { token: admin.accessToken });
    expect(me.body.mustChangePassword).toBe(false);
    const patient = await registerPatient(app);
    expect((await app.request('GET', '/api/v1/me', { token: patient.accessToken })).body.mustChangePassword).toBe(false);
  });
});

describe('POST /admin/users/{id}/password-reset', () => {
  it('only admins; not a patient, not oneself; unknown is NOT_FOUND', async () => {
    const doctor = await newDoctorViaAdmin();
    const patient = await registerPatient(app);
    const doctorToken = (await login(doctor.phone, doctor.password)).body.tokens.accessToken;
    const path = (id: number) => `/api/v1/admin/users/${id}/password-reset`;
    expect((await app.request('POST', path(doctor.userId))).status).toBe(401);
    expect((await app.request('POST', path(doctor.userId), { token: patient.accessToken })).body.error.code).toBe('FORBIDDEN');
    expect((await app.request('POST', path(doctor.userId), { token: doctorToken })).body.error.code).toBe('FORBIDDEN');
    const ofPatient = await app.request('POST', path(patient.userId), { token: admin.accessToken });
    expect([ofPatient.status, ofPatient.body.error.message]).toEqual([403, '患者账号请由本人通过短信验证码找回密码']);
    expect((await app.request('POST', path(admin.userId), { token: admin.accessToken })).body.error.code).toBe('FORBIDDEN');
    expect((await app.request('POST', path(999_999_999), { token: admin.accessToken })).body.error.code).toBe('NOT_FOUND');
    // The patient's password still works: nothing was reset.
    expect((await login(patient.phone, patient.password)).status).toBe(200);
  });

  it("answers a new password once, ends the account's logins, audits without the password, and forces a change", async () => {
    const doctor = await newDoctorViaAdmin();
    const before = await login(doctor.phone, doctor.password);
    const changed = await app.request('POST', '/api/v1/me/password', { token: before.body.tokens.accessToken, body: { oldPassword: doctor.password, newPassword: 'Forgotten2026' } });
    expect(changed.status).toBe(200);

    const reset = await app.request('POST', `/api/v1/admin/users/${doctor.userId}/password-reset`, { token: admin.accessToken });
    expect(reset.status).toBe(200);
    const password = reset.body.password as string;
    expect(password).toMatch(/^(?=.*[A-Za-z])(?=.*\d)[A-Za-z\d]{12}$/);
    expect(reset.body.account).toMatchObject({ id: doctor.userId, mustChangePassword: true });

    // Every login of the account ended; the old password no longer works.
    expect((await app.request('GET', '/api/v1/me', { token: changed.body.accessToken })).status).toBe(401);
    expect((await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: changed.body.refreshToken } })).status).toBe(401);
    expect((await login(doctor.phone, 'Forgotten2026')).status).toBe(401);

    const after = await login(doctor.phone, password);
    expect([after.status, after.body.account.mustChangePassword]).toEqual([200, true]);
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: after.body.tokens.accessToken })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const audit = await app.database.db.selectFrom('audit_log').select(['actor_user_id', 'summary']).where('action', '=', 'user.password_reset').where('target_id', '=', String(doctor.userId)).execute();
    expect(audit.map((a) => Number(a.actor_user_id))).toEqual([admin.userId]);
    expect(audit[0]!.summary).not.toContain(password);
  });
});
