/**
 * Capacity edits are a capacity-changing path too: an admin lowering or raising a slot's
 * capacity while patients book it must keep `remaining + active appointments = capacity`, never
 * drop capacity below what is booked, and never sell more places than the capacity in force.
 * On both database drivers, through the real HTTP app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, tokenFor } from '../support/scenario.js';

describe.each(drivers)('slot capacity edits racing bookings on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
  });
  afterAll(() => app.close());

  it('keep the invariant, and no edit takes capacity below the places already sold', async () => {
    const db = app.database.db;
    const hospital = await createDoctor(db);
    const session = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), 1), slots: [{ start: '09:00', capacity: 30, seqCount: 40 }] });
    const slotId = session.slotIds[0]!;
    const patients = await createPatients(db, 60);
    const admin = await createStaffAccount(app.deps, 'system', { phone: '13966660000', password: 'Admin2026x', role: 'admin', displayName: '管理员' });
    const adminToken = await tokenFor(app, admin.id, 'admin');
    const setCapacity = (capacity: number) =>
      app.request('PUT', `/api/v1/admin/slots/${slotId}/capacity`, { token: adminToken, body: { capacity } });

    const edits = [10, 40, 5, 35, 20, 40, 15, 25];
    const [bookings, editAnswers] = await Promise.all([
      Promise.all(patients.map((p) => book(app, p, slotId))),
      (async () => {
        const answers = [];
        for (const capacity of edits) answers.push({ capacity, res: await setCapacity(capacity) });
        return answers;
      })(),
    ]);

    expect(await capacityViolations(db)).toEqual([]);
    for (const { capacity, res } of editAnswers) {
      if (res.status === 200) {
        expect(res.body.slots[0].booked).toBeLessThanOrEqual(capacity);
      } else {
        expect([capacity, res.status, res.body.error.code]).toEqual([capacity, 409, 'CAPACITY_BELOW_BOOKED']);
      }
    }
    const slot = await db.selectFrom('slot').select(['capacity', 'remaining']).where('id', '=', slotId).executeTakeFirstOrThrow();
    const won = bookings.filter((b) => b.status === 201).length;
    expect(won).toBe(slot.capacity - slot.remaining);
    expect(won).toBeLessThanOrEqual(40);
    expect(bookings.filter((b) => b.status !== 201).every((b) => b.body.error.code === 'SLOT_FULL')).toBe(true);
    // The final edit (25) either applied, or was refused because more than 25 were already sold.
    const last = editAnswers.at(-1)!;
    expect(slot.capacity).toBe(last.res.status === 200 ? 25 : editAnswers.filter((e) => e.res.status === 200).at(-1)!.capacity);
  });
});
