/**
 * The booking API one request at a time: booking, idempotency, every refusal (and that a
 * refused booking wrote nothing), payment, cancellation with refund, hold expiry (job and lazy),
 * the patient's lists, suspension, and the admin rule routes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireHold } from '../../functions/src/booking/expire.js';
import { expireHolds } from '../../functions/src/jobs/expire-holds.js';
import { releaseAt, defaultRules } from '../../functions/src/rules/booking-rules.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  addProfile,
  appointmentAction,
  book,
  capacityViolations,
  createDoctor,
  createPatients,
  createSession,
  shanghaiDay,
  tokenFor,
  type Hospital,
} from '../support/scenario.js';

let app: TestApp;
let hospital: Hospital;
beforeAll(async () => {
  app = await startTestApp();
  hospital = await createDoctor(app.database.db, { name: '张建国', title: 'chief' });
});
afterAll(() => app.close());

/** Rows a booking writes; a refused booking must leave all of them unchanged. */
async function footprint() {
  const db = app.database.db;
  const [appointments, audits, slots] = await Promise.all([
    db.selectFrom('appointment').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('slot').select(['id', 'remaining', 'next_seq']).orderBy('id').execute(),
  ]);
  return { appointments: Number(appointments.n), audits: Number(audits.n), slots };
}

/** A session three days ahead (released), of a new doctor so sessions never collide. */
async function openSession(feeFen = 0, capacity = 5, doctor?: Hospital) {
  return createSession(app.database.db, doctor ?? (await createDoctor(app.database.db)), {
    date: shanghaiDay(app.clock.now(), 3),
    feeFen,
    slots: [
      { start: '08:00', capacity },
      { start: '08:30', capacity },
    ],
  });
}

