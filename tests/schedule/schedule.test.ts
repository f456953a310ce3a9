import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminOf, createDepartment, createDoctor, createSession } from '../support/hospital.js';

// Tuesday 2026-12-01, 10:00 in Shanghai (02:00 UTC; 21:00 the day before in New York).
const NOW = new Date('2026-12-01T02:00:00Z');

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;
beforeAll(async () => {
  app = await startTestApp();
  app.clock.freeze(NOW);
  admin = await adminOf(app);
});
afterAll(() => app.close());
beforeEach(() => app.clock.freeze(NOW));

async function sessionsOf(doctorId: number) {
  const res = await app.request('GET', `/api/v1/admin/sessions?doctorId=${doctorId}`, { token: admin.accessToken });
  expect(res.status).toBe(200);
  return res.body.items as Array<{ id: number; date: string; feeFen: number; releaseAt: string; fromTemplate: boolean; slots: Array<{ id: number; capacity: number; startTime: string }> }>;
}

const template = { weekday: 2, startTime: '08:00', endTime: '10:00', slotMinutes: 30, capacityPerSlot: 5, feeFen: 1500 };

/** A stand-in appointment row so the generator sees a booked session (booking itself is tested in tests/booking). */
async function markBooked(sessionId: number) {
  const session = await app.deps.db.selectFrom('clinic_session').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow();
  const slot = await app.deps.db.selectFrom('slot').selectAll().where('session_id', '=', sessionId).orderBy('start_time').executeTakeFirstOrThrow();
  const patient = await registerPatient(app);
  await app.deps.db.updateTable('slot').set({ remaining: slot.remaining - 1, next_seq: 1 }).where('id', '=', slot.id).execute();
  await app.deps.db
    .insertInto('appointment')
    .values({
      order_no: `T${sessionId}`.padEnd(20, '0'),
      account_id: patient.userId,
      profile_id: 1,
      slot_id: slot.id,
      session_id: sessionId,
      doctor_id: session.doctor_id,
      department_id: session.department_id,
      session_date: session.session_date,
      period: session.period,
      slot_start: slot.start_time,
      slot_end: slot.end_time,
      queue_number: slot.seq_start,
      fee_fen: session.fee_fen,
      status: 'booked',
      idempotency_key: `k${sessionId}`,
      request_hash: 'x'.repeat(64),
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();
}

describe('the generator', () => {
  it('creates sessions and slots from templates for the booking window plus a week, once', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    const created = await app.request('POST', `/api/v1/admin/doctors/${doctor.id}/templates`, { token: admin.accessToken, body: template });
    expect(created.status).toBe(201);

    const first = await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ from: '2026-12-01', to: '2026-12-15' });
    const sessions = await sessionsOf(doctor.id);
    // Tuesdays within 2026-12-01 … 2026-12-15.
    expect(sessions.map((s) => s.date)).toEqual(['2026-12-01', '2026-12-08', '2026-12-15']);
    const [firstSession] = sessions;
    expect(firstSession!.slots.map((s) => [s.startTime, s.capacity])).toEqual([
      ['08:00:00', 5],
      ['08:30:00', 5],
      ['09:00:00', 5],
      ['09:30:00', 5],
    ]);
    // 放号: 7 days before at 07:30 Shanghai = 23:30 UTC the evening before that.
    expect(sessions[2]!.releaseAt).toBe('2026-12-07T23:30:00.000Z');
    const seq = await app.deps.db.selectFrom('slot').select(['seq_start', 'seq_count']).where('session_id', '=', firstSession!.id).orderBy('start_time').execute();
    expect(seq).toEqual([
      { seq_start: 1, seq_count: 5 },
      { seq_start: 6, seq_count: 5 },
      { seq_start: 11, seq_count: 5 },
      { seq_start: 16, seq_count: 5 },
    ]);

    const again = await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    expect(again.body.created).toBe(0);
    expect(await sessionsOf(doctor.id)).toEqual(sessions);
  });

  it('lets unreleased, unbooked sessions follow a template edit and never touches released or booked ones', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    const made = await app.request('POST', `/api/v1/admin/doctors/${doctor.id}/templates`, { token: admin.accessToken, body: template });
    const templateId = made.body.items[0].id as number;
    // A Wednesday template too: its 12-09 session is unreleased and will be booked (by fixture).
    const wed = await app.request('POST', `/api/v1/admin/doctors/${doctor.id}/templates`, { token: admin.accessToken, body: { ...template, weekday: 3 } });
    await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    const before = await sessionsOf(doctor.id);
    const wedSession = before.find((s) => s.date === '2026-12-09')!;
    await markBooked(wedSession.id);

    await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}/templates/${templateId}`, { token: admin.accessToken, body: { ...template, feeFen: 2500, capacityPerSlot: 6 } });
    await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}/templates/${wed.body.items.find((t: { weekday: number }) => t.weekday === 3).id}`, {
      token: admin.accessToken,
      body: { ...template, weekday: 3, feeFen: 9900 },
    });
    const result = await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    expect(result.body).toMatchObject({ created: 0, rebuilt: 1, removed: 0 });

    const after = await sessionsOf(doctor.id);
    const byDate = (list: typeof after, date: string) => list.find((s) => s.date === date)!;
    // Released (12-01, 12-08 released at 12-01 07:30) and booked (12-09) sessions keep their fee.
    expect(byDate(after, '2026-12-01').feeFen).toBe(1500);
    expect(byDate(after, '2026-12-08').feeFen).toBe(1500);
    expect(byDate(after, '2026-12-09').feeFen).toBe(1500);
    expect(byDate(after, '2026-12-09').id).toBe(wedSession.id);
    // Unreleased and unbooked: rebuilt with the new fee and capacity.
    expect(byDate(after, '2026-12-15').feeFen).toBe(2500);
    expect(byDate(after, '2026-12-15').slots.every((s) => s.capacity === 6)).toBe(true);

    const removed = await app.request('DELETE', `/api/v1/admin/doctors/${doctor.id}/templates/${templateId}`, { token: admin.accessToken });
    expect(removed.status).toBe(200);
    const third = await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    expect(third.body.removed).toBe(1);
    expect((await sessionsOf(doctor.id)).map((s) => s.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-08', '2026-12-09']);
  });
});

