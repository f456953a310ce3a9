/**
 * 候补 under concurrency, on both database drivers (mysql2 and PlanetScale through the shim),
 * through the real HTTP app: returned places reach the waitlist's head in the transaction that
 * returns them, in FIFO order, one offer per patient, never visible to the public.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireOverdueHolds } from '../../functions/src/booking/expire.js';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay } from '../support/scenario.js';
import { entries, fill, join, myEntries } from './helpers.js';

/**
 * Thirty cancellations of one slot queue on its row lock; on a loaded 2-core machine the last
 * may wait longer than the lock-wait limit and be answered 503 DATABASE_BUSY with Retry-After,
 * which a client answers by trying again — as here (the cancellations still run at once).
 */
async function untilNotBusy<T extends { status: number; body: any }>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const answer = await request();
    if (answer.status !== 503 || answer.body?.error?.code !== 'DATABASE_BUSY' || attempt === 5) return answer;
  }
}

describe.each(drivers)('waitlist under concurrency on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
  });
  afterAll(() => app.close());

  it('100 waiting, 30 cancelled at once: each place goes to exactly one waiting patient, in FIFO order, and never to the public', async () => {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const { sessionId, slotIds } = await createSession(db, doctor, {
      date: shanghaiDay(app.clock.now(), 4),
      feeFen: 1500,
      slots: [{ start: '09:00', capacity: 30 }],
    });
    const slotId = slotIds[0]!;
    const holders = await createPatients(db, 30);
    const booked = await fill(app, holders, slotId);
    const waiting = await createPatients(db, 100);
    for (const p of waiting) {
      const joined = await join(app, p, sessionId);
      expect(joined.body).toMatchObject({ status: 'waiting' });
    }
    const publicBookers = await createPatients(db, 5);

    let storming = true;
    const publicAnswers: Array<{ status: number; code: string | undefined }> = [];
    const publicLoop = (async () => {
      while (storming) {
        const answers = await Promise.all(publicBookers.map((p) => book(app, p, slotId)));
        for (const a of answers) publicAnswers.push({ status: a.status, code: a.body?.error?.code });
      }
    })();
    const cancels = await Promise.all(holders.map((p, i) => untilNotBusy(() => appointmentAction(app, p, booked[i]!, 'cancel'))));
    storming = false;
    await publicLoop;

    expect(cancels.map((c) => c.status)).toEqual(Array(30).fill(200));
    // Nobody from the public got a place: every answer is SLOT_FULL (or, on this shared
    // machine, 503 DATABASE_BUSY when the slot's queue outlasted the lock wait — never a 201).
    expect(publicAnswers.filter((a) => a.code === 'SLOT_FULL').length).toBeGreaterThan(0);
    expect(publicAnswers.filter((a) => a.code !== 'SLOT_FULL' && a.code !== 'DATABASE_BUSY')).toEqual([]);

    // The first 30 in line were offered one place each; the other 70 still wait, in order.
    const rows = await entries(app, sessionId);
    const byProfile = new Map(rows.map((r) => [r.profile_id, r]));
    const inLine = waiting.map((p) => byProfile.get(p.profileId)!);
    expect(inLine.slice(0, 30).map((r) => r.status)).toEqual(Array(30).fill('fulfilled'));
    expect(inLine.slice(30).map((r) => r.status)).toEqual(Array(70).fill('waiting'));
    const offered = await db
      .selectFrom('appointment')
      .select(['id', 'profile_id', 'status', 'hold_expires_at', 'queue_number'])
      .where('slot_id', '=', slotId)
      .where('holds_place', '=', 1)
      .execute();
    expect(offered).toHaveLength(30);
    expect(new Set(offered.map((a) => a.profile_id))).toEqual(new Set(waiting.slice(0, 30).map((p) => p.profileId)));
    expect(offered.every((a) => a.status === 'pending_payment' && a.hold_expires_at !== null)).toBe(true);
    expect(new Set(inLine.slice(0, 30).map((r) => r.appointment_id))).toEqual(new Set(offered.map((a) => a.id)));
    expect(offered.map((a) => a.queue_number).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Nobody holds two: one appointment per offered profile in the whole database.
    const perProfile = await db
      .selectFrom('appointment')
      .select(['profile_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('profile_id', 'in', waiting.map((p) => p.profileId))
      .groupBy('profile_id')
      .execute();
    expect(perProfile.map((r) => Number(r.n))).toEqual(Array(30).fill(1));
    const slot = await db.selectFrom('slot').select('remaining').where('id', '=', slotId).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(0);
    expect(await capacityViolations(db)).toEqual([]);
    // One offer message (inbox + outbound) per offer, written with it.
    const messages = await db
      .selectFrom('notification')
      .select(['appointment_id'])
      .where('template', '=', 'waitlist_offer')
      .where('channel', '=', 'in_app')
      .where('appointment_id', 'in', offered.map((a) => a.id))
      .execute();
    expect(messages).toHaveLength(30);
    // The 31st in line is now first.
    const next = await myEntries(app, waiting[30]!, 'active');
    expect(next.body.items[0]).toMatchObject({ status: 'waiting', position: 1 });
  });

  it('an offer that is not paid in time expires and goes to the next in line, through the expiry job', async () => {
    const db = app.database.db;
    const doctor = await createDoctor(db);
    const { sessionId, slotIds } = await createSession(db, doctor, {
      date: shanghaiDay(app.clock.now(), 4),
      period: 'afternoon',
      feeFen: 1500,
      slots: [{ start: '14:00', capacity: 1 }],
    });
    const [holder, first, second] = await createPatients(db, 3);
    const [bookedId] = await fill(app, [holder!], slotIds[0]!);
    expect((await join(app, first!, sessionId)).status).toBe(201);
    expect((await join(app, second!, sessionId)).status).toBe(201);
    expect((await appointmentAction(app, holder!, bookedId!, 'cancel')).status).toBe(200);

    const [e1, e2] = await entries(app, sessionId);
    expect(e1).toMatchObject({ status: 'fulfilled' });
    expect(e2).toMatchObject({ status: 'waiting' });
    const offer = await db.selectFrom('appointment').select(['hold_expires_at']).where('id', '=', e1!.appointment_id!).executeTakeFirstOrThrow();
    expect(offer.hold_expires_at!.getTime() - app.clock.now().getTime()).toBeGreaterThan((defaultRules.waitlistOfferHoldMinutes - 1) * 60_000);

    app.clock.set(new Date(offer.hold_expires_at!.getTime() + 1000));
    try {
      // The expiry job's path (jobs/expire-holds.ts), for this patient's holds only.
      expect(await expireOverdueHolds(app.deps.db, app.clock.now(), { accountId: first!.userId })).toEqual({ due: 1, expired: 1 });
    } finally {
      app.clock.set(new Date());
    }
    const after = await entries(app, sessionId);
    expect(after[1]).toMatchObject({ status: 'fulfilled' });
    const cascaded = await db.selectFrom('appointment').select(['status', 'profile_id']).where('id', '=', after[1]!.appointment_id!).executeTakeFirstOrThrow();
    expect(cascaded).toEqual({ status: 'pending_payment', profile_id: second!.profileId });
    const expired = await db.selectFrom('appointment').select('status').where('id', '=', e1!.appointment_id!).executeTakeFirstOrThrow();
    expect(expired.status).toBe('expired');
    const slot = await db.selectFrom('slot').select('remaining').where('id', '=', slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(0);
    expect(await capacityViolations(db)).toEqual([]);
    // The second patient pays the offer and keeps the queue number.
    const paid = await appointmentAction(app, second!, after[1]!.appointment_id!, 'pay');
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'booked', queueNumber: 1 });
  });
});
