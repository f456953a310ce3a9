import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';

// Monday 2026-12-07, 07:29:30 in Shanghai — thirty seconds before the daily 07:30 release.
// (It is still Sunday evening in New York, where the suite runs, and 23:29:30 UTC on the 6th.)
const BEFORE_RELEASE = new Date('2026-12-06T23:29:30Z');

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
beforeAll(async () => {
  app = await startTestApp();
  app.clock.freeze(BEFORE_RELEASE);
  admin = await adminOf(app);
});
afterAll(() => app.close());
beforeEach(() => app.clock.freeze(BEFORE_RELEASE));

describe('departments', () => {
  it('are a tree of active 大科 and 小科; inactive ones disappear for patients', async () => {
    const internal = await createDepartment(app, admin.accessToken, { name: '内科', sortOrder: 1 });
    const cardio = await createDepartment(app, admin.accessToken, { name: '心血管内科', parentId: internal.id });
    const hidden = await createDepartment(app, admin.accessToken, { name: '停用科室', active: false });
    const nested = await app.request('POST', '/api/v1/admin/departments', { token: admin.accessToken, body: { code: 'NESTED', name: '三级科室', parentId: cardio.id } });
    expect([nested.status, nested.body.error.code]).toEqual([422, 'DEPARTMENT_PARENT_INVALID']);
    const dupCode = await app.request('POST', '/api/v1/admin/departments', { token: admin.accessToken, body: { code: internal.code, name: '重复' } });
    expect(dupCode.body.error.code).toBe('DEPARTMENT_CODE_TAKEN');

    const tree = await app.request('GET', '/api/v1/departments');
    expect(tree.status).toBe(200);
    const node = tree.body.items.find((d: { id: number }) => d.id === internal.id);
    expect(node.children.map((c: { name: string }) => c.name)).toEqual(['心血管内科']);
    expect(tree.body.items.some((d: { id: number }) => d.id === hidden.id)).toBe(false);
    expect((await app.request('GET', `/api/v1/departments/${hidden.id}`)).status).toBe(404);
    expect((await app.request('GET', `/api/v1/departments/${cardio.id}`)).body).toMatchObject({ name: '心血管内科', parentId: internal.id });
  });
});

describe('doctors', () => {
  it('are listed per department (with its 小科), searched by name, specialty or department, with days that have places', async () => {
    const surgery = await createDepartment(app, admin.accessToken, { name: '外科' });
    const ortho = await createDepartment(app, admin.accessToken, { name: '骨科', parentId: surgery.id, location: '门诊楼一楼东区' });
    const doctor = await createDoctor(app, admin.accessToken, ortho.id, { name: '郭永强', title: 'chief', specialty: '关节置换、运动损伤', defaultFeeFen: 3000 });
    await createDoctor(app, admin.accessToken, ortho.id, { name: '停诊医生', active: false });
    await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-08' });
    await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-14' }); // released at 12-07 07:30

    const byParent = await app.request('GET', `/api/v1/doctors?departmentId=${surgery.id}`);
    expect(byParent.body.items.map((d: { name: string }) => d.name)).toEqual(['郭永强']);
    const card = byParent.body.items[0];
    expect(card).toMatchObject({ titleLabel: '主任医师', feeFen: 3000, department: { name: '骨科', location: '门诊楼一楼东区' } });
    expect(card.availability).toEqual([
      { date: '2026-12-08', remaining: 16, released: true },
      { date: '2026-12-14', remaining: 16, released: false },
    ]);
    for (const q of ['郭永', '运动损伤', '骨科']) {
      const found = await app.request('GET', `/api/v1/doctors?q=${encodeURIComponent(q)}`);
      expect([q, found.body.items.map((d: { id: number }) => d.id)]).toEqual([q, [doctor.id]]);
    }
    expect((await app.request('GET', `/api/v1/doctors?q=${encodeURIComponent('%')}`)).body.items).toEqual([]);
    expect((await app.request('GET', `/api/v1/doctors/${doctor.id}`)).body.name).toBe('郭永强');
    expect((await app.request('GET', '/api/v1/doctors/999999')).status).toBe(404);
  });
});

describe('the doctor list\'s availability', () => {
  it('shows each doctor the booking window of their own 小科 (its override, its 大科\'s, or the global rule)', async () => {
    const parent = await createDepartment(app, admin.accessToken, { name: '眼科' });
    const longer = await createDepartment(app, admin.accessToken, { name: '眼底病科', parentId: parent.id });
    const usual = await createDepartment(app, admin.accessToken, { name: '白内障科', parentId: parent.id });
    const none = Object.fromEntries(Object.keys(defaultRules).map((k) => [k, null]));
    const rule = await app.request('PUT', `/api/v1/admin/booking-rules/departments/${longer.id}`, { token: admin.accessToken, body: { ...none, daysAhead: 14 } });
    expect(rule.status).toBe(200);
    const far = await createDoctor(app, admin.accessToken, longer.id, { name: '远期医生', specialty: '眼底' });
    const near = await createDoctor(app, admin.accessToken, usual.id, { name: '近期医生', specialty: '眼底' });
    // Today is 2026-12-07 in Shanghai: the 17th is inside a 14-day window and outside a 7-day one.
    for (const doctor of [far, near]) {
      await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-09' });
      await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-17' });
    }
    const days = (items: Array<{ id: number; availability: Array<{ date: string }> }>, id: number) => items.find((d) => d.id === id)!.availability.map((a) => a.date);
    for (const query of [`departmentId=${parent.id}`, `q=${encodeURIComponent('眼底')}`]) {
      const list = await app.request('GET', `/api/v1/doctors?${query}`);
      expect([query, days(list.body.items, far.id)]).toEqual([query, ['2026-12-09', '2026-12-17']]);
      expect([query, days(list.body.items, near.id)]).toEqual([query, ['2026-12-09']]);
    }
    expect((await app.request('GET', `/api/v1/doctors/${far.id}`)).body.availability.map((a: { date: string }) => a.date)).toEqual(['2026-12-09', '2026-12-17']);

    // A 大科 closed: its 小科's doctors leave the search and their calendars, as the booking gate refuses them.
    // The console refuses to close it while they work there (DEPARTMENT_IN_USE, department-admin.test.ts), but
    // the state still arises — a doctor may be added to a closed department — so it is set directly here.
    await app.database.db.updateTable('department').set({ active: 0 }).where('id', '=', parent.id).execute();
    expect((await app.request('GET', `/api/v1/doctors?q=${encodeURIComponent('眼底')}`)).body.items).toEqual([]);
    expect((await app.request('GET', `/api/v1/doctors/${far.id}/sessions`)).body.error?.code).toBe('DOCTOR_NOT_FOUND');
    expect((await app.request('GET', `/api/v1/doctors/${far.id}`)).body.error?.code).toBe('DOCTOR_NOT_FOUND');
  });
});

