/**
 * Scheduled job: 爽约 — appointments of ended sessions never seen become no_show, and the bans
 * they bring are applied (visit/no-show.ts). Every 15 minutes in production;
 * `npm run job -- no-show-sweep` locally.
 */
import type { AppDeps } from '../deps.js';
import { sweepNoShows, type NoShowSummary } from '../visit/no-show.js';

export function noShowSweep(deps: AppDeps): Promise<NoShowSummary> {
  return sweepNoShows(deps);
}
