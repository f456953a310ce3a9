/**
 * The generator run by an admin for a chosen range of Shanghai dates
 * (POST /api/v1/admin/schedule/generate with { from, to }): validation, what it answers it made
 * and skipped, idempotence, the audit entry, and Shanghai day boundaries with the server in a
 * zone west of UTC (New York) and one east of it (Auckland), switched in-process before the app
 * starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';

// 23:30 on Monday 2026-11-30 in Shanghai: already Tuesday in Auckland, still Monday morning in New York.
const LATE_MONDAY = new Date('2026-11-30T15:30:00Z');
// 00:30 on Tuesday 2026-12-01 in Shanghai: still Monday in New York, Tuesday in Auckland.
const EARLY_TUESDAY = new Date('2026-11-30T16:30:00Z');

const tuesdayMorning = { weekday: 2, startTime: '08:00', endTime: '10:00', slotMinutes: 30, capacityPerSlot: 5, feeFen: 1500 };
const thursdayAfternoon = { weekday: 4, startTime: '14:00', endTime: '15:00', slotMinutes: 20, capacityPerSlot: 2, feeFen: 1500 };

describe.each(['America/New_York', 'Pacific/Auckland'])('the generator for a chosen range, server in %s', (tz) => {
  const original = process.env.TZ;
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    process.env.TZ = tz;
    app = await startTestApp();
    app.clock.freeze(EARLY_TUESDAY);
    token = (await adminOf(app)).accessToken;
  });
  afterAll(async () => {
    await app.close();
    process.env.TZ = original;
  });

  const generate = (body?: Record<string, unknown>, as = token) => app.request('POST', '/api/v1/admin/schedule/generate', { token: as, ...(body ? { body } : {}) });

  it('runs in the zone it says', () => {
    // Shanghai's 00:30 on 1 December is the day before in New York and the same day in Auckland.
    const localDay = EARLY_TUESDAY.getDate();
    expect(localDay).toBe(tz === 'America/New_York' ? 30 : 1);
  });

  it('refuses a bad range with a stable code and a Chinese message, and only admins may run it', async () => {
    const refusals = [
      [{ from: '2026-12-01' }, 422, 'GENERATE_RANGE_INVALID', '请同时选择开始日期和结束日期'],
      [{ from: '2026-12-05', to: '2026-12-04' }, 422, 'GENERATE_RANGE_INVALID', '开始日期不能晚于结束日期'],
      [{ from: '2026-11-30', to: '2026-12-04' }, 422, 'GENERATE_RANGE_IN_PAST', '开始日期不能早于今天（2026-12-01）'],
      // 2026-12-01 … 2027-02-01 is 63 days.
      [{ from: '2026-12-01', to: '2027-02-01' }, 422, 'GENERATE_RANGE_TOO_LONG', '一次最多生成 62 天的排班'],
      [{ from: '2026-12-01', to: '2026-12-40' }, 400, 'VALIDATION_FAILED', undefined],
      [{ from: '2026-12-01', to: '2026-12-02', doctorId: 999999 }, 404, 'DOCTOR_NOT_FOUND', '医生不存在'],
      [{ from: '2026-12-01', to: '2026-12-02', departmentId: 999999 }, 404, 'DEPARTMENT_NOT_FOUND', '科室不存在'],
    ] as const;
    for (const [body, status, code, message] of refusals) {
      const res = await generate(body);
      expect([res.status, res.body.error.code]).toEqual([status, code]);
      if (message) expect(res.body.error.message).toBe(message);
    }
    // 62 days, both ends included, passes the range checks (and reaches the doctor's).
    expect((await generate({ from: '2026-12-01', to: '2027-01-31', doctorId: 999999 })).status).toBe(404);
    const patient = await registerPatient(app);
    expect((await generate({ from: '2026-12-01', to: '2026-12-02' }, patient.accessToken)).status).toBe(403);
    expect((await app.request('POST', '/api/v1/admin/schedule/generate', { body: { from: '2026-12-01', to: '2026-12-02' } })).status).toBe(401);
  });

  it('takes "today" from the Shanghai calendar on either side of its midnight', async () => {
    const dept = await createDepartment(app, token);
    const doctor = await createDoctor(app, token, dept.id);
    // Monday 23:30 in Shanghai: Monday is today, Sunday is past.
    app.clock.freeze(LATE_MONDAY);
    expect((await generate({ from: '2026-11-29', to: '2026-11-30', doctorId: doctor.id })).body.error.code).toBe('GENERATE_RANGE_IN_PAST');
    const monday = await generate({ from: '2026-11-30', to: '2026-11-30', doctorId: doctor.id });
    expect([monday.status, monday.body.from, monday.body.to]).toEqual([200, '2026-11-30', '2026-11-30']);
    // An hour later it is Tuesday in Shanghai: Monday is past.
    app.clock.freeze(EARLY_TUESDAY);
    expect((await generate({ from: '2026-11-30', to: '2026-11-30', doctorId: doctor.id })).body.error.code).toBe('GENERATE_RANGE_IN_PAST');
    expect((await generate({ from: '2026-12-01', to: '2026-12-01', doctorId: doctor.id })).status).toBe(200);
  });

  it('makes the sessions of the range only, says what it made and skipped, audits the run, and makes nothing the second time', async () => {
    app.clock.freeze(EARLY_TUESDAY);
    const dept = await createDepartment(app, token, { name: '范围科室' });
    const doctor = await createDoctor(app, token, dept.id, { name: '王医生' });
    const resting = await createDoctor(app, token, dept.id, { name: '赵医生' });
    for (const [who, template] of [
      [doctor, tuesdayMorning],
      [doctor, thursdayAfternoon],
      [resting, tuesdayMorning],
    ] as const) {
      expect((await app.request('POST', `/api/v1/admin/doctors/${who.id}/templates`, { token, body: template })).status).toBe(201);
    }
    const off = await app.request('PUT', `/api/v1/admin/doctors/${resting.id}`, {
      token,
      body: { departmentId: dept.id, name: '赵医生', title: 'attending', specialty: '常见病', defaultFeeFen: 1000, active: false },
    });
    expect(off.status).toBe(200);
    // A session the admin made by hand on Tuesday the 15th morning holds that doctor's date and period.
    const handMade = await createSession(app, token, { doctorId: doctor.id, date: '2026-12-15', startTime: '08:30', endTime: '11:00' });

    const range = { from: '2026-12-03', to: '2026-12-15', departmentId: dept.id };
    const first = await generate(range);
    expect(first.status).toBe(200);
    const entry = (date: string, startTime: string, endTime: string) => ({ departmentId: dept.id, departmentName: '范围科室', date, startTime, endTime });
    expect(first.body).toMatchObject({ created: 3, rebuilt: 0, removed: 0, skipped: 3, from: '2026-12-03', to: '2026-12-15' });
    expect(first.body.sessions).toEqual([
      { ...entry('2026-12-03', '14:00:00', '15:00:00'), doctorId: doctor.id, doctorName: '王医生', period: 'afternoon', capacity: 6, outcome: 'created', sessionId: expect.any(Number) },
      { ...entry('2026-12-08', '08:00:00', '10:00:00'), doctorId: doctor.id, doctorName: '王医生', period: 'morning', capacity: 20, outcome: 'created', sessionId: expect.any(Number) },
      { ...entry('2026-12-10', '14:00:00', '15:00:00'), doctorId: doctor.id, doctorName: '王医生', period: 'afternoon', capacity: 6, outcome: 'created', sessionId: expect.any(Number) },
    ]);
    expect(first.body.skippedSessions).toEqual([
      { ...entry('2026-12-08', '08:00:00', '10:00:00'), doctorId: resting.id, doctorName: '赵医生', period: 'morning', reason: 'doctor_inactive', sessionId: null },
      { ...entry('2026-12-15', '08:00:00', '10:00:00'), doctorId: doctor.id, doctorName: '王医生', period: 'morning', reason: 'edited', sessionId: handMade.id },
      { ...entry('2026-12-15', '08:00:00', '10:00:00'), doctorId: resting.id, doctorName: '赵医生', period: 'morning', reason: 'doctor_inactive', sessionId: null },
    ]);

    // What it answered is what is in the database: the range's sessions and nothing outside it.
    const listed = await app.request('GET', `/api/v1/admin/sessions?departmentId=${dept.id}`, { token });
    expect(listed.body.items.map((s: { date: string; startTime: string; fromTemplate: boolean }) => [s.date, s.startTime, s.fromTemplate])).toEqual([
      ['2026-12-03', '14:00:00', true],
      ['2026-12-08', '08:00:00', true],
      ['2026-12-10', '14:00:00', true],
      ['2026-12-15', '08:30:00', false],
    ]);
    expect(first.body.sessions.map((s: { sessionId: number }) => s.sessionId).sort()).toEqual(
      listed.body.items.filter((s: { fromTemplate: boolean }) => s.fromTemplate).map((s: { id: number }) => s.id).sort(),
    );

    // The same range again: nothing new, every template date accounted for.
    const second = await generate(range);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ created: 0, rebuilt: 0, removed: 0, skipped: 6, sessions: [] });
    expect(second.body.skippedSessions.map((s: { date: string; doctorName: string; reason: string }) => [s.date, s.doctorName, s.reason])).toEqual([
      ['2026-12-03', '王医生', 'exists'],
      ['2026-12-08', '王医生', 'exists'],
      ['2026-12-08', '赵医生', 'doctor_inactive'],
      ['2026-12-10', '王医生', 'exists'],
      ['2026-12-15', '王医生', 'edited'],
      ['2026-12-15', '赵医生', 'doctor_inactive'],
    ]);
    const after = await app.request('GET', `/api/v1/admin/sessions?departmentId=${dept.id}`, { token });
    expect(after.body.items).toHaveLength(4);

    // One audit entry per run, as the admin, with the range, the filter and the counts.
    const audits = await app.database.db
      .selectFrom('audit_log')
      .select(['actor_role', 'summary'])
      .where('action', '=', 'schedule.generate')
      .where('summary', 'like', `%"departmentId":${dept.id},%`)
      .orderBy('id')
      .execute();
    expect(audits.map((a) => [a.actor_role, typeof a.summary === 'string' ? JSON.parse(a.summary) : a.summary])).toEqual([
      ['admin', { from: '2026-12-03', to: '2026-12-15', departmentId: dept.id, doctorId: null, created: 3, rebuilt: 0, removed: 0, skipped: 3 }],
      ['admin', { from: '2026-12-03', to: '2026-12-15', departmentId: dept.id, doctorId: null, created: 0, rebuilt: 0, removed: 0, skipped: 6 }],
    ]);
  });

  it('skips the dates of a deactivated department, with the reason', async () => {
    app.clock.freeze(EARLY_TUESDAY);
    const dept = await createDepartment(app, token, { name: '停用科室' });
    const doctor = await createDoctor(app, token, dept.id, { name: '钱医生' });
    expect((await app.request('POST', `/api/v1/admin/doctors/${doctor.id}/templates`, { token, body: tuesdayMorning })).status).toBe(201);
    // The department is switched off directly (the console refuses it while a doctor works there).
    await app.database.db.updateTable('department').set({ active: 0 }).where('id', '=', dept.id).execute();
    const run = await generate({ from: '2026-12-01', to: '2026-12-08', doctorId: doctor.id });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ created: 0, skipped: 2, sessions: [] });
    expect(run.body.skippedSessions.map((s: { date: string; reason: string }) => [s.date, s.reason])).toEqual([
      ['2026-12-01', 'department_inactive'],
      ['2026-12-08', 'department_inactive'],
    ]);
    expect((await app.request('GET', `/api/v1/admin/sessions?doctorId=${doctor.id}`, { token })).body.items).toEqual([]);
  });

  it('does not make again a session its doctor handed to another (替诊), and says so', async () => {
    app.clock.freeze(EARLY_TUESDAY);
    const dept = await createDepartment(app, token);
    const doctor = await createDoctor(app, token, dept.id, { name: '孙医生' });
    const colleague = await createDoctor(app, token, dept.id, { name: '周医生' });
    expect((await app.request('POST', `/api/v1/admin/doctors/${doctor.id}/templates`, { token, body: tuesdayMorning })).status).toBe(201);
    const range = { from: '2026-12-08', to: '2026-12-08', doctorId: doctor.id };
    const first = await generate(range);
    expect(first.body.created).toBe(1);
    const sessionId = first.body.sessions[0].sessionId as number;
    const handed = await app.request('POST', `/api/v1/admin/sessions/${sessionId}/substitute`, { token, body: { doctorId: colleague.id, reason: '孙医生外出进修' } });
    expect(handed.status).toBe(200);

    const again = await generate(range);
    expect(again.body).toMatchObject({ created: 0, skipped: 1, sessions: [] });
    expect(again.body.skippedSessions).toEqual([
      { doctorId: doctor.id, doctorName: '孙医生', departmentId: dept.id, departmentName: expect.any(String), date: '2026-12-08', period: 'morning', startTime: '08:00:00', endTime: '10:00:00', reason: 'handed_over', sessionId },
    ]);
    expect((await app.request('GET', `/api/v1/admin/sessions?doctorId=${doctor.id}`, { token })).body.items).toEqual([]);
  });
});
