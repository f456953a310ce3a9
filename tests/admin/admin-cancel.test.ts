/**
 * POST /api/v1/admin/appointments/{id}/cancel: an admin cancels an appointment for the patient,
 * with a reason. Only admins; the place returns, a payment is refunded once, the patient is
 * notified in the same transaction, and the audit log names the admin. Racing the patient's own
 * cancellation and the expiry job, exactly one change wins, on both database drivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireHolds } from '../../functions/src/jobs/expire-holds.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';
import { drivers } from '../support/drivers.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, tokenFor } from '../support/scenario.js';

const cancelPath = (id: number) => `/api/v1/admin/appointments/${id}/cancel`;

describe('admin cancel: who may, what it does', () => {
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof staffSession>>;
  beforeAll(async () => {
    app = await startTestApp();
    admin = await staffSession(app, 'admin');
  });
  afterAll(() => app.close());

  async function paidBooking(feeFen = 1500) {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const session = await createSession(db, doctor, { date: shanghaiDay(app.clock.now(), 2), feeFen, slots: [{ start: '09:00', capacity: 3 }] });
    const [patient] = await createPatients(db, 1);
    const booked = await book(app, patient!, session.slotIds[0]!);
    expect(booked.status).toBe(201);
    if (feeFen > 0) expect((await appointmentAction(app, patient!, booked.body.id, 'pay')).status).toBe(200);
    return { id: booked.body.id as number, patient: patient!, doctor, session };
  }

  it('refuses anonymous callers, patients and doctors, and leaves the appointment as it was', async () => {
    const { id, patient, doctor } = await paidBooking();
    const doctorToken = await tokenFor(app, doctor.doctorUserId, 'doctor');
    const patientToken = await tokenFor(app, patient.userId);
    const body = { reason: '患者来电取消' };
    expect((await app.request('POST', cancelPath(id), { body })).status).toBe(401);
    expect((await app.request('POST', cancelPath(id), { body, token: patientToken })).body.error.code).toBe('FORBIDDEN');
    expect((await app.request('POST', cancelPath(id), { body, token: doctorToken })).body.error.code).toBe('FORBIDDEN');
    const row = await app.database.db.selectFrom('appointment').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('booked');
  });

  it('requires a reason, answered in Chinese', async () => {
    const { id } = await paidBooking();
    for (const body of [{}, { reason: '   ' }, { reason: 'x'.repeat(201) }]) {
      const res = await app.request('POST', cancelPath(id), { body, token: admin.accessToken });
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([400, 'VALIDATION_FAILED', '参数「原因」有误']);
    }
    expect((await app.request('POST', cancelPath(999_999_999), { body: { reason: '测试' }, token: admin.accessToken })).body.error.code).toBe('APPOINTMENT_NOT_FOUND');
  });

  it('cancels a paid booking: place back, refunded once, the patient notified, audited; a second cancel is refused', async () => {
    const db = app.database.db;
    const { id, session } = await paidBooking(1500);
    const res = await app.request('POST', cancelPath(id), { body: { reason: '医生临时出诊任务' }, token: admin.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.appointment).toMatchObject({ id, status: 'cancelled', cancelledBy: 'admin', cancelReason: '医生临时出诊任务', cancellable: false });
    expect(res.body.payment).toMatchObject({ status: 'refunded', refundAmountFen: 1500 });

    const slot = await db.selectFrom('slot').select(['remaining', 'capacity']).where('id', '=', session.slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(slot.capacity);
    const payment = await db.selectFrom('payment').select(['status', 'refund_txn_id']).where('appointment_id', '=', id).executeTakeFirstOrThrow();
    expect(payment.status).toBe('refunded');
    expect(payment.refund_txn_id).not.toBeNull();
    const messages = await db.selectFrom('notification').select(['channel', 'template', 'payload']).where('appointment_id', '=', id).where('template', '=', 'appointment_cancelled').execute();
    expect(messages.map((m) => m.channel).sort()).toEqual(['in_app', 'sms']);
    expect(JSON.parse(messages.find((m) => m.channel === 'in_app')!.payload).text).toContain('已由医院取消，原因：医生临时出诊任务');
    const audit = await db.selectFrom('audit_log').select(['actor_user_id', 'actor_role', 'summary']).where('action', '=', 'appointment.cancel').where('target_id', '=', res.body.appointment.orderNo).execute();
    expect(audit.map((a) => [Number(a.actor_user_id), a.actor_role])).toEqual([[admin.userId, 'admin']]);
    expect(JSON.parse(audit[0]!.summary!)).toMatchObject({ from: 'booked', reason: '医生临时出诊任务', refundedFen: 1500 });

    const again = await app.request('POST', cancelPath(id), { body: { reason: '再次取消' }, token: admin.accessToken });
    expect([again.status, again.body.error.code]).toEqual([409, 'NOT_CANCELLABLE']);
    expect(await capacityViolations(db)).toEqual([]);
  });

  it('cancels an unpaid hold and a checked-in patient not yet called; not a completed visit', async () => {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const session = await createSession(db, doctor, { date: shanghaiDay(app.clock.now(), 2), feeFen: 800, slots: [{ start: '10:00', capacity: 2 }] });
    const [patient] = await createPatients(db, 1);
    const unpaid = (await book(app, patient!, session.slotIds[0]!)).body.id as number;
    const pending = await app.request('POST', cancelPath(unpaid), { body: { reason: '重复预约' }, token: admin.accessToken });
    expect([pending.status, pending.body.appointment.status, pending.body.payment]).toEqual([200, 'cancelled', null]);

    const checkedIn = await paidBooking(1000);
    await db.updateTable('appointment').set({ status: 'checked_in', checked_in_at: app.clock.now() }).where('id', '=', checkedIn.id).execute();
    const listed = await app.request('GET', `/api/v1/admin/appointments?orderNo=${(await db.selectFrom('appointment').select('order_no').where('id', '=', checkedIn.id).executeTakeFirstOrThrow()).order_no}`, { token: admin.accessToken });
    expect(listed.body.items.map((a: any) => [a.status, a.cancellable])).toEqual([['checked_in', true]]);
    expect((await app.request('POST', cancelPath(checkedIn.id), { body: { reason: '患者离院' }, token: admin.accessToken })).status).toBe(200);

    const done = await paidBooking(1000);
    await db.updateTable('appointment').set({ status: 'completed', completed_at: app.clock.now() }).where('id', '=', done.id).execute();
    const refused = await app.request('POST', cancelPath(done.id), { body: { reason: '误操作' }, token: admin.accessToken });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'NOT_CANCELLABLE']);
    expect(await capacityViolations(db)).toEqual([]);
  });
});

describe.each(drivers)('admin cancel racing the patient and the expiry job on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
  });
  afterAll(() => app.close());

  it('exactly one change wins per appointment; remaining + active = capacity; at most one refund, exactly one for a paid one', async () => {
    const db = app.database.db;
    const admin = await staffSession(app, 'admin');
    const doctor = await createDoctor(db);
    const { slotIds } = await createSession(db, doctor, {
      date: shanghaiDay(app.clock.now(), 3),
      feeFen: 700,
      slots: [{ start: '08:00', capacity: 12 }, { start: '08:30', capacity: 12 }],
    });
    const patients = await createPatients(db, 24);
    const booked = await Promise.all(patients.map((p, i) => book(app, p, slotIds[i % 2]!)));
    expect(booked.map((b) => b.status)).toEqual(Array(24).fill(201));
    const ids = booked.map((b) => b.body.id as number);
    // Half are paid (admin vs patient, money moves); half stay unpaid holds, aged so the expiry job races too.
    const paid = ids.filter((_, i) => i % 2 === 0);
    await Promise.all(paid.map((id) => appointmentAction(app, patients[ids.indexOf(id)]!, id, 'pay')));
    const unpaid = ids.filter((_, i) => i % 2 === 1);

    const answers = await Promise.all([
      ...ids.map((id) => app.request('POST', cancelPath(id), { body: { reason: '医院调整' }, token: admin.accessToken })),
      ...ids.map((id, i) => appointmentAction(app, patients[i]!, id, 'cancel')),
      (async () => {
        await db.updateTable('appointment').set({ hold_expires_at: new Date(app.clock.now().getTime() - 1000) }).where('id', 'in', unpaid).where('status', '=', 'pending_payment').execute();
        await expireHolds(app.deps);
        return { status: 0, body: null };
      })(),
    ]);
    const adminAnswers = answers.slice(0, ids.length);
    for (const a of adminAnswers) expect(a.status === 200 || (a.status === 409 && a.body.error.code === 'NOT_CANCELLABLE')).toBe(true);

    const rows = await db.selectFrom('appointment').select(['id', 'order_no', 'status', 'cancelled_by']).where('id', 'in', ids).execute();
    for (const row of rows) expect(['cancelled', 'expired']).toContain(row.status);
    // The admin's 200s are exactly the appointments the admin cancelled.
    const byAdmin = rows.filter((r) => r.cancelled_by === 'admin').map((r) => r.id).sort((a, b) => a - b);
    const adminWon = ids.filter((_, i) => adminAnswers[i]!.status === 200).sort((a, b) => a - b);
    expect(byAdmin).toEqual(adminWon);
    // One terminal audit entry per appointment: whoever won, alone.
    const terminal = await db
      .selectFrom('audit_log')
      .select(['target_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('action', 'in', ['appointment.cancel', 'appointment.expire'])
      .where('target_id', 'in', rows.map((r) => r.order_no))
      .groupBy('target_id')
      .execute();
    expect(terminal.map((t) => Number(t.n))).toEqual(Array(24).fill(1));
    // Money: every paid booking refunded exactly once, in full; no unpaid one has a payment.
    const payments = await db.selectFrom('payment').select(['appointment_id', 'status', 'refund_amount_fen', 'amount_fen']).where('appointment_id', 'in', ids).execute();
    expect(payments.map((p) => p.appointment_id).sort((a, b) => a - b)).toEqual([...paid].sort((a, b) => a - b));
    for (const p of payments) expect([p.status, p.refund_amount_fen]).toEqual(['refunded', p.amount_fen]);
    // The patient is told only of the admin's cancellations.
    const told = await db.selectFrom('notification').select('appointment_id').where('template', '=', 'appointment_cancelled').where('channel', '=', 'in_app').where('appointment_id', 'in', ids).execute();
    expect(told.map((t) => t.appointment_id).sort((a, b) => a! - b!)).toEqual(byAdmin);

    const slots = await db.selectFrom('slot').select(['remaining', 'capacity']).where('id', 'in', slotIds).execute();
    for (const s of slots) expect(s.remaining).toBe(s.capacity);
    expect(await capacityViolations(db)).toEqual([]);
  });
});