describe('sessions edited directly', () => {
  it('survive the generator: a fee change, a 加号 and a capacity change on unreleased template sessions are kept', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    for (const weekday of [2, 3, 4]) {
      const made = await app.request('POST', `/api/v1/admin/doctors/${doctor.id}/templates`, { token: admin.accessToken, body: { ...template, weekday } });
      expect(made.status).toBe(201);
    }
    await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    const generated = await sessionsOf(doctor.id);
    const byDate = (list: typeof generated, date: string) => list.find((s) => s.date === date)!;
    // All three are unreleased at NOW (released 7 days ahead at 07:30 Shanghai).
    const [tue, wed, thu] = ['2026-12-15', '2026-12-09', '2026-12-10'].map((date) => byDate(generated, date));
    for (const s of [tue, wed, thu]) expect(new Date(s!.releaseAt).getTime()).toBeGreaterThan(NOW.getTime());

    const fee = await app.request('PUT', `/api/v1/admin/sessions/${tue!.id}`, { token: admin.accessToken, body: { feeFen: 3000 } });
    expect(fee.status).toBe(200);
    const extra = await app.request('POST', `/api/v1/admin/sessions/${wed!.id}/slots`, { token: admin.accessToken, body: { startTime: '10:00', endTime: '10:30', capacity: 2 } });
    expect(extra.status).toBe(201);
    const capacity = await app.request('PUT', `/api/v1/admin/slots/${thu!.slots[0]!.id}/capacity`, { token: admin.accessToken, body: { capacity: 3 } });
    expect(capacity.status).toBe(200);
    const edited = await sessionsOf(doctor.id);

    const again = await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    expect(again.body).toMatchObject({ created: 0, rebuilt: 0, removed: 0 });
    const after = await sessionsOf(doctor.id);
    expect(after).toEqual(edited);
    expect(byDate(after, '2026-12-15')).toMatchObject({ id: tue!.id, feeFen: 3000 });
    expect(byDate(after, '2026-12-09').slots.map((s) => [s.startTime, s.capacity])).toEqual([
      ['08:00:00', 5],
      ['08:30:00', 5],
      ['09:00:00', 5],
      ['09:30:00', 5],
      ['10:00:00', 2],
    ]);
    expect(byDate(after, '2026-12-10').slots[0]!.capacity).toBe(3);

    // They no longer follow the template: a template change later leaves them as edited.
    const templates = await app.request('GET', `/api/v1/admin/doctors/${doctor.id}/templates`, { token: admin.accessToken });
    for (const weekday of [2, 3, 4]) {
      const own = templates.body.items.find((t: { weekday: number }) => t.weekday === weekday);
      await app.request('PUT', `/api/v1/admin/doctors/${doctor.id}/templates/${own.id}`, { token: admin.accessToken, body: { ...template, weekday, feeFen: 9900 } });
    }
    await app.request('POST', '/api/v1/admin/schedule/generate', { token: admin.accessToken });
    const later = await sessionsOf(doctor.id);
    expect(byDate(later, '2026-12-15')).toMatchObject({ id: tue!.id, feeFen: 3000, fromTemplate: false });
    expect(byDate(later, '2026-12-09')).toMatchObject({ id: wed!.id, feeFen: 1500, fromTemplate: false });
    expect(byDate(later, '2026-12-10')).toMatchObject({ id: thu!.id, feeFen: 1500, fromTemplate: false });
    expect(byDate(later, '2026-12-10').slots[0]!.capacity).toBe(3);
  });
});

