/**
 * Every scheduled job of serverless.yml by the name `npm run job -- <name>` takes, with how
 * often `npm start` runs it in the background locally (more often than in production, so a
 * demo sees holds expire, waitlists close and the dashboard refresh within a minute).
 * The same functions the scheduled Lambdas run; each is idempotent and safe to run twice at once.
 */
import type { AppDeps } from '../functions/src/deps.js';
import { closeWaitlists } from '../functions/src/jobs/close-waitlists.js';
import { deliverNotifications } from '../functions/src/jobs/deliver-notifications.js';
import { expireHolds } from '../functions/src/jobs/expire-holds.js';
import { noShowSweep } from '../functions/src/jobs/no-show-sweep.js';
import { refreshStatistics } from '../functions/src/jobs/refresh-statistics.js';
import { retryRefunds } from '../functions/src/jobs/retry-refunds.js';
import { sendReminders } from '../functions/src/jobs/send-reminders.js';
import { generateSessions } from '../functions/src/schedule/generator.js';

export interface ScheduledJob {
  run: (deps: AppDeps) => Promise<unknown>;
  /** Seconds between two local runs (`npm start`); the daily generator runs once at start. */
  localEverySeconds?: number;
}

export const scheduledJobs: Record<string, ScheduledJob> = {
  'generate-sessions': { run: generateSessions },
  'send-reminders': { run: sendReminders, localEverySeconds: 5 },
  'deliver-notifications': { run: (deps) => deliverNotifications(deps), localEverySeconds: 5 },
  'expire-holds': { run: expireHolds, localEverySeconds: 15 },
  'retry-refunds': { run: retryRefunds, localEverySeconds: 60 },
  'close-waitlists': { run: closeWaitlists, localEverySeconds: 60 },
  'no-show-sweep': { run: noShowSweep, localEverySeconds: 60 },
  'refresh-statistics': { run: refreshStatistics, localEverySeconds: 300 },
};

/**
 * Runs every job that has a local interval in the background, each one run at a time (the next
 * is timed from the end of the last); a failure is logged and the job runs again next time.
 */
export function runScheduledJobsInBackground(deps: AppDeps): void {
  for (const [name, job] of Object.entries(scheduledJobs)) {
    const every = job.localEverySeconds;
    if (every === undefined) continue;
    const tick = (): void => {
      job
        .run(deps)
        .catch((error: unknown) => deps.log.error({ err: error, job: name }, 'scheduled job failed'))
        .finally(() => setTimeout(tick, every * 1000).unref());
    };
    setTimeout(tick, every * 1000).unref();
  }
}
