/** `npm run migrate`: apply schema.sql and pending upgrade files (idempotent). */
import { migrate } from '../functions/src/db/migrate.js';
import { scriptDeps } from './lib.js';

const deps = scriptDeps();
try {
  const report = await migrate(deps.db);
  console.log(
    report.fresh
      ? `Created the schema (${report.createdTables.length} tables).`
      : `Schema up to date. New tables: ${report.createdTables.join(', ') || 'none'}; upgrades applied: ${report.appliedUpgrades.join(', ') || 'none'}.`,
  );
} finally {
  await deps.db.destroy();
}
