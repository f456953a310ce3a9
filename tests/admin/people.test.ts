/**
 * The console's people routes: 预约限制 (bans, phones masked), a patient's 就诊人 (masked, each read
 * audited) and the 候补 list — who may call each (admins only) and what they show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../functions/src/auth/phone.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';
import { addProfile, createDoctor, createPatients, createSession, tokenFor } from '../support/scenario.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof staffSession>>;
let doctor: Awaited<ReturnType<typeof staffSession>>;
let patientToken: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await staffSession(app, 'admin');
  doctor = await staffSession(app, 'doctor');
  const [patient] = await createPatients(app.database.db, 1);
  patientToken = await tokenFor(app, patient!.userId);
});
afterAll(() => app.close());

const get = (path: string, token?: string) => app.request('GET', path, { token });

/** A ban row as the sweep writes it (visit/bans.ts), without running the sweep. */
async function insertBan(accountId: number, startsAt: Date, endsAt: Date, trigger: number): Promise<number> {
  const inserted = await app.database.db
    .insertInto('booking_ban')
    .values({ account_id: accountId, tier: 1, no_show_count: 3, trigger_appointment_id: trigger, starts_at: startsAt, ends_at: endsAt, created_at: startsAt, updated_at: startsAt })
    .executeTakeFirstOrThrow();
  return Number(inserted.insertId);
}

describe('GET /api/v1/admin/bans', () => {
  it('lists bans with the phone masked: in force only, or all with their state', async () => {
    const [banned, expired] = await createPatients(app.database.db, 2);
    const now = app.clock.now();
    const day = 86_400_000;
    const current = await insertBan(banned!.userId, new Date(now.getTime() - day), new Date(now.getTime() + 10 * day), 900_001);
    const old = await insertBan(expired!.userId, new Date(now.getTime() - 40 * day), new Date(now.getTime() - 10 * day), 900_002);

    const active = await get('/api/v1/admin/bans', admin.accessToken);
    expect(active.status).toBe(200);
    const mine = active.body.items.filter((b: { id: number }) => [current, old].includes(b.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: current, accountId: banned!.userId, phone: maskPhone(banned!.phone), active: true });
    expect(JSON.stringify(active.body)).not.toContain(banned!.phone);

    const all = await get('/api/v1/admin/bans?active=false', admin.accessToken);
    const both = all.body.items.filter((b: { id: number }) => [current, old].includes(b.id));
    expect(both.map((b: { id: number; active: boolean }) => [b.id, b.active])).toEqual([
      [old, false],
      [current, true],
    ]);
    expect(JSON.stringify(all.body)).not.toContain(expired!.phone);
  });

  it('refuses anonymous callers, patients and doctors', async () => {
    expect((await get('/api/v1/admin/bans')).status).toBe(401);
    expect((await get('/api/v1/admin/bans', patientToken)).status).toBe(403);
    expect((await get('/api/v1/admin/bans', doctor.accessToken)).status).toBe(403);
  });
});

describe('GET /api/v1/admin/users/{id}/profiles', () => {
  it('shows a patient account’s 就诊人 masked, and audits each read', async () => {
    const [patient] = await createPatients(app.database.db, 1);
    const child = await addProfile(app.database.db, patient!.userId);
    const res = await get(`/api/v1/admin/users/${patient!.userId}/profiles`, admin.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.items.map((p: { id: number }) => p.id)).toEqual([patient!.profileId, child]);
    expect(res.body.items[0]).toEqual({
      id: patient!.profileId,
      realName: '患者1',
      relation: 'self',
      idType: 'passport',
      idTypeLabel: expect.any(String),
      idNumberMasked: 'E****123',
      phoneMasked: maskPhone(patient!.phone),
      gender: 'female',
      age: expect.any(Number),
      isDefault: true,
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain(patient!.phone);
    expect(JSON.stringify(res.body)).not.toContain('1990-01-01');
    const audit = await app.database.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'target_type', 'summary'])
      .where('action', '=', 'patient_profile.view')
      .where('target_id', '=', String(patient!.userId))
      .execute();
    expect(audit).toEqual([{ actor_user_id: admin.userId, target_type: 'user_account', summary: JSON.stringify({ profiles: 2 }) }]);
  });

  it('answers 404 for a staff or missing account, and refuses anyone but an admin', async () => {
    expect((await get(`/api/v1/admin/users/${doctor.userId}/profiles`, admin.accessToken)).body.error.code).toBe('NOT_FOUND');
    expect((await get('/api/v1/admin/users/999999999/profiles', admin.accessToken)).status).toBe(404);
    const [patient] = await createPatients(app.database.db, 1);
    const path = `/api/v1/admin/users/${patient!.userId}/profiles`;
    expect((await get(path)).status).toBe(401);
    expect((await get(path, await tokenFor(app, patient!.userId))).status).toBe(403);
    expect((await get(path, doctor.accessToken)).status).toBe(403);
  });
});

