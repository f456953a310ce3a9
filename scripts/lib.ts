/** Shared by the command-line scripts: find or start the database, build deps from config. */
import { execFileSync } from 'node:child_process';
import { createDeps } from '../functions/src/bootstrap.js';
import { loadConfig } from '../functions/src/config.js';
import type { AppDeps } from '../functions/src/deps.js';

/**
 * Uses DATABASE_URL / PlanetScale credentials when set; otherwise starts (or reuses) the local
 * development MariaDB with scripts/db.sh and points DATABASE_URL at it.
 */
export function ensureDatabaseEnv(): void {
  if (process.env.DATABASE_URL || process.env.DATABASE_HOST) return;
  const script = new URL('./db.sh', import.meta.url).pathname;
  process.env.DATABASE_URL = execFileSync('bash', [script, 'start', 'dev'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export function scriptDeps(): AppDeps {
  ensureDatabaseEnv();
  return createDeps(loadConfig({ LOG_LEVEL: 'warn', ...process.env }));
}
