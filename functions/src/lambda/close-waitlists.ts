/** Scheduled Lambda: closing the waitlists (functions/src/jobs/close-waitlists.ts). */
import { closeWaitlists } from '../jobs/close-waitlists.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('close-waitlists', closeWaitlists);
