/**
 * 候补 racing the paths it shares rows with, on both database drivers, through the real HTTP
 * app, many rounds of independent pairs at once. Each round ends with exact outcomes: who holds
 * which place, which entry waits, and `remaining + active = capacity` with no profile twice in
 * a session (capacityViolations).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireOverdueHolds } from '../../functions/src/booking/expire.js';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';
import { staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, tokenFor, type Patient } from '../support/scenario.js';
import { entries, fill, join } from './helpers.js';

const ROUNDS = 6;
const PAIRS = 8;

/** A client's answer to 503 DATABASE_BUSY (a lock queue on this loaded machine): try again. */
async function untilNotBusy<T extends { status: number; body: any }>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = await request();
    if (answer.status !== 503 || answer.body?.error?.code !== 'DATABASE_BUSY' || attempt === 5) return answer;
  }
}

const jitter = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * ms));

describe.each(drivers)('waitlist races on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
  });
  afterAll(() => app.close());

  /** A session `days` ahead of a new doctor (own department), one slot of one place, held by a new patient. */
  async function fullSlot(days: number, start = '09:00') {
    const db = app.database.db;
    const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), days), feeFen: 1500, slots: [{ start, capacity: 1 }] });
    const [holder] = await createPatients(db, 1);
    const [appointmentId] = await fill(app, [holder!], session.slotIds[0]!);
    return { ...session, slotId: session.slotIds[0]!, holder: holder!, appointmentId: appointmentId! };
  }

  async function remaining(slotId: number): Promise<number> {
    return (await app.database.db.selectFrom('slot').select('remaining').where('id', '=', slotId).executeTakeFirstOrThrow()).remaining;
  }

  it('a join racing the cancellation of the last place: never a waiting entry beside a free place', async () => {
    const outcomes = { joinedFirst: 0, cancelledFirst: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const pairs = await Promise.all(
        Array.from({ length: PAIRS }, async () => ({ slot: await fullSlot(4), joiner: (await createPatients(app.database.db, 1))[0]! })),
      );
      const answers = await Promise.all(
        pairs.map(({ slot, joiner }) =>
          Promise.all([
            untilNotBusy(() => join(app, joiner, slot.sessionId)),
            untilNotBusy(() => appointmentAction(app, slot.holder, slot.appointmentId, 'cancel')),
          ]),
        ),
      );
      for (const [i, { slot, joiner }] of pairs.entries()) {
        const [joined, cancelled] = answers[i]!;
        expect({ status: cancelled.status, code: cancelled.body.error?.code }).toEqual({ status: 200, code: undefined });
        const rows = await entries(app, slot.sessionId);
        if (joined.status === 201) {
          // Joined before the place came back: the cancellation offered it to the joiner.
          outcomes.joinedFirst++;
          expect(rows).toEqual([{ id: joined.body.id, profile_id: joiner.profileId, status: 'fulfilled', appointment_id: expect.any(Number) }]);
          const offer = await app.database.db.selectFrom('appointment').select(['profile_id', 'status', 'slot_id']).where('id', '=', rows[0]!.appointment_id!).executeTakeFirstOrThrow();
          expect(offer).toEqual({ profile_id: joiner.profileId, status: 'pending_payment', slot_id: slot.slotId });
          expect(await remaining(slot.slotId)).toBe(0);
        } else {
          // The place came back first: it is public, and the join is told to book it.
          outcomes.cancelledFirst++;
          expect({ status: joined.status, code: joined.body.error?.code }).toEqual({ status: 409, code: 'WAITLIST_NOT_FULL' });
          expect(rows).toEqual([]);
          expect(await remaining(slot.slotId)).toBe(1);
        }
      }
    }
    expect(outcomes.joinedFirst + outcomes.cancelledFirst).toBe(ROUNDS * PAIRS);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('an offer racing a booking of the same profile on the same day: the daily limit holds, the place goes to the next in line', async () => {
    const db = app.database.db;
    const limit = defaultRules.maxPerProfilePerDay;
    const outcomes = { offered: 0, bookedDirectly: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const days = 3 + (round % 3);
      const pairs = await Promise.all(
        Array.from({ length: PAIRS }, async () => {
          const full = await fullSlot(days);
          // Another doctor's session the same day, with a free place.
          const open = await createSession(db, await createDoctor(db), { date: full.date, period: 'afternoon', feeFen: 1500, slots: [{ start: '14:00', capacity: 1 }] });
          const [patient, next] = (await createPatients(db, 2)) as [Patient, Patient];
          // The patient is one booking short of the daily limit (each in its own department).
          for (let n = 0; n < limit - 1; n++) {
            const other = await createSession(db, await createDoctor(db), { date: full.date, period: 'evening', feeFen: 0, slots: [{ start: '18:00', capacity: 1 }] });
            expect((await book(app, patient, other.slotIds[0]!)).status).toBe(201);
          }
          const first = await join(app, patient, full.sessionId);
          const second = await join(app, next, full.sessionId);
          expect([first.status, second.status]).toEqual([201, 201]);
          return { full, openSlotId: open.slotIds[0]!, patient, next, entryIds: [first.body.id as number, second.body.id as number] };
        }),
      );
      const answers = await Promise.all(
        pairs.map(({ full, openSlotId, patient }) =>
          Promise.all([
            untilNotBusy(() => appointmentAction(app, full.holder, full.appointmentId, 'cancel')),
            untilNotBusy(() => book(app, patient, openSlotId)),
          ]),
        ),
      );
      for (const [i, { full, openSlotId, patient, next, entryIds }] of pairs.entries()) {
        const [cancelled, booked] = answers[i]!;
        expect({ status: cancelled.status, code: cancelled.body.error?.code }).toEqual({ status: 200, code: undefined });
        const held = await db
          .selectFrom('appointment')
          .select(['slot_id'])
          .where('profile_id', '=', patient.profileId)
          .where('session_date', '=', full.date)
          .where('holds_place', '=', 1)
          .execute();
        expect(held).toHaveLength(limit);
        const rows = await entries(app, full.sessionId);
        const offeredTo = rows.find((r) => r.status === 'fulfilled');
        if (booked.status === 201) {
          // The booking won: the patient is at the limit, keeps waiting, and the place went to the next in line.
          outcomes.bookedDirectly++;
          expect(rows.map((r) => [r.id, r.status])).toEqual([[entryIds[0], 'waiting'], [entryIds[1], 'fulfilled']]);
          expect(held.map((h) => h.slot_id)).toContain(openSlotId);
          expect(held.map((h) => h.slot_id)).not.toContain(full.slotId);
          const offer = await db.selectFrom('appointment').select(['profile_id']).where('id', '=', offeredTo!.appointment_id!).executeTakeFirstOrThrow();
          expect(offer.profile_id).toBe(next.profileId);
          expect(await remaining(openSlotId)).toBe(0);
        } else {
          // The offer won: the direct booking is refused at the limit and its place stays public.
          outcomes.offered++;
          expect({ status: booked.status, code: booked.body.error?.code }).toEqual({ status: 409, code: 'DAILY_LIMIT_REACHED' });
          expect(rows.map((r) => [r.id, r.status])).toEqual([[entryIds[0], 'fulfilled'], [entryIds[1], 'waiting']]);
          expect(held.map((h) => h.slot_id)).toContain(full.slotId);
          expect(await remaining(openSlotId)).toBe(1);
        }
        expect(await remaining(full.slotId)).toBe(0);
      }
    }
    expect(outcomes.offered + outcomes.bookedDirectly).toBe(ROUNDS * PAIRS);
    expect(await capacityViolations(db)).toEqual([]);
  });
  it('an unpaid offer expiring by the job, the patient\'s own reads and payment at once, beside public bookers: the place goes to the next in line, once', async () => {
    const db = app.database.db;
    for (let round = 0; round < ROUNDS; round++) {
      const pairs = await Promise.all(
        Array.from({ length: PAIRS }, async () => {
          const full = await fullSlot(4);
          const [first, second, outsider] = (await createPatients(db, 3)) as [Patient, Patient, Patient];
          expect((await join(app, first, full.sessionId)).status).toBe(201);
          expect((await join(app, second, full.sessionId)).status).toBe(201);
          const cancelled = await appointmentAction(app, full.holder, full.appointmentId, "cancel");
          expect({ status: cancelled.status, body: cancelled.body.error }).toEqual({ status: 200, body: undefined });
          const [offered] = await entries(app, full.sessionId);
          expect(offered).toMatchObject({ profile_id: first.profileId, status: 'fulfilled' });
          return { full, first, second, outsider, offerId: offered!.appointment_id! };
        }),
      );
      const holds = await db.selectFrom('appointment').select('hold_expires_at').where('id', 'in', pairs.map((p) => p.offerId)).execute();
      app.clock.set(new Date(Math.max(...holds.map((h) => h.hold_expires_at!.getTime())) + 1000));
      try {
        const answers = await Promise.all(
          pairs.map(async ({ full, first, outsider, offerId }) => {
            const token = await tokenFor(app, first.userId);
            const [job, reads, paid, publicBooking] = await Promise.all([
              expireOverdueHolds(app.deps.db, app.clock.now(), { accountId: first.userId }),
              untilNotBusy(() => app.request('GET', '/api/v1/appointments', { token })),
              untilNotBusy(() => appointmentAction(app, first, offerId, 'pay')),
              untilNotBusy(() => book(app, outsider, full.slotId)),
            ]);
            return { job, reads, paid, publicBooking };
          }),
        );
        for (const [i, { full, first, second, outsider, offerId }] of pairs.entries()) {
          const { reads, paid, publicBooking } = answers[i]!;
          expect(reads.status).toBe(200);
          expect({ status: paid.status, code: paid.body.error?.code }).toEqual({ status: 409, code: 'HOLD_EXPIRED' });
          expect({ status: publicBooking.status, code: publicBooking.body.error?.code }).toEqual({ status: 409, code: 'SLOT_FULL' });
          const expired = await db.selectFrom('appointment').select(['status', 'profile_id']).where('id', '=', offerId).executeTakeFirstOrThrow();
          expect(expired).toEqual({ status: 'expired', profile_id: first.profileId });
          const rows = await entries(app, full.sessionId);
          expect(rows.map((r) => [r.profile_id, r.status])).toEqual([[first.profileId, 'fulfilled'], [second.profileId, 'fulfilled']]);
          const next = await db.selectFrom('appointment').select(['status', 'profile_id', 'slot_id']).where('id', '=', rows[1]!.appointment_id!).executeTakeFirstOrThrow();
          expect(next).toEqual({ status: 'pending_payment', profile_id: second.profileId, slot_id: full.slotId });
          const outsiders = await db.selectFrom('appointment').select('id').where('profile_id', '=', outsider.profileId).execute();
          expect(outsiders).toEqual([]);
          expect(await remaining(full.slotId)).toBe(0);
          // One "hold expired" message for the one expiry, whoever made it.
          const expiredMessages = await db
            .selectFrom('notification')
            .select('id')
            .where('template', '=', 'hold_expired')
            .where('channel', '=', 'in_app')
            .where('appointment_id', '=', offerId)
            .execute();
          expect(expiredMessages).toHaveLength(1);
        }
      } finally {
        app.clock.set(new Date());
      }
    }
    expect(await capacityViolations(db)).toEqual([]);
  });
  it('capacity raised while the holder cancels, a second patient joins and an outsider books: the waitlist is served first, no place left beside a waiting entry', async () => {
    const db = app.database.db;
    const admin = await staffSession(app, 'admin');
    const tally = { secondOffered: 0, secondWaiting: 0, secondRefused: 0, outsiderBooked: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const spread = round % 2 === 0 ? 0 : 300;
      const pairs = await Promise.all(
        Array.from({ length: PAIRS }, async () => {
          // One place, a range of two numbers: capacity may go up to 2.
          const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), 4), feeFen: 1500, slots: [{ start: '09:00', capacity: 1, seqCount: 2 }] });
          const slotId = session.slotIds[0]!;
          const [holder, first, second, outsider] = (await createPatients(db, 4)) as [Patient, Patient, Patient, Patient];
          const [appointmentId] = await fill(app, [holder], slotId);
          expect((await join(app, first, session.sessionId)).status).toBe(201);
          return { session, slotId, holder, appointmentId: appointmentId!, first, second, outsider };
        }),
      );
      const answers = await Promise.all(
        pairs.map(({ slotId, holder, appointmentId, second, outsider, session }) =>
          Promise.all([
            untilNotBusy(() => app.request('PUT', `/api/v1/admin/slots/${slotId}/capacity`, { token: admin.accessToken, body: { capacity: 2 } })),
            untilNotBusy(() => appointmentAction(app, holder, appointmentId, 'cancel')),
            // Every other round jittered, so that each lands before, between and after the two places appear.
            jitter(spread).then(() => untilNotBusy(() => join(app, second, session.sessionId))),
            jitter(spread).then(() => untilNotBusy(() => book(app, outsider, slotId))),
          ]),
        ),
      );
      for (const [i, { session, slotId, first, second, outsider }] of pairs.entries()) {
        const [raised, cancelled, joined, booked] = answers[i]!;
        expect([raised.status, cancelled.status]).toEqual([200, 200]);
        const rows = await entries(app, session.sessionId);
        const entryOf = (p: Patient) => rows.find((r) => r.profile_id === p.profileId);
        // First in line before either place appeared: the first place is theirs.
        expect(entryOf(first)?.status).toBe('fulfilled');
        const left = await remaining(slotId);
        const secondEntry = entryOf(second);
        if (joined.status === 201) {
          expect(secondEntry?.status).toMatch(/^(fulfilled|waiting)$/);
          if (secondEntry!.status === 'waiting') {
            tally.secondWaiting++;
            expect(left).toBe(0); // never waiting beside a place it would take
          } else tally.secondOffered++;
        } else {
          tally.secondRefused++;
          expect({ status: joined.status, code: joined.body.error?.code }).toEqual({ status: 409, code: 'WAITLIST_NOT_FULL' });
          expect(secondEntry).toBeUndefined();
        }
        if (booked.status === 201) tally.outsiderBooked++;
        else expect({ status: booked.status, code: booked.body.error?.code }).toEqual({ status: 409, code: 'SLOT_FULL' });
        // Who holds the two places: exactly the first in line, the second if offered, the outsider if booked.
        const holding = await db.selectFrom('appointment').select('profile_id').where('slot_id', '=', slotId).where('holds_place', '=', 1).execute();
        const expected = [first.profileId];
        if (secondEntry?.status === 'fulfilled') expected.push(second.profileId);
        if (booked.status === 201) expected.push(outsider.profileId);
        expect(holding.map((h) => h.profile_id).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
        expect(left).toBe(2 - expected.length);
      }
    }
    expect(tally.secondOffered + tally.secondWaiting + tally.secondRefused).toBe(ROUNDS * PAIRS);
    expect(await capacityViolations(db)).toEqual([]);
  });
});
