import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';

// Monday 2026-12-07, 07:29:30 in Shanghai (still Sunday evening in New York, where the suite runs).
const MONDAY = new Date('2026-12-06T23:29:30Z');
// Thursday 2026-12-10, 07:00 in Shanghai: Tuesday the 8th is in the past, the 10th is today
// (its 08:00 session not yet started, so it can still be suspended).
const THURSDAY = new Date('2026-12-09T23:00:00Z');

let app: TestApp;
let token: string;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());
beforeEach(async () => {
  app.clock.freeze(MONDAY);
  token = (await adminOf(app)).accessToken;
});

type Dept = { id: number; code: string; name: string };

function put(dept: Dept, body: Record<string, unknown>) {
  return app.request('PUT', `/api/v1/admin/departments/${dept.id}`, { token, body: { code: dept.code, name: dept.name, ...body } });
}

async function deactivateDoctor(doctorId: number, departmentId: number) {
  const res = await app.request('PUT', `/api/v1/admin/doctors/${doctorId}`, {
    token,
    body: { departmentId, name: '李明医生', title: 'attending', specialty: '常见病', defaultFeeFen: 1000, active: false },
  });
  expect(res.status).toBe(200);
}

async function state(dept: Dept) {
  const db = app.database.db;
  const row = await db.selectFrom('department').select(['active', 'name', 'updated_at']).where('id', '=', dept.id).executeTakeFirstOrThrow();
  const audits = await db.selectFrom('audit_log').select('action').where('target_type', '=', 'department').where('target_id', '=', String(dept.id)).orderBy('id').execute();
  return { row, audits: audits.map((a) => a.action) };
}

describe('deactivating a department (PUT /api/v1/admin/departments/{id} with active=false)', () => {
  it('is refused with 409 DEPARTMENT_IN_USE while an active doctor works in it, and changes nothing', async () => {
    const dept = await createDepartment(app, token);
    const doctor = await createDoctor(app, token, dept.id);
    const before = await state(dept);

    const refused = await put(dept, { name: '改名并停用', active: false });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'DEPARTMENT_IN_USE',
      message: '该科室仍有 1 位在职医生，请先调整医生后再停用',
      details: { activeDoctors: 1, activeChildDepartments: 0, futureSessions: 0 },
    });
    // Neither the update nor an audit row: the transaction rolled back whole.
    expect(await state(dept)).toEqual(before);
    expect(before.audits).toEqual(['department.create']);

    // Editing other fields while it stays active is not refused.
    expect((await put(dept, { name: '改名科室', active: true })).status).toBe(200);

    await deactivateDoctor(doctor.id, dept.id);
    const allowed = await put(dept, { name: '改名科室', active: false });
    expect([allowed.status, allowed.body.active]).toEqual([200, false]);
    expect((await state(dept)).audits).toEqual(['department.create', 'department.update', 'department.update']);
    // Only the step active → inactive is checked: editing an inactive department that has a
    // dependant again, and reactivating it, are not refused.
    await createDoctor(app, token, dept.id);
    expect((await put(dept, { name: '停用科室', active: false })).status).toBe(200);
    expect((await put(dept, { name: '停用科室', active: true })).status).toBe(200);
  });

  it('counts the doctors, sessions and active 小科 of its child departments', async () => {
    const parent = await createDepartment(app, token);
    const child = await createDepartment(app, token, { parentId: parent.id });
    const doctor = await createDoctor(app, token, child.id);
    await createSession(app, token, { doctorId: doctor.id, date: '2026-12-08' });
    await createSession(app, token, { doctorId: doctor.id, date: '2026-12-09' });

    const refused = await put(parent, { active: false });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'DEPARTMENT_IN_USE',
      message: '该科室仍有 1 位在职医生、1 个启用中的小科、2 个未来出诊，请先调整医生和小科和排班后再停用',
      details: { activeDoctors: 1, activeChildDepartments: 1, futureSessions: 2 },
    });
    expect((await state(parent)).row.active).toBe(1);

    // The 小科 itself holds the doctor and the sessions too.
    const childRefused = await put(child, { parentId: parent.id, active: false });
    expect(childRefused.body.error.details).toEqual({ activeDoctors: 1, activeChildDepartments: 0, futureSessions: 2 });
  });

  it('is refused for an active 小科 alone, and allowed once the 小科 is deactivated', async () => {
    const parent = await createDepartment(app, token);
    const child = await createDepartment(app, token, { parentId: parent.id });
    const refused = await put(parent, { active: false });
    expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([
      409,
      'DEPARTMENT_IN_USE',
      { activeDoctors: 0, activeChildDepartments: 1, futureSessions: 0 },
    ]);
    expect((await put(child, { parentId: parent.id, active: false })).status).toBe(200);
    expect((await put(parent, { active: false })).status).toBe(200);
  });

  it('is refused for a future session even when its doctor is no longer active; past and 停诊 sessions do not hold it', async () => {
    const dept = await createDepartment(app, token);
    const doctor = await createDoctor(app, token, dept.id);
    await createSession(app, token, { doctorId: doctor.id, date: '2026-12-08' }); // past by Thursday
    const today = await createSession(app, token, { doctorId: doctor.id, date: '2026-12-10' });
    const later = await createSession(app, token, { doctorId: doctor.id, date: '2026-12-11' });
    await deactivateDoctor(doctor.id, dept.id);

    app.clock.freeze(THURSDAY);
    token = (await adminOf(app)).accessToken; // Monday's access token has expired by Thursday
    const refused = await put(dept, { active: false });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      message: '该科室仍有 2 个未来出诊，请先调整排班后再停用',
      details: { activeDoctors: 0, activeChildDepartments: 0, futureSessions: 2 },
    });

    for (const session of [today, later]) {
      const suspended = await app.request('POST', `/api/v1/admin/sessions/${session.id}/suspend`, { token, body: { reason: '科室撤并' } });
      expect(suspended.status).toBe(200);
    }
    const allowed = await put(dept, { active: false });
    expect([allowed.status, allowed.body.active]).toEqual([200, false]);
    expect((await state(dept)).row.active).toBe(0);
  });
});
