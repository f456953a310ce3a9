/**
 * Turns a route group into the handler of one of the API's Lambda functions (serverless.yml:
 * one function per audience, http/audience.ts). Each function's entry passes a group that
 * imports only the route files of its audience, so esbuild leaves every other file out of its
 * bundle; the group is then cut to the audience's paths, as a few serve another's (the admin's
 * group is all of routes.ts; system.routes.ts holds the admin's OpenAPI document beside /health). Dependencies and the app are
 * built at import, once per container, so warm invocations reuse the database client.
 *
 * @example
 * // functions/src/lambda/api-doctor.ts, serverless.yml `apiDoctor`: httpApi /api/v1/doctor/{proxy+}
 * export const handler = lambdaHttpApi('doctor', doctorGroup);
 */
import serverless from 'serverless-http';
import { createDeps, type AppDeps } from '../deps.js';
import { audienceOf, type Audience } from '../http/audience.js';
import { createApp } from '../http/app.js';
import type { RouteSpec } from '../http/route.js';

/** The route files an audience's function bundles, as routes.ts lists them for the whole API. */
export type RouteGroup = (deps: Pick<AppDeps, 'config'>) => RouteSpec[];

/** The routes of `group` its audience's function serves. */
export function servedRoutes(audience: Audience, group: RouteGroup, deps: Pick<AppDeps, 'config'>): RouteSpec[] {
  return group(deps).filter((route) => audienceOf(route.path) === audience);
}

export function lambdaHttpApi(audience: Audience, group: RouteGroup) {
  const deps = createDeps();
  return serverless(createApp(deps, servedRoutes(audience, group, deps)));
}
