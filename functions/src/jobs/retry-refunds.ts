/**
 * Scheduled job: asks the payment provider again for refunds it never confirmed
 * (payment/refund-retry.ts). Every 10 minutes in production; `npm run job -- retry-refunds` locally.
 */
import type { AppDeps } from '../deps.js';
import { retryUnconfirmedRefunds, type RefundRetrySummary } from '../payment/refund-retry.js';

export function retryRefunds(deps: AppDeps): Promise<RefundRetrySummary> {
  return retryUnconfirmedRefunds(deps);
}
