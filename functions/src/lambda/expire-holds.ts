/** Scheduled Lambda: payment-hold expiry (functions/src/jobs/expire-holds.ts). */
import { expireHolds } from '../jobs/expire-holds.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('expire-holds', expireHolds);
