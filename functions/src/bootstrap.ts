/**
 * Builds the process-wide dependencies and the HTTP listener of the whole API from configuration:
 * server.ts mounts it on node:http, tests on theirs. On AWS Lambda each audience's function
 * builds the same app with its own routes only (lambda/http-api.ts), and scheduled jobs import
 * `createDeps` from deps.ts directly, without the HTTP app.
 */
import type { AppDeps } from './deps.js';
import { createApp, type AppOptions, type Listener } from './http/app.js';
import { apiRoutes } from './routes.js';

export { createDeps } from './deps.js';

export function createListener(deps: AppDeps, options: AppOptions = {}): Listener {
  return createApp(deps, apiRoutes(deps), options);
}
