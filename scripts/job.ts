/**
 * `npm run job -- <name>`: runs a scheduled job once, locally — the same function the
 * scheduled Lambda runs (serverless.yml). Prints the job's summary as JSON.
 */
import type { AppDeps } from '../functions/src/deps.js';
import { closeWaitlists } from '../functions/src/jobs/close-waitlists.js';
import { deliverNotifications } from '../functions/src/jobs/deliver-notifications.js';
import { expireHolds } from '../functions/src/jobs/expire-holds.js';
import { refreshStatistics } from '../functions/src/jobs/refresh-statistics.js';
import { noShowSweep } from '../functions/src/jobs/no-show-sweep.js';
import { retryRefunds } from '../functions/src/jobs/retry-refunds.js';
import { sendReminders } from '../functions/src/jobs/send-reminders.js';
import { generateSessions } from '../functions/src/schedule/generator.js';
import { scriptDeps } from './lib.js';

const jobs: Record<string, (deps: AppDeps) => Promise<unknown>> = {
  'generate-sessions': generateSessions,
  'expire-holds': expireHolds,
  'retry-refunds': retryRefunds,
  'deliver-notifications': (deps) => deliverNotifications(deps),
  'send-reminders': sendReminders,
  'close-waitlists': closeWaitlists,
  'refresh-statistics': refreshStatistics,
  'no-show-sweep': noShowSweep,
};

const name = process.argv[2];
const job = name ? jobs[name] : undefined;
if (!job) {
  console.error(`Usage: npm run job -- <${Object.keys(jobs).join('|')}>`);
  process.exit(2);
}
const deps = scriptDeps();
try {
  console.log(JSON.stringify(await job(deps)));
} finally {
  await deps.db.destroy();
}
