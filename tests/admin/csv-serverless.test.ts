/**
 * A streamed (TextStream) answer under serverless-http, as the Lambda API serves it: the chunks
 * are collected into one complete response body, with the route's headers.
 */
import serverless from 'serverless-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CSV_HEADER } from '../../functions/src/admin/appointments.js';
import { createListener } from '../../functions/src/bootstrap.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { staffSession } from '../support/accounts.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

it('answers the CSV export whole, with its BOM and headers, through serverless-http', async () => {
  const admin = await staffSession(app, 'admin');
  const handler = serverless(createListener(app.deps));
  const rawPath = '/api/v1/admin/export/appointments.csv';
  const rawQueryString = 'from=2027-01-01&to=2027-01-31';
  const event = {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath,
    rawQueryString,
    headers: { host: 'example.execute-api.ap-southeast-1.amazonaws.com', authorization: `Bearer ${admin.accessToken}` },
    queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
    requestContext: { http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' }, requestId: 'req-1', stage: '$default' },
    isBase64Encoded: false,
  };
  const result = (await handler(event, {})) as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
  expect(result.statusCode).toBe(200);
  expect(result.headers['content-type']).toBe('text/csv; charset=utf-8');
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  expect(body).toBe(`\uFEFF${CSV_HEADER.join(',')}\r\n`);
});
