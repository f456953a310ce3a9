/**
 * Scheduled job: sends the due messages of the notification outbox (notification/delivery.ts).
 * Every minute in production; `npm run job -- deliver-notifications` locally, and `npm start`
 * runs it every few seconds. Works through the backlog in rounds until a round comes back short,
 * or until `budgetMs` has passed so a Lambda run ends well within its timeout (the next run
 * carries on); any number of runs may overlap.
 */
import type { AppDeps } from '../deps.js';
import { createChannels, type Channels } from '../notification/channels.js';
import { deliverDueNotifications, DELIVERY_DEFAULTS, type DeliveryOptions, type DeliverySummary } from '../notification/delivery.js';

export async function deliverNotifications(
  deps: AppDeps,
  options: DeliveryOptions & { channels?: Channels; budgetMs?: number } = {},
): Promise<DeliverySummary & { rounds: number }> {
  const channels = options.channels ?? createChannels(deps);
  const budgetMs = options.budgetMs ?? 45_000;
  const batchSize = options.batchSize ?? DELIVERY_DEFAULTS.batchSize;
  const started = Date.now();
  const total = { claimed: 0, sent: 0, retrying: 0, failed: 0, deferred: 0, skipped: 0, rounds: 0 };
  for (;;) {
    const round = await deliverDueNotifications(deps.db, channels, () => deps.clock.now(), options);
    total.rounds += 1;
    total.claimed += round.claimed;
    total.sent += round.sent;
    total.retrying += round.retrying;
    total.failed += round.failed;
    total.deferred += round.deferred;
    total.skipped += round.skipped;
    if (round.claimed < batchSize || Date.now() - started > budgetMs) return total;
  }
}
