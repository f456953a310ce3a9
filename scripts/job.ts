/**
 * `npm run job -- <name>`: runs a scheduled job once, locally — the same function the
 * scheduled Lambda runs (serverless.yml). Prints the job's summary as JSON.
 */
import { scheduledJobs } from './scheduled-jobs.js';
import { scriptDeps } from './lib.js';

const name = process.argv[2];
const job = name ? scheduledJobs[name]?.run : undefined;
if (!job) {
  console.error(`Usage: npm run job -- <${Object.keys(scheduledJobs).join('|')}>`);
  process.exit(2);
}
const deps = scriptDeps();
try {
  console.log(JSON.stringify(await job(deps)));
} finally {
  await deps.db.destroy();
}
