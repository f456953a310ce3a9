/**
 * The visit flow under concurrency, on both database drivers: 叫号 pressed on two devices at
 * once calls exactly one patient; a check-in racing a cancellation, and the no-show sweep racing
 * a late check-in, each leave exactly one outcome; two sweeps at once record each no-show once.
 * The invariant remaining + active = capacity holds after every one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { appointmentAction } from '../support/scenario.js';
import { sweepNoShows } from '../../functions/src/visit/no-show.js';
import { at, doctorPost, expectInvariant, morningClinic, patientPost, statusOf } from './support.js';

describe.each(drivers)('the visit flow under concurrency on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
  });
  afterAll(() => app.close());

  it('two devices pressing 叫号 at once call exactly one patient', async () => {
    for (let round = 0; round < 3; round += 1) {
      const clinic = await morningClinic(app, 4);
      app.clock.freeze(at('07:50:00'));
      for (const [i, p] of clinic.patients.entries()) expect((await patientPost(app, p, `/api/v1/appointments/${clinic.appointments[i]}/check-in`)).status).toBe(200);
      const presses = await Promise.all([0, 1].map(() => doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`)));
      expect(presses.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(presses.find((r) => r.status === 409)!.body.error.code).toBe('QUEUE_BUSY');
      const statuses = await Promise.all(clinic.appointments.map((id) => statusOf(app, id)));
      expect(statuses).toEqual(['called', 'checked_in', 'checked_in', 'checked_in']);
      await expectInvariant(app);
    }
  });

  it('a check-in racing a cancellation: exactly one wins, and the place is returned only if cancelled', async () => {
    for (let round = 0; round < 4; round += 1) {
      const clinic = await morningClinic(app, 1);
      // Cancelling is allowed until the slot starts in this department, so both are legal at 07:30.
      const now = new Date();
      await app.database.db.insertInto('booking_rule').values({ department_id: clinic.hospital.departmentId, cancel_cutoff_minutes: 0, created_at: now, updated_at: now }).execute();
      app.clock.freeze(at('07:30:00'));
      const [patient] = clinic.patients as [any];
      const id = clinic.appointments[0]!;
      const [checkIn, cancel] = await Promise.all([patientPost(app, patient, `/api/v1/appointments/${id}/check-in`), appointmentAction(app, patient, id, 'cancel')]);
      const status = await statusOf(app, id);
      if (status === 'checked_in') {
        expect([checkIn.status, cancel.status, cancel.body.error.code]).toEqual([200, 409, 'NOT_CANCELLABLE']);
      } else {
        expect(status).toBe('cancelled');
        expect([cancel.status, checkIn.status, checkIn.body.error.code]).toEqual([200, 409, 'VISIT_STATE_CONFLICT']);
      }
      const slot = await app.database.db.selectFrom('slot').select('remaining').where('id', '=', clinic.slotIds[0]!).executeTakeFirstOrThrow();
      expect(slot.remaining).toBe(status === 'cancelled' ? 4 : 3);
      await expectInvariant(app);
    }
  });

  it('the sweep racing a late check-in at the session’s end: checked in or no-show, never both', async () => {
    for (let round = 0; round < 3; round += 1) {
      const clinic = await morningClinic(app, 5);
      // 09:00: the session ends, and number 5 (08:30 slot) may still check in (until 08:30 + 30 min).
      app.clock.freeze(at('09:00:00'));
      const id = clinic.appointments[4]!;
      const [checkIn] = await Promise.all([patientPost(app, clinic.patients[4]!, `/api/v1/appointments/${id}/check-in`), sweepNoShows(app.deps)]);
      const status = await statusOf(app, id);
      if (status === 'checked_in') {
        expect(checkIn.status).toBe(200);
      } else {
        expect(status).toBe('no_show');
        expect([checkIn.status, checkIn.body.error.code]).toEqual([409, 'VISIT_STATE_CONFLICT']);
      }
      const statuses = await Promise.all(clinic.appointments.slice(0, 4).map((a) => statusOf(app, a)));
      expect(statuses).toEqual(['no_show', 'no_show', 'no_show', 'no_show']);
      await expectInvariant(app);
    }
  });

  it('two sweeps at once record each no-show once', async () => {
    const clinic = await morningClinic(app, 6);
    app.clock.freeze(at('09:00:00'));
    await Promise.all([sweepNoShows(app.deps), sweepNoShows(app.deps)]);
    const mine = await app.database.db.selectFrom('appointment').select(['status', 'no_show_at']).where('session_id', '=', clinic.sessionId).execute();
    expect(mine.map((a) => a.status)).toEqual(Array(6).fill('no_show'));
    const audits = await app.database.db.selectFrom('audit_log').select('summary').where('action', '=', 'appointment.no_show').where('target_id', '=', String(clinic.sessionId)).execute();
    expect(audits).toHaveLength(1);
    expect((await sweepNoShows(app.deps)).noShows).toBe(0);
    await expectInvariant(app);
  });
});
