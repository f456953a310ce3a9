/**
 * The sold-out memo (functions/src/booking/full-slots.ts): after a process has seen a slot
 * full it refuses that slot from memory for up to a second. These tests pin down what it may
 * and may not do: it never hides a booking the patient already made (Idempotency-Key replay),
 * it is forgotten as soon as this process returns a place or raises capacity, and a place
 * returned elsewhere is invisible for at most FULL_SLOT_MEMO_MS — a refusal, never a double sale.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import { FULL_SLOT_MEMO_MS } from '../../functions/src/booking/full-slots.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay, tokenFor } from '../support/scenario.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function soldOutSlot() {
  const db = app.database.db;
  const hospital = await createDoctor(db);
  const session = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), 2), slots: [{ start: '09:00', capacity: 1 }] });
  const [first, second, third] = await createPatients(db, 3);
  const key = randomUUID();
  const taken = await book(app, first!, session.slotIds[0]!, { key });
  expect(taken.status).toBe(201);
  const refused = await book(app, second!, session.slotIds[0]!);
  expect(refused.body.error.code).toBe('SLOT_FULL'); // now remembered as full
  return { slotId: session.slotIds[0]!, first: first!, second: second!, third: third!, key, appointment: taken.body };
}

describe('the sold-out memo', () => {
  it('still answers a repeated request with its own appointment', async () => {
    const { slotId, first, key, appointment } = await soldOutSlot();
    const replay = await book(app, first, slotId, { key });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(appointment);
  });

  it('is forgotten when this process returns a place: the next patient books at once', async () => {
    const { slotId, first, second, appointment } = await soldOutSlot();
    expect((await appointmentAction(app, first, appointment.id, 'cancel')).status).toBe(200);
    const next = await book(app, second, slotId);
    expect(next.status).toBe(201);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('is forgotten when an admin raises the capacity', async () => {
    const { slotId, second } = await soldOutSlot();
    await app.database.db.updateTable('slot').set({ seq_count: 3 }).where('id', '=', slotId).execute();
    const admin = await createStaffAccount(app.deps, 'system', { phone: '13977770000', password: 'Admin2026x', role: 'admin', displayName: '管理员' });
    const raised = await app.request('PUT', `/api/v1/admin/slots/${slotId}/capacity`, { token: await tokenFor(app, admin.id, 'admin'), body: { capacity: 2 } });
    expect(raised.status).toBe(200);
    expect((await book(app, second, slotId)).status).toBe(201);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('hides a place returned by another process for at most a second, and then sells it once', async () => {
    const { slotId, third, appointment } = await soldOutSlot();
    // Another server process cancels: the same two writes as cancel.ts, invisible to this process's memo.
    await app.database.db.transaction().execute(async (trx) => {
      await trx.updateTable('appointment').set({ status: 'cancelled', cancelled_by: 'patient', cancelled_at: new Date(), updated_at: new Date() }).where('id', '=', appointment.id).where('status', 'in', ['pending_payment', 'booked']).execute();
      await trx.updateTable('slot').set((eb) => ({ remaining: eb('remaining', '+', 1) })).where('id', '=', slotId).execute();
    });
    const stale = await book(app, third, slotId);
    expect(stale.body.error?.code).toBe('SLOT_FULL');
    await new Promise((resolve) => setTimeout(resolve, FULL_SLOT_MEMO_MS + 100));
    const fresh = await book(app, third, slotId);
    expect(fresh.status).toBe(201);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });
});
