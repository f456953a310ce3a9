/**
 * The statistics equal numbers computed by hand from a small seeded hospital (the comments
 * next to each seeded row say which counts it makes), on both drivers; the Shanghai midnight
 * boundary, empty ranges, a suspended session and refunds; the rollup equals the live
 * computation and a second run changes nothing; admins only; CSV export.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../functions/src/db/create-db.js';
import { refreshRollup } from '../../functions/src/statistics/rollup.js';
import { statistics } from '../../functions/src/statistics/statistics.js';
import { shanghaiDate } from '../../functions/src/time/shanghai.js';
import { staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { openDb } from '../support/drivers.js';
import { createDoctor, createPatients, createSession, tokenFor, type Hospital, type Patient, type Session } from '../support/scenario.js';

const D1 = '2026-10-10';
const D2 = '2026-10-11';
/** The test clock stands here: every seeded day is settled (rollup.ts rolls up to today − 2). */
const NOW = new Date('2026-10-20T04:00:00Z');
const at = (iso: string) => new Date(iso);

type Status = 'pending_payment' | 'booked' | 'checked_in' | 'completed' | 'cancelled' | 'expired' | 'no_show';
interface Seed {
  slot: number;
  status: Status;
  created: Date;
  cancelledBy?: 'patient' | 'doctor' | 'admin';
  checkedIn?: Date;
  called?: Date;
  /** Paid at `created` for the session's fee; refunded (in full) at `refunded`. */
  paid?: boolean;
  refunded?: Date;
}

let queue = 0;
/** An appointment written straight into the tables, with its payment. */
async function seed(db: Db, h: Hospital, s: Session & { feeFen: number; period: 'morning' | 'afternoon' }, p: Patient, a: Seed, slotStart: string) {
  queue += 1;
  const inserted = await db
    .insertInto('appointment')
    .values({
      order_no: `S${String(process.pid % 1000).padStart(3, '0')}${String(queue).padStart(16, '0')}`,
      account_id: p.userId,
      profile_id: p.profileId,
      slot_id: s.slotIds[a.slot]!,
      session_id: s.sessionId,
      doctor_id: h.doctorId,
      department_id: h.departmentId,
      session_date: s.date,
      period: s.period,
      slot_start: slotStart,
      slot_end: slotStart,
      queue_number: queue,
      fee_fen: s.feeFen,
      status: a.status,
      paid_at: a.paid ? a.created : null,
      checked_in_at: a.checkedIn ?? null,
      called_at: a.called ?? null,
      cancelled_at: a.status === 'cancelled' ? a.created : null,
      cancelled_by: a.cancelledBy ?? null,
      expired_at: a.status === 'expired' ? a.created : null,
      idempotency_key: randomUUID(),
      request_hash: 'x'.repeat(64),
      created_at: a.created,
      updated_at: a.created,
    })
    .executeTakeFirstOrThrow();
  const id = Number(inserted.insertId);
  if (a.paid) {
    await db
      .insertInto('payment')
      .values({
        appointment_id: id,
        amount_fen: s.feeFen,
        provider: 'simulated',
        status: a.refunded ? 'refunded' : 'paid',
        provider_txn_id: `txn-${id}-${randomUUID()}`,
        paid_at: a.created,
        refund_amount_fen: a.refunded ? s.feeFen : null,
        refund_txn_id: a.refunded ? `rf-${id}` : null,
        refunded_at: a.refunded ?? null,
        created_at: a.created,
        updated_at: a.created,
      })
      .execute();
  }
}

let app: TestApp;
let admin: Awaited<ReturnType<typeof staffSession>>;
let doctorToken: string;
let patientToken: string;
let deptA: number;
let deptA1: number;
let deptB: number;

