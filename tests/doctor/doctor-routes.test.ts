import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';

// Tuesday 2026-12-01, 10:00 in Shanghai (02:00 UTC; 21:00 the day before in New York).
const NOW = new Date('2026-12-01T02:00:00Z');

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
let dep: { id: number; name: string };
let mine: Awaited<ReturnType<typeof createDoctor>>;
let other: Awaited<ReturnType<typeof createDoctor>>;
let patientToken: string;
beforeAll(async () => {
  app = await startTestApp();
  app.clock.freeze(NOW);
  admin = await adminOf(app);
  dep = await createDepartment(app, admin.accessToken, { location: '门诊楼三楼' });
  mine = await createDoctor(app, admin.accessToken, dep.id, { name: '周医生', title: 'chief', specialty: '冠心病' });
  other = await createDoctor(app, admin.accessToken, dep.id, { name: '吴医生' });
  patientToken = (await registerPatient(app)).accessToken;
});
afterAll(() => app.close());
beforeEach(() => app.clock.freeze(NOW));

/** A fresh token after the test clock jumped past the first one's lifetime. */
async function mineLoginAt(at: Date): Promise<string> {
  app.clock.freeze(at);
  const { phone } = await app.deps.db.selectFrom('user_account').select('phone').where('id', '=', mine.userId).executeTakeFirstOrThrow();
  const res = await app.request('POST', '/api/v1/auth/login', { body: { phone, password: 'Doctor2026x' } });
  return res.body.tokens.accessToken as string;
}

describe('GET /doctor/profile', () => {
  it('answers the signed-in doctor’s own record; patients, admins and anonymous callers are refused', async () => {
    const res = await app.request('GET', '/api/v1/doctor/profile', { token: mine.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: mine.id,
      name: '周医生',
      title: 'chief',
      titleLabel: '主任医师',
      specialty: '冠心病',
      department: { id: dep.id, name: dep.name, location: '门诊楼三楼' },
    });
    expect((await app.request('GET', '/api/v1/doctor/profile', { token: other.token })).body.id).toBe(other.id);
    expect((await app.request('GET', '/api/v1/doctor/profile', { token: patientToken })).status).toBe(403);
    expect((await app.request('GET', '/api/v1/doctor/profile', { token: admin.accessToken })).status).toBe(403);
    expect((await app.request('GET', '/api/v1/doctor/profile')).status).toBe(401);
  });
});

describe('加号 by the doctor: POST /doctor/sessions/{id}/slots', () => {
  it('adds a bookable slot to the doctor’s own session, audited; other doctors, patients and anonymous callers are refused', async () => {
    const session = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-03' });
    const body = { startTime: '10:00', endTime: '10:30', capacity: 2 };

    const foreign = await app.request('POST', `/api/v1/doctor/sessions/${session.id}/slots`, { token: other.token, body });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('SESSION_NOT_FOUND');
    expect((await app.request('POST', `/api/v1/doctor/sessions/${session.id}/slots`, { token: patientToken, body })).status).toBe(403);
    expect((await app.request('POST', `/api/v1/doctor/sessions/${session.id}/slots`, { body })).status).toBe(401);
    expect(await app.deps.db.selectFrom('slot').select('id').where('session_id', '=', session.id).execute()).toHaveLength(4);

    const added = await app.request('POST', `/api/v1/doctor/sessions/${session.id}/slots`, { token: mine.token, body });
    expect(added.status).toBe(201);
    expect(added.body.slots.at(-1)).toMatchObject({ startTime: '10:00:00', capacity: 2, remaining: 2, booked: 0 });
    const seq = await app.deps.db.selectFrom('slot').select(['seq_start', 'seq_count']).where('session_id', '=', session.id).orderBy('seq_start', 'desc').executeTakeFirstOrThrow();
    expect(seq).toEqual({ seq_start: 17, seq_count: 2 });
    const audit = await app.deps.db.selectFrom('audit_log').select('action').where('actor_user_id', '=', mine.userId).where('action', '=', 'slot.add').execute();
    expect(audit).toHaveLength(1);

    const bad = await app.request('POST', `/api/v1/doctor/sessions/${session.id}/slots`, { token: mine.token, body: { startTime: '11:00', endTime: '10:30', capacity: 2 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('SESSION_TIMES_INVALID');
  });

  it('refuses 加号 on a past day and on a 停诊 session', async () => {
    const past = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-02' });
    const token = await mineLoginAt(new Date('2026-12-03T02:00:00Z'));
    const late = await app.request('POST', `/api/v1/doctor/sessions/${past.id}/slots`, { token, body: { startTime: '10:00', endTime: '10:30', capacity: 1 } });
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('SESSION_IN_PAST');
    app.clock.freeze(NOW);

    const suspended = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-04' });
    await app.deps.db.updateTable('clinic_session').set({ status: 'suspended', suspend_reason: '外出会诊' }).where('id', '=', suspended.id).execute();
    const refused = await app.request('POST', `/api/v1/doctor/sessions/${suspended.id}/slots`, { token: mine.token, body: { startTime: '10:00', endTime: '10:30', capacity: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SESSION_SUSPENDED');
  });
});

describe('fee changes by the doctor: PUT /doctor/sessions/{id}', () => {
  it('changes the fee before release and refuses it on the server once the places are released', async () => {
    // 2026-12-10 is released 7 days before, on 2026-12-03 07:30 Shanghai.
    const session = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-10', feeFen: 1000 });
    const before = await app.request('PUT', `/api/v1/doctor/sessions/${session.id}`, { token: mine.token, body: { feeFen: 1500 } });
    expect(before.status).toBe(200);
    expect(before.body.feeFen).toBe(1500);

    const token = await mineLoginAt(new Date(session.releaseAt));
    const after = await app.request('PUT', `/api/v1/doctor/sessions/${session.id}`, { token, body: { feeFen: 3000 } });
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('SESSION_RELEASED');
    const row = await app.deps.db.selectFrom('clinic_session').select('fee_fen').where('id', '=', session.id).executeTakeFirstOrThrow();
    expect(row.fee_fen).toBe(1500);

    // Ownership and role on the same route.
    app.clock.freeze(NOW);
    expect((await app.request('PUT', `/api/v1/doctor/sessions/${session.id}`, { token: other.token, body: { feeFen: 1 } })).status).toBe(404);
    expect((await app.request('PUT', `/api/v1/doctor/sessions/${session.id}`, { token: patientToken, body: { feeFen: 1 } })).status).toBe(403);
    expect((await app.request('PUT', `/api/v1/doctor/sessions/${session.id}`, { body: { feeFen: 1 } })).status).toBe(401);
  });
});