describe('GET /api/v1/admin/waitlist', () => {
  it('lists waiting entries per session in FIFO order with their position, masked, filtered and paged', async () => {
    const db = app.database.db;
    const hospital = await createDoctor(db);
    const other = await createDoctor(db);
    const first = await createSession(db, hospital, { date: '2031-03-10', slots: [{ start: '08:00', capacity: 1 }] });
    const second = await createSession(db, other, { date: '2031-03-11', slots: [{ start: '08:00', capacity: 1 }] });
    const patients = await createPatients(db, 4);
    const t0 = Date.parse('2031-03-01T02:00:00Z');
    const entry = async (i: number, sessionId: number, status: 'waiting' | 'cancelled', minute: number) => {
      const at = new Date(t0 + minute * 60_000);
      const p = patients[i]!;
      const row = await db
        .insertInto('waitlist_entry')
        .values({ account_id: p.userId, profile_id: p.profileId, session_id: sessionId, status, created_at: at, updated_at: at })
        .executeTakeFirstOrThrow();
      return Number(row.insertId);
    };
    // Inserted out of order: the list follows created_at, and a cancelled entry takes no place.
    const late = await entry(0, first.sessionId, 'waiting', 30);
    const early = await entry(1, first.sessionId, 'waiting', 10);
    await entry(2, first.sessionId, 'cancelled', 5);
    const elsewhere = await entry(3, second.sessionId, 'waiting', 1);

    const bySession = await get(`/api/v1/admin/waitlist?sessionId=${first.sessionId}`, admin.accessToken);
    expect(bySession.status).toBe(200);
    expect(bySession.body.total).toBe(2);
    expect(bySession.body.items.map((e: { id: number; position: number }) => [e.id, e.position])).toEqual([
      [early, 1],
      [late, 2],
    ]);
    expect(bySession.body.items[0]).toMatchObject({
      status: 'waiting',
      patientName: '患*2',
      phone: maskPhone(patients[1]!.phone),
      slotStarts: null,
      session: { id: first.sessionId, date: '2031-03-10', startTime: '08:00', departmentId: hospital.departmentId },
    });
    expect(JSON.stringify(bySession.body)).not.toContain(patients[1]!.phone);

    const range = await get('/api/v1/admin/waitlist?from=2031-03-10&to=2031-03-11&pageSize=2&page=2', admin.accessToken);
    expect([range.body.total, range.body.items.map((e: { id: number }) => e.id)]).toEqual([3, [elsewhere]]);
    const byDepartment = await get(`/api/v1/admin/waitlist?departmentId=${other.departmentId}`, admin.accessToken);
    expect(byDepartment.body.items.map((e: { id: number; position: number }) => [e.id, e.position])).toEqual([[elsewhere, 1]]);
    const cancelled = await get(`/api/v1/admin/waitlist?sessionId=${first.sessionId}&status=cancelled`, admin.accessToken);
    expect(cancelled.body.items.map((e: { position: number | null }) => e.position)).toEqual([null]);
    expect((await get('/api/v1/admin/waitlist?sessionId=0x10', admin.accessToken)).status).toBe(400);
    expect((await get('/api/v1/admin/waitlist?status=gone', admin.accessToken)).status).toBe(400);
  });

  it('refuses anonymous callers, patients and doctors', async () => {
    expect((await get('/api/v1/admin/waitlist')).status).toBe(401);
    expect((await get('/api/v1/admin/waitlist', patientToken)).status).toBe(403);
    expect((await get('/api/v1/admin/waitlist', doctor.accessToken)).status).toBe(403);
  });
});
