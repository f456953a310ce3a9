/**
 * Clinic time is Asia/Shanghai whatever the server's TZ. These tests run under
 * TZ=America/New_York (scripts/test.sh), around the night New York changes to daylight saving
 * time (2030-03-10), and check the release instant, the cancellation cut-off, "today" and a
 * payment hold that runs across Shanghai midnight through the real HTTP API.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expireHolds } from '../../functions/src/jobs/expire-holds.js';
import { defaultRules, releaseAt } from '../../functions/src/rules/booking-rules.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, tokenFor } from '../support/scenario.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterEach(() => app.clock.set(new Date()));
afterAll(() => app.close());

/** Shanghai wall-clock → instant, for readable test times. */
const at = (date: string, time: string) => shanghaiToInstant(date, time);

async function sessionOn(date: string, feeFen = 0, capacity = 5) {
  const doctor = await createDoctor(app.database.db);
  return createSession(app.database.db, doctor, {
    date,
    feeFen,
    releaseAt: releaseAt(date, defaultRules),
    slots: [{ start: '08:00', capacity }],
  });
}

describe('Shanghai time under a foreign TZ', () => {
  it('runs in a time zone that is not Shanghai', () => {
    expect(new Date('2030-03-11T00:00:00Z').getTimezoneOffset()).not.toBe(-480);
  });

  it('releases at 07:30 Shanghai, daysAhead days before, across New York\'s DST change', async () => {
    expect(releaseAt('2030-03-11', defaultRules).toISOString()).toBe('2030-03-03T23:30:00.000Z');
    expect(releaseAt('2030-03-17', defaultRules).toISOString()).toBe('2030-03-09T23:30:00.000Z');
    const session = await sessionOn('2030-03-17');
    const [early, onTime] = await createPatients(app.database.db, 2);
    app.clock.freeze(at('2030-03-10', '07:29:59'));
    const tooEarly = await book(app, early!, session.slotIds[0]!);
    expect([tooEarly.status, tooEarly.body.error.code]).toEqual([409, 'SLOT_NOT_RELEASED']);
    app.clock.freeze(at('2030-03-10', '07:30:00'));
    const released = await book(app, onTime!, session.slotIds[0]!);
    expect(released.status).toBe(201);
    // The order number carries the Shanghai date of the booking, not New York's (still the 9th).
    expect(released.body.orderNo.slice(0, 8)).toBe('20300310');
  });

  it('refuses a slot that started earlier the same day (SLOT_PAST) while a later slot of the session still books', async () => {
    const doctor = await createDoctor(app.database.db);
    const session = await createSession(app.database.db, doctor, {
      date: '2030-03-15',
      releaseAt: releaseAt('2030-03-15', defaultRules),
      slots: [{ start: '08:00', capacity: 5 }, { start: '09:00', capacity: 5 }],
    });
    const [patient] = await createPatients(app.database.db, 1);
    app.clock.freeze(at('2030-03-15', '08:45'));
    const started = await book(app, patient!, session.slotIds[0]!);
    expect([started.status, started.body.error?.code]).toEqual([409, 'SLOT_PAST']);
    const later = await book(app, patient!, session.slotIds[1]!);
    expect(later.status).toBe(201);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('stops cancellations exactly cancelCutoffMinutes before the slot, in Shanghai time', async () => {
    const session = await sessionOn('2030-03-12');
    const [a, b] = await createPatients(app.database.db, 2);
    app.clock.freeze(at('2030-03-08', '09:00'));
    const first = await book(app, a!, session.slotIds[0]!);
    const second = await book(app, b!, session.slotIds[0]!);
    // 08:00 Shanghai minus 120 minutes = 06:00 Shanghai = 22:00 UTC the day before.
    app.clock.freeze(at('2030-03-12', '06:00:00'));
    expect((await appointmentAction(app, a!, first.body.id, 'cancel')).status).toBe(200);
    app.clock.freeze(at('2030-03-12', '06:00:01'));
    const late = await appointmentAction(app, b!, second.body.id, 'cancel');
    expect([late.status, late.body.error.code]).toEqual([409, 'CANCEL_CUTOFF_PASSED']);
    expect(late.body.error.details.deadline).toBe('2030-03-11T22:00:00.000Z');
  });

  it('counts "today" in Shanghai: just after Shanghai midnight a morning appointment is upcoming', async () => {
    const session = await sessionOn('2030-03-13');
    const [patient] = await createPatients(app.database.db, 1);
    app.clock.freeze(at('2030-03-09', '10:00'));
    const booked = await book(app, patient!, session.slotIds[0]!);
    const list = async (scope: string) => {
      const res = await app.request('GET', `/api/v1/appointments?scope=${scope}`, { token: await tokenFor(app, patient!.userId) });
      return res.body.items.map((i: { id: number }) => i.id);
    };
    // 00:30 on the 13th in Shanghai is still the 12th in New York (and in UTC).
    app.clock.freeze(at('2030-03-13', '00:30'));
    expect(await list('upcoming')).toEqual([booked.body.id]);
    expect(await list('past')).toEqual([]);
    // Just after midnight of the 14th in Shanghai (the 13th in New York) the 13th has gone by.
    app.clock.freeze(at('2030-03-14', '00:00:01'));
    expect(await list('upcoming')).toEqual([]);
    expect(await list('past')).toEqual([booked.body.id]);
  });

  it('expires a payment hold taken before Shanghai midnight after it, and only then', async () => {
    const session = await sessionOn('2030-03-14', 1000);
    const [payer, sleeper] = await createPatients(app.database.db, 2);
    app.clock.freeze(at('2030-03-10', '23:50'));
    const paid = await book(app, payer!, session.slotIds[0]!);
    const unpaid = await book(app, sleeper!, session.slotIds[0]!);
    expect(paid.body.holdExpiresAt).toBe(at('2030-03-11', '00:05').toISOString());
    expect(paid.body.orderNo.slice(0, 8)).toBe('20300310');

    app.clock.freeze(at('2030-03-11', '00:04:59'));
    expect(await expireHolds(app.deps)).toEqual({ due: 0, expired: 0 });
    expect((await appointmentAction(app, payer!, paid.body.id, 'pay')).body.status).toBe('booked');

    app.clock.freeze(at('2030-03-11', '00:05:00'));
    const late = await appointmentAction(app, sleeper!, unpaid.body.id, 'pay');
    expect([late.status, late.body.error.code]).toEqual([409, 'HOLD_EXPIRED']);
    const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', session.slotIds[0]!).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(4);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });
});
