/**
 * Payment providers behind one interface. Today the only one is `simulated` (no money moves);
 * a real provider (WeChat Pay, Alipay) implements the same two calls. Both calls are
 * idempotent by our own numbers — the order number for a charge (WeChat's out_trade_no), the
 * refund number for a refund (out_refund_no) — so a retried or racing request can never charge
 * or refund twice, and the domain may call them again after a crash.
 */
import { createHash } from 'node:crypto';

export interface ChargeRequest {
  orderNo: string;
  amountFen: number;
}

export interface RefundRequest {
  orderNo: string;
  providerTxnId: string;
  /** Our refund number; the provider refunds at most once per refund number. */
  refundNo: string;
  amountFen: number;
}

export interface PaymentProvider {
  readonly name: string;
  /** Takes the payment for an order; the same order number always yields the same transaction. */
  charge(request: ChargeRequest): Promise<{ providerTxnId: string }>;
  /** Returns a payment in full; the same refund number always yields the same refund. */
  refund(request: RefundRequest): Promise<{ refundTxnId: string }>;
}

function simulatedId(prefix: string, key: string): string {
  return `${prefix}${createHash('sha256').update(key).digest('hex').slice(0, 28).toUpperCase()}`;
}

/** Accepts every charge and refund at once; ids are derived from our numbers, hence idempotent. */
export const simulatedPaymentProvider: PaymentProvider = {
  name: 'simulated',
  async charge({ orderNo }) {
    return { providerTxnId: simulatedId('SIMPAY', orderNo) };
  },
  async refund({ refundNo }) {
    return { refundTxnId: simulatedId('SIMREF', refundNo) };
  },
};

/**
 * The provider in use: `config.payment.provider`, which today can only be `simulated` — and
 * config.ts refuses that in production, so this never runs there. A real provider adds its
 * name to PAYMENT_PROVIDER and is returned here by that name.
 */
export function paymentProvider(): PaymentProvider {
  return simulatedPaymentProvider;
}

/** Our refund number for an order's (only) refund: one refund per appointment. */
export function refundNumber(orderNo: string): string {
  return `R${orderNo}`;
}
