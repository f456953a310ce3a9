/**
 * Visit reminders (notification/reminders.ts, jobs/send-reminders.ts). Time rules under any
 * server TZ (the suite runs them under America/New_York and Pacific/Auckland): the day-before
 * reminder comes before the department's own free-cancellation cut-off and outside quiet hours;
 * the ~2 h reminder avoids quiet hours. On the real database, on both drivers: the job enqueues
 * each due reminder exactly once, also when run twice or twice at once, never for a cancelled
 * or unpaid appointment, never for one paid after the reminder's time.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../functions/src/db/create-db.js';
import { dayBeforeReminder, enqueueDueReminders, soonReminder } from '../../functions/src/notification/reminders.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { migratedDatabase, type TestDatabase } from '../support/database.js';
import { drivers, openDb } from '../support/drivers.js';
import { createDoctor, createPatients, createSession, type Hospital, type Patient, type Session } from '../support/scenario.js';

const at = shanghaiToInstant;

it('runs under a server TZ other than Shanghai', () => {
  expect(['America/New_York', 'Pacific/Auckland']).toContain(process.env.TZ);
  expect(new Date(2026, 11, 9).getTimezoneOffset()).not.toBe(-480);
});

describe('day-before reminder time', () => {
  it('a 16:00 cut-off (16 h before an 08:00 slot) is reminded at 14:00 the day before, not 20:00', () => {
    const r = dayBeforeReminder('2026-12-10', '08:00:00', 16 * 60);
    expect(r.cancelBy).toEqual(at('2026-12-09', '16:00'));
    expect(r.sendAt).toEqual(at('2026-12-09', '14:00'));
    expect(r.sendAt.getTime()).toBeLessThan(r.cancelBy.getTime());
  });

  it('the default 2 h cut-off is reminded at 18:00 the day before', () => {
    const r = dayBeforeReminder('2026-12-10', '08:00:00', 120);
    expect(r.sendAt).toEqual(at('2026-12-09', '18:00'));
    expect(r.cancelBy).toEqual(at('2026-12-10', '06:00'));
  });

  it('cut-off − 2 h in quiet hours moves to 07:00 when that still leaves 20 minutes', () => {
    // 24 h cut-off before an 08:00 slot: cut-off 08:00 the day before, 06:00 is quiet.
    const r = dayBeforeReminder('2026-12-10', '08:00:00', 24 * 60);
    expect(r.sendAt).toEqual(at('2026-12-09', '07:00'));
  });

  it('…else back to 21:30 the evening before, never after the cut-off', () => {
    // Cut-off 07:10 the day before: 07:00 would leave 10 minutes.
    const r = dayBeforeReminder('2026-12-10', '07:10:00', 24 * 60);
    expect(r.cancelBy).toEqual(at('2026-12-09', '07:10'));
    expect(r.sendAt).toEqual(at('2026-12-08', '21:30'));
  });

  it('an evening slot with a 2 h cut-off is still reminded at 18:00 the day before', () => {
    expect(dayBeforeReminder('2026-12-10', '19:00:00', 120).sendAt).toEqual(at('2026-12-09', '18:00'));
  });
});

describe('~2 h reminder time', () => {
  it('2 h before a 10:00 slot, by SMS/WeChat', () => {
    expect(soonReminder('2026-12-10', '10:00:00')).toEqual({ sendAt: at('2026-12-10', '08:00'), outbound: true });
  });
  it('a 07:30 slot is reminded at 07:00, when quiet hours end', () => {
    expect(soonReminder('2026-12-10', '07:30:00')).toEqual({ sendAt: at('2026-12-10', '07:00'), outbound: true });
  });
  it('a 07:15 slot is reminded in the inbox only, at 05:15', () => {
    expect(soonReminder('2026-12-10', '07:15:00')).toEqual({ sendAt: at('2026-12-10', '05:15'), outbound: false });
  });
});

const DAY = '2026-12-10';
const BEFORE = '2026-12-09';

interface World {
  /** 16 h cut-off by its own rule row (the global row says 2 h). */
  early: Hospital;
  /** Global rules. */
  plain: Hospital;
  patients: Patient[];
  appointments: { early: number[]; plain: number[]; cancelled: number; unpaid: number; paidLate: number; dawn: number };
}

let serial = 0;
/** Each department's one session on DAY, with a slot of 5 places per start time. */
const sessions = new Map<number, Session>();
const STARTS = ['07:30', '08:00', '09:00', '10:00', '10:30', '11:00', '11:30', '12:00', '07:15'];

