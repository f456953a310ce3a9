/**
 * Scheduled job: rolls the settled days' statistics up (statistics/rollup.ts). Hourly in
 * production; `npm run job -- refresh-statistics` locally. Runs may repeat or overlap: each
 * run replaces whole days, and statistics read days not yet rolled up live, so a late or
 * missed run costs speed, never correctness.
 */
import type { AppDeps } from '../deps.js';
import { refreshRollup, type RollupSummary } from '../statistics/rollup.js';

export function refreshStatistics(deps: AppDeps): Promise<RollupSummary> {
  return refreshRollup(deps.db, deps.clock.now());
}
