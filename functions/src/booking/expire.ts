/**
 * Payment-hold expiry: an unpaid `pending_payment` appointment whose hold has run out becomes
 * `expired` and its place returns to the slot (transitions.ts), one transaction per
 * appointment so a slow one never holds many slot rows. Run by the scheduled job
 * (jobs/expire-holds.ts) and lazily whenever a patient reads or pays their own appointments,
 * so an expired hold is never shown as pending even between job runs.
 */
import { recordAudit } from '../audit/audit.js';
import type { Db } from '../db/create-db.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import { notifyAppointments } from '../notification/outbox.js';
import { forgetFullSlots } from './full-slots.js';
import { returnPlaces, TransitionLost } from './transitions.js';

/**
 * In the caller's transaction: expires the appointment if it is still pending and its hold ran
 * out by `now`, returning its place, and tells the patient (预约已超时取消); throws
 * TransitionLost (roll back) if it is not.
 */
export async function expireHoldWithin(trx: Trx, appointment: { id: number; slotId: number; orderNo: string }, now: Date): Promise<void> {
  // The place goes back and, in this transaction, to the waitlist's next in line (transitions.ts).
  await returnPlaces(trx, 'expire', [appointment], { expired_at: now }, now, { holdExpiredBy: now });
  await notifyAppointments(trx, 'hold_expired', [{ appointmentId: appointment.id, params: {} }], now);
  await recordAudit(
    trx,
    { actor: 'system', action: 'appointment.expire', target: { type: 'appointment', id: appointment.orderNo }, summary: { appointmentId: appointment.id } },
    now,
  );
}

/** Expires one appointment if it is still pending and its hold ran out by `now`, in its own transaction; true if it did. */
export async function expireHold(db: Db, appointment: { id: number; slotId: number; orderNo: string }, now: Date): Promise<boolean> {
  try {
    await inTransaction(db, (trx) => expireHoldWithin(trx, appointment, now));
    forgetFullSlots(db); // a place came back: refuse nothing from memory (full-slots.ts)
    return true;
  } catch (error) {
    // Paid, cancelled or expired by someone else in the meantime: nothing to return.
    if (error instanceof TransitionLost) return false;
    throw error;
  }
}

export interface ExpirySummary {
  /** Overdue holds found. */
  due: number;
  /** Of those, expired by this run (the rest were paid or expired concurrently). */
  expired: number;
}

/** Expires overdue holds, oldest first, at most `limit` per call; of one account when given. */
export async function expireOverdueHolds(db: Db, now: Date, options: { accountId?: number; limit?: number } = {}): Promise<ExpirySummary> {
  let query = db
    .selectFrom('appointment')
    .select(['id', 'slot_id', 'order_no'])
    .where('status', '=', 'pending_payment')
    .where('hold_expires_at', '<=', now)
    .orderBy('hold_expires_at')
    .limit(options.limit ?? 500);
  if (options.accountId !== undefined) query = query.where('account_id', '=', options.accountId);
  const due = await query.execute();
  let expired = 0;
  for (const row of due) {
    if (await expireHold(db, { id: row.id, slotId: row.slot_id, orderNo: row.order_no }, now)) expired++;
  }
  return { due: due.length, expired };
}
