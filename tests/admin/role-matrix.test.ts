/**
 * The role matrix of every admin route, walked from the route table so a route added later is
 * covered without touching this file: anonymous callers 401, patients and doctors 403, and
 * nothing under /api/v1/admin/ open to any other role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../functions/src/routes.js';
import { staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createPatients, tokenFor } from '../support/scenario.js';

let app: TestApp;
let patientToken: string;
let doctorToken: string;
beforeAll(async () => {
  app = await startTestApp();
  const [patient] = await createPatients(app.database.db, 1);
  patientToken = await tokenFor(app, patient!.userId);
  doctorToken = (await staffSession(app, 'doctor')).accessToken;
});
afterAll(() => app.close());

const adminRoutes = () => apiRoutes(app.deps).filter((r) => r.path.startsWith('/api/v1/admin/'));

describe('admin routes', () => {
  it('are all for admins only', () => {
    const routes = adminRoutes();
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('PUT /api/v1/admin/departments/order');
    expect(routes.filter((r) => JSON.stringify(r.auth) !== '["admin"]').map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('answer anonymous callers 401, patients and doctors 403', async () => {
    for (const route of adminRoutes()) {
      const path = route.path.replace(/\{\w+\}/g, '1');
      const label = `${route.method} ${route.path}`;
      const answers = [];
      for (const token of [undefined, patientToken, doctorToken]) {
        const res = await app.request(route.method, path, { token, body: route.method === 'GET' ? undefined : {} });
        answers.push(`${res.status} ${res.body?.error?.code}`);
      }
      expect([label, ...answers]).toEqual([label, '401 UNAUTHENTICATED', '403 FORBIDDEN', '403 FORBIDDEN']);
    }
  });
});
