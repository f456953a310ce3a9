/** Scheduled Lambda: notification outbox delivery (functions/src/jobs/deliver-notifications.ts). */
import { deliverNotifications } from '../jobs/deliver-notifications.js';
import { lambdaJob } from './job.js';

export const handler = lambdaJob('deliver-notifications', (deps) => deliverNotifications(deps));
