/**
 * 爽约 and bans: the sweep marks booked / passed appointments of ended sessions no_show (never
 * checked-in, called or completed ones, never a session still running); the ban is applied
 * exactly at the Nth no-show in the window, with its message in the outbox, and refuses a booking
 * naming its last day; an admin lifts it with a reason (audited). Also: who may use every new
 * route (another doctor, a patient, anonymous are refused), and the patient detail's rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';
import { book, createDoctor, createPatients, createSession, tokenFor } from '../support/scenario.js';
import { sweepNoShows } from '../../functions/src/visit/no-show.js';
import { at, doctorGet, doctorPost, expectInvariant, morningClinic, patientPost, statusOf } from './support.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('the no-show sweep', () => {
  it('after the session’s end only: booked and passed become no_show; arrived patients stay', async () => {
    const clinic = await morningClinic(app, 5);
    const [a1, a2, a3, a4] = clinic.appointments as [number, number, number, number, number];
    app.clock.freeze(at('08:00:00'));
    for (const i of [0, 1, 2]) await patientPost(app, clinic.patients[i]!, `/api/v1/appointments/${clinic.appointments[i]}/check-in`);
    await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`); // 1
    await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a1}/pass`);
    await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`); // 2
    await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a2}/start`);
    await doctorPost(app, clinic, `/api/v1/doctor/appointments/${a2}/complete`);

    app.clock.freeze(new Date(at('09:00:00').getTime() - 1));
    await sweepNoShows(app.deps);
    expect(await statusOf(app, a4)).toBe('booked');

    app.clock.freeze(at('09:00:00'));
    await sweepNoShows(app.deps);
    const statuses = await Promise.all(clinic.appointments.map((id) => statusOf(app, id)));
    expect(statuses).toEqual(['no_show', 'completed', 'checked_in', 'no_show', 'no_show']);
    expect(await statusOf(app, a3)).toBe('checked_in');
    const queue = await doctorGet(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/queue`);
    expect(queue.body.counts).toEqual({ total: 5, checkedIn: 3, waiting: 1, completed: 1, passed: 0, noShow: 3 });
    // 今日's counts agree, from one GROUP BY over the doctor's day.
    const today = await doctorGet(app, clinic, `/api/v1/doctor/queue-counts?date=2026-12-01`);
    expect(today.body.items).toEqual([{ sessionId: clinic.sessionId, counts: queue.body.counts }]);
    // Run again: nothing more.
    expect((await sweepNoShows(app.deps)).noShows).toBe(0);
    await expectInvariant(app);
  });
});

describe('bans after repeated no-shows (3 in 90 days → 30 days; 6 → 180 days)', () => {
  /** One no-show of `patient` on each of `days` (Shanghai dates), by booking and sweeping. */
  async function noShowOn(patient: { userId: number; profileId: number; phone: string }, date: string) {
    const hospital = await createDoctor(app.database.db);
    const session = await createSession(app.database.db, hospital, { date, slots: [{ start: '08:00', capacity: 2 }] });
    app.clock.freeze(at('12:00:00', addDay(date, -1)));
    const res = await book(app, patient, session.slotIds[0]!);
    expect(res.status).toBe(201);
    app.clock.freeze(at('08:30:00', date));
    return sweepNoShows(app.deps);
  }
  const addDay = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

  it('is applied exactly at the 3rd no-show, told to the patient, refuses booking naming the last day, and is lifted by an admin', async () => {
    const [patient] = await createPatients(app.database.db, 1);
    expect((await noShowOn(patient!, '2026-12-02')).bans).toBe(0);
    expect((await noShowOn(patient!, '2026-12-03')).bans).toBe(0);
    let account = await app.database.db.selectFrom('user_account').select('banned_until').where('id', '=', patient!.userId).executeTakeFirstOrThrow();
    expect(account.banned_until).toBeNull();
    expect((await noShowOn(patient!, '2026-12-04')).bans).toBe(1);
    // Through 2027-01-03 (30 days after 12-04, Shanghai), ending at that day's midnight.
    account = await app.database.db.selectFrom('user_account').select('banned_until').where('id', '=', patient!.userId).executeTakeFirstOrThrow();
    expect(account.banned_until?.toISOString()).toBe(new Date('2027-01-04T00:00:00+08:00').toISOString());
    const message = await app.database.db.selectFrom('notification').select(['template', 'channel']).where('user_id', '=', patient!.userId).where('template', '=', 'ban_applied').execute();
    expect(message.map((m) => m.channel).sort()).toEqual(['in_app', 'sms']);

    // A sweep again: no second ban.
    expect((await sweepNoShows(app.deps)).bans).toBe(0);

    // Booking is refused, naming the last day.
    const hospital = await createDoctor(app.database.db);
    const later = await createSession(app.database.db, hospital, { date: '2026-12-08', slots: [{ start: '08:00', capacity: 2 }] });
    app.clock.freeze(at('10:00:00', '2026-12-05'));
    const refused = await book(app, patient!, later.slotIds[0]!);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'BOOKING_BANNED']);
    expect(refused.body.error.message).toContain('2027年1月3日');

    // The admin lists and lifts it with a reason; booking works again; both audited.
    const admin = await staffSession(app, 'admin');
    const list = await app.request('GET', '/api/v1/admin/bans', { token: admin.accessToken });
    const ban = list.body.items.find((b: any) => b.accountId === patient!.userId);
    expect(ban).toMatchObject({ tier: 1, noShowCount: 3, active: true, lastDay: '2027年1月3日' });
    const noReason = await app.request('POST', `/api/v1/admin/bans/${ban.id}/lift`, { token: admin.accessToken, body: { reason: ' ' } });
    expect(noReason.status).toBe(400);
    const lifted = await app.request('POST', `/api/v1/admin/bans/${ban.id}/lift`, { token: admin.accessToken, body: { reason: '患者因急诊住院，已核实' } });
    expect(lifted.status).toBe(200);
    expect(lifted.body).toMatchObject({ active: false, liftReason: '患者因急诊住院，已核实', liftedBy: admin.userId });
    const again = await app.request('POST', `/api/v1/admin/bans/${ban.id}/lift`, { token: admin.accessToken, body: { reason: '再次' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'BAN_ALREADY_LIFTED']);
    expect((await book(app, patient!, later.slotIds[0]!)).status).toBe(201);
    const audit = await app.database.db.selectFrom('audit_log').select('action').where('target_id', '=', String(patient!.userId)).where('action', 'like', 'booking_ban.%').execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['booking_ban.apply', 'booking_ban.lift']);
    // The lifted ban's no-shows do not count again: the next sweep bans nobody.
    app.clock.freeze(at('10:00:00', '2026-12-09'));
    await app.database.db.updateTable('appointment').set({ status: 'completed' }).where('account_id', '=', patient!.userId).where('status', '=', 'booked').execute();
    expect((await sweepNoShows(app.deps)).bans).toBe(0);
  });

  it('a 6th no-show within the window applies the second tier: 180 days', async () => {
    const [patient] = await createPatients(app.database.db, 1);
    const days = ['2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07'];
    const bans: number[] = [];
    for (const day of days) {
      // Booking while banned is refused: the account's ban is cleared by hand for this scenario.
      await app.database.db.updateTable('user_account').set({ banned_until: null }).where('id', '=', patient!.userId).execute();
      bans.push((await noShowOn(patient!, day)).bans);
    }
    expect(bans).toEqual([0, 0, 1, 0, 0, 1]);
    const rows = await app.database.db.selectFrom('booking_ban').select(['tier', 'no_show_count', 'ends_at']).where('account_id', '=', patient!.userId).orderBy('id').execute();
    expect(rows.map((r) => [r.tier, r.no_show_count])).toEqual([
      [1, 3],
      [2, 6],
    ]);
    expect(rows[1]!.ends_at.toISOString()).toBe(new Date('2027-06-06T00:00:00+08:00').toISOString());
  });
});

