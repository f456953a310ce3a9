/**
 * The console's reads before acting on a session (schedule/session-admin.routes.ts): the 停诊
 * preview lists exactly what the suspension then cancels and refunds, masked; the 替诊 list is
 * exactly the doctors the substitution accepts (substitution.ts's own rules). Admins only.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import type { Db } from '../../functions/src/db/create-db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, createDoctor, createPatients, createSession, shanghaiDay, tokenFor, type Hospital } from '../support/scenario.js';

type Title = 'chief' | 'associate_chief' | 'attending' | 'resident';

async function colleague(db: Db, departmentId: number, title: Title, active = true): Promise<Hospital> {
  const now = new Date();
  const user = await db
    .insertInto('user_account')
    .values({ phone: `16${randomBytes(4).readUInt32BE(0) % 1_000_000_000}`.padEnd(11, '0'), password_hash: 'x', role: 'doctor', display_name: '测试医生', created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  const doctor = await db
    .insertInto('doctor')
    .values({ user_id: Number(user.insertId), department_id: departmentId, name: `同事${Number(user.insertId)}`, title, default_fee_fen: 1000, active: active ? 1 : 0, created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  return { departmentId, doctorId: Number(doctor.insertId), doctorUserId: Number(user.insertId) };
}

describe('停诊预览 and 可替诊医生 (admin)', () => {
  let app: TestApp;
  let db: Db;
  let adminToken: string;
  beforeAll(async () => {
    app = await startTestApp();
    db = app.database.db;
    const admin = await createStaffAccount(app.deps, 'system', { phone: '13966665678', password: 'Admin2026x', role: 'admin', displayName: '管理员' });
    adminToken = await tokenFor(app, admin.id, 'admin');
  });
  afterAll(() => app.close());

  it('both are for admins only: anonymous 401, a patient and a doctor (even the session’s own) 403, an unknown session 404', async () => {
    const hospital = await createDoctor(db);
    const session = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 5 }] });
    const [patient] = await createPatients(db, 1);
    for (const path of ['appointments', 'substitutes']) {
      const url = `/api/v1/admin/sessions/${session.sessionId}/${path}`;
      expect((await app.request('GET', url)).status).toBe(401);
      expect((await app.request('GET', url, { token: await tokenFor(app, patient!.userId) })).status).toBe(403);
      expect((await app.request('GET', url, { token: await tokenFor(app, hospital.doctorUserId, 'doctor') })).status).toBe(403);
      expect((await app.request('GET', url, { token: adminToken })).status).toBe(200);
      const missing = await app.request('GET', `/api/v1/admin/sessions/999999/${path}`, { token: adminToken });
      expect({ status: missing.status, code: missing.body.error.code, message: missing.body.error.message }).toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
      expect(missing.body.error.message).toMatch(/\p{Script=Han}/u);
    }
  });

  it('the preview lists, masked and by queue number, exactly the appointments the suspension then cancels, and which are refunded', async () => {
    const hospital = await createDoctor(db);
    const session = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), 3), feeFen: 1500, slots: [{ start: '08:00', capacity: 5 }] });
    const patients = await createPatients(db, 3);
    const ids: number[] = [];
    for (const p of patients) ids.push((await book(app, p, session.slotIds[0]!)).body.id);
    expect((await appointmentAction(app, patients[0]!, ids[0]!, 'pay')).status).toBe(200);
    expect((await appointmentAction(app, patients[2]!, ids[2]!, 'cancel')).status).toBe(200);

    const preview = await app.request('GET', `/api/v1/admin/sessions/${session.sessionId}/appointments`, { token: adminToken });
    expect(preview.status).toBe(200);
    const phone = patients[0]!.phone;
    expect(preview.body.items).toHaveLength(2);
    expect(preview.body.items[0]).toMatchObject({
      id: ids[0],
      status: 'booked',
      paid: true,
      startTime: '08:00',
      patient: { name: '患*1', phone: `${phone.slice(0, 3)}****${phone.slice(7)}` },
    });
    expect(preview.body.items[1]).toMatchObject({ id: ids[1], status: 'pending_payment', paid: false, patient: { name: '患*2' } });
    expect(preview.body.items[0].queueNumber).toBeLessThan(preview.body.items[1].queueNumber);
    expect(JSON.stringify(preview.body)).not.toContain(phone);

    const suspended = await app.request('POST', `/api/v1/admin/sessions/${session.sessionId}/suspend`, { token: adminToken, body: { reason: '医生外出会诊' } });
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ cancelledAppointments: 2, refundedAppointments: 1 });
    const cancelled = await db.selectFrom('appointment').select('id').where('session_id', '=', session.sessionId).where('cancelled_by', '=', 'admin').orderBy('id').execute();
    expect(cancelled.map((a) => a.id)).toEqual(preview.body.items.map((a: { id: number }) => a.id).sort((a: number, b: number) => a - b));
    // Afterwards nothing is left to cancel.
    expect((await app.request('GET', `/api/v1/admin/sessions/${session.sessionId}/appointments`, { token: adminToken })).body.items).toEqual([]);
  });

  it('the 替诊 list is exactly the doctors the substitution accepts, most senior first', async () => {
    const original = await createDoctor(db, { title: 'associate_chief' });
    const date = shanghaiDay(app.clock.now(), 4);
    const session = await createSession(db, original, { date, slots: [{ start: '08:00', capacity: 5 }] });
    const peer = await colleague(db, original.departmentId, 'associate_chief');
    const chief = await colleague(db, original.departmentId, 'chief');
    const junior = await colleague(db, original.departmentId, 'attending');
    const inactive = await colleague(db, original.departmentId, 'chief', false);
    const elsewhere = await createDoctor(db, { title: 'chief' });
    const busy = await colleague(db, original.departmentId, 'chief');
    await createSession(db, busy, { date, period: 'morning', slots: [{ start: '09:00', capacity: 3 }] });

    const listed = await app.request('GET', `/api/v1/admin/sessions/${session.sessionId}/substitutes`, { token: adminToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { id: number }) => d.id)).toEqual([chief.doctorId, peer.doctorId]);
    expect(listed.body.items[0]).toMatchObject({ title: 'chief' });

    // The substitution agrees, doctor by doctor.
    const accepted: number[] = [];
    for (const candidate of [original, peer, chief, junior, inactive, elsewhere, busy]) {
      const res = await app.request('POST', `/api/v1/admin/sessions/${session.sessionId}/substitute`, { token: adminToken, body: { doctorId: candidate.doctorId, reason: '核对' } });
      if (res.status === 200) {
        accepted.push(candidate.doctorId);
        // Hand it back for the next candidate.
        await db.updateTable('clinic_session').set({ doctor_id: original.doctorId }).where('id', '=', session.sessionId).execute();
      }
    }
    expect(accepted.sort((a, b) => a - b)).toEqual([peer.doctorId, chief.doctorId].sort((a, b) => a - b));
  });
});
