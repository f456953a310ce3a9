/**
 * The visit flow through the API (visit/): 签到 by the patient and the doctor inside the window,
 * the queue order (on time by number, late and returning patients interleaved), 叫号 / 复呼 /
 * 过号 / 开始 / 完成 with every transition legal and illegal, the patient's live status, and the
 * invariant remaining + active = capacity after every path. Times are Shanghai wall-clock; the
 * suite runs under TZ=America/New_York.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentStatuses, type AppointmentStatus } from '../../functions/src/booking/appointment-view.js';
import { at, doctorGet, doctorPost, expectInvariant, morningClinic, patientGet, patientPost, statusOf } from './support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('a morning clinic, from the first check-in to the last completion', () => {
  it('checks in, calls in queue order, shows the patient where to go, passes, returns and completes', async () => {
    const clinic = await morningClinic(app, 5);
    const [p1, p2, p3, p4, p5] = clinic.patients as [any, any, any, any, any];
    const [a1, a2, a3, a4, a5] = clinic.appointments as [number, number, number, number, number];

    // 07:30: numbers 2 and 1 arrive (in that order), on time.
    app.clock.freeze(at('07:30:00'));
    const booked = await patientGet(app, p1, `/api/v1/appointments/${a1}/queue`);
    expect(booked.body).toMatchObject({ status: 'booked', message: '已到签到时间，请签到', checkIn: { open: true } });
    expect((await patientPost(app, p2, `/api/v1/appointments/${a2}/check-in`)).body).toMatchObject({ status: 'checked_in', ahead: 0 });
    const first = await patientPost(app, p1, `/api/v1/appointments/${a1}/check-in`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'checked_in', ahead: 0, message: '已签到，下一位就是您' });
    expect((await patientGet(app, p2, `/api/v1/appointments/${a2}/queue`)).body).toMatchObject({ ahead: 1, message: '已签到，前面还有 1 人' });
    // A double tap answers the same.
    expect((await patientPost(app, p1, `/api/v1/appointments/${a1}/check-in`)).status).toBe(200);

    // 08:20: number 3 is late (08:00 + 10 min grace); number 4 is checked in by the doctor, also late.
    app.clock.freeze(at('08:20:00'));
    expect((await patientPost(app, p3, `/api/v1/appointments/${a3}/check-in`)).status).toBe(200);
    const desk = await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a4}/check-in`);
    expect(desk.status).toBe(200);
    // Number 5 (08:30 slot) is on time and goes by number: 4 was placed after 3 when it was the last.
    expect((await patientPost(app, p5, `/api/v1/appointments/${a5}/check-in`)).status).toBe(200);
    const queue = await doctorGet(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/queue`);
    expect(queue.body.waiting.map((e: any) => [e.queueNumber, e.late])).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, true],
      [5, false],
    ]);
    expect(queue.body.counts).toEqual({ total: 5, checkedIn: 5, waiting: 5, completed: 0, passed: 0, noShow: 0 });
    expect(queue.body.current).toBeNull();
    expect(queue.body.session.room).toMatch(/3 诊室$/);

    // 叫号 → number 1; the patient is sent to the room; number 2 sees who is being called.
    const called = await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
    expect(called.status).toBe(200);
    expect(called.body.current).toMatchObject({ queueNumber: 1, status: 'called' });
    const sent = await patientGet(app, p1, `/api/v1/appointments/${a1}/queue`);
    expect(sent.body.message).toBe(`请到 ${queue.body.session.room} 就诊`);
    expect((await patientGet(app, p2, `/api/v1/appointments/${a2}/queue`)).body.message).toBe('已签到，下一位就是您，正在叫 1 号');
    // 叫号 again while number 1 is there: refused, nobody else called.
    const busy = await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
    expect([busy.status, busy.body.error.code]).toEqual([409, 'QUEUE_BUSY']);
    expect(await statusOf(app, a2)).toBe('checked_in');

    // 复呼, 开始, 完成.
    expect((await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a1}/recall`)).status).toBe(200);
    expect((await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a1}/start`)).body.current).toMatchObject({ queueNumber: 1, status: 'in_visit' });
    expect((await patientGet(app, p1, `/api/v1/appointments/${a1}/queue`)).body.message).toBe('就诊中');
    expect((await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a1}/complete`)).body.counts).toMatchObject({ completed: 1, waiting: 4 });

    // Number 2 is called and passed; comes back and re-enters two places after the last late one (4).
    await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
    const passed = await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a2}/pass`);
    expect(passed.body.passed.map((e: any) => e.queueNumber)).toEqual([2]);
    expect((await patientGet(app, p2, `/api/v1/appointments/${a2}/queue`)).body.status).toBe('passed');
    app.clock.freeze(at('08:50:00'));
    expect((await patientPost(app, p2, `/api/v1/appointments/${a2}/check-in`)).status).toBe(200);
    const after = await doctorGet(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/queue`);
    expect(after.body.waiting.map((e: any) => e.queueNumber)).toEqual([3, 4, 5, 2]);

    const row = await app.database.db.selectFrom('appointment').select(['called_at', 'visit_started_at', 'completed_at', 'checked_in_at']).where('id', '=', a1).executeTakeFirstOrThrow();
    expect(row.checked_in_at?.toISOString()).toBe(at('07:30:00').toISOString());
    expect(row.completed_at?.toISOString()).toBe(at('08:20:00').toISOString());
    await expectInvariant(app);
  });

  it('refuses 叫号 on an empty queue with QUEUE_EMPTY', async () => {
    const clinic = await morningClinic(app, 1);
    const res = await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([409, 'QUEUE_EMPTY', '暂无候诊患者']);
  });
});

describe('the check-in window (Shanghai wall-clock, rules: 60 min before to 30 min after the slot start)', () => {
  it('opens at 07:00 and closes at 08:30 for an 08:00 slot, whatever the server’s zone', async () => {
    const clinic = await morningClinic(app, 1);
    const [p1] = clinic.patients as [any];
    const [a1] = clinic.appointments as [number];
    app.clock.freeze(new Date(at('07:00:00').getTime() - 1));
    const early = await patientPost(app, p1, `/api/v1/appointments/${a1}/check-in`);
    expect([early.status, early.body.error.code]).toEqual([409, 'CHECK_IN_NOT_OPEN']);
    expect(early.body.error.message).toContain('07:00');
    app.clock.freeze(new Date(at('08:30:00').getTime() + 1));
    const late = await patientPost(app, p1, `/api/v1/appointments/${a1}/check-in`);
    expect([late.status, late.body.error.code]).toEqual([409, 'CHECK_IN_CLOSED']);
    expect(late.body.error.message).toContain('08:30');
    // The doctor may still check the patient in until the session ends (10:00).
    expect((await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a1}/check-in`)).status).toBe(200);
    app.clock.freeze(at('08:30:00'));
    await expectInvariant(app);
  });

  it('follows a department’s own rules', async () => {
    const clinic = await morningClinic(app, 1);
    const now = new Date();
    await app.database.db
      .insertInto('booking_rule')
      .values({ department_id: clinic.hospital.departmentId, check_in_before_minutes: 15, check_in_until_minutes: 5, created_at: now, updated_at: now })
      .execute();
    app.clock.freeze(at('07:44:00'));
    expect((await patientPost(app, clinic.patients[0]!, `/api/v1/appointments/${clinic.appointments[0]}/check-in`)).body.error.code).toBe('CHECK_IN_NOT_OPEN');
    app.clock.freeze(at('08:05:01'));
    expect((await patientPost(app, clinic.patients[0]!, `/api/v1/appointments/${clinic.appointments[0]}/check-in`)).body.error.code).toBe('CHECK_IN_CLOSED');
    app.clock.freeze(at('07:45:00'));
    expect((await patientPost(app, clinic.patients[0]!, `/api/v1/appointments/${clinic.appointments[0]}/check-in`)).status).toBe(200);
  });
});

describe('late and returning patients interleave every n places (rule late_interleave, default 2)', () => {
  it('on time by number; each late one two places after the previous late one', async () => {
    const clinic = await morningClinic(app, 8);
    // Numbers 1, 2, 5, 6, 7, 8 on time (08:30 slot); 3 and 4 late for the 08:00 slot.
    app.clock.freeze(at('08:05:00'));
    for (const i of [0, 1]) expect((await patientPost(app, clinic.patients[i]!, `/api/v1/appointments/${clinic.appointments[i]}/check-in`)).status).toBe(200);
    app.clock.freeze(at('08:25:00'));
    for (const i of [4, 5, 6, 7]) await patientPost(app, clinic.patients[i]!, `/api/v1/appointments/${clinic.appointments[i]}/check-in`);
    for (const i of [2, 3]) await patientPost(app, clinic.patients[i]!, `/api/v1/appointments/${clinic.appointments[i]}/check-in`);
    const queue = await doctorGet(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/queue`);
    expect(queue.body.waiting.map((e: any) => e.queueNumber)).toEqual([1, 2, 3, 5, 6, 4, 7, 8]);
    // The patients' positions agree with the doctor's list.
    const ahead = await Promise.all(clinic.patients.map((p, i) => patientGet(app, p, `/api/v1/appointments/${clinic.appointments[i]}/queue`).then((r) => r.body.ahead)));
    expect(ahead).toEqual([0, 1, 2, 5, 3, 4, 6, 7]);
  });

  it('calls in that order: 叫号 is one ORDER BY queue_key', async () => {
    const clinic = await morningClinic(app, 4);
    app.clock.freeze(at('08:15:00'));
    for (const i of [3, 1, 0, 2]) await patientPost(app, clinic.patients[i]!, `/api/v1/appointments/${clinic.appointments[i]}/check-in`);
    const order: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
      order.push(res.body.current.queueNumber);
      await doctorPost(app, clinic, `/api/v1/doctor/appointments/${res.body.current.appointmentId}/start`);
      await doctorPost(app, clinic, `/api/v1/doctor/appointments/${res.body.current.appointmentId}/complete`);
    }
    // All four late (08:15 > 08:10): the first late goes after two waiting, later ones after it.
    expect(order).toEqual([4, 2, 1, 3]);
  });
});

describe('every transition, legal and illegal', () => {
  const steps = {
    recall: { path: 'recall', from: ['called'] },
    pass: { path: 'pass', from: ['called'] },
    start: { path: 'start', from: ['called'] },
    complete: { path: 'complete', from: ['in_visit'] },
    checkIn: { path: 'check-in', from: ['booked', 'passed', 'checked_in'] },
  } as const;
  const after: Record<string, AppointmentStatus> = { recall: 'called', pass: 'passed', start: 'in_visit', complete: 'completed', checkIn: 'checked_in' };

  it.each(Object.keys(steps))('%s: allowed only from its statuses, else 409 VISIT_STATE_CONFLICT with the status', async (name) => {
    const step = steps[name as keyof typeof steps];
    const clinic = await morningClinic(app, 1);
    const id = clinic.appointments[0]!;
    app.clock.freeze(at('08:00:00'));
    for (const status of appointmentStatuses) {
      await app.database.db.updateTable('appointment').set({ status, passed_count: 0 }).where('id', '=', id).execute();
      const res = await doctorPost(app, clinic, `/api/v1/doctor/appointments/${id}/${step.path}`);
      const legal = (step.from as readonly string[]).includes(status);
      if (legal) {
        expect(res.status, `${name} from ${status}`).toBe(200);
        expect(await statusOf(app, id)).toBe(after[name]);
      } else {
        expect([res.status, res.body.error.code, res.body.error.details], `${name} from ${status}`).toEqual([409, 'VISIT_STATE_CONFLICT', { status }]);
        expect(await statusOf(app, id)).toBe(status);
      }
    }
    // Statuses were set by hand (cancelled / expired without returning the place): put it back.
    await app.database.db.updateTable('appointment').set({ status: 'booked' }).where('id', '=', id).execute();
    await expectInvariant(app);
  });

  it('过号 more than the limit (2): the patient is not queued again', async () => {
    const clinic = await morningClinic(app, 1);
    const id = clinic.appointments[0]!;
    app.clock.freeze(at('08:00:00'));
    for (let pass = 1; pass <= 3; pass += 1) {
      expect((await patientPost(app, clinic.patients[0]!, `/api/v1/appointments/${id}/check-in`)).status).toBe(200);
      await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
      expect((await doctorPost(app, clinic, `/api/v1/doctor/appointments/${id}/pass`)).status).toBe(200);
    }
    const refused = await patientPost(app, clinic.patients[0]!, `/api/v1/appointments/${id}/check-in`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'PASS_LIMIT_REACHED']);
    expect((await patientGet(app, clinic.patients[0]!, `/api/v1/appointments/${id}/queue`)).body.message).toBe('您已多次过号，不再叫号，请到分诊台咨询');
    await expectInvariant(app);
  });
});