describe('booking a slot', () => {
  it('books a free slot at once, with queue number, order number and the doctor and department', async () => {
    const session = await openSession(0, 5, hospital);
    const [patient] = await createPatients(app.database.db, 1);
    const res = await book(app, patient!, session.slotIds[1]!);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'booked',
      queueNumber: 6,
      feeFen: 0,
      holdExpiresAt: null,
      slot: { id: session.slotIds[1], date: session.date, startTime: '08:30', endTime: '09:00', period: 'morning' },
      doctor: { id: hospital.doctorId, name: '张建国', title: 'chief' },
      department: { id: hospital.departmentId },
    });
    expect(res.body.orderNo).toMatch(/^\d{20}$/);
    expect(res.body.slot.startsAt).toBe(shanghaiToInstant(session.date, '08:30').toISOString());
    const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', session.slotIds[1]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(4);
    const audit = await app.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'appointment.book').where('target_id', '=', res.body.orderNo).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_user_id).toBe(patient!.userId);

    const got = await app.request('GET', `/api/v1/appointments/${res.body.id}`, { token: await tokenFor(app, patient!.userId) });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('hands out consecutive queue numbers within the slot range', async () => {
    const session = await openSession(0, 3);
    const patients = await createPatients(app.database.db, 3);
    const numbers = [];
    for (const p of patients) numbers.push((await book(app, p, session.slotIds[0]!)).body.queueNumber);
    expect(numbers).toEqual([1, 2, 3]);
  });

  it('reuses a queue number freed by a cancellation once the slot\'s numbers wrap round', async () => {
    const session = await openSession(0, 3);
    const patients = await createPatients(app.database.db, 5);
    const first = [];
    for (const p of patients.slice(0, 3)) first.push((await book(app, p, session.slotIds[1]!)).body);
    expect(first.map((a) => a.queueNumber)).toEqual([4, 5, 6]);
    await appointmentAction(app, patients[1]!, first[1].id, 'cancel');
    const reused = await book(app, patients[3]!, session.slotIds[1]!);
    expect(reused.body.queueNumber).toBe(5);
    const full = await book(app, patients[4]!, session.slotIds[1]!);
    expect(full.body.error.code).toBe('SLOT_FULL');
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('answers a repeated Idempotency-Key with the same appointment, and refuses it for another request', async () => {
    const session = await openSession(0);
    const [patient] = await createPatients(app.database.db, 1);
    const key = randomUUID();
    const first = await book(app, patient!, session.slotIds[0]!, { key });
    const again = await book(app, patient!, session.slotIds[0]!, { key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await book(app, patient!, session.slotIds[1]!, { key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('refuses an Idempotency-Key replayed for the same slot but another profile, writing nothing', async () => {
    const session = await openSession(0);
    const [patient] = await createPatients(app.database.db, 1);
    const child = await addProfile(app.database.db, patient!.userId);
    const key = randomUUID();
    const first = await book(app, patient!, session.slotIds[0]!, { key });
    expect(first.status).toBe(201);
    const before = await footprint();
    const forChild = await book(app, patient!, session.slotIds[0]!, { key, profileId: child });
    expect([forChild.status, forChild.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await footprint()).toEqual(before);
  });

  it('validates the Idempotency-Key header and the body with stable codes', async () => {
    const session = await openSession(0);
    const [patient] = await createPatients(app.database.db, 1);
    const token = await tokenFor(app, patient!.userId);
    const body = { slotId: session.slotIds[0], profileId: patient!.profileId };
    const before = await footprint();
    const missing = await app.request('POST', '/api/v1/appointments', { token, body });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
    for (const key of ['short', 'has space in it', 'x'.repeat(65), '中文中文中文中文中文']) {
      const bad = await app.request('POST', '/api/v1/appointments', { token, body, headers: { 'idempotency-key': encodeURIComponent(key) === key ? key : 'bad*key*' } });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'IDEMPOTENCY_KEY_INVALID']);
    }
    const headers = { 'idempotency-key': randomUUID() };
    for (const wrong of [{ ...body, extra: 1 }, { slotId: 'x', profileId: 1 }, { slotId: -1, profileId: 1 }, { slotId: 1 }]) {
      const res = await app.request('POST', '/api/v1/appointments', { token, body: wrong, headers });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const unauthenticated = await app.request('POST', '/api/v1/appointments', { body, headers });
    expect(unauthenticated.status).toBe(401);
    const doctor = await tokenFor(app, hospital.doctorUserId, 'doctor');
    const forbidden = await app.request('POST', '/api/v1/appointments', { token: doctor, body, headers });
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect(await footprint()).toEqual(before);
  });

  it('refuses, writing nothing: unknown slot, someone else\'s profile, not released, suspended, past, full, banned', async () => {
    const db = app.database.db;
    const [patient, stranger] = await createPatients(db, 2);
    const date = shanghaiDay(app.clock.now(), 3);
    const future = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), 9), slots: [{ start: '08:00', capacity: 2 }] });
    const suspended = await createSession(db, hospital, { date, period: 'afternoon', slots: [{ start: '14:00', capacity: 2 }] });
    await db.updateTable('clinic_session').set({ status: 'suspended' }).where('id', '=', suspended.sessionId).execute();
    const past = await createSession(db, hospital, {
      date: shanghaiDay(app.clock.now(), -1),
      releaseAt: new Date(Date.now() - 10 * 86_400_000),
      slots: [{ start: '08:00', capacity: 2 }],
    });
    const full = await createSession(db, hospital, { date, period: 'evening', slots: [{ start: '18:00', capacity: 1 }] });
    expect((await book(app, stranger!, full.slotIds[0]!)).status).toBe(201);

    const open = await openSession(0);
    const before = await footprint();
    const cases: Array<[number, number | undefined, number, string]> = [
      [999_999, undefined, 404, 'SLOT_NOT_FOUND'],
      [full.slotIds[0]!, stranger!.profileId, 409, 'SLOT_FULL'],
      [future.slotIds[0]!, undefined, 409, 'SLOT_NOT_RELEASED'],
      [suspended.slotIds[0]!, undefined, 409, 'SESSION_SUSPENDED'],
      [past.slotIds[0]!, undefined, 409, 'SLOT_PAST'],
    ];
    for (const [slotId, profileId, status, code] of cases) {
      const res = await book(app, patient!, slotId, { profileId });
      expect([res.status, res.body.error.code], `slot ${slotId}`).toEqual([status, code]);
    }
    const notMine = await book(app, patient!, open.slotIds[0]!, { profileId: stranger!.profileId });
    expect([notMine.status, notMine.body.error.code]).toEqual([404, 'PROFILE_NOT_FOUND']);

    await db.updateTable('user_account').set({ banned_until: new Date(app.clock.now().getTime() + 86_400_000) }).where('id', '=', patient!.userId).execute();
    const banned = await book(app, patient!, open.slotIds[0]!);
    expect([banned.status, banned.body.error.code]).toEqual([403, 'BOOKING_BANNED']);
    await db.updateTable('user_account').set({ banned_until: null }).where('id', '=', patient!.userId).execute();

    const after = await footprint();
    expect(after).toEqual(before);
  });

  it('refuses, writing nothing, a slot of a deactivated doctor, department or 大科: DOCTOR_UNAVAILABLE', async () => {
    const db = app.database.db;
    const [patient] = await createPatients(db, 1);
    const parent = await createDoctor(db);
    const doctor = await createDoctor(db);
    const department = await createDoctor(db);
    const child = await createDoctor(db, { parentId: parent.departmentId });
    const slots = [];
    for (const h of [doctor, department, child]) slots.push((await openSession(0, 5, h)).slotIds[0]!);
    await db.updateTable('doctor').set({ active: 0 }).where('id', '=', doctor.doctorId).execute();
    await db.updateTable('department').set({ active: 0 }).where('id', 'in', [department.departmentId, parent.departmentId]).execute();
    const before = await footprint();
    for (const slotId of slots) {
      const res = await book(app, patient!, slotId);
      expect([res.status, res.body.error?.code], `slot ${slotId}`).toEqual([409, 'DOCTOR_UNAVAILABLE']);
    }
    expect(await footprint()).toEqual(before);
    // Active again: bookable again.
    await db.updateTable('department').set({ active: 1 }).where('id', '=', parent.departmentId).execute();
    expect((await book(app, patient!, slots[2]!)).status).toBe(201);
  });

  it('enforces one appointment per profile per session and the daily limits', async () => {
    const db = app.database.db;
    const date = shanghaiDay(app.clock.now(), 4);
    const morning = await createSession(db, hospital, { date, slots: [{ start: '08:00', capacity: 5 }, { start: '08:30', capacity: 5 }] });
    const afternoon = await createSession(db, hospital, { date, period: 'afternoon', slots: [{ start: '14:00', capacity: 5 }] });
    const other = await createDoctor(db);
    const otherSession = await createSession(db, other, { date, slots: [{ start: '09:00', capacity: 5 }] });
    const third = await createDoctor(db);
    const thirdSession = await createSession(db, third, { date, slots: [{ start: '10:00', capacity: 5 }] });
    const [patient] = await createPatients(db, 1);

    expect((await book(app, patient!, morning.slotIds[0]!)).status).toBe(201);
    const twice = await book(app, patient!, morning.slotIds[1]!);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'ALREADY_BOOKED']);
    const sameDepartment = await book(app, patient!, afternoon.slotIds[0]!);
    expect([sameDepartment.status, sameDepartment.body.error.code]).toEqual([409, 'DEPARTMENT_DAILY_LIMIT_REACHED']);
    expect((await book(app, patient!, otherSession.slotIds[0]!)).status).toBe(201);
    const third3 = await book(app, patient!, thirdSession.slotIds[0]!);
    expect([third3.status, third3.body.error.code]).toEqual([409, 'DAILY_LIMIT_REACHED']);

    // The limits are per profile: the same account books for a child.
    const child = await addProfile(db, patient!.userId);
    expect((await book(app, patient!, thirdSession.slotIds[0]!, { profileId: child })).status).toBe(201);
    expect(await capacityViolations(db)).toEqual([]);
  });
});

