/** `npm run seed`: load the demo hospital into an empty database (migrating first). */
import { migrate } from '../functions/src/db/migrate.js';
import { isDatabaseEmpty, loadDemoHospital } from '../functions/src/demo/demo-hospital.js';
import { scriptDeps } from './lib.js';

const deps = scriptDeps();
try {
  await migrate(deps.db);
  if (!(await isDatabaseEmpty(deps))) {
    console.log('The database already has data; the demo hospital is loaded only into an empty one.');
  } else {
    const loaded = await loadDemoHospital(deps);
    console.log(`Loaded the demo hospital: ${loaded.departments} departments, ${loaded.doctors} doctors.`);
  }
} finally {
  await deps.db.destroy();
}
