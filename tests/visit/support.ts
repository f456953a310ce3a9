/**
 * A morning clinic for the visit tests: one doctor, a session on Tuesday 2026-12-01 (Shanghai)
 * with two slots of four places (08:00 numbers 1–4, 08:30 numbers 5–8), patients booked on the
 * day before (free session: booked at once), and helpers to act as the patient or the doctor.
 */
import { expect } from 'vitest';
import type { TestApp } from '../support/app.js';
import { book, capacityViolations, createDoctor, createPatients, createSession, tokenFor, type Hospital, type Patient } from '../support/scenario.js';

export const DAY = '2026-12-01';
/** The instant at `time` Shanghai on DAY (written with its offset, so the server's TZ plays no part). */
export const at = (time: string, date = DAY) => new Date(`${date}T${time}+08:00`);

export interface Clinic {
  hospital: Hospital;
  sessionId: number;
  slotIds: number[];
  patients: Patient[];
  /** Appointment ids, by queue number − 1. */
  appointments: number[];
  doctorToken: () => Promise<string>;
}

/** Books `count` patients in queue-number order (first slot first); leaves the clock at 07:00 on DAY. */
export async function morningClinic(app: TestApp, count: number, hospital?: Hospital): Promise<Clinic> {
  const db = app.database.db;
  hospital ??= await createDoctor(db);
  await db.updateTable('doctor').set({ room: '3 诊室' }).where('id', '=', hospital.doctorId).execute();
  const session = await createSession(db, hospital, { date: DAY, slots: [{ start: '08:00', capacity: 4 }, { start: '08:30', capacity: 4 }] });
  const patients = await createPatients(db, count);
  app.clock.freeze(at('12:00:00', '2026-11-30'));
  const appointments: number[] = [];
  for (const [i, patient] of patients.entries()) {
    const res = await book(app, patient, session.slotIds[i < 4 ? 0 : 1]!);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.queueNumber).toBe(i + 1);
    appointments.push(res.body.id);
  }
  app.clock.freeze(at('07:00:00'));
  const doctorUserId = hospital.doctorUserId;
  return {
    hospital,
    sessionId: session.sessionId,
    slotIds: session.slotIds,
    patients,
    appointments,
    // Signed at the test clock's now, like every token of these tests.
    doctorToken: () => tokenFor(app, doctorUserId, 'doctor'),
  };
}

export async function patientPost(app: TestApp, patient: Patient, path: string) {
  return app.request('POST', path, { token: await tokenFor(app, patient.userId) });
}

export async function patientGet(app: TestApp, patient: Patient, path: string) {
  return app.request('GET', path, { token: await tokenFor(app, patient.userId) });
}

export async function doctorPost(app: TestApp, clinic: Clinic, path: string) {
  return app.request('POST', path, { token: await clinic.doctorToken() });
}

export async function doctorGet(app: TestApp, clinic: Clinic, path: string) {
  return app.request('GET', path, { token: await clinic.doctorToken() });
}

/** remaining + active = capacity on every slot, after every path. */
export async function expectInvariant(app: TestApp): Promise<void> {
  expect(await capacityViolations(app.database.db)).toEqual([]);
}

export async function statusOf(app: TestApp, appointmentId: number): Promise<string> {
  const row = await app.database.db.selectFrom('appointment').select('status').where('id', '=', appointmentId).executeTakeFirstOrThrow();
  return row.status;
}