describe('payment, cancellation and expiry', () => {
  it('holds a paid slot as pending_payment, pays it once, and refuses to pay twice differently', async () => {
    const session = await openSession(1500);
    const [patient] = await createPatients(app.database.db, 1);
    const booked = await book(app, patient!, session.slotIds[0]!);
    expect(booked.body.status).toBe('pending_payment');
    const hold = new Date(booked.body.holdExpiresAt).getTime() - new Date(booked.body.createdAt).getTime();
    expect(hold).toBe(defaultRules.paymentHoldMinutes * 60_000);

    const paid = await appointmentAction(app, patient!, booked.body.id, 'pay');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'booked', holdExpiresAt: null });
    expect(paid.body.paidAt).toBeTruthy();
    const again = await appointmentAction(app, patient!, booked.body.id, 'pay');
    expect(again.body).toEqual(paid.body);
    const payments = await app.database.db.selectFrom('payment').selectAll().where('appointment_id', '=', booked.body.id).execute();
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: 'paid', amount_fen: 1500, provider: 'simulated' });
  });

  it('refuses to let another patient pay someone\'s pending appointment, charging and changing nothing', async () => {
    const session = await openSession(1500);
    const [owner, other] = await createPatients(app.database.db, 2);
    const booked = await book(app, owner!, session.slotIds[0]!);
    expect(booked.body.status).toBe('pending_payment');
    const foreign = await appointmentAction(app, other!, booked.body.id, 'pay');
    expect([foreign.status, foreign.body.error?.code]).toEqual([404, 'APPOINTMENT_NOT_FOUND']);
    const row = await app.database.db.selectFrom('appointment').select(['status', 'paid_at']).where('id', '=', booked.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending_payment', paid_at: null });
    const payments = await app.database.db.selectFrom('payment').select('id').where('appointment_id', '=', booked.body.id).execute();
    expect(payments).toEqual([]);
    // The owner still pays it.
    expect((await appointmentAction(app, owner!, booked.body.id, 'pay')).body.status).toBe('booked');
  });

  it('takes the cancellation cut-off from the department\'s override, not the global rule', async () => {
    const db = app.database.db;
    const own = await createDoctor(db);
    const now = new Date();
    // The department stops cancellations a day ahead; the global rule (120 minutes) would still allow it.
    await db.insertInto('booking_rule').values({ department_id: own.departmentId, cancel_cutoff_minutes: 24 * 60, created_at: now, updated_at: now }).execute();
    const session = await openSession(0, 5, own);
    const [patient, early] = await createPatients(db, 2);
    const late = await book(app, patient!, session.slotIds[0]!);
    const inTime = await book(app, early!, session.slotIds[0]!);
    const start = shanghaiToInstant(session.date, '08:00').getTime();
    try {
      app.clock.set(new Date(start - 24 * 60 * 60_000 - 60_000));
      expect((await appointmentAction(app, early!, inTime.body.id, 'cancel')).status).toBe(200);
      app.clock.set(new Date(start - 20 * 60 * 60_000));
      const refused = await appointmentAction(app, patient!, late.body.id, 'cancel');
      expect([refused.status, refused.body.error?.code]).toEqual([409, 'CANCEL_CUTOFF_PASSED']);
      expect(refused.body.error.details.deadline).toBe(new Date(start - 24 * 60 * 60_000).toISOString());
    } finally {
      app.clock.set(new Date());
    }
  });

  it('returns a place once: expiring twice, or expiring after a cancellation, gives nothing back again', async () => {
    const db = app.database.db;
    const session = await openSession(800, 5);
    const patients = await createPatients(db, 4);
    const holds = [];
    for (const p of patients) holds.push((await book(app, p, session.slotIds[0]!)).body);
    const remaining = async () => (await db.selectFrom('slot').select('remaining').where('id', '=', session.slotIds[0]!).executeTakeFirstOrThrow()).remaining;
    expect(await remaining()).toBe(1);
    const due = new Date(app.clock.now().getTime() + 60 * 60_000);
    const ref = (a: { id: number; orderNo: string }) => ({ id: a.id, slotId: session.slotIds[0]!, orderNo: a.orderNo });

    expect(await expireHold(db, ref(holds[0]!), due)).toBe(true);
    expect(await remaining()).toBe(2);
    expect(await expireHold(db, ref(holds[0]!), due)).toBe(false);
    expect(await remaining()).toBe(2);

    expect((await appointmentAction(app, patients[1]!, holds[1]!.id, 'cancel')).body.status).toBe('cancelled');
    expect(await remaining()).toBe(3);
    expect(await expireHold(db, ref(holds[1]!), due)).toBe(false);
    expect(await remaining()).toBe(3);
    expect(await capacityViolations(db)).toEqual([]);
    // Leave no hold behind for the expiry job of the next test to find.
    for (const i of [2, 3]) await appointmentAction(app, patients[i]!, holds[i]!.id, 'cancel');
  });

  it('cancels before the cut-off, returns the place and refunds; refuses after it', async () => {
    const session = await openSession(1500);
    const [patient, late] = await createPatients(app.database.db, 2);
    const booked = await book(app, patient!, session.slotIds[0]!);
    await appointmentAction(app, patient!, booked.body.id, 'pay');
    const cancelled = await app.request('POST', `/api/v1/appointments/${booked.body.id}/cancel`, {
      token: await tokenFor(app, patient!.userId),
      body: { reason: '临时有事' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledBy: 'patient', cancelReason: '临时有事' });
    const payment = await app.database.db.selectFrom('payment').selectAll().where('appointment_id', '=', booked.body.id).executeTakeFirstOrThrow();
    expect(payment).toMatchObject({ status: 'refunded', refund_amount_fen: 1500 });
    expect(payment.refund_txn_id).toMatch(/^SIMREF/);
    const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', session.slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(5);
    // Cancelling again answers with the cancelled appointment.
    expect((await appointmentAction(app, patient!, booked.body.id, 'cancel')).body.status).toBe('cancelled');

    const other = await book(app, late!, session.slotIds[0]!);
    await appointmentAction(app, late!, other.body.id, 'pay');
    const start = shanghaiToInstant(session.date, '08:00').getTime();
    app.clock.set(new Date(start - defaultRules.cancelCutoffMinutes * 60_000 + 1000));
    try {
      const tooLate = await appointmentAction(app, late!, other.body.id, 'cancel');
      expect([tooLate.status, tooLate.body.error.code]).toEqual([409, 'CANCEL_CUTOFF_PASSED']);
    } finally {
      app.clock.set(new Date());
    }
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('expires an unpaid hold: lazily on pay and on reads, and by the job', async () => {
    const session = await openSession(800);
    const [a, b, c] = await createPatients(app.database.db, 3);
    const ba = await book(app, a!, session.slotIds[0]!);
    const bb = await book(app, b!, session.slotIds[0]!);
    const bc = await book(app, c!, session.slotIds[0]!);
    app.clock.set(new Date(new Date(ba.body.holdExpiresAt).getTime() + 1000));
    try {
      const late = await appointmentAction(app, a!, ba.body.id, 'pay');
      expect([late.status, late.body.error.code]).toEqual([409, 'HOLD_EXPIRED']);
      const list = await app.request('GET', '/api/v1/appointments?scope=cancelled', { token: await tokenFor(app, b!.userId) });
      expect(list.body.items.map((i: { id: number; status: string }) => [i.id, i.status])).toEqual([[bb.body.id, 'expired']]);
      const summary = await expireHolds(app.deps);
      expect(summary).toEqual({ due: 1, expired: 1 });
      const status = await app.database.db.selectFrom('appointment').select('status').where('id', '=', bc.body.id).executeTakeFirstOrThrow();
      expect(status.status).toBe('expired');
    } finally {
      app.clock.set(new Date());
    }
    const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', session.slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(5);
    const audits = await app.database.db.selectFrom('audit_log').select('target_id').where('action', '=', 'appointment.expire').execute();
    expect(audits.map((x) => x.target_id)).toEqual(expect.arrayContaining([ba.body.orderNo, bb.body.orderNo, bc.body.orderNo]));
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('lists upcoming, past and cancelled appointments, owner only', async () => {
    const db = app.database.db;
    const [patient, other] = await createPatients(db, 2);
    const session = await openSession(0);
    const upcoming = await book(app, patient!, session.slotIds[0]!);
    const gone = await createSession(db, hospital, {
      date: shanghaiDay(app.clock.now(), 5),
      period: 'evening',
      slots: [{ start: '18:00', capacity: 2 }],
    });
    const toCancel = await book(app, patient!, gone.slotIds[0]!);
    await appointmentAction(app, patient!, toCancel.body.id, 'cancel');
    const list = async (scope: string) => {
      const res = await app.request('GET', `/api/v1/appointments?scope=${scope}`, { token: await tokenFor(app, patient!.userId) });
      return res.body.items.map((i: { id: number }) => i.id);
    };
    expect(await list('upcoming')).toEqual([upcoming.body.id]);
    expect(await list('cancelled')).toEqual([toCancel.body.id]);
    app.clock.set(new Date(shanghaiToInstant(shanghaiDay(new Date(), 4), '12:00').getTime()));
    try {
      expect(await list('past')).toEqual([upcoming.body.id]);
      expect(await list('upcoming')).toEqual([]);
    } finally {
      app.clock.set(new Date());
    }
    const foreign = await app.request('GET', `/api/v1/appointments/${upcoming.body.id}`, { token: await tokenFor(app, other!.userId) });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'APPOINTMENT_NOT_FOUND']);
    const foreignCancel = await appointmentAction(app, other!, upcoming.body.id, 'cancel');
    expect(foreignCancel.status).toBe(404);
    const badScope = await app.request('GET', '/api/v1/appointments?scope=all', { token: await tokenFor(app, patient!.userId) });
    expect([badScope.status, badScope.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('suspension (停诊)', () => {
  it('cancels every pending and booked appointment, refunds, notifies, and closes the session', async () => {
    const db = app.database.db;
    const own = await createDoctor(db);
    const session = await openSession(2000, 5, own);
    const patients = await createPatients(db, 4);
    const ids = [];
    for (const [i, p] of patients.entries()) {
      const res = await book(app, p, session.slotIds[i % 2]!);
      ids.push(res.body.id);
      if (i < 2) await appointmentAction(app, p, res.body.id, 'pay');
    }
    const otherDoctor = await createDoctor(db);
    const forbidden = await app.request('POST', `/api/v1/doctor/sessions/${session.sessionId}/suspend`, {
      token: await tokenFor(app, otherDoctor.doctorUserId, 'doctor'),
      body: { reason: '外出会诊' },
    });
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);

    const res = await app.request('POST', `/api/v1/doctor/sessions/${session.sessionId}/suspend`, {
      token: await tokenFor(app, own.doctorUserId, 'doctor'),
      body: { reason: '外出会诊' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessionId: session.sessionId, status: 'suspended', cancelledAppointments: 4, refundedAppointments: 2, notifiedPatients: 4 });
    const rows = await db.selectFrom('appointment').select(['status', 'cancelled_by', 'cancel_reason']).where('id', 'in', ids).execute();
    expect(rows.every((r) => r.status === 'cancelled' && r.cancelled_by === 'doctor' && r.cancel_reason === '外出会诊')).toBe(true);
    const refunded = await db.selectFrom('payment').select(['status', 'refund_amount_fen', 'refund_txn_id']).where('appointment_id', 'in', ids).execute();
    expect(refunded.map((p) => p.status)).toEqual(['refunded', 'refunded']);
    // Paid back by the provider, not only marked refunded: its refund ids are stored.
    for (const p of refunded) {
      expect(p.refund_amount_fen).toBe(2000);
      expect(p.refund_txn_id).toMatch(/^SIMREF/);
    }
    const outbox = await db.selectFrom('notification').select(['channel', 'user_id', 'status']).where('template', '=', 'session_suspended').where('user_id', 'in', patients.map((p) => p.userId)).execute();
    expect(outbox).toHaveLength(8);
    expect(outbox.every((n) => n.status === 'pending')).toBe(true);

    const again = await app.request('POST', `/api/v1/admin/sessions/${session.sessionId}/suspend`, {
      token: await tokenFor(app, 1, 'admin'),
      body: { reason: '重复' },
    });
    expect([again.status, again.body.error.code]).toEqual([409, 'SESSION_ALREADY_SUSPENDED']);
    const [late] = await createPatients(db, 1);
    const refused = await book(app, late!, session.slotIds[0]!);
    expect(refused.body.error.code).toBe('SESSION_SUSPENDED');
    expect(await capacityViolations(db)).toEqual([]);
  });
});

describe('suspension of a session that has started', () => {
  it('is refused SESSION_STARTED from its first slot\'s start (Shanghai time) on, and for a past session, touching nothing', async () => {
    const db = app.database.db;
    const own = await createDoctor(db);
    const date = shanghaiDay(app.clock.now(), 2);
    const session = await createSession(db, own, { date, feeFen: 0, slots: [{ start: '08:00', capacity: 5 }, { start: '08:30', capacity: 5 }] });
    const yesterday = await createSession(db, own, {
      date: shanghaiDay(app.clock.now(), -1),
      releaseAt: new Date(Date.now() - 10 * 86_400_000),
      slots: [{ start: '14:00', capacity: 2 }],
      period: 'afternoon',
    });
    const [patient] = await createPatients(db, 1);
    const booked = await book(app, patient!, session.slotIds[1]!);
    expect(booked.status).toBe(201);
    const suspend = async (sessionId: number) =>
      app.request('POST', `/api/v1/doctor/sessions/${sessionId}/suspend`, { token: await tokenFor(app, own.doctorUserId, 'doctor'), body: { reason: '临时停诊' } });
    const start = shanghaiToInstant(date, '08:00');
    try {
      app.clock.freeze(start);
      const started = await suspend(session.sessionId);
      expect([started.status, started.body.error?.code]).toEqual([409, 'SESSION_STARTED']);
      app.clock.freeze(new Date(start.getTime() + 3 * 3_600_000));
      expect((await suspend(session.sessionId)).body.error?.code).toBe('SESSION_STARTED');
      const row = await db.selectFrom('clinic_session').select('status').where('id', '=', session.sessionId).executeTakeFirstOrThrow();
      expect(row.status).toBe('open');
      const appointment = await db.selectFrom('appointment').select('status').where('id', '=', booked.body.id).executeTakeFirstOrThrow();
      expect(appointment.status).toBe('booked');
      app.clock.set(new Date());
      expect((await suspend(yesterday.sessionId)).body.error?.code).toBe('SESSION_STARTED');
      // A second before the first slot starts it may still be suspended.
      app.clock.freeze(new Date(start.getTime() - 1000));
      const inTime = await suspend(session.sessionId);
      expect([inTime.status, inTime.body.cancelledAppointments]).toEqual([200, 1]);
    } finally {
      app.clock.set(new Date());
    }
    expect(await capacityViolations(db)).toEqual([]);
  });
});

describe('admin booking rules', () => {
  it('reads defaults, sets global rules and a department override that wins column by column, audited', async () => {
    const admin = await tokenFor(app, 1, 'admin');
    const initial = await app.request('GET', '/api/v1/admin/booking-rules', { token: admin });
    expect(initial.status).toBe(200);
    expect(initial.body.defaults).toEqual({ ...defaultRules });
    expect(initial.body.global.effective).toEqual({ ...defaultRules });

    const none = Object.fromEntries(Object.keys(defaultRules).map((k) => [k, null]));
    const global = await app.request('PUT', '/api/v1/admin/booking-rules', {
      token: admin,
      body: { ...none, releaseTime: '08:00', paymentHoldMinutes: 10 },
    });
    expect(global.status).toBe(200);
    expect(global.body.effective).toMatchObject({ releaseTime: '08:00:00', paymentHoldMinutes: 10, daysAhead: 7 });

    const parent = await createDoctor(app.database.db);
    const child = await createDoctor(app.database.db, { parentId: parent.departmentId });
    await app.request('PUT', `/api/v1/admin/booking-rules/departments/${parent.departmentId}`, {
      token: admin,
      body: { ...none, cancelCutoffMinutes: 60, daysAhead: 14 },
    });
    const own = await app.request('PUT', `/api/v1/admin/booking-rules/departments/${child.departmentId}`, {
      token: admin,
      body: { ...none, daysAhead: 3 },
    });
    expect(own.body.overrides).toMatchObject({ daysAhead: 3, cancelCutoffMinutes: null });
    expect(own.body.effective).toMatchObject({ daysAhead: 3, cancelCutoffMinutes: 60, releaseTime: '08:00:00', paymentHoldMinutes: 10 });
    expect(releaseAt('2026-03-10', own.body.effective).toISOString()).toBe('2026-03-07T00:00:00.000Z');

    const bad = await app.request('PUT', '/api/v1/admin/booking-rules', { token: admin, body: { ...none, releaseTime: '25:00' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const partial = await app.request('PUT', '/api/v1/admin/booking-rules', { token: admin, body: { daysAhead: 3 } });
    expect(partial.status).toBe(400);
    const patient = await tokenFor(app, 2, 'patient');
    expect((await app.request('GET', '/api/v1/admin/booking-rules', { token: patient })).status).toBe(403);
    const missing = await app.request('GET', '/api/v1/admin/booking-rules/departments/999999', { token: admin });
    expect(missing.status).toBe(404);

    // Patients read the rules in force, without logging in, to see release and cancellation terms.
    const publicRules = await app.request('GET', `/api/v1/booking-rules?departmentId=${child.departmentId}`);
    expect(publicRules.status).toBe(200);
    expect(publicRules.body).toEqual(own.body.effective);
    expect((await app.request('GET', '/api/v1/booking-rules')).body).toEqual(global.body.effective);
    expect((await app.request('GET', '/api/v1/booking-rules?departmentId=999999')).body.error.code).toBe('DEPARTMENT_NOT_FOUND');

    const removed = await app.request('DELETE', `/api/v1/admin/booking-rules/departments/${child.departmentId}`, { token: admin });
    expect(removed.body.effective).toMatchObject({ daysAhead: 14, cancelCutoffMinutes: 60 });
    const audits = await app.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'booking_rule.%').orderBy('id').execute();
    expect(audits.map((a) => a.action)).toEqual(['booking_rule.update', 'booking_rule.update', 'booking_rule.update', 'booking_rule.delete']);
  });
});
