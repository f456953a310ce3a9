/**
 * The console's people routes: 预约限制 (bans, phones masked), a patient's 就诊人 (masked, each read
 * audited) and the 候补 list — who may call each (admins only) and what they show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone } from '../../functions/src/auth/phone.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';
import { createPatients, tokenFor } from '../support/scenario.js';

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
