/**
 * A patient cancels their own appointment (退号) until `cancelCutoffMinutes` before the slot
 * starts (Shanghai wall-clock): the conditional status UPDATE, `remaining + 1` and, for a paid
 * booking, the refund are one transaction (transitions.ts, refunds.ts).
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
 * In the caller's transaction: the patient's cancellation of `appointment` (checked cancellable
 * by the caller) — its place returned, a payment recorded refunded, the audit entry. Throws
 * TransitionLost (roll back) when it left a cancellable status meanwhile. The patient's
 * 预约已取消 message is written in it too (refund_made follows when the provider confirms the
 * refund, refunds.ts). The refunds it
 * returns are for `settleRefunds` after COMMIT.
 */
export async function cancelWithin(
  trx: Trx,
  appointment: { id: number; slot_id: number; order_no: string; status: string },
  by: { principal: Principal; reason: string | undefined; meta: RequestMeta },
  now: Date,
): Promise<RecordedRefund[]> {
  // The place goes back and, in this transaction, to the waitlist's head (transitions.ts).
  await returnPlaces(trx, 'cancel', [{ id: appointment.id, slotId: appointment.slot_id }], { cancelled_at: now, cancelled_by: 'patient', cancel_reason: by.reason ?? null }, now);
  const recorded = await recordRefunds(trx, [{ id: appointment.id, orderNo: appointment.order_no }], now);
  await notifyAppointments(trx, 'appointment_cancelled', [{ appointmentId: appointment.id, params: { by: 'patient', reason: by.reason ?? '' } }], now);
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
