/**
 * Scheduled job: returns the places of unpaid bookings whose payment hold has run out
 * (booking/expire.ts). Every minute in production; `npm run job -- expire-holds` locally.
 * Works through the backlog in batches until none is left, so a pause of the scheduler
 * never leaves places stranded for more than one run.
 */
import { expireOverdueHolds, type ExpirySummary } from '../booking/expire.js';
import type { AppDeps } from '../deps.js';

const BATCH = 500;

export async function expireHolds(deps: AppDeps): Promise<ExpirySummary> {
  const total: ExpirySummary = { due: 0, expired: 0 };
  for (;;) {
    const batch = await expireOverdueHolds(deps.db, deps.clock.now(), { limit: BATCH });
    total.due += batch.due;
    total.expired += batch.expired;
    // A short batch means the backlog is drained. A batch that expired nothing (all paid or
    // expired concurrently) ends the run too, rather than spinning on rows it cannot change.
    if (batch.due < BATCH || batch.expired === 0) return total;
  }
}