describe('sessions created directly', () => {
  it('refuse duplicates, past dates and impossible times', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-03' });
    const dup = await app.request('POST', '/api/v1/admin/sessions', {
      token: admin.accessToken,
      body: { doctorId: doctor.id, date: '2026-12-03', startTime: '09:00', endTime: '11:00', slotMinutes: 30, capacityPerSlot: 4, feeFen: 1000 },
    });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'SESSION_EXISTS']);
    const past = await app.request('POST', '/api/v1/admin/sessions', {
      token: admin.accessToken,
      body: { doctorId: doctor.id, date: '2026-11-30', startTime: '14:00', endTime: '16:00', slotMinutes: 30, capacityPerSlot: 4, feeFen: 1000 },
    });
    expect(past.body.error.code).toBe('SESSION_IN_PAST');
    const inverted = await app.request('POST', '/api/v1/admin/sessions', {
      token: admin.accessToken,
      body: { doctorId: doctor.id, date: '2026-12-04', startTime: '11:00', endTime: '09:00', slotMinutes: 30, capacityPerSlot: 4, feeFen: 1000 },
    });
    expect([inverted.status, inverted.body.error.code]).toEqual([422, 'SESSION_TIMES_INVALID']);
    const badTime = await app.request('POST', '/api/v1/admin/sessions', {
      token: admin.accessToken,
      body: { doctorId: doctor.id, date: '2026-12-04', startTime: '25:00', endTime: '26:00', slotMinutes: 30, capacityPerSlot: 4, feeFen: 1000 },
    });
    expect(badTime.status).toBe(400);
  });

  it('capacity may drop to what is booked but not below, nor rise beyond the slot’s number range', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const doctor = await createDoctor(app, admin.accessToken, dep.id);
    const session = await createSession(app, admin.accessToken, { doctorId: doctor.id, date: '2026-12-05' });
    await markBooked(session.id);
    const slot = session.slots[0]!;

    const below = await app.request('PUT', `/api/v1/admin/slots/${slot.id}/capacity`, { token: admin.accessToken, body: { capacity: 0 } });
    expect([below.status, below.body.error.code]).toEqual([409, 'CAPACITY_BELOW_BOOKED']);
    const above = await app.request('PUT', `/api/v1/admin/slots/${slot.id}/capacity`, { token: admin.accessToken, body: { capacity: 5 } });
    expect(above.body.error.code).toBe('CAPACITY_ABOVE_RANGE');
    const down = await app.request('PUT', `/api/v1/admin/slots/${slot.id}/capacity`, { token: admin.accessToken, body: { capacity: 1 } });
    expect(down.status).toBe(200);
    expect(down.body.slots[0]).toMatchObject({ capacity: 1, remaining: 0, booked: 1 });
    const up = await app.request('PUT', `/api/v1/admin/slots/${slot.id}/capacity`, { token: admin.accessToken, body: { capacity: 4 } });
    expect(up.body.slots[0]).toMatchObject({ capacity: 4, remaining: 3, booked: 1 });
    // Setting the capacity it already has (the frozen clock makes the UPDATE change nothing) is fine.
    const same = await app.request('PUT', `/api/v1/admin/slots/${slot.id}/capacity`, { token: admin.accessToken, body: { capacity: 4 } });
    expect(same.status).toBe(200);

    // 加号: a new slot gets the numbers after every existing range.
    const added = await app.request('POST', `/api/v1/admin/sessions/${session.id}/slots`, { token: admin.accessToken, body: { startTime: '10:00', endTime: '10:30', capacity: 3 } });
    expect(added.status).toBe(201);
    const seq = await app.deps.db.selectFrom('slot').select(['start_time', 'seq_start', 'seq_count']).where('session_id', '=', session.id).orderBy('seq_start').execute();
    expect(seq.at(-1)).toEqual({ start_time: '10:00:00', seq_start: 17, seq_count: 3 });
    const row = await app.deps.db.selectFrom('clinic_session').select('bookable_until').where('id', '=', session.id).executeTakeFirstOrThrow();
    expect(row.bookable_until.toISOString()).toBe('2026-12-05T02:30:00.000Z');
  });
});