beforeAll(async () => {
  app = await startTestApp();
  app.clock.freeze(NOW);
  const db = app.database.db;
  admin = await staffSession(app, 'admin');
  const doctor = await staffSession(app, 'doctor');
  doctorToken = doctor.accessToken;
  const x = await createDoctor(db, { name: '张主任' }); // department A
  const y = await createDoctor(db, { parentId: x.departmentId, name: '李医生' }); // A1, a 小科 of A
  const z = await createDoctor(db, { name: '王医生' }); // B
  deptA = x.departmentId;
  deptA1 = y.departmentId;
  deptB = z.departmentId;
  // A department name a spreadsheet would run as a formula: the CSV must neutralise it.
  await db.updateTable('department').set({ name: '=外科' }).where('id', '=', deptB).execute();
  const patients = await createPatients(db, 12);
  patientToken = await tokenFor(app, patients[11]!.userId);
  const p = (i: number) => patients[i]!;

  // S1: A, D1 morning; slots 08:00 (capacity 4) and 08:30 (capacity 2); fee 10 元.
  const s1 = { ...(await createSession(db, x, { date: D1, feeFen: 1000, slots: [{ start: '08:00', capacity: 4 }, { start: '08:30', capacity: 2 }] })), feeFen: 1000, period: 'morning' as const };
  // a1: ordered and paid at 23:59 Shanghai on 10-09 (an order and a payment of 10-09); waited 15 min.
  await seed(db, x, s1, p(0), { slot: 0, status: 'completed', created: at('2026-10-09T15:59:00Z'), paid: true, checkedIn: at('2026-10-09T23:50:00Z'), called: at('2026-10-10T00:05:00Z') }, '08:00');
  // a2: ordered and paid at 00:00 Shanghai on 10-10 (of 10-10); 爽约.
  await seed(db, x, s1, p(1), { slot: 0, status: 'no_show', created: at('2026-10-09T16:00:00Z'), paid: true }, '08:00');
  // a3: checked in 08:30, called 08:40 (10 min).
  await seed(db, x, s1, p(2), { slot: 1, status: 'checked_in', created: at('2026-10-05T02:00:00Z'), paid: true, checkedIn: at('2026-10-10T00:30:00Z'), called: at('2026-10-10T00:40:00Z') }, '08:30');
  // a4: 退号 by the patient, refunded at 00:30 Shanghai on 10-10.
  await seed(db, x, s1, p(3), { slot: 0, status: 'cancelled', cancelledBy: 'patient', created: at('2026-10-05T02:00:00Z'), paid: true, refunded: at('2026-10-09T16:30:00Z') }, '08:00');
  // a5: the hold lapsed unpaid: counted nowhere.
  await seed(db, x, s1, p(4), { slot: 1, status: 'expired', created: at('2026-10-09T17:00:00Z') }, '08:30');
  // a6: booked, paid on 10-05.
  await seed(db, x, s1, p(5), { slot: 1, status: 'booked', created: at('2026-10-05T02:00:00Z'), paid: true }, '08:30');
  await db.updateTable('slot').set({ remaining: 2 }).where('id', '=', s1.slotIds[0]!).execute(); // a1, a2 hold places
  await db.updateTable('slot').set({ remaining: 0 }).where('id', '=', s1.slotIds[1]!).execute(); // a3, a6

  // S2: A1, D1 afternoon; slot 14:00 (capacity 3); fee 20 元.
  const s2 = { ...(await createSession(db, y, { date: D1, period: 'afternoon', feeFen: 2000, slots: [{ start: '14:00', capacity: 3 }] })), feeFen: 2000, period: 'afternoon' as const };
  // b1: ordered and paid at 11:00 Shanghai on 10-10, completed, checked in but never called (no wait sample).
  await seed(db, y, s2, p(0), { slot: 0, status: 'completed', created: at('2026-10-10T03:00:00Z'), paid: true, checkedIn: at('2026-10-10T05:50:00Z') }, '14:00');
  // b2: cancelled by an admin: a booking, not a patient's 退号.
  await seed(db, y, s2, p(1), { slot: 0, status: 'cancelled', cancelledBy: 'admin', created: at('2026-10-06T02:00:00Z') }, '14:00');
  await db.updateTable('slot').set({ remaining: 2 }).where('id', '=', s2.slotIds[0]!).execute();

  // S3: B, D2 morning, 停诊 (suspended): its capacity counts nowhere; c1 cancelled by the doctor, refunded 09:00 on 10-11.
  const s3 = { ...(await createSession(db, z, { date: D2, feeFen: 500, slots: [{ start: '09:00', capacity: 5 }] })), feeFen: 500, period: 'morning' as const };
  await db.updateTable('clinic_session').set({ status: 'suspended', suspend_reason: '医生外出会诊' }).where('id', '=', s3.sessionId).execute();
  await seed(db, z, s3, p(2), { slot: 0, status: 'cancelled', cancelledBy: 'doctor', created: at('2026-10-07T02:00:00Z'), paid: true, refunded: at('2026-10-11T01:00:00Z') }, '09:00');

  // S4: A, D2 morning; slot 10:00 (capacity 2); d1 ordered at 08:00 Shanghai on 10-11, still unpaid.
  const s4 = { ...(await createSession(db, x, { date: D2, feeFen: 1000, slots: [{ start: '10:00', capacity: 2 }] })), feeFen: 1000, period: 'morning' as const };
  await seed(db, x, s4, p(6), { slot: 0, status: 'pending_payment', created: at('2026-10-11T00:00:00Z') }, '10:00');
  await db.updateTable('slot').set({ remaining: 1 }).where('id', '=', s4.slotIds[0]!).execute();

  // Waitlist: on S2 one fulfilled, one expired, one still waiting (not closed); on S3 one cancelled.
  const entry = (session: number, who: Patient, status: 'waiting' | 'fulfilled' | 'cancelled' | 'expired') => ({
    account_id: who.userId,
    profile_id: who.profileId,
    session_id: session,
    status,
    created_at: NOW,
    updated_at: NOW,
  });
  await db
    .insertInto('waitlist_entry')
    .values([entry(s2.sessionId, p(7), 'fulfilled'), entry(s2.sessionId, p(8), 'expired'), entry(s2.sessionId, p(9), 'waiting'), entry(s3.sessionId, p(10), 'cancelled')])
    .execute();
});
afterAll(() => app.close());

