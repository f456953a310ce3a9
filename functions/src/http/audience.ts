/**
 * Which of the API's Lambda functions serves a path. The API is deployed as one function per
 * audience (serverless.yml: httpApi events by path prefix), so that each bundles only its own
 * route files: a cold start then parses less code and builds fewer schemas (bench:lambda). The
 * local server serves every audience (routes.ts); tests/deploy/lambda.test.ts checks that the
 * functions' groups and serverless.yml's events serve each route of routes.ts exactly once.
 */
export type Audience = 'public' | 'doctor' | 'admin';

export function audienceOf(path: string): Audience {
  if (path.startsWith('/api/v1/admin/')) return 'admin';
  if (path.startsWith('/api/v1/doctor/')) return 'doctor';
  // The OpenAPI document describes every route, so it needs them all in its bundle: the admin
  // function's, whose group is the whole of routes.ts.
  if (path === '/api/v1/openapi.json') return 'admin';
  // Login, the catalogue, booking, the patient's own pages, health.
  return 'public';
}
