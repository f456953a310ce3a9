/**
 * Refunds recorded but never confirmed by the provider, asked for again. A cancellation records
 * its refund in its own transaction and asks the provider after COMMIT (booking/refunds.ts); when that
 * call fails or its answer is lost, the payment stays `refunded` with no `refund_txn_id`, and
 * without this the patient's money would never come back. The scheduled job
 * (jobs/retry-refunds.ts) runs this every few minutes.
 *
 * Safe to run twice at once, and idempotent: before calling the provider a run takes a lease on
 * the payment with one conditional UPDATE of its `updated_at` (of two runs that read the same
 * row, only one matches the value it read), and a payment is due again only once its lease has
 * run out (REFUND_RETRY_LEASE_MS). A run that dies after the provider refunded leaves the lease
 * to expire; asking again then is still safe, the refund number (R + order number) makes the
 * provider answer with the same refund.
 */
import { recordAudit } from '../audit/audit.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { notifyAppointments } from '../notification/outbox.js';
import { paymentProvider, refundNumber, type PaymentProvider } from './provider.js';

/** How long a run owns a payment it is retrying, and how old an unconfirmed refund must be to be due. */
export const REFUND_RETRY_LEASE_MS = 5 * 60_000;
const BATCH = 200;

export interface RefundRetrySummary {
  /** Unconfirmed refunds found due. */
  due: number;
  /** Of those, leased by this run (the others were taken by a concurrent run). */
  taken: number;
  /** Confirmed by the provider and stored. */
  confirmed: number;
  /** Refused or unanswered again; due again after the lease. */
  failed: number;
}

/**
 * Asks the provider again for every refund recorded at least a lease ago and still without a
 * provider refund id; stores the id, audits it (actor `system`) and writes the patient's
 * 退款已到账 message in the same transaction. `provider` is for tests.
 */
export async function retryUnconfirmedRefunds(
  deps: Pick<AppDeps, 'db' | 'clock' | 'log'>,
  options: { provider?: PaymentProvider } = {},
): Promise<RefundRetrySummary> {
  const { db, log } = deps;
  const provider = options.provider ?? paymentProvider();
  const summary: RefundRetrySummary = { due: 0, taken: 0, confirmed: 0, failed: 0 };
  for (;;) {
    const now = deps.clock.now();
    const due = await db
      .selectFrom('payment')
      .innerJoin('appointment', 'appointment.id', 'payment.appointment_id')
      .select(['payment.id', 'payment.appointment_id', 'payment.provider_txn_id', 'payment.amount_fen', 'payment.refund_amount_fen', 'payment.updated_at', 'appointment.order_no'])
      .where('payment.status', '=', 'refunded')
      .where('payment.refund_txn_id', 'is', null)
      .where('payment.updated_at', '<=', new Date(now.getTime() - REFUND_RETRY_LEASE_MS))
      .orderBy('payment.updated_at')
      .limit(BATCH)
      .execute();
    summary.due += due.length;
    for (const payment of due) {
      // The lease: this run's `now` replaces the value read; a concurrent run's UPDATE then matches nothing.
      const leased = await db
        .updateTable('payment')
        .set({ updated_at: now })
        .where('id', '=', payment.id)
        .where('refund_txn_id', 'is', null)
        .where('updated_at', '=', payment.updated_at)
        .executeTakeFirst();
      if (Number(leased.numUpdatedRows) !== 1) continue;
      summary.taken += 1;
      const amountFen = payment.refund_amount_fen ?? payment.amount_fen;
      let refundTxnId: string;
      try {
        ({ refundTxnId } = await provider.refund({
          orderNo: payment.order_no,
          providerTxnId: payment.provider_txn_id,
          refundNo: refundNumber(payment.order_no),
          amountFen,
        }));
      } catch (error) {
        summary.failed += 1;
        log.error({ err: error, appointmentId: payment.appointment_id }, 'refund still not confirmed by the payment provider');
        continue;
      }
      await inTransaction(db, async (trx) => {
        const stored = await trx
          .updateTable('payment')
          .set({ refund_txn_id: refundTxnId, updated_at: now })
          .where('id', '=', payment.id)
          .where('refund_txn_id', 'is', null)
          .executeTakeFirst();
        if (Number(stored.numUpdatedRows) !== 1) return; // confirmed meanwhile by the cancelling request
        await recordAudit(
          trx,
          {
            actor: 'system',
            action: 'payment.refund_confirm',
            target: { type: 'appointment', id: payment.order_no },
            summary: { appointmentId: payment.appointment_id, amountFen, refundTxnId },
          },
          now,
        );
        await notifyAppointments(trx, 'refund_made', [{ appointmentId: payment.appointment_id, params: { amountFen } }], now);
      });
      summary.confirmed += 1;
    }
    if (due.length < BATCH) return summary;
  }
}
