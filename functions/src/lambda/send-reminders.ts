/** Scheduled Lambda: visit reminders (functions/src/jobs/send-reminders.ts). */
import { sendReminders } from '../jobs/send-reminders.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('send-reminders', sendReminders);
