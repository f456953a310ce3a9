/**
 * What a patient sees of a doctor's schedule: sessions with their slots, places left, and for
 * each slot whether it can be booked now and, if not, why. Plain reads: never a lock, so a
 * release-time crowd refreshing the calendar never queues behind bookings.
 */
import { sql } from 'kysely';
import { DOCTOR_AVAILABLE_SQL, slotRefusal, type SlotFacts, type SlotRefusal } from '../booking/bookability.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';
import { addDays, daysBetween, shanghaiDate, type LocalDate } from '../time/shanghai.js';
import { getEffectiveRules } from '../rules/booking-rules.js';
import { PERIOD_LABELS, type Period } from '../schedule/slot-plan.js';

export type SlotState = 'available' | 'full' | 'not_released' | 'suspended' | 'past';

export const SLOT_STATE_LABELS: Record<SlotState, string> = {
  available: '可预约',
  full: '已约满',
  not_released: '未放号',
  suspended: '停诊',
  past: '已过期',
};

/**
 * The state the calendar shows for each answer of the booking gate. The calendar lists only a
 * doctor who sees patients (the gate's DOCTOR_UNAVAILABLE never reaches it); were one shown,
 * 停诊 is what a patient would need to know.
 */
const STATE_OF_REFUSAL: Record<SlotRefusal, SlotState> = {
  DOCTOR_UNAVAILABLE: 'suspended',
  SESSION_SUSPENDED: 'suspended',
  SLOT_NOT_RELEASED: 'not_released',
  SLOT_PAST: 'past',
  SLOT_FULL: 'full',
};

/** Whether the slot can be booked at `now`, and if not why: the booking gate's own decision (booking/bookability.ts). */
function slotState(slot: SlotFacts, now: Date): SlotState {
  const refusal = slotRefusal(slot, now);
  return refusal ? STATE_OF_REFUSAL[refusal] : 'available';
}

export interface CalendarSession {
  id: number;
  date: LocalDate;
  period: Period;
  periodLabel: string;
  startTime: string;
  endTime: string;
  feeFen: number;
  status: 'open' | 'suspended';
  suspendReason: string | null;
  releaseAt: string;
  remaining: number;
  slots: Array<{ id: number; startTime: string; endTime: string; capacity: number; remaining: number; state: SlotState; stateLabel: string }>;
}

/** Longest range one calendar request may ask for. */
export const MAX_CALENDAR_DAYS = 31;

export async function doctorCalendar(
  db: Db,
  doctorId: number,
  range: { from?: LocalDate | undefined; to?: LocalDate | undefined },
  now: Date,
): Promise<{ from: LocalDate; to: LocalDate; sessions: CalendarSession[] }> {
  // Only a doctor who sees patients: active, in an active department whose 大科 (if any) is active — as the booking gate requires.
  const doctor = await db
    .selectFrom('doctor as d')
    .innerJoin('department as dep', 'dep.id', 'd.department_id')
    .leftJoin('department as par', 'par.id', 'dep.parent_id')
    .select(['d.id', 'd.department_id'])
    .where('d.id', '=', doctorId)
    .where(sql<boolean>`${sql.raw(DOCTOR_AVAILABLE_SQL)}`)
    .executeTakeFirst();
  if (!doctor) throw new AppError('DOCTOR_NOT_FOUND');
  const today = shanghaiDate(now);
  const rules = await getEffectiveRules(db, doctor.department_id);
  const from = range.from && range.from > today ? range.from : today;
  // By default: the booking window plus the following week, whose sessions show their 放号时间.
  const to = range.to ?? addDays(today, rules.daysAhead + 7);
  if (to < from || daysBetween(from, to) > MAX_CALENDAR_DAYS) {
    throw new AppError('VALIDATION_FAILED', `查询日期范围有误（最多 ${MAX_CALENDAR_DAYS} 天）`);
  }
  const sessions = await db
    .selectFrom('clinic_session')
    .selectAll()
    .where('doctor_id', '=', doctorId)
    .where('session_date', '>=', from)
    .where('session_date', '<=', to)
    .orderBy('session_date')
    .orderBy('start_time')
    .execute();
  const slots = sessions.length
    ? await db
        .selectFrom('slot')
        .select(['id', 'session_id', 'start_time', 'end_time', 'capacity', 'remaining'])
        .where('session_id', 'in', sessions.map((s) => s.id))
        .orderBy('start_time')
        .execute()
    : [];
  return {
    from,
    to,
    sessions: sessions.map((s) => {
      const own = slots.filter((slot) => slot.session_id === s.id);
      return {
        id: s.id,
        date: s.session_date,
        period: s.period,
        periodLabel: PERIOD_LABELS[s.period],
        startTime: s.start_time,
        endTime: s.end_time,
        feeFen: s.fee_fen,
        status: s.status,
        suspendReason: s.suspend_reason,
        releaseAt: s.release_at.toISOString(),
        remaining: s.status === 'open' ? own.reduce((sum, slot) => sum + slot.remaining, 0) : 0,
        slots: own.map((slot) => {
          const state = slotState(
            {
              // Listed only when available (the doctor query above).
              doctor_available: 1,
              status: s.status,
              release_at: s.release_at,
              bookable_until: s.bookable_until,
              session_date: s.session_date,
              start_time: slot.start_time,
              remaining: slot.remaining,
            },
            now,
          );
          return {
            id: slot.id,
            startTime: slot.start_time,
            endTime: slot.end_time,
            capacity: slot.capacity,
            remaining: slot.remaining,
            state,
            stateLabel: SLOT_STATE_LABELS[state],
          };
        }),
      };
    }),
  };
}
