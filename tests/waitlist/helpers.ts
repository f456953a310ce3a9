/** Shared steps of the waitlist tests: joining through the API and reading entries back. */
import type { TestApp } from '../support/app.js';
import { book, tokenFor, type Patient } from '../support/scenario.js';

export async function join(app: TestApp, patient: Patient, sessionId: number, options: { profileId?: number; slotStarts?: string[] } = {}) {
  return app.request('POST', '/api/v1/waitlist', {
    token: await tokenFor(app, patient.userId),
    body: { sessionId, profileId: options.profileId ?? patient.profileId, ...(options.slotStarts ? { slotStarts: options.slotStarts } : {}) },
  });
}

export async function myEntries(app: TestApp, patient: Patient, scope: 'active' | 'all' = 'all') {
  return app.request('GET', `/api/v1/waitlist?scope=${scope}`, { token: await tokenFor(app, patient.userId) });
}

/** Books every place of `slotIds` (capacity each) with the given patients, in order; returns the appointment ids. */
export async function fill(app: TestApp, patients: readonly Patient[], slotId: number): Promise<number[]> {
  const ids: number[] = [];
  for (const p of patients) {
    const res = await book(app, p, slotId);
    if (res.status !== 201) throw new Error(`booking failed: ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as number);
  }
  return ids;
}

/** The session's entries in id order with status and appointment. */
export async function entries(app: TestApp, sessionId: number) {
  return app.database.db
    .selectFrom('waitlist_entry')
    .select(['id', 'profile_id', 'status', 'appointment_id'])
    .where('session_id', '=', sessionId)
    .orderBy('id')
    .execute();
}
