/**
 * A patient cancels their own appointment (退号) until `cancelCutoffMinutes` before the slot
 * starts (Shanghai wall-clock); an admin cancels any appointment before its visit, with a reason
 * the patient is sent. Either way the conditional status UPDATE, `remaining + 1`, for a paid
 * booking the refund, and for an admin's cancellation the patient's notification are one
 * transaction (transitions.ts, refunds.ts, notification/outbox.ts).
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { notifyAppointments } from '../notification/outbox.js';
import { recordRefunds, settleRefunds, type RecordedRefund } from './refunds.js';
import { getEffectiveRules } from '../rules/booking-rules.js';
import { shanghaiToInstant } from '../time/shanghai.js';
import { findOwnAppointment, type AppointmentView } from './appointment-view.js';
import { expireHold } from './expire.js';
import { forgetFullSlots } from './full-slots.js';
import { canMove, returnPlaces, TransitionLost } from './transitions.js';

/** The last instant a patient may cancel an appointment of this slot. */
export function cancelDeadline(sessionDate: string, slotStart: string, cancelCutoffMinutes: number): Date {
  return new Date(shanghaiToInstant(sessionDate, slotStart).getTime() - cancelCutoffMinutes * 60_000);
}

/** The patient's 退号 of their own appointment, until the cut-off; a paid one is refunded. */
export async function cancelAppointment(
  deps: AppDeps,
  principal: Principal,
  appointmentId: number,
  reason: string | undefined,
  meta: RequestMeta,
): Promise<AppointmentView> {
  const { db } = deps;
  const now = deps.clock.now();
  const row = await db
    .selectFrom('appointment')
    .select(['id', 'slot_id', 'order_no', 'status', 'hold_expires_at', 'department_id', 'session_date', 'slot_start'])
    .where('id', '=', appointmentId)
    .where('account_id', '=', principal.userId)
    .executeTakeFirst();
  if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
  if (row.status === 'pending_payment' && row.hold_expires_at && row.hold_expires_at <= now) {
    await expireHold(db, { id: row.id, slotId: row.slot_id, orderNo: row.order_no }, now);
    throw new AppError('NOT_CANCELLABLE', '该预约已因超时未支付而失效');
  }
  if (row.status === 'cancelled') return (await findOwnAppointment(db, principal.userId, appointmentId))!;
  if (!canMove('cancel', row.status)) {
    throw new AppError('NOT_CANCELLABLE', undefined, { status: row.status });
  }
  const rules = await getEffectiveRules(db, row.department_id);
  const deadline = cancelDeadline(row.session_date, row.slot_start, rules.cancelCutoffMinutes);
  if (now > deadline) throw new AppError('CANCEL_CUTOFF_PASSED', undefined, { deadline: deadline.toISOString() });

  let refunds: RecordedRefund[] = [];
  try {
    refunds = await inTransaction(db, (trx) => cancelWithin(trx, row, { principal, reason, meta }, now));
    forgetFullSlots(db); // a place came back: refuse nothing from memory (full-slots.ts)
  } catch (error) {
    if (!(error instanceof TransitionLost)) throw error;
    // Paid, cancelled or expired concurrently: answer from what it is now.
    const current = await findOwnAppointment(db, principal.userId, appointmentId);
    if (current?.status === 'cancelled') return current;
    throw new AppError('NOT_CANCELLABLE', undefined, { status: current?.status });
  }
  await settleRefunds(db, refunds, now, deps.log);
  return (await findOwnAppointment(db, principal.userId, appointmentId))!;
}

/**
 * An admin's cancellation of any appointment in a status `adminCancel` moves from (pending
 * payment, booked, checked in and not yet called), with a required reason: the place returns,
 * a payment is refunded and the patient is notified (SMS/WeChat and inbox), all in one
 * transaction. Of racing cancellations and expiry exactly one wins; the others answer
 * NOT_CANCELLABLE. A hold that ran out unpaid is expired, not cancelled.
 */
export async function cancelByAdmin(deps: AppDeps, admin: Principal, appointmentId: number, reason: string, meta: RequestMeta): Promise<void> {
  const { db } = deps;
  const now = deps.clock.now();
  const row = await db
    .selectFrom('appointment')
    .select(['id', 'slot_id', 'order_no', 'status', 'hold_expires_at'])
    .where('id', '=', appointmentId)
    .executeTakeFirst();
  if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
  if (row.status === 'pending_payment' && row.hold_expires_at && row.hold_expires_at <= now) {
    await expireHold(db, { id: row.id, slotId: row.slot_id, orderNo: row.order_no }, now);
    throw new AppError('NOT_CANCELLABLE', '该预约已因超时未支付而失效');
  }
  if (!canMove('adminCancel', row.status)) throw new AppError('NOT_CANCELLABLE', undefined, { status: row.status });
  let refunds: RecordedRefund[];
  try {
    refunds = await inTransaction(db, (trx) => cancelWithin(trx, row, { principal: admin, reason, meta }, now));
  } catch (error) {
    if (!(error instanceof TransitionLost)) throw error;
    // Cancelled, paid-then-cancelled or expired concurrently: someone else's change won.
    const current = await db.selectFrom('appointment').select('status').where('id', '=', appointmentId).executeTakeFirst();
    throw new AppError('NOT_CANCELLABLE', undefined, { status: current?.status });
  }
  forgetFullSlots(db); // a place came back: refuse nothing from memory (full-slots.ts)
  await settleRefunds(db, refunds, now, deps.log);
}

/**
 * In the caller's transaction: the cancellation of `appointment` (checked cancellable by the
 * caller) by the patient (`cancel`) or, when `by.principal` is an admin, by the hospital
 * (`adminCancel`, which also notifies the patient) — its place returned, a payment recorded
 * refunded, the audit entry. Throws TransitionLost (roll back) when it left a cancellable
 * status meanwhile. The refunds it returns are for `settleRefunds` after COMMIT.
 */
export async function cancelWithin(
  trx: Trx,
  appointment: { id: number; slot_id: number; order_no: string; status: string },
  by: { principal: Principal; reason: string | undefined; meta: RequestMeta },
  now: Date,
): Promise<RecordedRefund[]> {
  const byAdmin = by.principal.role === 'admin';
  // The place goes back and, in this transaction, to the waitlist's head (transitions.ts).
  await returnPlaces(
    trx,
    byAdmin ? 'adminCancel' : 'cancel',
    [{ id: appointment.id, slotId: appointment.slot_id }],
    { cancelled_at: now, cancelled_by: byAdmin ? 'admin' : 'patient', cancel_reason: by.reason ?? null },
    now,
  );
  const recorded = await recordRefunds(trx, [{ id: appointment.id, orderNo: appointment.order_no }], now);
  await notifyAppointments(
    trx,
    'appointment_cancelled',
    [{ appointmentId: appointment.id, params: { by: byAdmin ? 'admin' : 'patient', reason: by.reason ?? '' } }],
    now,
  );
  await recordAudit(
    trx,
    {
      actor: by.principal,
      action: 'appointment.cancel',
      target: { type: 'appointment', id: appointment.order_no },
      meta: by.meta,
      summary: { appointmentId: appointment.id, from: appointment.status, reason: by.reason ?? null, refundedFen: recorded[0]?.amountFen ?? 0 },
    },
    now,
  );
  return recorded;
}
