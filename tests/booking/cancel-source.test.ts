import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';
import { book, appointmentAction, createPatients, tokenFor, type Patient } from '../support/scenario.js';

// Tuesday 2026-12-01, 10:00 in Shanghai (02:00 UTC; 21:00 the day before in New York).
const NOW = new Date('2026-12-01T02:00:00Z');

/**
 * Who cancelled an appointment, as its patient reads it (GET /api/v1/appointments/{id}): a 停诊
 * the doctor asked for is the doctor's even though an admin approved it, an admin's own 停诊 is
 * the hospital's, and a single cancellation is told apart from a 停诊 of the whole session.
 */
describe('the cancellation source the patient is shown', () => {
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof adminOf>>;
  let doctor: Awaited<ReturnType<typeof createDoctor>>;
  let day = 1;
  beforeAll(async () => {
    app = await startTestApp();
    app.clock.freeze(NOW);
    admin = await adminOf(app);
    const dep = await createDepartment(app, admin.accessToken);
    doctor = await createDoctor(app, admin.accessToken, dep.id, { name: '周医生' });
  });
  afterAll(() => app.close());
  beforeEach(() => app.clock.freeze(NOW));

  /** A new patient's booking (booking limits stay out of the way) on a new future session of the doctor. */
  async function booked() {
    day += 1;
    const [patient] = (await createPatients(app.deps.db, 1)) as [Patient];
    const session = await createSession(app, admin.accessToken, { doctorId: doctor.id, date: `2026-12-${String(day).padStart(2, '0')}` });
    const res = await book(app, patient, session.slots[0]!.id);
    expect([res.status, res.body.error?.code]).toEqual([201, undefined]);
    return { patient, sessionId: session.id, appointmentId: res.body.id as number };
  }

  async function seen({ patient, appointmentId }: { patient: Patient; appointmentId: number }) {
    const res = await app.request('GET', `/api/v1/appointments/${appointmentId}`, { token: await tokenFor(app, patient.userId) });
    expect(res.status).toBe(200);
    return { status: res.body.status, cancelledBy: res.body.cancelledBy, cancelSource: res.body.cancelSource, cancelReason: res.body.cancelReason };
  }

  it('a 停诊 the doctor asked for and an admin approved: 医生停诊, with the doctor\'s reason', async () => {
    const appt = await booked();
    const { sessionId } = appt;
    const asked = await app.request('POST', `/api/v1/doctor/sessions/${sessionId}/suspension-requests`, { token: doctor.token, body: { reason: '外出会诊' } });
    expect(asked.status).toBe(201);
    expect((await app.request('POST', `/api/v1/admin/suspension-requests/${asked.body.id}/approve`, { token: admin.accessToken })).status).toBe(200);
    expect(await seen(appt)).toEqual({ status: 'cancelled', cancelledBy: 'doctor', cancelSource: 'doctor_suspension', cancelReason: '外出会诊' });
  });

  it('a 停诊 the doctor made directly: 医生停诊', async () => {
    const appt = await booked();
    const { sessionId } = appt;
    expect((await app.request('POST', `/api/v1/doctor/sessions/${sessionId}/suspend`, { token: doctor.token, body: { reason: '身体不适' } })).status).toBe(200);
    expect(await seen(appt)).toEqual({ status: 'cancelled', cancelledBy: 'doctor', cancelSource: 'doctor_suspension', cancelReason: '身体不适' });
  });

  it('a 停诊 an admin made: 医院停诊', async () => {
    const appt = await booked();
    const { sessionId } = appt;
    expect((await app.request('POST', `/api/v1/admin/sessions/${sessionId}/suspend`, { token: admin.accessToken, body: { reason: '院内停电检修' } })).status).toBe(200);
    expect(await seen(appt)).toEqual({ status: 'cancelled', cancelledBy: 'admin', cancelSource: 'hospital_suspension', cancelReason: '院内停电检修' });
  });

  it('one appointment an admin cancelled: 医院取消; one the patient cancelled: 本人取消; an open one: none', async () => {
    const byAdmin = await booked();
    expect((await app.request('POST', `/api/v1/admin/appointments/${byAdmin.appointmentId}/cancel`, { token: admin.accessToken, body: { reason: '患者来电取消' } })).status).toBe(200);
    expect(await seen(byAdmin)).toEqual({ status: 'cancelled', cancelledBy: 'admin', cancelSource: 'hospital', cancelReason: '患者来电取消' });

    const byPatient = await booked();
    expect((await appointmentAction(app, byPatient.patient, byPatient.appointmentId, 'cancel')).status).toBe(200);
    expect(await seen(byPatient)).toEqual({ status: 'cancelled', cancelledBy: 'patient', cancelSource: 'patient', cancelReason: null });

    const open = await booked();
    expect(await seen(open)).toEqual({ status: 'pending_payment', cancelledBy: null, cancelSource: null, cancelReason: null });
  });
});
