/**
 * The booking guarantees under concurrency, on both database drivers (mysql2 and the
 * PlanetScale HTTP protocol through the shim), through the real HTTP app. Every scenario ends by
 * reading the database: for each slot `remaining + active appointments = capacity` and
 * `remaining >= 0`; no profile with two active appointments in a session; no queue number held
 * twice in a session (scenario.ts, capacityViolations).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireHolds } from '../../functions/src/jobs/expire-holds.js';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import {
  appointmentAction,
  book,
  capacityViolations,
  createDoctor,
  createPatients,
  createSession,
  shanghaiDay,
  tokenFor,
  type Patient,
} from '../support/scenario.js';

/** Status and error code of every answer, counted: { '201': 50, '409 SLOT_FULL': 450 }. */
function tally(answers: Array<{ status: number; body: any }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const key = a.status < 300 ? String(a.status) : `${a.status} ${a.body?.error?.code}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe.each(drivers)('booking under concurrency on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
  });
  afterAll(() => app.close());

  async function session(capacities: number[], feeFen = 0, period: 'morning' | 'afternoon' | 'evening' = 'morning') {
    const doctor = await createDoctor(app.database.db);
    return createSession(app.database.db, doctor, {
      date: shanghaiDay(app.clock.now(), 2),
      period,
      feeFen,
      slots: capacities.map((capacity, i) => ({ start: `${String(8 + i).padStart(2, '0')}:00`, capacity })),
    });
  }

  it('500 patients on a slot of 50: exactly 50 win, 450 are told SLOT_FULL', async () => {
    const { slotIds, sessionId } = await session([50]);
    const patients = await createPatients(app.database.db, 500);
    const answers = await Promise.all(patients.map((p) => book(app, p, slotIds[0]!)));
    expect(tally(answers)).toEqual({ '201': 50, '409 SLOT_FULL': 450 });
    const numbers = answers.filter((a) => a.status === 201).map((a) => a.body.queueNumber as number);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const active = await app.database.db.selectFrom('appointment').select('id').where('session_id', '=', sessionId).execute();
    expect(active).toHaveLength(50);
    // The 450 refused bookings left nothing behind: one audit row per appointment, no more.
    const audited = await app.database.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'appointment.book')
      .where('summary', 'like', `%"slotId":${slotIds[0]},%`)
      .execute();
    expect(audited).toHaveLength(50);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('one profile booking the same session 20 times at once: exactly one wins', async () => {
    const { slotIds, sessionId } = await session([10, 10], 0, 'afternoon');
    const [patient] = await createPatients(app.database.db, 1);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => book(app, patient!, slotIds[i % 2]!)));
    expect(tally(answers)).toEqual({ '201': 1, '409 ALREADY_BOOKED': 19 });
    const rows = await app.database.db.selectFrom('appointment').select('id').where('session_id', '=', sessionId).execute();
    expect(rows).toHaveLength(1);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('one profile booking six sessions of one day at once (six departments): exactly maxPerProfilePerDay win', async () => {
    const db = app.database.db;
    const date = shanghaiDay(app.clock.now(), 5);
    const slots = [];
    for (let i = 0; i < 6; i++) {
      const doctor = await createDoctor(db);
      slots.push((await createSession(db, doctor, { date, slots: [{ start: `${String(8 + i).padStart(2, '0')}:00`, capacity: 5 }] })).slotIds[0]!);
    }
    const [patient] = await createPatients(db, 1);
    const answers = await Promise.all(slots.map((slotId) => book(app, patient!, slotId)));
    expect(tally(answers)).toEqual({ '201': defaultRules.maxPerProfilePerDay, '409 DAILY_LIMIT_REACHED': 6 - defaultRules.maxPerProfilePerDay });
    const held = await db.selectFrom('appointment').select('id').where('profile_id', '=', patient!.profileId).where('holds_place', '=', 1).execute();
    expect(held).toHaveLength(defaultRules.maxPerProfilePerDay);
    expect(await capacityViolations(db)).toEqual([]);
  });

  it('the same Idempotency-Key 10 times at once: one appointment, ten identical answers', async () => {
    const { slotIds, sessionId } = await session([5], 1200, 'evening');
    const [patient] = await createPatients(app.database.db, 1);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => book(app, patient!, slotIds[0]!, { key })));
    expect(tally(answers)).toEqual({ '201': 10 });
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    const rows = await app.database.db.selectFrom('appointment').select('id').where('session_id', '=', sessionId).execute();
    expect(rows).toEqual([{ id: answers[0]!.body.id }]);
    const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(4);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('a mixed storm of book / pay / cancel / expire on a few slots keeps every invariant', async () => {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const { slotIds } = await createSession(db, doctor, {
      date: shanghaiDay(app.clock.now(), 3),
      feeFen: 500,
      slots: [{ start: '08:00', capacity: 8 }, { start: '08:30', capacity: 8 }, { start: '09:00', capacity: 8 }],
    });
    const patients = await createPatients(db, 90);
    let stop = false;
    // The expiry job runs throughout, against holds the storm ages by hand.
    const expiry = (async () => {
      let runs = 0;
      while (!stop || runs === 0) {
        const pending = await db.selectFrom('appointment').select('id').where('status', '=', 'pending_payment').execute();
        const aged = pending.filter((_, i) => i % 3 === 0).map((r) => r.id);
        if (aged.length > 0) {
          await db
            .updateTable('appointment')
            .set({ hold_expires_at: new Date(app.clock.now().getTime() - 1000) })
            .where('id', 'in', aged)
            .where('status', '=', 'pending_payment')
            .execute();
        }
        await expireHolds(app.deps);
        runs++;
        await new Promise((r) => setTimeout(r, 10));
      }
      return runs;
    })();
    const storm = async (p: Patient, i: number) => {
      const outcomes: Array<{ status: number; body: any }> = [];
      for (let round = 0; round < 2; round++) {
        const booked = await book(app, p, slotIds[(i + round) % 3]!);
        outcomes.push(booked);
        if (booked.status !== 201) continue;
        const id = booked.body.id as number;
        const choice = (i + round) % 4;
        if (choice === 0) outcomes.push(await appointmentAction(app, p, id, 'pay'));
        if (choice === 1) outcomes.push(await appointmentAction(app, p, id, 'cancel'));
        if (choice === 2) {
          outcomes.push(...(await Promise.all([appointmentAction(app, p, id, 'pay'), appointmentAction(app, p, id, 'cancel')])));
        }
      }
      return outcomes;
    };
    const outcomes = (await Promise.all(patients.map(storm))).flat();
    stop = true;
    expect(await expiry).toBeGreaterThan(0);

    const counts = tally(outcomes);
    const allowed = ['200', '201', '409 SLOT_FULL', '409 ALREADY_BOOKED', '409 HOLD_EXPIRED', '409 NOT_CANCELLABLE', '409 NOT_PAYABLE'];
    expect(Object.keys(counts).filter((k) => !allowed.includes(k))).toEqual([]);
    expect(counts['201']).toBeGreaterThan(24);
    expect(await capacityViolations(db)).toEqual([]);
    // Money follows status: a paid payment only on an appointment that holds its place.
    const payments = await db
      .selectFrom('payment as p')
      .innerJoin('appointment as a', 'a.id', 'p.appointment_id')
      .select(['p.status as payment', 'a.status as appointment'])
      .execute();
    for (const row of payments) {
      if (row.payment === 'paid') expect(row.appointment).toBe('booked');
      else expect(['cancelled', 'expired']).toContain(row.appointment);
    }
  });

  it('a suspension racing bookings and cancellations leaves no active appointment and every place returned', async () => {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const { slotIds, sessionId } = await createSession(db, doctor, {
      date: shanghaiDay(app.clock.now(), 4),
      feeFen: 300,
      slots: [{ start: '08:00', capacity: 20 }, { start: '08:30', capacity: 20 }],
    });
    const patients = await createPatients(db, 70);
    const early = patients.slice(0, 30);
    const bookedEarly = await Promise.all(early.map((p, i) => book(app, p, slotIds[i % 2]!)));
    expect(tally(bookedEarly)).toEqual({ '201': 30 });
    await Promise.all(bookedEarly.slice(0, 10).map((b, i) => appointmentAction(app, early[i]!, b.body.id, 'pay')));

    const doctorToken = await tokenFor(app, doctor.doctorUserId, 'doctor');
    const [suspension, lateBookings, cancels] = await Promise.all([
      new Promise<{ status: number; body: any }>((resolve) =>
        setTimeout(() => resolve(app.request('POST', `/api/v1/doctor/sessions/${sessionId}/suspend`, { token: doctorToken, body: { reason: '临时停诊' } })), 5),
      ),
      Promise.all(patients.slice(30).map((p, i) => book(app, p, slotIds[i % 2]!))),
      Promise.all(bookedEarly.slice(5, 20).map((b, i) => appointmentAction(app, early[5 + i]!, b.body.id, 'cancel'))),
    ]);
    expect(suspension.status).toBe(200);
    expect(Object.keys(tally(lateBookings)).filter((k) => !['201', '409 SESSION_SUSPENDED', '409 SLOT_FULL'].includes(k))).toEqual([]);
    expect(Object.keys(tally(cancels)).filter((k) => !['200'].includes(k))).toEqual([]);

    const active = await db.selectFrom('appointment').select('id').where('session_id', '=', sessionId).where('holds_place', '=', 1).execute();
    expect(active).toEqual([]);
    const slots = await db.selectFrom('slot').select(['remaining', 'capacity']).where('session_id', '=', sessionId).execute();
    for (const s of slots) expect(s.remaining).toBe(s.capacity);
    const paid = await db
      .selectFrom('payment')
      .innerJoin('appointment', 'appointment.id', 'payment.appointment_id')
      .select('payment.status')
      .where('appointment.session_id', '=', sessionId)
      .execute();
    expect(paid.map((p) => p.status)).toEqual(Array(10).fill('refunded'));
    const cancelledBySuspension = await db
      .selectFrom('appointment')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('session_id', '=', sessionId)
      .where('cancelled_by', '=', 'doctor')
      .executeTakeFirstOrThrow();
    expect(Number(cancelledBySuspension.n)).toBe(suspension.body.cancelledAppointments);
    expect(await capacityViolations(db)).toEqual([]);
  });

  it('a booking at the release instant succeeds; one a second before it is refused', async () => {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const release = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
    const { slotIds } = await createSession(db, doctor, {
      date: shanghaiDay(app.clock.now(), 7),
      releaseAt: release,
      slots: [{ start: '08:00', capacity: 1 }],
    });
    const [early, onTime] = await createPatients(db, 2);
    try {
      app.clock.freeze(new Date(release.getTime() - 1000));
      const before = await Promise.all([book(app, early!, slotIds[0]!), book(app, onTime!, slotIds[0]!)]);
      expect(tally(before)).toEqual({ '409 SLOT_NOT_RELEASED': 2 });
      app.clock.freeze(release);
      const at = await Promise.all([book(app, onTime!, slotIds[0]!), book(app, early!, slotIds[0]!)]);
      expect(tally(at)).toEqual({ '201': 1, '409 SLOT_FULL': 1 });
    } finally {
      app.clock.set(new Date());
    }
    expect(await capacityViolations(db)).toEqual([]);
  });
});
