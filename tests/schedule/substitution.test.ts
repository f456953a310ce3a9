/**
 * 替诊 (schedule/substitution.ts): an admin hands a session to another active doctor of the same
 * department with the same or a higher title, free at that date and period. The session and its
 * active appointments move in one transaction, each patient gets one 替诊通知, the change is
 * audited; a booking racing the substitution ends with the new doctor too (both drivers).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import type { Db } from '../../functions/src/db/create-db.js';
import { isoWeekday } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import {
  appointmentAction,
  betweenGateAndUpdate,
  book,
  capacityViolations,
  createDoctor,
  createPatients,
  createSession,
  shanghaiDay,
  tokenFor,
  type Hospital,
} from '../support/scenario.js';

type Title = 'chief' | 'associate_chief' | 'attending' | 'resident';

/** Another doctor of `departmentId`. */
async function colleague(db: Db, departmentId: number, options: { title?: Title; active?: boolean; name?: string } = {}): Promise<Hospital> {
  const now = new Date();
  const user = await db
    .insertInto('user_account')
    .values({ phone: `16${randomBytes(4).readUInt32BE(0) % 1_000_000_000}`.padEnd(11, '0'), password_hash: 'x', role: 'doctor', display_name: '测试医生', created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  const doctor = await db
    .insertInto('doctor')
    .values({
      user_id: Number(user.insertId),
      department_id: departmentId,
      name: options.name ?? `替诊医生${Number(user.insertId)}`,
      title: options.title ?? 'attending',
      default_fee_fen: 1000,
      active: options.active === false ? 0 : 1,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return { departmentId, doctorId: Number(doctor.insertId), doctorUserId: Number(user.insertId) };
}

function substitute(app: TestApp, token: string | undefined, sessionId: number, body: unknown) {
  return app.request('POST', `/api/v1/admin/sessions/${sessionId}/substitute`, { token, body });
}

describe('替诊 over HTTP', () => {
  let app: TestApp;
  let db: Db;
  let adminToken: string;
  beforeAll(async () => {
    app = await startTestApp();
    db = app.database.db;
    const admin = await createStaffAccount(app.deps, 'system', { phone: '13966661234', password: 'Admin2026x', role: 'admin', displayName: '管理员' });
    adminToken = await tokenFor(app, admin.id, 'admin');
  });
  afterAll(() => app.close());

  it('is for admins only: anonymous 401, a patient and a doctor (even the session’s own) 403', async () => {
    const original = await createDoctor(db);
    const other = await colleague(db, original.departmentId);
    const session = await createSession(db, original, { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 5 }] });
    const [patient] = await createPatients(db, 1);
    const body = { doctorId: other.doctorId, reason: '原医生外出' };
    expect((await substitute(app, undefined, session.sessionId, body)).status).toBe(401);
    expect((await substitute(app, await tokenFor(app, patient!.userId), session.sessionId, body)).status).toBe(403);
    const byDoctor = await substitute(app, await tokenFor(app, original.doctorUserId, 'doctor'), session.sessionId, body);
    expect(byDoctor.status).toBe(403);
    expect(byDoctor.body.error.code).toBe('FORBIDDEN');
    expect((await db.selectFrom('clinic_session').select('doctor_id').where('id', '=', session.sessionId).executeTakeFirstOrThrow()).doctor_id).toBe(original.doctorId);
    expect((await substitute(app, adminToken, session.sessionId, body)).status).toBe(200);
  });

  it('refuses, each with its code and a Chinese message, and changes nothing', async () => {
    const original = await createDoctor(db, { title: 'associate_chief' });
    const date = shanghaiDay(app.clock.now(), 4);
    const session = await createSession(db, original, { date, slots: [{ start: '08:00', capacity: 5 }] });
    const [patient] = await createPatients(db, 1);
    const booked = await book(app, patient!, session.slotIds[0]!);
    expect(booked.status).toBe(201);
    const junior = await colleague(db, original.departmentId, { title: 'attending' });
    const inactive = await colleague(db, original.departmentId, { title: 'chief', active: false });
    const elsewhere = await createDoctor(db, { title: 'chief' });
    const busy = await colleague(db, original.departmentId, { title: 'chief' });
    await createSession(db, busy, { date, period: 'morning', slots: [{ start: '09:00', capacity: 3 }] });
    const started = await createSession(db, original, { date: shanghaiDay(app.clock.now(), 0), period: 'evening', slots: [{ start: '00:00', end: '00:30', capacity: 3 }] });
    const peer = await colleague(db, original.departmentId, { title: 'associate_chief' });
    const suspended = await createSession(db, original, { date, period: 'afternoon', slots: [{ start: '14:00', capacity: 3 }] });
    await db.updateTable('clinic_session').set({ status: 'suspended' }).where('id', '=', suspended.sessionId).execute();

    const cases: Array<[number, unknown, number, string]> = [
      [999_999, { doctorId: peer.doctorId, reason: '外出' }, 404, 'SESSION_NOT_FOUND'],
      [session.sessionId, { doctorId: 999_999, reason: '外出' }, 404, 'DOCTOR_NOT_FOUND'],
      [session.sessionId, { doctorId: original.doctorId, reason: '外出' }, 422, 'SUBSTITUTE_SAME_DOCTOR'],
      [session.sessionId, { doctorId: inactive.doctorId, reason: '外出' }, 409, 'SUBSTITUTE_NOT_ACTIVE'],
      [session.sessionId, { doctorId: elsewhere.doctorId, reason: '外出' }, 422, 'SUBSTITUTE_OTHER_DEPARTMENT'],
      [session.sessionId, { doctorId: junior.doctorId, reason: '外出' }, 422, 'SUBSTITUTE_TITLE_TOO_LOW'],
      [session.sessionId, { doctorId: busy.doctorId, reason: '外出' }, 409, 'SUBSTITUTE_BUSY'],
      [suspended.sessionId, { doctorId: peer.doctorId, reason: '外出' }, 409, 'SESSION_SUSPENDED'],
      [started.sessionId, { doctorId: peer.doctorId, reason: '外出' }, 409, 'SESSION_STARTED'],
      [session.sessionId, { doctorId: peer.doctorId }, 400, 'VALIDATION_FAILED'],
      [session.sessionId, { doctorId: peer.doctorId, reason: '   ' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [sessionId, body, status, code] of cases) {
      const res = await substitute(app, adminToken, sessionId, body);
      expect({ code: res.body.error?.code, status: res.status }).toEqual({ code, status });
      expect(res.body.error.message).toMatch(/\p{Script=Han}/u);
    }
    expect((await substitute(app, adminToken, started.sessionId, { doctorId: peer.doctorId, reason: '外出' })).body.error.message).toBe('该出诊已开始或已结束，不能替诊');
    // Nothing moved, nothing was said.
    expect((await db.selectFrom('clinic_session').select('doctor_id').where('id', '=', session.sessionId).executeTakeFirstOrThrow()).doctor_id).toBe(original.doctorId);
    expect((await db.selectFrom('appointment').select('doctor_id').where('id', '=', booked.body.id).executeTakeFirstOrThrow()).doctor_id).toBe(original.doctorId);
    expect(await db.selectFrom('notification').select('id').where('template', '=', 'doctor_substituted').where('appointment_id', '=', booked.body.id).execute()).toEqual([]);
  });

  it('moves the session and every active appointment, tells each patient once, audits it; the generator does not bring the old doctor back', async () => {
    const original = await createDoctor(db, { title: 'attending', name: '张三' });
    const chief = await colleague(db, original.departmentId, { title: 'chief', name: '李四' });
    const adminPaths = { token: adminToken };
    // The original doctor's weekly template makes the session, as in production.
    const date = shanghaiDay(app.clock.now(), 5);
    const template = { weekday: isoWeekday(date), startTime: '08:00', endTime: '09:00', slotMinutes: 30, capacityPerSlot: 5, feeFen: 0 };
    expect((await app.request('POST', `/api/v1/admin/doctors/${original.doctorId}/templates`, { ...adminPaths, body: template })).status).toBe(201);
    expect((await app.request('POST', '/api/v1/admin/schedule/generate', adminPaths)).status).toBe(200);
    const session = await db.selectFrom('clinic_session').select('id').where('doctor_id', '=', original.doctorId).where('session_date', '=', date).executeTakeFirstOrThrow();
    const slots = await db.selectFrom('slot').select('id').where('session_id', '=', session.id).orderBy('id').execute();
    await db.updateTable('clinic_session').set({ release_at: new Date(app.clock.now().getTime() - 60_000) }).where('id', '=', session.id).execute();

    const patients = await createPatients(db, 4);
    const ids: number[] = [];
    for (const [i, p] of patients.entries()) ids.push((await book(app, p, slots[i % 2]!.id)).body.id);
    expect((await appointmentAction(app, patients[3]!, ids[3]!, 'cancel')).status).toBe(200);
    const active = ids.slice(0, 3);

    const res = await substitute(app, adminToken, session.id, { doctorId: chief.doctorId, reason: '张三医生外出会诊' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessionId: session.id, fromDoctorId: original.doctorId, toDoctorId: chief.doctorId, movedAppointments: 3, notifiedPatients: 3 });

    const after = await db.selectFrom('clinic_session').select(['doctor_id', 'department_id', 'template_id', 'substituted_from_doctor_id']).where('id', '=', session.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ doctor_id: chief.doctorId, department_id: original.departmentId, template_id: null, substituted_from_doctor_id: original.doctorId });
    const appointments = await db.selectFrom('appointment').select(['id', 'doctor_id', 'status', 'queue_number']).where('session_id', '=', session.id).orderBy('id').execute();
    expect(appointments.map((a) => [a.id, a.doctor_id])).toEqual([...active.map((id) => [id, chief.doctorId]), [ids[3], original.doctorId]]);
    expect(await capacityViolations(db)).toEqual([]);

    const notices = await db
      .selectFrom('notification')
      .select(['appointment_id', 'channel', 'payload'])
      .where('template', '=', 'doctor_substituted')
      .where('appointment_id', 'in', ids)
      .orderBy('appointment_id')
      .orderBy('id')
      .execute();
    expect(notices.map((n) => `${n.appointment_id}:${n.channel}`)).toEqual(active.flatMap((id) => [`${id}:in_app`, `${id}:sms`]));
    expect(JSON.parse(notices[0]!.payload).text).toMatch(/张三医生 .* 的门诊（就诊人 患者1，订单号 \d+）改由李四医生接诊。如不接受，可在“我的预约”中免费取消。$/);

    const audit = await db.selectFrom('audit_log').select(['actor_role', 'summary']).where('action', '=', 'session.substitute').where('target_id', '=', String(session.id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_role).toBe('admin');
    expect(JSON.parse(audit[0]!.summary!)).toMatchObject({ reason: '张三医生外出会诊', fromDoctorId: original.doctorId, toDoctorId: chief.doctorId, moved: 3 });

    // The patient's own view names the new doctor.
    const mine = await app.request('GET', `/api/v1/appointments/${active[0]}`, { token: await tokenFor(app, patients[0]!.userId) });
    expect(mine.body.doctor.id).toBe(chief.doctorId);

    // The old doctor's template would make that session again: it does not.
    expect((await app.request('POST', '/api/v1/admin/schedule/generate', adminPaths)).status).toBe(200);
    expect(await db.selectFrom('clinic_session').select('id').where('doctor_id', '=', original.doctorId).where('session_date', '=', date).execute()).toEqual([]);
  });
});

describe.each(drivers)('a booking racing the substitution on %s', (driver) => {
  let app: TestApp;
  let db: Db;
  let adminToken: string;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
    db = app.database.db;
    const admin = await createStaffAccount(app.deps, 'system', { phone: '13966664321', password: 'Admin2026x', role: 'admin', displayName: '管理员' });
    adminToken = await tokenFor(app, admin.id, 'admin');
  });
  afterAll(() => app.close());

  it('a substitution committed between the booking’s gate and its slot UPDATE: the booking still gets the new doctor', async () => {
    const original = await createDoctor(db, { name: '张三' });
    const chief = await colleague(db, original.departmentId, { title: 'chief', name: '李四' });
    const session = await createSession(db, original, { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 5 }] });
    const [early, racing] = await createPatients(db, 2);
    const first = await book(app, early!, session.slotIds[0]!);
    let substitution: Awaited<ReturnType<typeof substitute>> | undefined;
    const res = await betweenGateAndUpdate(app, session.slotIds[0]!, () => book(app, racing!, session.slotIds[0]!), async () => {
      substitution = await substitute(app, adminToken, session.sessionId, { doctorId: chief.doctorId, reason: '外出' });
    });
    expect(substitution!.body).toMatchObject({ movedAppointments: 1 });
    expect(res.status).toBe(201);
    expect(res.body.doctor.id).toBe(chief.doctorId);
    const rows = await db.selectFrom('appointment').select(['id', 'doctor_id']).where('session_id', '=', session.sessionId).orderBy('id').execute();
    expect(rows).toEqual([
      { id: first.body.id, doctor_id: chief.doctorId },
      { id: res.body.id, doctor_id: chief.doctorId },
    ]);
    // The racing booking's own message names the doctor it got; the earlier one was told of the change.
    const messages = await db.selectFrom('notification').select(['appointment_id', 'template', 'payload']).where('channel', '=', 'in_app').where('appointment_id', 'in', [first.body.id, res.body.id]).orderBy('id').execute();
    expect(messages.map((m) => `${m.appointment_id}:${m.template}`)).toEqual([`${first.body.id}:booking_confirmed`, `${first.body.id}:doctor_substituted`, `${res.body.id}:booking_confirmed`]);
    expect(JSON.parse(messages[2]!.payload).text).toContain('李四医生');
    expect(await capacityViolations(db)).toEqual([]);
  });

  it('bookings racing a substitution all end with the new doctor, and each moved one is told exactly once', async () => {
    const original = await createDoctor(db);
    const chief = await colleague(db, original.departmentId, { title: 'chief' });
    const session = await createSession(db, original, { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 30 }] });
    const patients = await createPatients(db, 24);
    const bookings = patients.map((p) => book(app, p, session.slotIds[0]!));
    const substitution = substitute(app, adminToken, session.sessionId, { doctorId: chief.doctorId, reason: '外出' });
    const [answers, sub] = await Promise.all([Promise.all(bookings), substitution]);
    expect(sub.status).toBe(200);
    expect(answers.map((a) => a.status)).toEqual(patients.map(() => 201));
    const rows = await db.selectFrom('appointment').select(['id', 'doctor_id']).where('session_id', '=', session.sessionId).execute();
    expect(rows).toHaveLength(24);
    expect(rows.filter((r) => r.doctor_id !== chief.doctorId)).toEqual([]);
    const told = await db
      .selectFrom('notification')
      .select('appointment_id')
      .where('template', '=', 'doctor_substituted')
      .where('channel', '=', 'in_app')
      .where('appointment_id', 'in', rows.map((r) => r.id))
      .execute();
    expect(told).toHaveLength(sub.body.movedAppointments);
    expect(new Set(told.map((t) => t.appointment_id)).size).toBe(told.length);
    expect(await capacityViolations(db)).toEqual([]);
  });
});

