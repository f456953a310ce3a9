/** Scheduled Lambda: the no-show sweep and bans (functions/src/jobs/no-show-sweep.ts). */
import { noShowSweep } from '../jobs/no-show-sweep.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('no-show-sweep', noShowSweep);
