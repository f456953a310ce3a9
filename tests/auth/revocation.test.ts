/**
 * Revocation takes effect on the very next request: a disabled account, a logged-out device, a
 * changed password, a demoted admin and a deactivated doctor. Access tokens are otherwise valid
 * until they expire, and a verified token is remembered (auth/tokens.ts), so each case first
 * uses the token once — the remembered path must not let it through afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount, setAccountStatus } from '../../functions/src/auth/staff-accounts.js';
import { createDb } from '../../functions/src/db/create-db.js';
import { newPhone, registerPatient, staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor as createDoctorViaApi } from '../support/hospital.js';
import { addProfile, createDoctor, createSession, shanghaiDay } from '../support/scenario.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const me = (token: string) => app.request('GET', '/api/v1/me', { token });

/** A registered patient (real login) with a profile and a released slot to book. */
async function patientWithSlot() {
  const patient = await registerPatient(app);
  const profileId = await addProfile(app.database.db, patient.userId);
  const session = await createSession(app.database.db, await createDoctor(app.database.db), {
    date: shanghaiDay(app.clock.now(), 3),
    slots: [{ start: '08:00', capacity: 5 }],
  });
  const book = (token: string) =>
    app.request('POST', '/api/v1/appointments', { token, headers: { 'idempotency-key': randomUUID() }, body: { slotId: session.slotIds[0], profileId } });
  return { ...patient, profileId, book };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('revocation takes effect on the next request', () => {
  it('a disabled account can neither read nor book with the access token it already holds', async () => {
    const admin = await adminOf(app);
    const patient = await patientWithSlot();
    expect((await me(patient.accessToken)).status).toBe(200);

    const disabled = await app.request('PUT', `/api/v1/admin/users/${patient.userId}/status`, { token: admin.accessToken, body: { status: 'disabled' } });
    expect(disabled.status).toBe(200);

    const read = await me(patient.accessToken);
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('ACCOUNT_DISABLED');
    const booking = await patient.book(patient.accessToken);
    expect(booking.status).toBe(403);
    expect(booking.body.error.code).toBe('ACCOUNT_DISABLED');
    expect(await app.database.db.selectFrom('appointment').select('id').where('account_id', '=', patient.userId).execute()).toEqual([]);

    // Enabling again does not bring the old tokens back: the user logs in again.
    await app.request('PUT', `/api/v1/admin/users/${patient.userId}/status`, { token: admin.accessToken, body: { status: 'active' } });
    expect((await me(patient.accessToken)).status).toBe(401);
    const login = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect((await me(login.body.tokens.accessToken)).status).toBe(200);
  });

  it('logout ends that device’s access token, and only that device’s', async () => {
    const patient = await patientWithSlot();
    const phone2 = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect(phone2.status).toBe(200);
    expect((await me(patient.accessToken)).status).toBe(200);

    expect((await app.request('POST', '/api/v1/auth/logout', { body: { refreshToken: patient.refreshToken } })).status).toBe(200);

    const after = await me(patient.accessToken);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('TOKEN_INVALID');
    expect((await patient.book(patient.accessToken)).status).toBe(401);
    // The other phone stays signed in, and books.
    expect((await me(phone2.body.tokens.accessToken)).status).toBe(200);
    expect((await patient.book(phone2.body.tokens.accessToken)).status).toBe(201);
  });

  it('a refreshed login keeps working until it is logged out, then every access token of it dies', async () => {
    const patient = await registerPatient(app);
    const refreshed = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect((await me(refreshed.body.accessToken)).status).toBe(200);
    await app.request('POST', '/api/v1/auth/logout', { body: { refreshToken: refreshed.body.refreshToken } });
    expect((await me(patient.accessToken)).status).toBe(401);
    expect((await me(refreshed.body.accessToken)).status).toBe(401);
  });

  it('a stolen refresh token presented twice kills the access tokens of that login too', async () => {
    const patient = await registerPatient(app);
    const first = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect((await me(first.body.accessToken)).status).toBe(200);
    app.clock.advance(60_000);
    const reused = await app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: patient.refreshToken } });
    expect(reused.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await me(first.body.accessToken)).status).toBe(401);
  });

  it('a password change ends every other device’s access token at once; this device gets new tokens', async () => {
    const patient = await patientWithSlot();
    const other = await app.request('POST', '/api/v1/auth/login', { body: { phone: patient.phone, password: patient.password } });
    expect((await me(other.body.tokens.accessToken)).status).toBe(200);

    const changed = await app.request('POST', '/api/v1/me/password', {
      token: patient.accessToken,
      body: { oldPassword: patient.password, newPassword: 'Changed2026x' },
    });
    expect(changed.status).toBe(200);

    expect((await me(other.body.tokens.accessToken)).status).toBe(401);
    expect((await me(patient.accessToken)).status).toBe(401);
    expect((await patient.book(other.body.tokens.accessToken)).status).toBe(401);
    expect((await me(changed.body.accessToken)).status).toBe(200);
    expect((await patient.book(changed.body.accessToken)).status).toBe(201);
  });

  it('a password reset by SMS ends every access token at once', async () => {
    const patient = await registerPatient(app);
    expect((await me(patient.accessToken)).status).toBe(200);
    app.clock.advance(61_000);
    await app.request('POST', '/api/v1/auth/sms-codes', { body: { phone: patient.phone, purpose: 'reset_password' } });
    const code = (await app.request('GET', `/api/v1/dev/sms?phone=${patient.phone}`)).body.items[0].code;
    expect((await app.request('POST', '/api/v1/auth/password-reset', { body: { phone: patient.phone, code, newPassword: 'Reset2026x' } })).status).toBe(200);
    expect((await me(patient.accessToken)).status).toBe(401);
  });

  it('a deactivated doctor loses the doctor’s pages on the next request, and gets them back when reactivated', async () => {
    const admin = await adminOf(app);
    const department = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctorViaApi(app, admin.accessToken, department.id);
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: doctor.token })).status).toBe(200);

    const body = { departmentId: department.id, name: doctor.name, title: 'attending', defaultFeeFen: 1000, active: false };
    expect((await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}`, { token: admin.accessToken, body })).status).toBe(200);
    const refused = await app.request('GET', '/api/v1/doctor/sessions', { token: doctor.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    // The account itself is still there (the app can say why).
    expect((await me(doctor.token)).status).toBe(200);

    expect((await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}`, { token: admin.accessToken, body: { ...body, active: true } })).status).toBe(200);
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: doctor.token })).status).toBe(200);
  });

  describe('a change made by another process', () => {
    // Another API process (another Lambda container): its own connection pool, its own memory.
    let other: { deps: TestApp['deps'] };
    beforeAll(() => {
      other = { deps: { ...app.deps, db: createDb(app.deps.config.database) } };
    });
    afterAll(() => other.deps.db.destroy());

    it('disabling is honoured here within a second', async () => {
      const admin = await staffSession(app, 'admin');
      const patient = await registerPatient(app);
      expect((await me(patient.accessToken)).status).toBe(200);
      await setAccountStatus(other.deps, { userId: admin.userId, role: 'admin' }, patient.userId, 'disabled', { requestId: 'test', ip: '127.0.0.1', userAgent: undefined });
      await wait(1100);
      expect((await me(patient.accessToken)).status).toBe(403);
    });

    it('a staff account created there a moment ago is let in here at once, though this process’s view is older', async () => {
      const admin = await staffSession(app, 'admin');
      expect((await app.request('GET', '/api/v1/admin/users', { token: admin.accessToken })).status).toBe(200); // view loaded
      const phone = newPhone();
      await createStaffAccount(other.deps, 'system', { phone, password: 'Staff1234', role: 'admin', displayName: '新管理员' });
      const login = await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'Staff1234' } });
      expect((await app.request('GET', '/api/v1/admin/users', { token: login.body.tokens.accessToken })).status).toBe(200);
    });

    it('an admin demoted in the database loses the admin’s pages within a second', async () => {
      const admin = await staffSession(app, 'admin');
      expect((await app.request('GET', '/api/v1/admin/users', { token: admin.accessToken })).status).toBe(200);
      await other.deps.db.updateTable('user_account').set({ role: 'patient' }).where('id', '=', admin.userId).execute();
      await wait(1100);
      const refused = await app.request('GET', '/api/v1/admin/users', { token: admin.accessToken });
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('TOKEN_INVALID');
    });
  });
});
