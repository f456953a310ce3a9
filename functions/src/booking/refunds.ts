/**
 * Refunds. A cancellation (by the patient or a suspension) records the refund in its own
 * transaction — payment.status = 'refunded', refunded_at, the amount — so the place and the
 * money are returned together or not at all. The provider is asked after COMMIT, never while
 * the transaction holds the slot row, and its refund id is stored when it answers. A payment
 * that is 'refunded' with no refund_txn_id is therefore a refund recorded but not yet
 * confirmed by the provider; the refund number (R + order number) makes asking again safe.
 * The patient's 退款已到账 message is written with the confirmation (here, or by the retry job
 * payment/refund-retry.ts), never before: a recorded refund is not yet money back.
 */
import type { Db } from '../db/create-db.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import { notifyAppointments } from '../notification/outbox.js';
import type { Logger } from '../logger.js';
import { paymentProvider, refundNumber } from '../payment/provider.js';

export interface RecordedRefund {
  appointmentId: number;
  orderNo: string;
  providerTxnId: string;
  amountFen: number;
}

/** Inside the cancelling transaction: marks the appointments' paid payments refunded. */
export async function recordRefunds(trx: Trx, appointments: ReadonlyArray<{ id: number; orderNo: string }>, now: Date): Promise<RecordedRefund[]> {
  if (appointments.length === 0) return [];
  const ids = appointments.map((a) => a.id);
  // A plain read, then an UPDATE by primary key: no gap locks on payment's unique index for
  // the (usual) appointments that were never paid. Pay cannot insert a payment concurrently:
  // it needs the appointment's status, which the caller has already moved under its lock.
  const paid = await trx
    .selectFrom('payment')
    .select(['id', 'appointment_id', 'provider_txn_id', 'amount_fen'])
    .where('appointment_id', 'in', ids)
    .where('status', '=', 'paid')
    .execute();
  if (paid.length === 0) return [];
  await trx
    .updateTable('payment')
    .set((eb) => ({ status: 'refunded', refund_amount_fen: eb.ref('amount_fen'), refunded_at: now, updated_at: now }))
    .where('id', 'in', paid.map((p) => p.id))
    .where('status', '=', 'paid')
    .execute();
  const orderNoById = new Map(appointments.map((a) => [a.id, a.orderNo]));
  return paid.map((p) => ({
    appointmentId: p.appointment_id,
    orderNo: orderNoById.get(p.appointment_id) ?? '',
    providerTxnId: p.provider_txn_id,
    amountFen: p.amount_fen,
  }));
}

/**
 * After COMMIT: asks the provider to pay the recorded refunds back, and stores each refund id
 * with the patient's 退款已到账 message in one transaction — only if the refund was still
 * unconfirmed, so a retry job that confirmed it meanwhile means one message, not two.
 */
export async function settleRefunds(db: Db, refunds: readonly RecordedRefund[], now: Date, log: Logger): Promise<void> {
  const provider = paymentProvider();
  for (const refund of refunds) {
    try {
      const { refundTxnId } = await provider.refund({
        orderNo: refund.orderNo,
        providerTxnId: refund.providerTxnId,
        refundNo: refundNumber(refund.orderNo),
        amountFen: refund.amountFen,
      });
      await inTransaction(db, async (trx) => {
        const stored = await trx
          .updateTable('payment')
          .set({ refund_txn_id: refundTxnId, updated_at: now })
          .where('appointment_id', '=', refund.appointmentId)
          .where('refund_txn_id', 'is', null)
          .executeTakeFirst();
        if (Number(stored.numUpdatedRows) !== 1) return;
        await notifyAppointments(trx, 'refund_made', [{ appointmentId: refund.appointmentId, params: { amountFen: refund.amountFen } }], now);
      });
    } catch (error) {
      // The refund stays recorded without a provider id; asking again with the same refund number is safe.
      log.error({ err: error, appointmentId: refund.appointmentId }, 'refund not confirmed by the payment provider');
    }
  }
}
