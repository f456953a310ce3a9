/** Scheduled Lambda: the statistics rollup (functions/src/jobs/refresh-statistics.ts). */
import { refreshStatistics } from '../jobs/refresh-statistics.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('refresh-statistics', refreshStatistics);
