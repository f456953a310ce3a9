/**
 * Creating a session races deactivating its department. Deactivation is refused while future
 * sessions depend on the department (DEPARTMENT_IN_USE, checked under the department's row
 * lock); creation must therefore serialise on that row too and re-check `active` under it, or
 * a deactivation that counted "no future sessions" just before the insert committed leaves an
 * inactive department with a future session nobody can book (booking requires it active).
 *
 * Each round: an empty department whose only doctor has been deactivated (so deactivation is
 * allowed while nothing is scheduled), then an admin creates a session for that doctor while
 * another admin deactivates the department, at once. Exactly one may win, and the end state
 * never has an inactive department with a future, not-停诊 session. On both drivers, through
 * the real HTTP app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { drivers } from '../support/drivers.js';
import { adminOf, createDepartment, createDoctor } from '../support/hospital.js';

// Tuesday 2026-12-01, 10:00 in Shanghai; the sessions are on Wednesday the 2nd.
const NOW = new Date('2026-12-01T02:00:00Z');
const ROUNDS = 25;

describe.each(drivers)('session creation racing department deactivation on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver, poolSize: 20 });
    app.clock.freeze(NOW);
  });
  afterAll(() => app.close());

  it('lets exactly one side win each round and never leaves an inactive department with a future session', async () => {
    const db = app.database.db;
    const { accessToken: token } = await adminOf(app);
    const dept = await createDepartment(app, token);
    const doctor = await createDoctor(app, token, dept.id);
    const deactivated = await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}`, {
      token,
      body: { departmentId: dept.id, name: '李明医生', title: 'attending', specialty: '常见病', defaultFeeFen: 1000, active: false },
    });
    expect(deactivated.status).toBe(200);

    const outcomes: string[] = [];
    const violations: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Back to an active, empty department.
      const old = await db.selectFrom('clinic_session').select('id').where('department_id', '=', dept.id).execute();
      if (old.length > 0) {
        await db.deleteFrom('slot').where('session_id', 'in', old.map((s) => s.id)).execute();
        await db.deleteFrom('clinic_session').where('department_id', '=', dept.id).execute();
      }
      await db.updateTable('department').set({ active: 1 }).where('id', '=', dept.id).execute();

      // Hold the deactivation back by 0–12 ms (creation reads the doctor and the rules before its
      // transaction, so it starts later) so both orders and the overlap occur.
      const lead = (round % 7) * 2;
      const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const [created, deactivation] = await Promise.all([
        pause(0).then(() =>
          app.request('POST', '/api/v1/admin/sessions', {
            token,
            body: { doctorId: doctor.id, date: '2026-12-02', startTime: '08:00', endTime: '10:00', slotMinutes: 30, capacityPerSlot: 4, feeFen: 1000 },
          }),
        ),
        pause(lead).then(() => app.request('PUT', `/api/v1/admin/departments/${dept.id}`, { token, body: { code: dept.code, name: dept.name, active: false } })),
      ]);
      const outcome = `${created.status}:${created.body?.error?.code ?? ''} / ${deactivation.status}:${deactivation.body?.error?.code ?? ''}`;
      outcomes.push(outcome);

      const state = await db.selectFrom('department').select('active').where('id', '=', dept.id).executeTakeFirstOrThrow();
      const future = await db
        .selectFrom('clinic_session')
        .select('id')
        .where('department_id', '=', dept.id)
        .where('session_date', '>=', '2026-12-01')
        .where('status', '!=', 'suspended')
        .execute();
      if (state.active === 0 && future.length > 0) violations.push(round);
    }

    expect(violations).toEqual([]);
    // Exactly one side succeeded each round, and the loser was refused with its stable code.
    for (const outcome of outcomes) expect(['201: / 409:DEPARTMENT_IN_USE', '409:DEPARTMENT_INACTIVE / 200:']).toContain(outcome);
  }, 120_000);
});
