/**
 * Builds the process-wide dependencies and the HTTP listener from configuration. Both hosts
 * (server.ts for node:http, lambda/api.ts for AWS Lambda) start here, so they serve the same app.
 */
import { loadConfig, type Config } from './config.js';
import { createDb } from './db/create-db.js';
import { createApp, type AppOptions, type Listener } from './http/app.js';
import type { AppDeps } from './http/deps.js';
import { createLogger } from './logger.js';
import { createSmsSender } from './notification/sms.js';
import { apiRoutes } from './routes.js';
import { systemClock, type Clock } from './time/shanghai.js';

export function createDeps(config: Config = loadConfig(), clock: Clock = systemClock): AppDeps {
  const log = createLogger(config.logLevel);
  const db = createDb(config.database);
  return { config, db, clock, log, sms: createSmsSender(config, db, log) };
}

export function createListener(deps: AppDeps, options: AppOptions = {}): Listener {
  return createApp(deps, apiRoutes(deps), options);
}