/** Appointments written straight into the table, with the slot's remaining kept consistent. */
async function appoint(
  db: Db,
  hospital: Hospital,
  patients: Patient[],
  start: string,
  status: 'booked' | 'cancelled' | 'pending_payment',
  paidAt: Date | null = at('2026-12-05', '10:00'),
): Promise<number[]> {
  const session = sessions.get(hospital.departmentId)!;
  const slotId = session.slotIds[STARTS.indexOf(start)]!;
  const slot = await db.selectFrom('slot').select(['seq_start', 'capacity', 'remaining']).where('id', '=', slotId).executeTakeFirstOrThrow();
  const now = at('2026-12-05', '10:00');
  const ids: number[] = [];
  for (const [i, p] of patients.entries()) {
    serial += 1;
    const row = await db
      .insertInto('appointment')
      .values({
        order_no: `NY${randomBytes(9).toString('hex')}`.slice(0, 20),
        account_id: p.userId,
        profile_id: p.profileId,
        slot_id: slotId,
        session_id: session.sessionId,
        doctor_id: hospital.doctorId,
        department_id: hospital.departmentId,
        session_date: DAY,
        period: 'morning',
        slot_start: start,
        slot_end: start,
        queue_number: slot.seq_start + slot.capacity - slot.remaining + i,
        fee_fen: 1000,
        status,
        paid_at: status === 'booked' ? paidAt : null,
        cancelled_at: status === 'cancelled' ? now : null,
        idempotency_key: `reminder-test-${serial}`,
        request_hash: '0'.repeat(64),
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    ids.push(Number(row.insertId));
  }
  const active = status === 'cancelled' ? 0 : patients.length;
  await db.updateTable('slot').set({ remaining: slot.remaining - active }).where('id', '=', slotId).execute();
  return ids;
}

async function world(db: Db): Promise<World> {
  const early = await createDoctor(db);
  const plain = await createDoctor(db);
  for (const h of [early, plain]) {
    sessions.set(h.departmentId, await createSession(db, h, { date: DAY, slots: STARTS.map((start) => ({ start, capacity: 5 })) }));
  }
  const now = new Date();
  await db.insertInto('booking_rule').values({ department_id: null, cancel_cutoff_minutes: 120, created_at: now, updated_at: now }).execute();
  await db.insertInto('booking_rule').values({ department_id: early.departmentId, cancel_cutoff_minutes: 16 * 60, created_at: now, updated_at: now }).execute();
  const patients = await createPatients(db, 12);
  return {
    early,
    plain,
    patients,
    appointments: {
      early: await appoint(db, early, patients.slice(0, 3), '08:00', 'booked'),
      plain: await appoint(db, plain, patients.slice(3, 5), '10:00', 'booked'),
      cancelled: (await appoint(db, plain, patients.slice(5, 6), '10:30', 'cancelled'))[0]!,
      unpaid: (await appoint(db, plain, patients.slice(6, 7), '11:00', 'pending_payment'))[0]!,
      paidLate: (await appoint(db, plain, patients.slice(7, 8), '11:30', 'booked', at(BEFORE, '19:00')))[0]!,
      dawn: (await appoint(db, plain, patients.slice(8, 9), '07:30', 'booked'))[0]!,
    },
  };
}

/** Cancels an appointment and returns its place, as the cancel path does. */
async function cancel(db: Db, id: number): Promise<void> {
  const a = await db.selectFrom('appointment').select('slot_id').where('id', '=', id).executeTakeFirstOrThrow();
  await db.updateTable('appointment').set({ status: 'cancelled', cancelled_at: new Date() }).where('id', '=', id).execute();
  await db.updateTable('slot').set((eb) => ({ remaining: eb('remaining', '+', 1) })).where('id', '=', a.slot_id).execute();
}

async function reminders(db: Db, template: string) {
  const rows = await db
    .selectFrom('notification')
    .select(['appointment_id', 'channel', 'send_after', 'payload', 'dedupe_key'])
    .where('template', '=', template)
    .orderBy('id')
    .execute();
  return rows;
}

/** Appointment id → number of messages (inbox rows) of `template`. */
async function messagesPerAppointment(db: Db, template: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const r of await reminders(db, template)) {
    if (r.channel === 'in_app') counts.set(r.appointment_id!, (counts.get(r.appointment_id!) ?? 0) + 1);
  }
  return counts;
}

describe.each(drivers)('the reminder job on %s', (driver) => {
  let database: TestDatabase;
  let db: Db;
  let opened: ReturnType<typeof openDb> | undefined;
  let w: World;
  beforeAll(async () => {
    database = await migratedDatabase();
    w = await world(database.db);
    opened = openDb(driver, database.url);
    db = opened.db;
  });
  afterAll(async () => {
    await opened?.close();
    await database.close();
  });

  it('day before, 14:05: the 16 h cut-off department (its own rule, not the global 2 h) is reminded, before its 16:00 cut-off', async () => {
    const summary = await enqueueDueReminders(db, at(BEFORE, '14:05'));
    expect(summary).toMatchObject({ dayBefore: 3, soon: 0 });
    const counts = await messagesPerAppointment(db, 'visit_reminder_day_before');
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(w.appointments.early);
    expect([...counts.values()]).toEqual([1, 1, 1]);
    const rows = await reminders(db, 'visit_reminder_day_before');
    expect(rows).toHaveLength(6); // inbox + SMS/WeChat each
    expect(rows.filter((r) => r.channel === 'sms')).toHaveLength(3);
    for (const r of rows) expect(r.send_after.getTime()).toBeLessThan(at(BEFORE, '16:00').getTime());
    expect(JSON.parse(rows[0]!.payload).text).toContain(`请于 ${BEFORE} 16:00 前`);
  });

  it('run again and twice at once: still exactly one per appointment', async () => {
    expect((await enqueueDueReminders(db, at(BEFORE, '14:15'))).dayBefore).toBe(0);
    const [a, b] = await Promise.all([enqueueDueReminders(db, at(BEFORE, '14:25')), enqueueDueReminders(db, at(BEFORE, '14:25'))]);
    expect(a.dayBefore + b.dayBefore).toBe(0);
    expect((await reminders(db, 'visit_reminder_day_before')).length).toBe(6);
  });

  it('day before, 18:05, two runs at once: the 2 h departments are reminded once each; cancelled, unpaid and paid-after-18:00 ones get none', async () => {
    const [a, b] = await Promise.all([enqueueDueReminders(db, at(BEFORE, '18:05')), enqueueDueReminders(db, at(BEFORE, '18:05'))]);
    // plain ×2 and the 07:30 one.
    expect(a.dayBefore + b.dayBefore).toBe(3);
    const counts = await messagesPerAppointment(db, 'visit_reminder_day_before');
    expect(counts.size).toBe(6);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const id of [w.appointments.cancelled, w.appointments.unpaid, w.appointments.paidLate]) expect(counts.has(id)).toBe(false);
    expect((await enqueueDueReminders(db, at(BEFORE, '21:00'))).dayBefore).toBe(0);
  });

  it('a day-before reminder missed until its cut-off is not sent after it', async () => {
    const patients = await createPatients(database.db, 1);
    const [late] = await appoint(database.db, w.early, patients, '09:00', 'booked');
    // Cut-off 17:00 the day before, reminder due at 15:00; the job only runs again at 17:05.
    expect((await enqueueDueReminders(db, at(BEFORE, '17:05'))).dayBefore).toBe(0);
    expect((await messagesPerAppointment(db, 'visit_reminder_day_before')).has(late!)).toBe(false);
    await cancel(database.db, late!);
  });

  it('the ~2 h reminder: 07:30 and 08:00 slots at 07:00 (quiet hours end), the others 2 h before; once each; not for cancelled or unpaid ones', async () => {
    expect((await enqueueDueReminders(db, at(DAY, '06:55'))).soon).toBe(0);
    const [a, b] = await Promise.all([enqueueDueReminders(db, at(DAY, '07:05')), enqueueDueReminders(db, at(DAY, '07:05'))]);
    expect(a.soon + b.soon).toBe(4);
    let counts = await messagesPerAppointment(db, 'visit_reminder_soon');
    expect([...counts.keys()].sort((x, y) => x - y)).toEqual([...w.appointments.early, w.appointments.dawn].sort((x, y) => x - y));

    expect((await enqueueDueReminders(db, at(DAY, '08:05'))).soon).toBe(2);
    expect((await enqueueDueReminders(db, at(DAY, '09:35'))).soon).toBe(1);
    expect((await enqueueDueReminders(db, at(DAY, '09:45'))).soon).toBe(0);
    counts = await messagesPerAppointment(db, 'visit_reminder_soon');
    expect(counts.size).toBe(7);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const id of [w.appointments.cancelled, w.appointments.unpaid]) expect(counts.has(id)).toBe(false);
    const rows = await reminders(db, 'visit_reminder_soon');
    expect(rows.filter((r) => r.channel === 'sms')).toHaveLength(7);
  });

  it('an appointment cancelled before its reminder is due gets none', async () => {
    const patients = await createPatients(database.db, 1);
    const [id] = await appoint(database.db, w.plain, patients, '12:00', 'booked');
    await cancel(database.db, id!);
    expect((await enqueueDueReminders(db, at(DAY, '10:05'))).soon).toBe(0);
    expect((await messagesPerAppointment(db, 'visit_reminder_soon')).has(id!)).toBe(false);
  });

  it('a 07:15 slot: its missed day-before reminder is not caught up at 05:10 (quiet, SMS would pass the 05:15 cut-off); its ~2 h one is inbox only, once', async () => {
    const patients = await createPatients(database.db, 1);
    const [id] = await appoint(database.db, w.plain, patients, '07:15', 'booked');
    expect(await enqueueDueReminders(db, at(DAY, '05:10'))).toMatchObject({ soon: 0, dayBefore: 0 });
    const [a, b] = await Promise.all([enqueueDueReminders(db, at(DAY, '05:20')), enqueueDueReminders(db, at(DAY, '05:20'))]);
    expect(a.soon + b.soon).toBe(1);
    const rows = (await reminders(db, 'visit_reminder_soon')).filter((r) => r.appointment_id === id);
    expect(rows.map((r) => r.channel)).toEqual(['in_app']);
  });
});
