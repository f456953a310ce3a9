/** Scheduled Lambda: retry of unconfirmed refunds (functions/src/jobs/retry-refunds.ts). */
import { retryRefunds } from '../jobs/retry-refunds.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('retry-refunds', retryRefunds);
