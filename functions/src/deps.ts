/**
 * `AppDeps` and `createDeps()`: the process-wide dependencies (configuration, database, clock,
 * logger, SMS) every host builds first and every domain service takes. Kept apart from the HTTP
 * app (bootstrap.ts) so a scheduled job's Lambda bundle carries only what a job uses, not the
 * routes, the router or the OpenAPI document; owned by the domain, so services never import http/.
 */
import { loadConfig, type Config } from './config.js';
import { createDb, type Db } from './db/create-db.js';
import { createLogger, type Logger } from './logger.js';
import { createSmsSender, type SmsSender } from './notification/sms.js';
import { systemClock, type Clock } from './time/shanghai.js';

/** Everything a handler may use, built once per process (or per Lambda container). */
export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  log: Logger;
  sms: SmsSender;
}

export function createDeps(config: Config = loadConfig(), clock: Clock = systemClock): AppDeps {
  const log = createLogger(config.logLevel);
  const db = createDb(config.database);
  return { config, db, clock, log, sms: createSmsSender(config, db, log) };
}