const stats = async (query: string, token = admin.accessToken) => app.request('GET', `/api/v1/admin/statistics?${query}`, { token });

/** The hand-computed numbers for D1…D2, the whole hospital. */
const bothDays = {
  totals: {
    orders: 3, // a2 (10-10 00:00), b1 (10-10), d1 (10-11); a1 is 10-09 23:59, a5 expired
    bookings: 9, // S1: a1 a2 a3 a4 a6; S2: b1 b2; S3: c1; S4: d1
    patientCancels: 1, // a4
    visitsDue: 4, // a1 a2 a3 b1
    noShows: 1, // a2
    capacity: 11, // S1 6 + S2 3 + S4 2; S3 suspended
    placesTaken: 6, // S1 4 + S2 1 + S4 1
    waitlistFulfilled: 1,
    waitlistClosed: 3,
    waits: 2, // a1 15 min, a3 10 min
    waitMs: 25 * 60_000,
    payments: 2, // a2, b1
    revenueFen: 3000,
    refunds: 2, // a4 (10-10 00:30), c1 (10-11)
    refundFen: 1500,
  },
  rates: { utilisation: 0.5455, cancellationRate: 0.1111, noShowRate: 0.25, waitlistFillRate: 0.3333, averageWaitMinutes: 12.5 },
};

