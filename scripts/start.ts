/**
 * `npm start`: the whole system locally. Starts the development MariaDB (unless DATABASE_URL is
 * set), migrates, loads the demo hospital into an empty database, builds a front-end app whose
 * build is missing (patient H5, admin console), serves the API and the apps, and prints the URLs and demo accounts.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '../functions/src/db/migrate.js';
import { DEMO_ACCOUNTS, isDatabaseEmpty, loadDemoHospital } from '../functions/src/demo/demo-hospital.js';
import { FRONT_END_APPS } from '../functions/src/http/static.js';
import { generateSessions } from '../functions/src/schedule/generator.js';
import { startServer } from '../functions/src/server.js';
import { scriptDeps } from './lib.js';
import { runScheduledJobsInBackground } from './scheduled-jobs.js';

const deps = scriptDeps();
await migrate(deps.db);
if (await isDatabaseEmpty(deps)) {
  const loaded = await loadDemoHospital(deps);
  console.log(`Loaded the demo hospital: ${loaded.departments} departments, ${loaded.doctors} doctors.`);
}
// What the daily scheduled job does in production: sessions for the coming weeks.
const generated = await generateSessions(deps);
if (generated.created > 0) console.log(`Generated ${generated.created} clinic sessions up to ${generated.to}.`);
for (const app of FRONT_END_APPS) {
  if (existsSync(path.join(app.root, 'index.html'))) continue;
  // Once per clone (about 20 s): later starts serve the existing build; rebuild after changes.
  console.log(`No build for ${app.prefix} yet: building it first (${app.buildCommand})…`);
  execSync(app.buildCommand, { stdio: 'inherit' });
}
await startServer(deps);
// What the scheduled Lambdas do in production, here in the background and more often: reminders
// and the notification outbox, expired holds, refunds to retry, waitlists that close, no-shows
// and the bans they bring, the statistics rollup (scripts/scheduled-jobs.ts).
runScheduledJobsInBackground(deps);

const base = `http://localhost:${deps.config.port}`;
console.log(`
bx87h9 is running (${deps.config.env}).
  Patient app   ${base}/patient/   (H5 of the mini-program; open at phone width)
  Doctor app    ${base}/doctor/    (医生工作站, H5; sign in as the demo doctor below)
  Admin console ${base}/admin/     (desktop browser; log in as the admin below)
  API           ${base}/api/v1
  Health        ${base}/api/v1/health
  OpenAPI       ${base}/api/v1/openapi.json
  Dev SMS inbox ${base}/api/v1/dev/sms?phone=<phone>

Demo accounts (phone / password):
  admin    ${DEMO_ACCOUNTS.admin.phone} / ${DEMO_ACCOUNTS.admin.password}
  doctor   ${DEMO_ACCOUNTS.doctor.phone} / ${DEMO_ACCOUNTS.doctor.password}
  patient  ${DEMO_ACCOUNTS.patient.phone} / ${DEMO_ACCOUNTS.patient.password}

Database: ${process.env.DATABASE_URL ?? 'PlanetScale'} (stop it with: npm run db -- stop)
Press Ctrl+C to stop the server.`);
