/**
 * Scheduled job: enqueues the visit reminders that are due (notification/reminders.ts); the
 * delivery job sends them within a minute. Every 10 minutes in production;
 * `npm run job -- send-reminders` locally. Runs may repeat or overlap: each reminder is
 * enqueued once (outbox dedupe key).
 */
import type { AppDeps } from '../deps.js';
import { enqueueDueReminders, type ReminderSummary } from '../notification/reminders.js';

export function sendReminders(deps: AppDeps): Promise<ReminderSummary> {
  return enqueueDueReminders(deps.db, deps.clock.now());
}
