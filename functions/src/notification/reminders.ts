/**
 * Visit reminders: two per paid (`booked`) appointment, each at most once.
 *
 * 1. The day before (visit_reminder_day_before), timed so the patient can still cancel for free:
 *    at the earlier of the day before at 18:00 and (cut-off − 2 h), the cut-off being the
 *    department's effective `cancelCutoffMinutes` before the slot start. With the default 2 h
 *    cut-off that is 18:00 the day before; with a 16:00 cut-off it is 14:00 (a 20:00 reminder
 *    after a 16:00 cut-off is useless). Never in quiet hours: a time in them moves to their end
 *    (07:00) when that is still `MIN_LEAD` before the cut-off, else back to 21:30 the evening
 *    before (late enough to be "the evening before", early enough that a run every 10 minutes
 *    delivers it before 22:00). So there is always a time; an appointment paid after it gets no
 *    day-before reminder (the patient just booked).
 * 2. About 2 h before the slot (visit_reminder_soon). In quiet hours it moves to 07:00 when that
 *    is still 30 min before the slot (a 07:30 slot is reminded at 07:00); an earlier slot's
 *    reminder goes to the inbox only, at slot − 2 h (no SMS at 05:15). Paid after that time: none.
 *
 * The job (jobs/send-reminders.ts) enqueues a reminder only once it is due and while it is still
 * useful (before the cut-off and, for a late day-before one, not in quiet hours; before the slot), re-checking in the enqueuing transaction that the
 * appointment is still `booked`: a cancelled appointment never has a pending reminder, and the
 * outbox's dedupe key `<template>:<appointmentId>` makes a second or concurrent run a no-op.
 */
import type { Db } from '../db/create-db.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import { getEffectiveRulesByDepartment } from '../rules/booking-rules.js';
import { addDays, shanghaiDate, shanghaiToInstant, type LocalDate } from '../time/shanghai.js';
import { notifyAppointments } from './outbox.js';
import { inQuietHours, quietHoursEnd } from './quiet-hours.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The day-before reminder's usual time, Shanghai. */
export const DAY_BEFORE_AT = '18:00:00';
/** The evening fallback when the morning before the cut-off is too short. */
export const EVENING_FALLBACK_AT = '21:30:00';
/** A day-before reminder leaves the patient at least this long to cancel. */
export const MIN_LEAD_MS = 20 * MINUTE;
/** The soon reminder, before the slot start. */
export const SOON_LEAD_MS = 2 * HOUR;
/** A soon reminder moved out of quiet hours must still come this long before the slot. */
export const SOON_MIN_LEAD_MS = 30 * MINUTE;

export type ReminderKind = 'visit_reminder_day_before' | 'visit_reminder_soon';

export interface DayBeforeReminder {
  sendAt: Date;
  /** The free-cancellation cut-off; the reminder is useless from then on. */
  cancelBy: Date;
}

/**
 * When the day-before reminder of a slot starting at `slotStart` goes out, given the
 * department's cut-off in minutes (see the module comment for the rule).
 */
export function dayBeforeReminder(date: LocalDate, slotStart: string, cancelCutoffMinutes: number): DayBeforeReminder {
  const start = shanghaiToInstant(date, slotStart);
  const cancelBy = new Date(start.getTime() - cancelCutoffMinutes * MINUTE);
  const usual = shanghaiToInstant(addDays(date, -1), DAY_BEFORE_AT);
  let sendAt = new Date(Math.min(usual.getTime(), cancelBy.getTime() - 2 * HOUR));
  if (inQuietHours(sendAt)) {
    const morning = quietHoursEnd(sendAt);
    sendAt =
      morning.getTime() <= cancelBy.getTime() - MIN_LEAD_MS
        ? morning
        : shanghaiToInstant(addDays(shanghaiDate(morning), -1), EVENING_FALLBACK_AT);
  }
  return { sendAt, cancelBy };
}

export interface SoonReminder {
  sendAt: Date;
  /** False: inbox only (the slot is too early for an SMS after quiet hours). */
  outbound: boolean;
}

/** When the ~2 h reminder of a slot goes out, and whether by SMS/WeChat too. */
export function soonReminder(date: LocalDate, slotStart: string): SoonReminder {
  const start = shanghaiToInstant(date, slotStart);
  const sendAt = new Date(start.getTime() - SOON_LEAD_MS);
  if (!inQuietHours(sendAt)) return { sendAt, outbound: true };
  const morning = quietHoursEnd(sendAt);
  if (morning.getTime() <= start.getTime() - SOON_MIN_LEAD_MS) return { sendAt: morning, outbound: true };
  return { sendAt, outbound: false };
}

/** Shanghai `YYYY-MM-DD HH:MM` of an instant, for message text. */
function wallClock(instant: Date): string {
  return `${shanghaiDate(instant)} ${new Date(instant.getTime() + 8 * HOUR).toISOString().slice(11, 16)}`;
}

export interface ReminderSummary {
  /** Booked appointments looked at. */
  scanned: number;
  dayBefore: number;
  soon: number;
}