describe('who may use the visit routes', () => {
  it('another doctor, a patient, an admin and anonymous callers are refused on every doctor route; patients only on their own appointment', async () => {
    const clinic = await morningClinic(app, 2);
    app.clock.freeze(at('07:30:00'));
    const other = await createDoctor(app.database.db);
    const patientToken = await tokenFor(app, clinic.patients[0]!.userId);
    const admin = await staffSession(app, 'admin');
    const [a1, a2] = clinic.appointments as [number, number];
    const doctorRoutes: Array<[string, string]> = [
      ['GET', `/api/v1/doctor/sessions/${clinic.sessionId}/queue`],
      ['POST', `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`],
      ['POST', `/api/v1/doctor/appointments/${a1}/check-in`],
      ['POST', `/api/v1/doctor/appointments/${a1}/recall`],
      ['POST', `/api/v1/doctor/appointments/${a1}/pass`],
      ['POST', `/api/v1/doctor/appointments/${a1}/start`],
      ['POST', `/api/v1/doctor/appointments/${a1}/complete`],
      ['GET', `/api/v1/doctor/appointments/${a1}/patient`],
    ];
    // Another doctor's day counts only their own sessions: none here.
    expect((await app.request('GET', '/api/v1/doctor/queue-counts?date=2026-12-01', { token: await tokenFor(app, other.doctorUserId, 'doctor') })).body.items).toEqual([]);
    expect((await app.request('GET', '/api/v1/doctor/queue-counts?date=2026-12-01', { token: patientToken })).status).toBe(403);
    expect((await app.request('GET', '/api/v1/doctor/queue-counts?date=2026-12-01')).status).toBe(401);
    for (const [method, path] of doctorRoutes) {
      const foreign = await app.request(method, path, { token: await tokenFor(app, other.doctorUserId, 'doctor') });
      expect([foreign.status, foreign.body.error.code], `${method} ${path} by another doctor`).toEqual([404, path.includes('/sessions/') ? 'SESSION_NOT_FOUND' : 'APPOINTMENT_NOT_FOUND']);
      expect((await app.request(method, path, { token: patientToken })).status, `${method} ${path} by a patient`).toBe(403);
      expect((await app.request(method, path, { token: admin.accessToken })).status, `${method} ${path} by an admin`).toBe(403);
      expect((await app.request(method, path)).status, `${method} ${path} anonymous`).toBe(401);
    }
    expect(await statusOf(app, a1)).toBe('booked');
    // The patient: their own appointment only; another's reads as missing.
    for (const [method, path] of [['POST', `/api/v1/appointments/${a2}/check-in`], ['GET', `/api/v1/appointments/${a2}/queue`]] as const) {
      const res = await app.request(method, path, { token: patientToken });
      expect([res.status, res.body.error.code]).toEqual([404, 'APPOINTMENT_NOT_FOUND']);
      expect((await app.request(method, path, { token: await clinic.doctorToken() })).status).toBe(403);
      expect((await app.request(method, path)).status).toBe(401);
    }
    expect(await statusOf(app, a2)).toBe('booked');
    // Admin ban routes: admins only.
    for (const [method, path, body] of [['GET', '/api/v1/admin/bans', undefined], ['POST', '/api/v1/admin/bans/1/lift', { reason: '测试' }]] as const) {
      expect((await app.request(method, path, { token: patientToken, body })).status).toBe(403);
      expect((await app.request(method, path, { token: await clinic.doctorToken(), body })).status).toBe(403);
      expect((await app.request(method, path, { body })).status).toBe(401);
    }
  });

  it('patient detail: only for checked-in, called or in-visit patients of the doctor’s own queue; every read audited', async () => {
    const clinic = await morningClinic(app, 1);
    const id = clinic.appointments[0]!;
    await app.database.db.insertInto('health_record').values({ profile_id: clinic.patients[0]!.profileId, blood_type: 'A', allergies: '青霉素', created_at: new Date(), updated_at: new Date() }).execute();
    app.clock.freeze(at('07:30:00'));
    const before = await doctorGet(app, clinic, `/api/v1/doctor/appointments/${id}/patient`);
    expect([before.status, before.body.error.code]).toEqual([403, 'FORBIDDEN']);
    await patientPost(app, clinic.patients[0]!, `/api/v1/appointments/${id}/check-in`);
    const seen = await doctorGet(app, clinic, `/api/v1/doctor/appointments/${id}/patient`);
    expect(seen.status).toBe(200);
    // createPatients: born 1990-01-01, passport E****123.
    expect(seen.body).toMatchObject({ realName: '患者1', gender: 'female', age: 36, idNumberMasked: 'E****123', idTypeLabel: expect.any(String), healthRecord: { bloodType: 'A', allergies: '青霉素' } });
    expect(JSON.stringify(seen.body)).not.toContain('test-only');
    await doctorPost(app, clinic, `/api/v1/doctor/sessions/${clinic.sessionId}/call-next`);
    await doctorPost(app, clinic, `/api/v1/doctor/appointments/${id}/start`);
    expect((await doctorGet(app, clinic, `/api/v1/doctor/appointments/${id}/patient`)).status).toBe(200);
    await doctorPost(app, clinic, `/api/v1/doctor/appointments/${id}/complete`);
    expect((await doctorGet(app, clinic, `/api/v1/doctor/appointments/${id}/patient`)).status).toBe(403);
    const audit = await app.database.db.selectFrom('audit_log').select(['outcome']).where('action', '=', 'patient.view_by_doctor').where('target_id', '=', String(id)).orderBy('id').execute();
    expect(audit.map((a) => a.outcome)).toEqual(['failure', 'success', 'success', 'failure']);
  });
});
