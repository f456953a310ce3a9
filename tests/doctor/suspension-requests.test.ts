import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';
import { book, capacityViolations, createPatients } from '../support/scenario.js';

// Tuesday 2026-12-01, 10:00 in Shanghai (02:00 UTC; 21:00 the day before in New York).
const NOW = new Date('2026-12-01T02:00:00Z');

describe.each(drivers)('停诊申请 on %s', (driver) => {
  let app: TestApp;
  let admin: Awaited<ReturnType<typeof adminOf>>;
  let admin2: Awaited<ReturnType<typeof adminOf>>;
  let mine: Awaited<ReturnType<typeof createDoctor>>;
  let other: Awaited<ReturnType<typeof createDoctor>>;
  let patientToken: string;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
    app.clock.freeze(NOW);
    admin = await adminOf(app);
    admin2 = await adminOf(app);
    const dep = await createDepartment(app, admin.accessToken);
    mine = await createDoctor(app, admin.accessToken, dep.id, { name: '周医生' });
    other = await createDoctor(app, admin.accessToken, dep.id, { name: '吴医生' });
    patientToken = (await registerPatient(app)).accessToken;
  });
  afterAll(() => app.close());
  beforeEach(() => app.clock.freeze(NOW));

  const ask = (token: string | undefined, sessionId: number, reason = '外出会诊') =>
    app.request('POST', `/api/v1/doctor/sessions/${sessionId}/suspension-requests`, { token, body: { reason } });

  it('a doctor asks for their own future session; role, ownership and one pending request per session', async () => {
    const session = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-05' });
    expect((await ask(other.token, session.id)).status).toBe(404);
    expect((await ask(patientToken, session.id)).status).toBe(403);
    expect((await ask(admin.accessToken, session.id)).status).toBe(403);
    expect((await ask(undefined, session.id)).status).toBe(401);

    const made = await ask(mine.token, session.id);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ sessionId: session.id, doctorId: mine.id, reason: '外出会诊', status: 'pending', decidedBy: null, decidedAt: null, rejectReason: null });
    const again = await ask(mine.token, session.id, '再次申请');
    expect([again.status, again.body.error.code]).toEqual([409, 'SUSPENSION_REQUEST_PENDING']);

    const list = await app.request('GET', '/api/v1/doctor/suspension-requests', { token: mine.token });
    expect(list.body.items.map((r: { id: number }) => r.id)).toEqual([made.body.id]);
    expect((await app.request('GET', '/api/v1/doctor/suspension-requests', { token: other.token })).body.items).toEqual([]);
    expect((await app.request('GET', '/api/v1/admin/suspension-requests', { token: mine.token })).status).toBe(403);
    const pending = await app.request('GET', '/api/v1/admin/suspension-requests', { token: admin.accessToken });
    expect(pending.body.items.map((r: { id: number }) => r.id)).toContain(made.body.id);
    // Doctors and patients cannot decide.
    expect((await app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/approve`, { token: mine.token })).status).toBe(403);
    expect((await app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/reject`, { token: patientToken, body: { reason: 'x' } })).status).toBe(403);
    expect((await app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/approve`)).status).toBe(401);
  });

  it('refuses a request for a session that has started', async () => {
    const today = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-01', startTime: '08:00', endTime: '10:00' });
    const res = await ask(mine.token, today.id);
    expect([res.status, res.body.error.code]).toEqual([409, 'SESSION_STARTED']);
  });

  it('a rejection keeps the session open and tells the doctor who, when and why; a new request may follow', async () => {
    const session = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-06' });
    const made = await ask(mine.token, session.id);
    const rejected = await app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/reject`, { token: admin.accessToken, body: { reason: '无人可替，请按时出诊' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decidedBy: '管理员', decidedAt: NOW.toISOString(), rejectReason: '无人可替，请按时出诊' });
    const row = await app.deps.db.selectFrom('clinic_session').select('status').where('id', '=', session.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
    const twice = await app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/approve`, { token: admin.accessToken });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'SUSPENSION_REQUEST_DECIDED']);
    expect((await ask(mine.token, session.id, '确需停诊')).status).toBe(201);
    const audit = await app.deps.db.selectFrom('audit_log').select('action').where('target_type', '=', 'suspension_request').where('target_id', '=', String(made.body.id)).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['suspension_request.create', 'suspension_request.reject']);
  });

  it('two admins approving at once: exactly one 200, the suspension runs once (cancel, refund, notify) with the approval', async () => {
    const session = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-03', capacityPerSlot: 2 });
    const patients = await createPatients(app.deps.db, 3);
    for (const [i, p] of patients.entries()) expect((await book(app, p, session.slots[i % 2]!.id)).status).toBe(201);
    const made = await ask(mine.token, session.id, '参加学术会议');

    const answers = await Promise.all([admin, admin2].map((a) => app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/approve`, { token: a.accessToken })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const won = answers.find((a) => a.status === 200)!;
    expect(won.body.request).toMatchObject({ status: 'approved', decidedAt: NOW.toISOString() });
    expect(won.body.suspension).toMatchObject({ sessionId: session.id, status: 'suspended', cancelledAppointments: 3, notifiedPatients: 3 });
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('SUSPENSION_REQUEST_DECIDED');

    const db = app.deps.db;
    expect((await db.selectFrom('clinic_session').select(['status', 'suspend_reason']).where('id', '=', session.id).executeTakeFirstOrThrow())).toEqual({ status: 'suspended', suspend_reason: '参加学术会议' });
    const appts = await db.selectFrom('appointment').select(['status', 'cancel_reason']).where('session_id', '=', session.id).execute();
    expect(appts).toEqual(Array.from({ length: 3 }, () => ({ status: 'cancelled', cancel_reason: '参加学术会议' })));
    const suspendAudit = await db.selectFrom('audit_log').select('id').where('action', '=', 'session.suspend').where('target_id', '=', String(session.id)).execute();
    expect(suspendAudit).toHaveLength(1);
    const notes = await db
      .selectFrom('notification')
      .select('id')
      .where('template', '=', 'session_suspended')
      .where('appointment_id', 'in', db.selectFrom('appointment').select('id').where('session_id', '=', session.id))
      .execute();
    expect(notes).toHaveLength(6); // SMS + in-app for each of the 3 patients, once
    expect(await capacityViolations(db)).toEqual([]);
    const mineList = await app.request('GET', '/api/v1/doctor/suspension-requests', { token: mine.token });
    expect(mineList.body.items.find((r: { id: number }) => r.id === made.body.id)).toMatchObject({ status: 'approved', decidedBy: '管理员' });
  });

  it('approval of a request whose session has since started is refused as suspension is, and nothing changes', async () => {
    const session = await createSession(app, admin.accessToken, { doctorId: mine.id, date: '2026-12-02', startTime: '08:00', endTime: '10:00' });
    const made = await ask(mine.token, session.id);
    // 2026-12-02 08:30 Shanghai: the session has started.
    app.clock.freeze(new Date('2026-12-02T00:30:00Z'));
    const relogin = await app.request('POST', '/api/v1/auth/login', { body: { phone: admin.phone, password: admin.password } });
    const res = await app.request('POST', `/api/v1/admin/suspension-requests/${made.body.id}/approve`, { token: relogin.body.tokens.accessToken });
    expect([res.status, res.body.error.code]).toEqual([409, 'SESSION_STARTED']);
    const request = await app.deps.db.selectFrom('suspension_request').select(['status', 'decided_by']).where('id', '=', made.body.id).executeTakeFirstOrThrow();
    expect(request).toEqual({ status: 'pending', decided_by: null });
    const row = await app.deps.db.selectFrom('clinic_session').select('status').where('id', '=', session.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });
});