describe('a doctor’s calendar', () => {
  it('says for every slot whether it can be booked now, and why not — in Shanghai time', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    const today = await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-07', startTime: '07:00', endTime: '09:00', slotMinutes: 60, capacityPerSlot: 2 });
    const tomorrow = await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-08', startTime: '14:00', endTime: '15:00', slotMinutes: 30, capacityPerSlot: 1 });
    const nextWeek = await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-14', startTime: '08:00', endTime: '09:00', slotMinutes: 30, capacityPerSlot: 3 });
    // A full slot: capacity lowered to nothing booked = 0 places.
    await app.request('PUT', `/api/v1/admin/slots/${tomorrow.slots[1]!.id}/capacity`, { token: admin.accessToken, body: { capacity: 0 } });

    const calendar = async () => (await app.request('GET', `/api/v1/doctors/${doctor.id}/sessions`)).body;
    const before = await calendar();
    expect(before.from).toBe('2026-12-07');
    expect(before.to).toBe('2026-12-21');
    const states = (body: typeof before) =>
      Object.fromEntries(body.sessions.map((s: { date: string; slots: Array<{ startTime: string; state: string }> }) => [s.date, s.slots.map((x) => `${x.startTime.slice(0, 5)} ${x.state}`)]));
    expect(states(before)).toEqual({
      '2026-12-07': ['07:00 past', '08:00 available'],
      '2026-12-08': ['14:00 available', '14:30 full'],
      '2026-12-14': ['08:00 not_released', '08:30 not_released'],
    });
    const session14 = before.sessions.find((s: { id: number }) => s.id === nextWeek.id);
    expect(session14).toMatchObject({ periodLabel: '上午', releaseAt: '2026-12-06T23:30:00.000Z', remaining: 6 });
    expect(session14.slots[0].stateLabel).toBe('未放号');

    app.clock.freeze(new Date('2026-12-06T23:30:00Z')); // 07:30:00 Shanghai: released
    expect(states(await calendar())['2026-12-14']).toEqual(['08:00 available', '08:30 available']);
    app.clock.freeze(new Date('2026-12-07T00:00:00Z')); // 08:00 Shanghai: the 08:00 slot has started
    expect(states(await calendar())['2026-12-07']).toEqual(['07:00 past', '08:00 past']);

    await app.deps.db.updateTable('clinic_session').set({ status: 'suspended', suspend_reason: '医生外出会诊' }).where('id', '=', today.id).execute();
    const suspended = (await calendar()).sessions.find((s: { id: number }) => s.id === today.id);
    expect(suspended).toMatchObject({ status: 'suspended', suspendReason: '医生外出会诊', remaining: 0 });
    expect(suspended.slots.map((s: { state: string }) => s.state)).toEqual(['suspended', 'suspended']);
  });

  it('shows a slot past once its session’s booking has closed (bookable_until), as the booking gate refuses it, though the slot has not started', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    const session = await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-07', startTime: '14:00', endTime: '15:00', slotMinutes: 30, capacityPerSlot: 2 });
    const calendar = async () => (await app.request('GET', `/api/v1/doctors/${doctor.id}/sessions?from=2026-12-07&to=2026-12-07`)).body;
    const states = async () => (await calendar()).sessions[0].slots.map((slot: { state: string }) => slot.state);
    app.clock.freeze(new Date('2026-12-07T01:00:00Z')); // 09:00 Shanghai: released, the slots start at 14:00
    expect(await states()).toEqual(['available', 'available']);
    // Booking closes at 12:00 Shanghai, before the slots start.
    await app.deps.db.updateTable('clinic_session').set({ bookable_until: new Date('2026-12-07T04:00:00Z') }).where('id', '=', session.id).execute();
    app.clock.freeze(new Date('2026-12-07T03:59:59Z'));
    expect(await states()).toEqual(['available', 'available']);
    app.clock.freeze(new Date('2026-12-07T04:00:00Z'));
    expect(await states()).toEqual(['past', 'past']);
  });

  it('bounds the date range and answers 404 for an unknown doctor', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    const tooLong = await app.request('GET', `/api/v1/doctors/${doctor.id}/sessions?from=2026-12-07&to=2027-03-01`);
    expect([tooLong.status, tooLong.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badDate = await app.request('GET', `/api/v1/doctors/${doctor.id}/sessions?from=2026-13-01`);
    expect(badDate.status).toBe(400);
    expect((await app.request('GET', '/api/v1/doctors/424242/sessions')).status).toBe(404);
  });
});
