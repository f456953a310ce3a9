/**
 * The HTTP layer (functions/src/http/*) through the real app on node:http: routing answers,
 * size and media-type limits, strict input, CORS, security headers, request ids, the error
 * mapper's 500 and the health check's 503.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListener } from '../../functions/src/bootstrap.js';
import { createDb } from '../../functions/src/db/create-db.js';
import { createApp, type Listener } from '../../functions/src/http/app.js';
import { MAX_BODY_BYTES } from '../../functions/src/http/body.js';
import { defineRoute } from '../../functions/src/http/route.js';
import { startTestApp, type TestApp } from '../support/app.js';

const H5_ORIGIN = 'https://h5.nyey.example';
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HAN = /\p{Script=Han}/u;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ CORS_ORIGINS: `${H5_ORIGIN}, https://admin.nyey.example` });
});
afterAll(() => app.close());

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** A listener on an ephemeral port, for apps built with other deps or routes than `app`. */
async function serve(listener: Listener): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * node:http rather than fetch, for what fetch will not send: a body on GET, a chunked body of
 * any size, a Content-Length that promises more than follows.
 */
function raw(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; chunks?: Buffer[] } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

function expectError(res: { status: number; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.stringMatching(HAN) }) });
}

describe('routing', () => {
  it('answers an unknown path 404 ROUTE_NOT_FOUND', async () => {
    expectError(await app.request('GET', '/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
    expectError(await app.request('GET', '/'), 404, 'ROUTE_NOT_FOUND');
  });

  it('answers a known path with the wrong method 405 and lists the allowed ones', async () => {
    const res = await app.request('DELETE', '/api/v1/health');
    expectError(res, 405, 'METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('ignores a trailing slash', async () => {
    const res = await app.request('GET', '/api/v1/health/');
    expect(res.status).toBe(200);
  });
});

describe('request bodies', () => {
  const login = { phone: '13800138000', password: 'whatever1' };

  it('refuses a body whose declared size is over the limit, 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ ...login, padding: 'x'.repeat(MAX_BODY_BYTES) });
    expectError(await app.request('POST', '/api/v1/auth/login', { body: big }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a chunked body once it grows over the limit, 413 PAYLOAD_TOO_LARGE, and closes that connection', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const res = await raw(app.baseUrl, 'POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 8 }, () => chunk),
    });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    // The unread rest of the body must not poison the connection for the next request.
    expect(res.headers.connection).toBe('close');
    expect((await raw(app.baseUrl, 'GET', '/api/v1/health')).status).toBe(200);
  });

  it('accepts a body just under the limit (then judges its content)', async () => {
    const body = JSON.stringify({ ...login, padding: 'x'.repeat(MAX_BODY_BYTES - 100) });
    const res = await app.request('POST', '/api/v1/auth/login', { body });
    expectError(res, 400, 'VALIDATION_FAILED');
  });

  it('refuses a body that is not JSON, 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.request('POST', '/api/v1/auth/login', {
      body: 'phone=13800138000&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset', async () => {
    const res = await app.request('POST', '/api/v1/auth/login', {
      body: login,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expectError(res, 401, 'INVALID_CREDENTIALS');
  });

  it('refuses malformed JSON, 400 INVALID_JSON', async () => {
    expectError(await app.request('POST', '/api/v1/auth/login', { body: '{"phone": "138' }), 400, 'INVALID_JSON');
  });

  it('refuses a missing body where one is required', async () => {
    expectError(await app.request('POST', '/api/v1/auth/login'), 400, 'VALIDATION_FAILED');
  });

  it('refuses unknown body fields and names them', async () => {
    const res = await app.request('POST', '/api/v1/auth/login', { body: { ...login, role: 'admin' } });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.message).toContain('role');
    expect(res.body.error.details.issues).toEqual([{ path: 'body', code: 'unrecognized_keys' }]);
  });

  it('refuses a body on a route that takes none', async () => {
    const res = await raw(app.baseUrl, 'GET', '/api/v1/health', {
      headers: { 'content-type': 'application/json', 'content-length': '2' },
      chunks: [Buffer.from('{}')],
    });
    expectError(res, 400, 'VALIDATION_FAILED');
  });
});

describe('query strings', () => {
  it('refuses unknown query parameters', async () => {
    const res = await app.request('GET', '/api/v1/health?debug=1');
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.message).toContain('debug');
  });
});

