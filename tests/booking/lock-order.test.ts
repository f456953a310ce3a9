/**
 * Lock order (DESIGN §3: profile → slot → appointment, written down at the top of book.ts):
 * a booking locks only its profile, never the whole account, and a suspension never locks
 * accounts. Each test holds one booking mid-flight — past its gate and its profile lock,
 * queued on the slot row the test holds (scenario.ts, betweenGateAndUpdate) — and checks that
 * work which needs none of its locks goes through meanwhile. Then a suspension races bookings
 * and cancellations of the same families. On both drivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import {
  addProfile,
  appointmentAction,
  betweenGateAndUpdate,
  book,
  capacityViolations,
  createDoctor,
  createPatients,
  createSession,
  shanghaiDay,
  tokenFor,
} from '../support/scenario.js';

/**
 * `work`'s answer, or 'blocked' when it has not answered within 5 s — a request that needs no
 * lock the held booking has answers in milliseconds; one queued behind it would wait for the
 * database's lock-wait timeout.
 */
async function unlessBlocked<T>(work: Promise<T>): Promise<T | 'blocked'> {
  let timer: NodeJS.Timeout | undefined;
  const blocked = new Promise<'blocked'>((resolve) => {
    timer = setTimeout(() => resolve('blocked'), 5000);
  });
  try {
    return await Promise.race([work, blocked]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each(drivers)('lock order on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
  });
  afterAll(() => app.close());

  async function session(days: number, capacity = 5, feeFen = 0) {
    const doctor = await createDoctor(app.database.db);
    return createSession(app.database.db, doctor, {
      date: shanghaiDay(app.clock.now(), days),
      feeFen,
      slots: [{ start: '08:00', capacity }, { start: '08:30', capacity }],
    });
  }

  it('two profiles of one account book at once: one booking mid-flight does not hold up the other', async () => {
    const first = await session(2);
    const second = await session(2);
    const [parent] = await createPatients(app.database.db, 1);
    const child = await addProfile(app.database.db, parent!.userId);
    let childAnswer = 'blocked' as { status: number; body: any } | 'blocked';
    const parentAnswer = await betweenGateAndUpdate(app, first.slotIds[0]!, () => book(app, parent!, first.slotIds[0]!), async () => {
      childAnswer = await unlessBlocked(book(app, parent!, second.slotIds[0]!, { profileId: child }));
    });
    expect(childAnswer === 'blocked' ? 'blocked' : childAnswer.status).toBe(201);
    expect(parentAnswer.status).toBe(201);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('a suspension does not wait for an unrelated booking of a patient it cancels', async () => {
    const db = app.database.db;
    const suspended = await session(3, 5, 500);
    const elsewhere = await session(3);
    const doctor = await db.selectFrom('clinic_session').select('doctor_id').where('id', '=', suspended.sessionId).executeTakeFirstOrThrow();
    const doctorUser = await db.selectFrom('doctor').select('user_id').where('id', '=', doctor.doctor_id).executeTakeFirstOrThrow();
    const [patient] = await createPatients(db, 1);
    const child = await addProfile(db, patient!.userId);
    const victim = await book(app, patient!, suspended.slotIds[1]!);
    expect((await appointmentAction(app, patient!, victim.body.id, 'pay')).status).toBe(200);

    let suspension = 'blocked' as { status: number; body: any } | 'blocked';
    const token = await tokenFor(app, doctorUser.user_id, 'doctor');
    const held = await betweenGateAndUpdate(app, elsewhere.slotIds[0]!, () => book(app, patient!, elsewhere.slotIds[0]!, { profileId: child }), async () => {
      suspension = await unlessBlocked(app.request('POST', `/api/v1/doctor/sessions/${suspended.sessionId}/suspend`, { token, body: { reason: '临时停诊' } }));
    });
    expect(suspension === 'blocked' ? 'blocked' : [suspension.status, suspension.body.cancelledAppointments]).toEqual([200, 1]);
    expect(held.status).toBe(201);
    const payment = await db.selectFrom('payment').select(['status', 'refund_txn_id']).where('appointment_id', '=', victim.body.id).executeTakeFirstOrThrow();
    expect(payment.status).toBe('refunded');
    expect(payment.refund_txn_id).toMatch(/^SIMREF/);
    expect(await capacityViolations(db)).toEqual([]);
  });

  it('a suspension racing bookings and cancellations of the same families: no 5xx, every place returned', async () => {
    const db = app.database.db;
    const target = await session(4, 20, 300);
    const other = await session(4, 20);
    const families = await createPatients(db, 30);
    const children = await Promise.all(families.map((p) => addProfile(db, p.userId)));
    const booked = await Promise.all(families.map((p, i) => book(app, p, target.slotIds[i % 2]!)));
    expect(booked.every((b) => b.status === 201)).toBe(true);
    const doctor = await db.selectFrom('clinic_session as cs').innerJoin('doctor as d', 'd.id', 'cs.doctor_id').select('d.user_id').where('cs.id', '=', target.sessionId).executeTakeFirstOrThrow();
    const token = await tokenFor(app, doctor.user_id, 'doctor');

    const answers = await Promise.all([
      app.request('POST', `/api/v1/doctor/sessions/${target.sessionId}/suspend`, { token, body: { reason: '临时停诊' } }),
      // Each family's child books the suspended session and another one; some parents cancel.
      ...families.map((p, i) => book(app, p, target.slotIds[(i + 1) % 2]!, { profileId: children[i]! })),
      ...families.map((p, i) => book(app, p, other.slotIds[i % 2]!, { profileId: children[i]! })),
      ...families.filter((_, i) => i % 3 === 0).map((p) => appointmentAction(app, p, booked[families.indexOf(p)]!.body.id, 'cancel')),
    ]);
    expect(answers[0]!.status).toBe(200);
    const statuses = answers.map((a) => (a.status < 300 ? String(a.status) : `${a.status} ${a.body?.error?.code}`));
    // Each slot holds 20 and 15 parents already booked it: a child who comes before the
    // suspension may find the slot full (refused from the sold-out memo, which does not look at
    // the session's status) — a refusal, not an error.
    const allowed = ['200', '201', '409 SESSION_SUSPENDED', '409 SLOT_FULL', '409 NOT_CANCELLABLE'];
    expect(statuses.filter((s) => !allowed.includes(s))).toEqual([]);

    const active = await db.selectFrom('appointment').select('id').where('session_id', '=', target.sessionId).where('holds_place', '=', 1).execute();
    expect(active).toEqual([]);
    const slots = await db.selectFrom('slot').select(['remaining', 'capacity']).where('session_id', '=', target.sessionId).execute();
    for (const s of slots) expect(s.remaining).toBe(s.capacity);
    expect(await capacityViolations(db)).toEqual([]);
  });
});
