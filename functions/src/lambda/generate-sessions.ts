/** Scheduled Lambda: the daily schedule generator (functions/src/schedule/generator.ts). */
import { generateSessions } from '../schedule/generator.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('generate-sessions', generateSessions);
