/**
 * functions/src/http/static.ts: how the local server serves the built front-end apps beside the
 * API — content types, caching, hash-router fallback, and nothing outside an app's folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT_END_APPS, withFrontEndApps } from '../../functions/src/http/static.js';

let server: Server;
let base: { host: string; port: number };
const work = mkdtempSync(path.join(tmpdir(), 'bx87h9-static-'));
const built = path.join(work, 'app');
const doctorBuilt = path.join(work, 'doctor-app');
const secret = path.join(work, 'secret.txt');

beforeAll(async () => {
  mkdirSync(path.join(built, 'js'), { recursive: true });
  writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>患者端</title>');
  writeFileSync(path.join(built, 'js/app.0123abcd.js'), 'console.log(1)');
  writeFileSync(path.join(built, 'logo.png'), 'png');
  writeFileSync(secret, 'do not serve');
  mkdirSync(path.join(doctorBuilt, 'js'), { recursive: true });
  writeFileSync(path.join(doctorBuilt, 'index.html'), '<!doctype html><title>医生工作站</title>');
  writeFileSync(path.join(doctorBuilt, 'js/app.4567cdef.js'), 'console.log(2)');
  const api = (_req: unknown, res: { end(body: string): void }) => res.end('api');
  server = createServer(
    withFrontEndApps(api as never, [
      { prefix: '/patient/', root: built, buildCommand: 'npm run build:h5' },
      { prefix: '/doctor/', root: doctorBuilt, buildCommand: 'npm run build:h5:doctor -w miniapp' },
      { prefix: '/admin/', root: path.join(work, 'missing'), buildCommand: 'npm run build:h5 -- --mode admin' },
    ]),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(work, { recursive: true, force: true });
});

/** A raw request: the path is sent exactly as written (no URL normalisation by the client). */
function get(rawPath: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ ...base, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('front-end apps beside the API', () => {
  it('serves index.html uncached and hashed assets cached for a year, with their types', async () => {
    const index = await get('/patient/');
    expect(index).toMatchObject({ status: 200, body: '<!doctype html><title>患者端</title>' });
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    const script = await get('/patient/js/app.0123abcd.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const image = await get('/patient/logo.png');
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toBe('no-cache');
    expect((await get('/patient/js/app.0123abcd.js', 'HEAD')).body).toBe('');
  });

  it("answers the app's routes with index.html and a missing file with 404", async () => {
    expect((await get('/patient/pages/doctor/index?id=1')).body).toContain('患者端');
    expect((await get('/patient/js/gone.99999999.js')).status).toBe(404);
  });

  it('never serves a file outside the app folder', async () => {
    for (const attempt of ['/patient/../secret.txt', '/patient/..%2fsecret.txt', '/patient/%2e%2e/secret.txt', '/patient/js/..%2f..%2fsecret.txt', '/patient/..%5csecret.txt', '/patient/%00index.html']) {
      const res = await get(attempt);
      expect(res.body, attempt).not.toContain('do not serve');
    }
  });

  it('leaves /api to the API, redirects / and the bare prefix, refuses writes, explains a missing build', async () => {
    expect((await get('/api/v1/health')).body).toBe('api');
    expect(await get('/')).toMatchObject({ status: 302, headers: { location: '/patient/' } });
    expect(await get('/patient')).toMatchObject({ status: 301, headers: { location: '/patient/' } });
    expect((await get('/patient/', 'POST')).status).toBe(405);
    expect((await get('/elsewhere')).status).toBe(404);
    const missing = await get('/admin/');
    expect(missing.status).toBe(503);
    expect(missing.body).toContain('npm run build:h5 -- --mode admin');
  });

  it('serves the doctor workstation at /doctor/ from its own build, apart from the patient app', async () => {
    expect(await get('/doctor/')).toMatchObject({ status: 200, body: '<!doctype html><title>医生工作站</title>' });
    expect(await get('/doctor')).toMatchObject({ status: 301, headers: { location: '/doctor/' } });
    expect((await get('/doctor/pages/today/index')).body).toContain('医生工作站');
    expect((await get('/doctor/js/app.4567cdef.js')).body).toBe('console.log(2)');
    // Each app's assets come from its own folder only.
    expect((await get('/doctor/js/app.0123abcd.js')).status).toBe(404);
    expect((await get('/patient/js/app.4567cdef.js')).status).toBe(404);
    expect((await get('/doctor/../app/index.html')).body).not.toContain('患者端');
  });

  it('has the local server serve dist/h5-doctor at /doctor/, built by a script the packages define', async () => {
    const doctor = FRONT_END_APPS.find((app) => app.prefix === '/doctor/');
    expect(doctor?.root).toBe(path.resolve(import.meta.dirname, '../../miniapp/dist/h5-doctor'));
    expect(doctor?.buildCommand).toBe('npm run build:h5:doctor -w miniapp');
    const scripts = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../miniapp/package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts['build:h5:doctor']).toBe('BX_LOCAL_BUILD=1 taro build --type h5 --mode doctor');
  });
});
