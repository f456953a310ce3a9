/**
 * 签到: a booked patient arrives (or a passed one comes back) and joins the session's waiting
 * queue. By the patient from the app, for their own appointment, inside the department's window
 * (Shanghai wall-clock): from `checkInBeforeMinutes` before the slot starts until
 * `checkInUntilMinutes` after. By the doctor from the queue screen, for an appointment of their
 * own session, from the same opening until the later of the patient's cut-off and the session's
 * end (the doctor decides about a patient standing at the door). A patient coming back after 过号
 * may check in again until the session ends, unless passed more than `passLimit` times.
 *
 * Late arrivals and returns are placed behind on-time patients (queue-order.ts). The status
 * change is one conditional UPDATE (transitions.ts `checkIn`): a check-in racing a cancellation
 * or the no-show sweep either happens before it or is refused after it, never both.
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { canMove, moveAppointments, TransitionLost } from '../booking/transitions.js';
import { getEffectiveRules, type EffectiveRules } from '../rules/booking-rules.js';
import { shanghaiTime, shanghaiToInstant } from '../time/shanghai.js';
import { onTimeKey, placeLate } from './queue-order.js';
import { visitStateConflict } from './visit-errors.js';

export interface CheckInWindow {
  opensAt: Date;
  /** The patient's cut-off. */
  closesAt: Date;
  /** After this an arrival is late. */
  lateAfter: Date;
}

/** The check-in window of a slot starting at `date` `slotStart` (Shanghai). */
export function checkInWindow(date: string, slotStart: string, rules: Pick<EffectiveRules, 'checkInBeforeMinutes' | 'checkInUntilMinutes' | 'lateGraceMinutes'>): CheckInWindow {
  const start = shanghaiToInstant(date, slotStart).getTime();
  return {
    opensAt: new Date(start - rules.checkInBeforeMinutes * 60_000),
    closesAt: new Date(start + rules.checkInUntilMinutes * 60_000),
    lateAfter: new Date(start + rules.lateGraceMinutes * 60_000),
  };
}

type CheckInRow = Awaited<ReturnType<typeof loadForCheckIn>>;

function loadForCheckIn(db: Db, appointmentId: number) {
  return db
    .selectFrom('appointment as a')
    .innerJoin('clinic_session as s', 's.id', 'a.session_id')
    .select(['a.id', 'a.order_no', 'a.status', 'a.account_id', 'a.doctor_id', 'a.session_id', 'a.department_id', 'a.session_date', 'a.slot_start', 'a.queue_number', 'a.passed_count', 'a.queue_late', 's.end_time', 's.status as session_status'])
    .where('a.id', '=', appointmentId)
    .executeTakeFirst();
}

/** The caller: the appointment's patient, or the doctor of its session. */
export type CheckInBy = { kind: 'patient'; principal: Principal } | { kind: 'doctor'; principal: Principal; doctorId: number };

/**
 * Checks `appointmentId` in. Someone else's appointment reads as missing (404). Checking in an
 * appointment that is already checked in answers its state again (a double tap).
 */
export async function checkIn(deps: AppDeps, by: CheckInBy, appointmentId: number, meta: RequestMeta): Promise<{ id: number; sessionId: number; late: boolean }> {
  const { db } = deps;
  const now = deps.clock.now();
  const row = await loadForCheckIn(db, appointmentId);
  const mine = row && (by.kind === 'patient' ? row.account_id === by.principal.userId : row.doctor_id === by.doctorId);
  if (!row || !mine) throw new AppError('APPOINTMENT_NOT_FOUND');
  if (row.status === 'checked_in') return { id: row.id, sessionId: row.session_id, late: row.queue_late === 1 };
  if (!canMove('checkIn', row.status)) throw visitStateConflict(row.status);
  if (row.session_status !== 'open') throw new AppError('SESSION_SUSPENDED');
  const rules = await getEffectiveRules(db, row.department_id);
  const window = checkInWindow(row.session_date, row.slot_start, rules);
  assertInWindow(row, window, by, rules, now);

  const returning = row.status === 'passed';
  const late = returning || now > window.lateAfter;
  try {
    await inTransaction(db, async (trx) => {
      const queueKey = late ? await placeLate(trx, row.session_id, rules.lateInterleave) : onTimeKey(row.queue_number);
      await moveAppointments(trx, 'checkIn', [row.id], { checked_in_at: now, queue_key: queueKey, queue_late: late ? 1 : 0 }, now);
      await recordAudit(
        trx,
        {
          actor: by.principal,
          action: 'appointment.check_in',
          target: { type: 'appointment', id: row.order_no },
          meta,
          summary: { appointmentId: row.id, from: row.status, late, by: by.kind },
        },
        now,
      );
    });
  } catch (error) {
    if (!(error instanceof TransitionLost)) throw error;
    // Cancelled, swept or checked in by someone else meanwhile: answer from what it is now.
    const current = await loadForCheckIn(db, appointmentId);
    if (current?.status === 'checked_in') return { id: row.id, sessionId: row.session_id, late: current.queue_late === 1 };
    throw visitStateConflict(current?.status ?? row.status);
  }
  return { id: row.id, sessionId: row.session_id, late };
}

function assertInWindow(row: NonNullable<CheckInRow>, window: CheckInWindow, by: CheckInBy, rules: EffectiveRules, now: Date): void {
  if (now < window.opensAt) {
    throw new AppError('CHECK_IN_NOT_OPEN', `签到时间为就诊前 ${rules.checkInBeforeMinutes} 分钟起，请于 ${shanghaiTime(window.opensAt).slice(0, 5)} 后签到`, { opensAt: window.opensAt.toISOString() });
  }
  const sessionEnd = shanghaiToInstant(row.session_date, row.end_time);
  if (row.status === 'passed') {
    if (row.passed_count > rules.passLimit) throw new AppError('PASS_LIMIT_REACHED', `已过号 ${row.passed_count} 次，超过 ${rules.passLimit} 次不再叫号，请到分诊台咨询`);
    if (now > sessionEnd) throw new AppError('CHECK_IN_CLOSED', '本次门诊已结束');
    return;
  }
  const closesAt = by.kind === 'doctor' ? new Date(Math.max(window.closesAt.getTime(), sessionEnd.getTime())) : window.closesAt;
  if (now > closesAt) throw new AppError('CHECK_IN_CLOSED', `签到已于 ${shanghaiTime(closesAt).slice(0, 5)} 截止，请到分诊台咨询`, { closesAt: closesAt.toISOString() });
}
