/**
 * What the booking gate checks, the conditional UPDATE checks again (book.ts): a change that
 * commits after the gate passed — while the booking waits for the slot row — must still refuse
 * it. Each test holds the slot's row lock, lets a booking pass its gate and queue on that lock,
 * makes the change, and lets go (scenario.ts, betweenGateAndUpdate). On both drivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { betweenGateAndUpdate, book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay } from '../support/scenario.js';

describe.each(drivers)('a change between the gate and the UPDATE on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
  });
  afterAll(() => app.close());

  async function scenario(options: { parentId?: number } = {}) {
    const db = app.database.db;
    const hospital = await createDoctor(db, options);
    const session = await createSession(db, hospital, { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 3 }] });
    const [patient] = await createPatients(db, 1);
    return { db, hospital, session, slotId: session.slotIds[0]!, patient: patient! };
  }

  /** The booking was refused with `code` and took nothing. */
  async function expectRefused(answer: { status: number; body: any }, slotId: number, code: string) {
    expect([answer.status, answer.body.error?.code]).toEqual([409, code]);
    const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', slotId).executeTakeFirstOrThrow();
    expect(slot.remaining).toBe(3);
    const appointments = await app.database.db.selectFrom('appointment').select('id').where('slot_id', '=', slotId).execute();
    expect(appointments).toEqual([]);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  }

  it('a doctor deactivated meanwhile: DOCTOR_UNAVAILABLE', async () => {
    const { db, hospital, slotId, patient } = await scenario();
    const answer = await betweenGateAndUpdate(app, slotId, () => book(app, patient, slotId), async () => {
      await db.updateTable('doctor').set({ active: 0 }).where('id', '=', hospital.doctorId).execute();
    });
    await expectRefused(answer, slotId, 'DOCTOR_UNAVAILABLE');
  });

  it('a department deactivated meanwhile: DOCTOR_UNAVAILABLE', async () => {
    const { db, hospital, slotId, patient } = await scenario();
    const answer = await betweenGateAndUpdate(app, slotId, () => book(app, patient, slotId), async () => {
      await db.updateTable('department').set({ active: 0 }).where('id', '=', hospital.departmentId).execute();
    });
    await expectRefused(answer, slotId, 'DOCTOR_UNAVAILABLE');
  });

  it('its 大科 deactivated meanwhile (which hides the 小科 from the catalogue): DOCTOR_UNAVAILABLE', async () => {
    const parent = await createDoctor(app.database.db);
    const { db, slotId, patient } = await scenario({ parentId: parent.departmentId });
    const answer = await betweenGateAndUpdate(app, slotId, () => book(app, patient, slotId), async () => {
      await db.updateTable('department').set({ active: 0 }).where('id', '=', parent.departmentId).execute();
    });
    await expectRefused(answer, slotId, 'DOCTOR_UNAVAILABLE');
  });

  it('the release moved later meanwhile: SLOT_NOT_RELEASED', async () => {
    const { db, session, slotId, patient } = await scenario();
    const answer = await betweenGateAndUpdate(app, slotId, () => book(app, patient, slotId), async () => {
      await db.updateTable('clinic_session').set({ release_at: new Date(app.clock.now().getTime() + 86_400_000) }).where('id', '=', session.sessionId).execute();
    });
    await expectRefused(answer, slotId, 'SLOT_NOT_RELEASED');
  });

  it('nothing changed meanwhile: the booking waits and then succeeds', async () => {
    const { slotId, patient } = await scenario();
    const answer = await betweenGateAndUpdate(app, slotId, () => book(app, patient, slotId), async () => {});
    expect(answer.status).toBe(201);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });
});
