/**
 * Scheduled job: closes the waitlists whose closing time has come (waitlist/close.ts), each
 * entry still waiting with a message. Every 10 minutes in production; `npm run job --
 * close-waitlists` locally. Works through the backlog in batches until none is left.
 */
import type { AppDeps } from '../deps.js';
import { closeDueWaitlists, type WaitlistCloseSummary } from '../waitlist/close.js';

const BATCH = 500;

export async function closeWaitlists(deps: AppDeps): Promise<WaitlistCloseSummary> {
  const total: WaitlistCloseSummary = { due: 0, closed: 0 };
  for (;;) {
    const batch = await closeDueWaitlists(deps.db, deps.clock.now(), { limit: BATCH });
    total.due += batch.due;
    total.closed += batch.closed;
    // A short batch drains the backlog; a batch that closed nothing (another run got there first) ends the run.
    if (batch.due < BATCH || batch.closed === 0) return total;
  }
}
