/**
 * Builds the process-wide dependencies and the HTTP listener from configuration. Both hosts
 * (server.ts for node:http, lambda/api.ts for AWS Lambda) start here, so they serve the same app.
 * Scheduled jobs import `createDeps` from deps.ts directly, without the HTTP app.
 */
import type { AppDeps } from './deps.js';
import { createApp, type AppOptions, type Listener } from './http/app.js';
import { apiRoutes } from './routes.js';

export { createDeps } from './deps.js';

export function createListener(deps: AppDeps, options: AppOptions = {}): Listener {
  return createApp(deps, apiRoutes(deps), options);
}