describe('statistics on a seeded hospital', () => {
  it('equal the hand-computed counts, rates, rankings and time-of-day distribution', async () => {
    const res = await stats(`from=${D1}&to=${D2}`);
    expect(res.status).toBe(200);
    expect(res.body.totals).toEqual(bothDays.totals);
    expect(res.body.rates).toEqual(bothDays.rates);
    expect(res.body.departments.map((d: any) => [d.departmentId, d.bookings, d.patientCancels, d.noShows, d.visitsDue])).toEqual([
      [deptA, 6, 1, 1, 3],
      [deptA1, 2, 0, 0, 1],
      [deptB, 1, 0, 0, 0],
    ]);
    expect(res.body.doctors.map((d: any) => [d.name, d.bookings])).toEqual([['张主任', 6], ['李医生', 2], ['王医生', 1]]);
    expect(res.body.hours).toEqual([{ hour: 8, bookings: 5 }, { hour: 9, bookings: 1 }, { hour: 10, bookings: 1 }, { hour: 14, bookings: 2 }]);
    expect(res.body.daily.map((d: any) => [d.date, d.orders, d.bookings, d.capacity, d.placesTaken, d.revenueFen, d.refundFen])).toEqual([
      [D1, 2, 7, 9, 5, 3000, 1000],
      [D2, 1, 2, 2, 1, 0, 500],
    ]);
    expect(res.body.daily[1].rates).toEqual({ utilisation: 0.5, cancellationRate: 0, noShowRate: null, waitlistFillRate: 0, averageWaitMinutes: null });
    // Every rate comes with its numerator and denominator for the tooltip.
    const noShow = res.body.definitions.find((d: any) => d.key === 'noShowRate');
    expect([noShow.label, noShow.numerator.startsWith('爽约数'), noShow.denominator.startsWith('应就诊数')]).toEqual(['爽约率', true, true]);
  });

  it('file an order and a payment at 23:59 Shanghai under that day, and at 00:00 under the next', async () => {
    const day9 = (await stats('from=2026-10-09&to=2026-10-09')).body;
    expect([day9.totals.orders, day9.totals.payments, day9.totals.revenueFen, day9.totals.refunds, day9.totals.bookings]).toEqual([1, 1, 1000, 0, 0]);
    const day10 = (await stats(`from=${D1}&to=${D1}`)).body;
    expect([day10.totals.orders, day10.totals.payments, day10.totals.revenueFen, day10.totals.refunds, day10.totals.refundFen]).toEqual([2, 2, 3000, 1, 1000]);
  });

  it('narrow to a department with its 小科, and report no rate where there is no denominator', async () => {
    const a = (await stats(`from=${D1}&to=${D2}&departmentId=${deptA}`)).body;
    expect([a.totals.bookings, a.totals.capacity, a.totals.placesTaken, a.totals.refundFen, a.totals.waitlistFulfilled, a.totals.waitlistClosed]).toEqual([8, 11, 6, 1000, 1, 2]);
    expect(a.departments.map((d: any) => d.departmentId)).toEqual([deptA, deptA1]);
    const b = (await stats(`from=${D1}&to=${D2}&departmentId=${deptB}`)).body;
    expect([b.totals.bookings, b.totals.capacity, b.totals.patientCancels, b.totals.refundFen, b.rates.utilisation, b.rates.cancellationRate]).toEqual([1, 0, 0, 500, null, 0]);
  });

  it('answer an empty range with zeros for every day and no rates', async () => {
    const res = (await stats('from=2026-09-01&to=2026-09-30')).body;
    expect(res.daily).toHaveLength(30);
    expect(Object.values(res.totals).every((v) => v === 0)).toBe(true);
    expect(Object.values(res.rates).every((v) => v === null)).toBe(true);
    expect([res.departments, res.doctors, res.hours]).toEqual([[], [], []]);
  });

  it('refuse a reversed or over-long range with 400 VALIDATION_FAILED', async () => {
    const reversed = await stats(`from=${D2}&to=${D1}`);
    expect([reversed.status, reversed.body.error.code, reversed.body.error.message]).toEqual([400, 'VALIDATION_FAILED', '起始日不能晚于截止日']);
    const long = await stats('from=2024-01-01&to=2026-10-20');
    expect([long.status, long.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('are the same through the PlanetScale driver, rolled up or live', async () => {
    const ps = openDb('planetscale', app.database.url);
    try {
      const viaShim = await statistics(ps.db, { from: D1, to: D2 });
      expect([viaShim.totals, viaShim.rates]).toEqual([bothDays.totals, bothDays.rates]);
      expect(viaShim.hours).toEqual([{ hour: 8, bookings: 5 }, { hour: 9, bookings: 1 }, { hour: 10, bookings: 1 }, { hour: 14, bookings: 2 }]);
    } finally {
      await ps.close();
    }
  });
});

describe('the rollup', () => {
  it('equals the live computation, wholly or partly rolled up, and a second run changes nothing', async () => {
    const db = app.database.db;
    const query = `from=2026-10-01&to=${shanghaiDate(NOW)}`;
    const live = (await stats(query)).body;
    expect(live.refreshedAt).toBe(null);
    // The first run rolls up all history, up to the last scheduled day (D2) or today, whichever is later.
    expect(await refreshRollup(db, at('2026-10-10T04:00:00Z'))).toEqual({ from: '2026-10-05', through: D2, days: 7 });
    const rolled = (await stats(query)).body;
    expect(rolled.refreshedAt).toBe('2026-10-10T04:00:00.000Z');
    expect({ ...rolled, refreshedAt: null }).toEqual(live);
    // A run cut off after its first days: D1 from the rollup, D2 live.
    await db.updateTable('stats_rollup_state').set({ rolled_through: D1 }).execute();
    expect({ ...(await stats(query)).body, refreshedAt: null }).toEqual(live);
    // The next run starts a week before the previous one and goes on to today.
    expect(await refreshRollup(db, NOW)).toEqual({ from: '2026-10-03', through: '2026-10-20', days: 18 });
    const rows = await db.selectFrom('stats_daily').selectAll().orderBy('stat_date').orderBy('department_id').orderBy('doctor_id').execute();
    expect(rows.length).toBe(8); // 10-05 (a3 a4 a6 orders and payments), 10-06 (b2), 10-07 (c1), 10-09 (a1), 10-10 (x, y), 10-11 (x, z)
    const perDepartment = await db.selectFrom('stats_department_daily').selectAll().orderBy('stat_date').orderBy('department_id').execute();
    expect(perDepartment.length).toBe(8); // the doctor rows above: each department has one doctor
    const visitDays = perDepartment.filter((r) => r.bookings > 0);
    expect(visitDays.map((r) => [r.stat_date, r.department_id, r.bookings, r.h08, r.h09, r.h10, r.h14])).toEqual([
      [D1, deptA, 5, 5, 0, 0, 0],
      [D1, deptA1, 2, 0, 0, 0, 2],
      [D2, deptA, 1, 0, 0, 1, 0],
      [D2, deptB, 1, 0, 1, 0, 0],
    ]);
    const again = (await stats(query)).body;
    expect([again.refreshedAt, { ...again, refreshedAt: null }]).toEqual([NOW.toISOString(), live]);
    await refreshRollup(db, NOW);
    expect(await db.selectFrom('stats_daily').selectAll().orderBy('stat_date').orderBy('department_id').orderBy('doctor_id').execute()).toEqual(rows);
    expect({ ...(await stats(query)).body, refreshedAt: null }).toEqual(live);
  });
});

describe('who may read statistics', () => {
  it('refuses anonymous callers, patients and doctors', async () => {
    for (const path of ['/api/v1/admin/statistics', '/api/v1/admin/statistics/export.csv?chart=daily']) {
      expect([path, (await app.request('GET', path)).status]).toEqual([path, 401]);
      expect([path, (await app.request('GET', path, { token: patientToken })).status]).toEqual([path, 403]);
      expect([path, (await app.request('GET', path, { token: doctorToken })).status]).toEqual([path, 403]);
      expect([path, (await app.request('GET', path, { token: admin.accessToken })).status]).toEqual([path, 200]);
    }
  });
});

describe('CSV export', () => {
  it("writes each chart's numbers with a BOM, neutralising formula-like cells", async () => {
    const csv = async (chart: string) => {
      const res = await fetch(`${app.baseUrl}/api/v1/admin/statistics/export.csv?chart=${chart}&from=${D1}&to=${D2}`, {
        headers: { authorization: `Bearer ${admin.accessToken}` },
      });
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    };
    const departments = await csv('departments');
    expect(departments.startsWith('\uFEFF排名,科室,预约数,患者退号数,爽约数,应就诊数\r\n')).toBe(true);
    expect(departments.split('\r\n').slice(1, 4)).toEqual([expect.stringMatching(/^1,测试科室\d+,6,1,1,3$/), expect.stringMatching(/^2,测试科室\d+,2,0,0,1$/), "3,'=外科,1,0,0,0"]);
    expect((await csv('hours')).split('\r\n').slice(1, 3)).toEqual(['08:00–08:59,5', '09:00–09:59,1']);
    const summary = (await csv('summary')).split('\r\n');
    expect(summary[1]).toMatch(/^号源利用率\(%\),54\.55,/);
    expect(summary.find((l) => l.startsWith('平均候诊时长'))).toMatch(/^平均候诊时长（签到→叫号）\(分钟\),12\.5,/);
    const daily = (await csv('daily')).split('\r\n');
    expect(daily).toHaveLength(4); // header, D1, D2, and the empty string after the last CRLF
    expect(daily[1]!.startsWith(`${D1},2,7,`)).toBe(true);
  });
});
