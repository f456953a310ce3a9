/**
 * Scheduled job: rolls the statistics up (statistics/rollup.ts). Every 10 minutes in
 * production, so the dashboard is at most that old; `npm run job -- refresh-statistics`
 * locally. Runs may repeat or overlap: each run replaces whole days and catches up from a week
 * before the previous run.
 */
import type { AppDeps } from '../deps.js';
import { refreshRollup, type RollupSummary } from '../statistics/rollup.js';

export function refreshStatistics(deps: AppDeps): Promise<RollupSummary> {
  return refreshRollup(deps.db, deps.clock.now());
}