describe('doctors manage their own schedule only', () => {
  it('sees, creates and edits own sessions; another doctor’s are not found; patients are refused', async () => {
    const dep = await createDepartment(app, admin.accessToken);
    const mine = await createDoctor(app, admin.accessToken, dep.id, { name: '周医生' });
    const other = await createDoctor(app, admin.accessToken, dep.id, { name: '吴医生' });
    const made = await app.request('POST', '/api/v1/doctor/sessions', {
      token: mine.token,
      body: { date: '2026-12-10', startTime: '14:00', endTime: '17:00', slotMinutes: 60, capacityPerSlot: 6, feeFen: 2000 },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ doctorId: mine.id, period: 'afternoon', feeFen: 2000 });
    const list = await app.request('GET', '/api/v1/doctor/sessions?from=2026-12-01&to=2026-12-31', { token: mine.token });
    expect(list.body.items.map((s: { id: number }) => s.id)).toEqual([made.body.id]);

    const foreign = await app.request('PUT', `/api/v1/doctor/sessions/${made.body.id}`, { token: other.token, body: { feeFen: 1 } });
    expect(foreign.status).toBe(404);
    const foreignSlot = await app.request('PUT', `/api/v1/doctor/slots/${made.body.slots[0].id}/capacity`, { token: other.token, body: { capacity: 1 } });
    expect(foreignSlot.status).toBe(404);
    const own = await app.request('PUT', `/api/v1/doctor/sessions/${made.body.id}`, { token: mine.token, body: { feeFen: 2500 } });
    expect(own.body.feeFen).toBe(2500);

    const templates = await app.request('POST', '/api/v1/doctor/templates', { token: mine.token, body: template });
    expect(templates.status).toBe(201);
    expect(templates.body.items[0]).toMatchObject({ doctorId: mine.id, period: 'morning' });

    const patient = await registerPatient(app);
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: patient.accessToken })).status).toBe(403);
    expect((await app.request('POST', '/api/v1/admin/schedule/generate', { token: mine.token })).status).toBe(403);
    // A doctor account without a doctor record (created as plain staff) cannot act as one.
    const plain = await app.request('POST', '/api/v1/admin/users', { token: admin.accessToken, body: { phone: '13912340000', password: 'Doctor123', role: 'doctor', displayName: '未关联' } });
    expect(plain.status).toBe(201);
    const login = await app.request('POST', '/api/v1/auth/login', { body: { phone: '13912340000', password: 'Doctor123' } });
    expect((await app.request('GET', '/api/v1/doctor/sessions', { token: login.body.tokens.accessToken })).status).toBe(403);

    const audit = await app.deps.db.selectFrom('audit_log').select('action').where('actor_user_id', '=', mine.userId).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['session.create', 'session.update', 'template.create']));
  });
});