/**
 * Enqueues every reminder due at `now` that is still useful and not yet enqueued: reads the
 * booked appointments of the sessions whose reminders can fall due now (today up to the
 * furthest cut-off ahead), computes both times, and enqueues the due ones in chunks, each in a
 * transaction that re-reads which of them are still `booked`. Safe to run twice or at once.
 */
export async function enqueueDueReminders(db: Db, now: Date, options: { chunkSize?: number } = {}): Promise<ReminderSummary> {
  const chunkSize = options.chunkSize ?? 500;
  const departments = await db.selectFrom('department').select(['id', 'parent_id']).execute();
  const rules = await getEffectiveRulesByDepartment(
    db,
    departments.map((d) => ({ id: d.id, parentId: d.parent_id })),
  );
  const maxCutoff = Math.max(0, ...[...rules.values()].map((r) => r.cancelCutoffMinutes));
  const today = shanghaiDate(now);
  // A day-before reminder is due at most a day plus (cut-off + 2 h) before its session.
  const lastDate = addDays(today, 1 + Math.ceil((maxCutoff + 120) / 1440));
  const summary: ReminderSummary = { scanned: 0, dayBefore: 0, soon: 0 };
  if (departments.length === 0) return summary;

  const appointments = await db
    .selectFrom('appointment')
    .select(['id', 'department_id', 'session_date', 'slot_start', 'paid_at', 'created_at'])
    // The IN list lets MySQL range-scan ix_appointment_department_date per department.
    .where('department_id', 'in', departments.map((d) => d.id))
    .where('session_date', '>=', today)
    .where('session_date', '<=', lastDate)
    .where('status', '=', 'booked')
    .execute();
  summary.scanned = appointments.length;

  const quiet = inQuietHours(now);
  const dayBefore: { id: number; cancelBy: Date }[] = [];
  const soon: { id: number; outbound: boolean }[] = [];
  for (const a of appointments) {
    const date = a.session_date;
    const paidAt = (a.paid_at ?? a.created_at).getTime();
    const start = shanghaiToInstant(date, a.slot_start);
    const cutoff = rules.get(a.department_id)?.cancelCutoffMinutes ?? 0;
    const d = dayBeforeReminder(date, a.slot_start, cutoff);
    // A late run (the job was down) still sends it while useful, but not in quiet hours: the SMS
    // would wait for 07:00, possibly past the cut-off.
    if (d.sendAt <= now && now < d.cancelBy && !quiet && paidAt <= d.sendAt.getTime()) dayBefore.push({ id: a.id, cancelBy: d.cancelBy });
    const s = soonReminder(date, a.slot_start);
    if (s.sendAt <= now && now < start && paidAt <= s.sendAt.getTime()) soon.push({ id: a.id, outbound: s.outbound });
  }

  const pendingDayBefore = await notYetEnqueued(db, 'visit_reminder_day_before', dayBefore);
  const pendingSoon = await notYetEnqueued(db, 'visit_reminder_soon', soon);
  for (let i = 0; i < pendingDayBefore.length; i += chunkSize) {
    const chunk = pendingDayBefore.slice(i, i + chunkSize);
    summary.dayBefore += await inTransaction(db, async (trx) => {
      const booked = await stillBooked(trx, chunk);
      return notifyAppointments(
        trx,
        'visit_reminder_day_before',
        chunk.filter((c) => booked.has(c.id)).map((c) => ({ appointmentId: c.id, params: { cancelBy: wallClock(c.cancelBy) } })),
        now,
      );
    });
  }
  for (const outbound of [true, false]) {
    const group = pendingSoon.filter((s) => s.outbound === outbound);
    for (let i = 0; i < group.length; i += chunkSize) {
      const chunk = group.slice(i, i + chunkSize);
      summary.soon += await inTransaction(db, async (trx) => {
        const booked = await stillBooked(trx, chunk);
        return notifyAppointments(
          trx,
          'visit_reminder_soon',
          chunk.filter((c) => booked.has(c.id)).map((c) => ({ appointmentId: c.id, params: {} })),
          now,
          outbound ? {} : { channel: 'in_app' },
        );
      });
    }
  }
  return summary;
}

/** The items whose reminder has no outbox row yet (one unique-key lookup per 500), so a rerun inserts nothing. */
async function notYetEnqueued<T extends { id: number }>(db: Db, kind: ReminderKind, items: T[]): Promise<T[]> {
  const present = new Set<string>();
  for (let i = 0; i < items.length; i += 500) {
    const keys = items.slice(i, i + 500).map((item) => `${kind}:${item.id}:in_app`);
    const rows = await db.selectFrom('notification').select('dedupe_key').where('dedupe_key', 'in', keys).execute();
    for (const r of rows) if (r.dedupe_key) present.add(r.dedupe_key);
  }
  return items.filter((item) => !present.has(`${kind}:${item.id}:in_app`));
}

/** Which of `items` are still `booked` now (a cancel may have committed since the scan). */
async function stillBooked(trx: Trx, items: { id: number }[]): Promise<Set<number>> {
  if (items.length === 0) return new Set();
  const rows = await trx
    .selectFrom('appointment')
    .select('id')
    .where('id', 'in', items.map((i) => i.id))
    .where('status', '=', 'booked')
    .execute();
  return new Set(rows.map((r) => r.id));
}
