/**
 * `createDeps()`: the process-wide dependencies (configuration, database, clock, logger, SMS)
 * every host builds first. Kept apart from the HTTP app (bootstrap.ts) so a scheduled job's
 * Lambda bundle carries only what a job uses, not the routes, the router or the OpenAPI document.
 */
import { loadConfig, type Config } from './config.js';
import { createDb } from './db/create-db.js';
import type { AppDeps } from './http/deps.js';
import { createLogger } from './logger.js';
import { createSmsSender } from './notification/sms.js';
import { systemClock, type Clock } from './time/shanghai.js';

export function createDeps(config: Config = loadConfig(), clock: Clock = systemClock): AppDeps {
  const log = createLogger(config.logLevel);
  const db = createDb(config.database);
  return { config, db, clock, log, sms: createSmsSender(config, db, log) };
}
