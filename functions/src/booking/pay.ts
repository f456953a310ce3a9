/**
 * Paying a `pending_payment` appointment (simulated provider). The provider is charged first,
 * outside any transaction, idempotently by order number; then one conditional UPDATE moves the
 * appointment to `booked` only while its hold is still valid, with the payment row and the audit
 * entry and the patient's 预约成功 message in the same transaction. Paying twice answers with the booked appointment; a hold that
 * ran out is expired on the spot (its place returned) and answered HOLD_EXPIRED. A charge that
 * lost its race against expiry or a suspension is refunded, recorded and audited as such.
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { enqueueNotification, notifyAppointments } from '../notification/outbox.js';
import { findOwnAppointment, type AppointmentView } from './appointment-view.js';
import { expireHold } from './expire.js';
import { canMove, moveAppointments, TransitionLost } from './transitions.js';
import { paymentProvider, refundNumber, type PaymentProvider } from '../payment/provider.js';

/** `provider` is for tests; the route uses the configured one. */
export async function payAppointment(
  deps: AppDeps,
  principal: Principal,
  appointmentId: number,
  meta: RequestMeta,
  provider: PaymentProvider = paymentProvider(),
): Promise<AppointmentView> {
  const { db } = deps;
  const now = deps.clock.now();
  const row = await db
    .selectFrom('appointment')
    .select(['id', 'slot_id', 'order_no', 'status', 'fee_fen', 'hold_expires_at'])
    .where('id', '=', appointmentId)
    .where('account_id', '=', principal.userId)
    .executeTakeFirst();
  if (!row) throw new AppError('APPOINTMENT_NOT_FOUND');
  if (row.status === 'booked' || row.status === 'checked_in' || row.status === 'completed') {
    return (await findOwnAppointment(db, principal.userId, appointmentId))!;
  }
  if (row.status === 'expired') throw new AppError('HOLD_EXPIRED');
  if (!canMove('pay', row.status)) throw new AppError('NOT_PAYABLE', undefined, { status: row.status });
  if (!row.hold_expires_at || row.hold_expires_at <= now) {
    await expireHold(db, { id: row.id, slotId: row.slot_id, orderNo: row.order_no }, now);
    throw new AppError('HOLD_EXPIRED');
  }

  let providerTxnId: string;
  try {
    ({ providerTxnId } = await provider.charge({ orderNo: row.order_no, amountFen: row.fee_fen }));
  } catch (error) {
    deps.log.error({ err: error, appointmentId }, 'payment provider refused the charge');
    throw new AppError('PAYMENT_FAILED', undefined, undefined, 5);
  }

  try {
    await inTransaction(db, async (trx) => {
      await moveAppointments(trx, 'pay', [row.id], { paid_at: now }, now, { holdValidAt: now });
      await trx
        .insertInto('payment')
        .values({
          appointment_id: row.id,
          amount_fen: row.fee_fen,
          provider: provider.name,
          status: 'paid',
          provider_txn_id: providerTxnId,
          paid_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await recordAudit(
        trx,
        {
          actor: principal,
          action: 'appointment.pay',
          target: { type: 'appointment', id: row.order_no },
          meta,
          summary: { appointmentId: row.id, amountFen: row.fee_fen, provider: provider.name, providerTxnId },
        },
        now,
      );
      await notifyAppointments(trx, 'booking_confirmed', [{ appointmentId: row.id, params: {} }], now);
    });
  } catch (error) {
    if (!(error instanceof TransitionLost)) throw error;
    return afterLostPayment(deps, provider, principal, meta, row, providerTxnId, now);
  }
  return (await findOwnAppointment(db, principal.userId, appointmentId))!;
}

/**
 * The charge went through but the appointment had moved on. A concurrent payment of the same
 * order won (same provider transaction): answer with it. Otherwise the money goes back.
 */
async function afterLostPayment(
  deps: AppDeps,
  provider: PaymentProvider,
  principal: Principal,
  meta: RequestMeta,
  row: { id: number; slot_id: number; order_no: string; fee_fen: number },
  providerTxnId: string,
  now: Date,
): Promise<AppointmentView> {
  const { db } = deps;
  const current = await db.selectFrom('appointment').select(['status', 'hold_expires_at']).where('id', '=', row.id).executeTakeFirstOrThrow();
  if (current.status === 'booked' || current.status === 'checked_in' || current.status === 'completed') {
    return (await findOwnAppointment(db, principal.userId, row.id))!;
  }
  if (current.status === 'pending_payment') await expireHold(db, { id: row.id, slotId: row.slot_id, orderNo: row.order_no }, now);
  const reason = current.status === 'pending_payment' ? 'expired' : current.status;
  await refundUnbookedCharge(db, provider, { principal, meta }, row, providerTxnId, reason, now);
  throw new AppError(current.status === 'pending_payment' || current.status === 'expired' ? 'HOLD_EXPIRED' : 'NOT_PAYABLE');
}

/**
 * Gives back a charge whose appointment had moved on, and records it — the payment row and the
 * audit entry (actor: the payer; reason: the appointment's status) and the patient's 退款已到账
 * message in one transaction, like every other confirmed refund. A repeat (the same charge refunded by a retried request) changes nothing.
 */
async function refundUnbookedCharge(
  db: Db,
  provider: PaymentProvider,
  by: { principal: Principal; meta: RequestMeta },
  row: { id: number; order_no: string; fee_fen: number },
  providerTxnId: string,
  reason: string,
  now: Date,
): Promise<void> {
  const { refundTxnId } = await provider.refund({
    orderNo: row.order_no,
    providerTxnId,
    refundNo: refundNumber(row.order_no),
    amountFen: row.fee_fen,
  });
  await inTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('payment')
      .values({
        appointment_id: row.id,
        amount_fen: row.fee_fen,
        provider: provider.name,
        status: 'refunded',
        provider_txn_id: providerTxnId,
        paid_at: now,
        refund_amount_fen: row.fee_fen,
        refund_txn_id: refundTxnId,
        refunded_at: now,
        created_at: now,
        updated_at: now,
      })
      .onDuplicateKeyUpdate({ updated_at: now })
      .executeTakeFirst();
    // 1 row affected: inserted; 2: an existing row updated (this refund was recorded before).
    if (Number(inserted.numInsertedOrUpdatedRows) !== 1) return;
    await recordAudit(
      trx,
      {
        actor: by.principal,
        action: 'payment.refund',
        target: { type: 'appointment', id: row.order_no },
        meta: by.meta,
        summary: { appointmentId: row.id, amountFen: row.fee_fen, providerTxnId, refundTxnId, reason },
      },
      now,
    );
    await enqueueNotification(
      trx,
      {
        template: 'refund_made',
        params: { orderNo: row.order_no, amountFen: row.fee_fen },
        userId: by.principal.userId,
        dedupeKey: `refund_made:${row.id}`,
        appointmentId: row.id,
      },
      now,
    );
  });
}