describe('CORS', () => {
  const preflight = (origin: string, target = app.baseUrl) =>
    raw(target, 'OPTIONS', '/api/v1/auth/login', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });

  it('answers a preflight from a configured origin', async () => {
    const res = await preflight(H5_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': H5_ORIGIN,
      vary: 'Origin',
      'access-control-max-age': '600',
    });
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toMatch(/Authorization.*Content-Type/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('allows loopback origins outside production', async () => {
    const res = await preflight('http://localhost:10086');
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:10086');
  });

  it('refuses other origins: no CORS headers, so the browser blocks the call', async () => {
    for (const origin of ['https://evil.example', 'https://h5.nyey.example.evil.example', 'null']) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    const simple = await app.request('GET', '/api/v1/health', { headers: { origin: 'https://evil.example' } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks a real request from an allowed origin and exposes the request id', async () => {
    const res = await app.request('GET', '/api/v1/health', { headers: { origin: H5_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(H5_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
  });

  it('refuses loopback origins in production and sends HSTS there', async () => {
    const production = await serve(createListener({ ...app.deps, config: { ...app.deps.config, env: 'production' } }));
    try {
      const local = await preflight('http://localhost:10086', production.baseUrl);
      expect(local.headers['access-control-allow-origin']).toBeUndefined();
      const configured = await preflight(H5_ORIGIN, production.baseUrl);
      expect(configured.headers['access-control-allow-origin']).toBe(H5_ORIGIN);
      expect(configured.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await production.close();
    }
  });
});

describe('headers on every answer', () => {
  it('sends the security headers on success, client errors and preflights', async () => {
    const answers = [
      await app.request('GET', '/api/v1/health'),
      await app.request('GET', '/api/v1/nothing-here'),
      await app.request('DELETE', '/api/v1/health'),
      await app.request('POST', '/api/v1/auth/login', { body: '{' }),
      await app.request('GET', '/api/v1/me'),
      await app.request('OPTIONS', '/api/v1/me', { headers: { origin: H5_ORIGIN, 'access-control-request-method': 'GET' } }),
    ];
    for (const res of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), `${res.status} ${name}`).toBe(value);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
    // No HSTS outside production: it would pin localhost to HTTPS in a developer's browser.
    expect(answers[0]!.headers.get('strict-transport-security')).toBeNull();
  });

  it('echoes a well-formed X-Request-Id and replaces any other', async () => {
    const echoed = await app.request('GET', '/api/v1/health', { headers: { 'x-request-id': 'miniapp-7f3a.2' } });
    expect(echoed.headers.get('x-request-id')).toBe('miniapp-7f3a.2');
    for (const bad of ['has space', 'x'.repeat(65), '<script>', '']) {
      const res = await app.request('GET', '/api/v1/health', { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id'), bad).toMatch(UUID);
    }
    const generated = await app.request('GET', '/api/v1/health');
    expect(generated.headers.get('x-request-id')).toMatch(UUID);
  });
});

describe('the client address', () => {
  const whoAmI = defineRoute({
    method: 'GET',
    path: '/api/v1/test/ip',
    tag: 'test',
    summary: 'test',
    auth: 'public',
    response: z.object({ ip: z.string() }),
    handler: async ({ meta }) => ({ ip: meta.ip }),
  });

  it('takes the address the trusted proxy appended, not one the client forged', async () => {
    const proxied = await serve(createApp({ ...app.deps, config: { ...app.deps.config, trustProxy: true } }, [whoAmI]));
    const direct = await serve(createApp(app.deps, [whoAmI]));
    try {
      const forged = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
      expect((await raw(proxied.baseUrl, 'GET', '/api/v1/test/ip', { headers: forged })).body).toEqual({ ip: '203.0.113.7' });
      expect((await raw(direct.baseUrl, 'GET', '/api/v1/test/ip', { headers: forged })).body).toEqual({ ip: '127.0.0.1' });
    } finally {
      await proxied.close();
      await direct.close();
    }
  });
});

describe('failures on our side', () => {
  it('answers an unexpected error 500 INTERNAL in Chinese, with no stack trace or detail', async () => {
    const broken = defineRoute({
      method: 'GET',
      path: '/api/v1/test/broken',
      tag: 'test',
      summary: 'test',
      auth: 'public',
      response: z.object({}),
      handler: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'secret') at /work/main/functions/src/x.ts:1:1");
      },
    });
    const server = await serve(createApp(app.deps, [broken]));
    try {
      const res = await raw(server.baseUrl, 'GET', '/api/v1/test/broken');
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: 'INTERNAL', message: '系统异常，请稍后重试' } });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-request-id']).toMatch(UUID);
    } finally {
      await server.close();
    }
  });

  it('answers /api/v1/health 503 when the database is unreachable', async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const unreachable = createDb({ kind: 'mysql', url: 'mysql://bx87h9:bx87h9@127.0.0.1:1/bx87h9', poolSize: 1 });
    const server = await serve(createListener({ ...app.deps, db: unreachable }));
    try {
      const res = await raw(server.baseUrl, 'GET', '/api/v1/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable' });
    } finally {
      await server.close();
      await unreachable.destroy();
    }
  });
});
