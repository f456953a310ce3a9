/**
 * The deployable artifacts: `osls package` runs as CI runs it (no AWS credentials; it needs no
 * network), then the bundled handlers are taken out of the zip files it wrote and invoked with
 * synthetic API Gateway v2 (payload 2.0) events against a freshly migrated database, through
 * the production driver (PlanetScale's, answered by tests/support/planetscale-shim.ts: the
 * bundles carry no mysql2). What runs here is byte for byte what Lambda would run. What goes into
 * each bundle is pinned too (esbuild's metafiles): sizes, and no HTTP app in a job's bundle.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/src/config.js';
import { audienceOf, type Audience } from '../../functions/src/http/audience.js';
import { MAX_BODY_BYTES } from '../../functions/src/http/body.js';
import { doctorGroup } from '../../functions/src/lambda/doctor-group.js';
import { servedRoutes, type RouteGroup } from '../../functions/src/lambda/http-api.js';
import { publicGroup } from '../../functions/src/lambda/public-group.js';
import { apiRoutes } from '../../functions/src/routes.js';
import { migratedDatabase, type TestDatabase } from '../support/database.js';
import { createPlanetScaleShim, type PlanetScaleShim } from '../support/planetscale-shim.js';
import { readZip } from './read-zip.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY_REQUEST_ID = 'JKJaXmPLvHcESHA=';
const SOURCE_IP = '203.0.113.7';
const H5_ORIGIN = 'https://h5.nyey.example';

interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
  cookies?: string[];
}
type LambdaHandler = (event: unknown, context: unknown) => Promise<HttpApiResult>;

interface PackagedFunction {
  name: string;
  handler: string;
  events: Record<string, unknown>[];
  artifact: string;
  zipBytes: number;
  /** From esbuild's metafile of the function's bundle: the files in it, the imports left in it. */
  meta: { inputs: string[]; imports: { path: string; kind: string; external?: boolean }[] };
}

/** Lambda downloads and unpacks the zip on every cold start (issue 8 §4). */
const ZIP_BUDGET_BYTES = 300_000;

/** The API's functions (serverless.yml), each with the audience and the route group its entry serves. */
const HTTP_FUNCTIONS: Record<string, { handler: string; audience: Audience; group: RouteGroup }> = {
  api: { handler: 'functions/src/lambda/api.handler', audience: 'public', group: publicGroup },
  apiDoctor: { handler: 'functions/src/lambda/api-doctor.handler', audience: 'doctor', group: doctorGroup },
  apiAdmin: { handler: 'functions/src/lambda/api-admin.handler', audience: 'admin', group: apiRoutes },
};

let outDir: string;
let extractDir: string;
let functions: PackagedFunction[];
let template: { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
let database: TestDatabase;
let shim: PlanetScaleShim;
let workFolder: string;
const realFetch = globalThis.fetch;

/** Environment of the packaging run: whatever the machine has, minus every AWS credential. */
function packagingEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('AWS_')) env[name] = value;
  env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  env.AWS_CONFIG_FILE = '/nonexistent/config';
  env.ESBUILD_WORK_FOLDER = `.esbuild/test-${process.pid}`;
  // Keep the work folder, for the metafiles; removed in afterAll.
  env.ESBUILD_KEEP_OUTPUT = 'true';
  return env;
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'bx87h9-package-'));
  const started = performance.now();
  await promisify(execFile)(join(root, 'node_modules/.bin/osls'), ['package', '--stage', 'prod', '--package', outDir], {
    cwd: root,
    env: packagingEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  workFolder = join(root, `.esbuild/test-${process.pid}`);

  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8'));
  template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  functions = Object.entries(state.service.functions as Record<string, any>).map(([name, fn]) => {
    const artifact = join(outDir, `${name}.zip`);
    const metafile = JSON.parse(readFileSync(join(workFolder, '.build', `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}-meta.json`), 'utf8'));
    // The bundle's entry among the outputs (the source map is another).
    const [, output] = Object.entries(
      metafile.outputs as Record<string, { inputs: Record<string, { bytesInOutput: number }>; imports: PackagedFunction['meta']['imports'] }>,
    ).find(([path]) => path.endsWith('.mjs'))!;
    // Files esbuild read but tree-shook away entirely are not in the bundle.
    const inputs = Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([path]) => path);
    const meta = { inputs, imports: output.imports };
    return { name, handler: fn.handler, events: fn.events ?? [], artifact, zipBytes: statSync(artifact).size, meta };
  });
  console.log(
    `osls package: ${seconds.toFixed(1)} s; ` +
      functions.map((f) => `${f.name}.zip ${(f.zipBytes / 1024).toFixed(0)} KiB`).join(', '),
  );

  extractDir = mkdtempSync(join(tmpdir(), 'bx87h9-lambda-'));
  for (const fn of functions) {
    for (const [path, data] of readZip(fn.artifact)) {
      const target = join(extractDir, fn.name, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, data);
    }
  }
  database = await migratedDatabase();
  // The handlers read DATABASE_HOST… as in production; their driver's requests to that host are
  // answered by the shim, over the test database.
  shim = createPlanetScaleShim(database.url);
  const shimHost = shim.credentials.host;
  globalThis.fetch = (input, init) =>
    new URL(input instanceof Request ? input.url : String(input)).host === shimHost ? shim.fetch(input, init) : realFetch(input, init);
}, 240_000);

afterAll(async () => {
  globalThis.fetch = realFetch;
  await shim?.close();
  await database?.close();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(extractDir, { recursive: true, force: true });
  if (workFolder) rmSync(workFolder, { recursive: true, force: true });
});

/** The production database variables (serverless.yml), pointing at the shim. */
function planetScaleEnv(): Record<string, string> {
  return { DATABASE_HOST: shim.credentials.host, DATABASE_USERNAME: shim.credentials.username, DATABASE_PASSWORD: shim.credentials.password };
}

/**
 * Imports a function's bundled handler from the extracted artifact, a directory with no
 * node_modules anywhere above it. Vitest's module runner still resolves a bare import left in
 * the bundle from this project (a static `import 'mysql2'` loaded here), so the test that
 * imports each bundle in a fresh `node` is the one that proves it self-contained. The bundle
 * reads its configuration at import, as on a cold start.
 */
async function importHandler(fn: PackagedFunction): Promise<LambdaHandler> {
  const separator = fn.handler.lastIndexOf('.');
  const file = join(extractDir, fn.name, `${fn.handler.slice(0, separator)}.mjs`);
  const module = await import(pathToFileURL(file).href);
  return module[fn.handler.slice(separator + 1)] as LambdaHandler;
}

/** Runs `work` with the function's Lambda environment in place, as its container would. */
async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function httpApiEvent(
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; cookies?: string[] } = {},
) {
  const [rawPath = '/', rawQueryString = ''] = target.split('?');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath,
    rawQueryString,
    ...(options.cookies ? { cookies: options.cookies } : {}),
    headers: {
      host: 'abc123.execute-api.ap-southeast-1.amazonaws.com',
      'user-agent': 'vitest',
      'x-forwarded-for': SOURCE_IP,
      'x-forwarded-proto': 'https',
      ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body, options.isBase64Encoded ? 'base64' : 'utf8')) } : {}),
      ...options.headers,
    },
    ...(rawQueryString ? { queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.ap-southeast-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: 'vitest' },
      requestId: GATEWAY_REQUEST_ID,
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    pathParameters: { proxy: rawPath.replace(/^\/api\//, '') },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

const lambdaContext = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', functionName: 'bx87h9-prod-api', getRemainingTimeInMillis: () => 10_000 };

describe('osls package', () => {
  it('bundles each function into one self-contained ESM file', () => {
    expect(functions.map((f) => f.name)).toContain('api');
    for (const fn of functions) {
      const files = [...readZip(fn.artifact).keys()];
      expect(files, fn.name).toEqual([`${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`]);
    }
  });

  it(`keeps every zip within ${ZIP_BUDGET_BYTES / 1000} KB`, () => {
    // Sizes are deterministic for a given lock file; the budget fails on a dependency that drags
    // in a large graph (mysql2 with iconv-lite, or zod's locales, were 600 KB of an 830 KB zip).
    for (const fn of functions) expect(fn.zipBytes, fn.name).toBeLessThanOrEqual(ZIP_BUDGET_BYTES);
  });

  it("carries zod's English messages only, not its other locales", () => {
    // `import { z } from 'zod'` makes esbuild keep the whole namespace, every locale with it
    // (350 KB of minified JavaScript); `import * as z from 'zod'` lets it keep what is used.
    for (const fn of functions) {
      const locales = fn.meta.inputs.filter((path) => path.includes('node_modules/zod/') && path.includes('/locales/'));
      expect(locales, fn.name).toEqual(['node_modules/zod/v4/locales/en.js']);
    }
  });

  it("builds a scheduled job's bundle without the HTTP app, its routes or the OpenAPI generator", () => {
    const admin = functions.find((f) => f.name === 'apiAdmin')!;
    const http = (inputs: string[]) =>
      inputs.filter((path) =>
        /^functions\/src\/(http\/(app|openapi|router)|routes|bootstrap|lambda\/http-api)\.ts$|\.routes\.ts$|^node_modules\/serverless-http\//.test(path),
      );
    // The same filter finds all of them in the admin API's bundle, so its emptiness below means something.
    expect(http(admin.meta.inputs)).toEqual(
      expect.arrayContaining(['functions/src/http/app.ts', 'functions/src/http/openapi.ts', 'functions/src/http/router.ts', 'functions/src/routes.ts', 'node_modules/serverless-http/serverless-http.js']),
    );
    const jobs = functions.filter((f) => f.events.some((e) => 'schedule' in e));
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(http(job.meta.inputs), job.name).toEqual([]);
      // And the bundle itself names no route (every path of the API starts /api/v1/).
      const [source] = readZip(job.artifact).values();
      expect(source!.toString('utf8').includes('/api/v1/'), job.name).toBe(false);
    }
  });

  it("bundles the patient's API without the doctor's and the admin's own route files, and the doctor's without the patient's", () => {
    const inputs = (name: string) => functions.find((f) => f.name === name)!.meta.inputs;
    const source = (name: string) => [...readZip(functions.find((f) => f.name === name)!.artifact).values()][0]!.toString('utf8');
    // These files serve no patient at all.
    const staffOnly = ['functions/src/admin/admin.routes.ts', 'functions/src/admin/users.routes.ts', 'functions/src/doctor/doctor.routes.ts', 'functions/src/schedule/schedule.routes.ts', 'functions/src/routes.ts'];
    expect(inputs('apiAdmin')).toEqual(expect.arrayContaining(staffOnly));
    expect(inputs('api').filter((path) => staffOnly.includes(path))).toEqual([]);
    expect(source('api').includes('/api/v1/admin/users')).toBe(false);
    expect(source('api').includes('/api/v1/doctor/templates')).toBe(false);
    const patientOnly = ['functions/src/auth/auth.routes.ts', 'functions/src/patient/patient.routes.ts', 'functions/src/notification/notification.routes.ts', 'functions/src/catalog/catalog.routes.ts'];
    expect(inputs('api')).toEqual(expect.arrayContaining(patientOnly));
    expect(inputs('apiDoctor').filter((path) => patientOnly.includes(path) || path.startsWith('functions/src/admin/'))).toEqual([]);
    expect(source('apiDoctor').includes('/api/v1/me/profiles')).toBe(false);
  });

  it("defines no doctor's or admin's route in any route file of the patient's API", () => {
    // An admin page kept in a shared file (catalog.routes.ts had the catalogue's) would be bundled
    // and its schemas built at every cold start of the patient's function, though never served
    // there: each audience's routes live in files of their own (catalog-admin.routes.ts…).
    const staffRoute = /['`]\/api\/v1\/(admin|doctor)\//;
    const routeFiles = functions.find((f) => f.name === 'api')!.meta.inputs.filter((path) => path.endsWith('.routes.ts'));
    expect(routeFiles).toEqual(expect.arrayContaining(['functions/src/catalog/catalog.routes.ts', 'functions/src/booking/booking.routes.ts']));
    expect(routeFiles.filter((path) => staffRoute.test(readFileSync(join(root, path), 'utf8')))).toEqual([]);
    // The bundle names no such path either (http/audience.ts's bare prefixes aside).
    const [source] = readZip(functions.find((f) => f.name === 'api')!.artifact).values();
    expect(source!.toString('utf8').match(/\/api\/v1\/(admin|doctor)\/[\w{]+/g)).toBeNull();
    const config = loadConfig({ APP_ENV: 'test', DATABASE_URL: 'mysql://nobody:none@127.0.0.1:1/none' });
    expect(publicGroup({ config }).map((r) => r.path).filter((path) => audienceOf(path) !== 'public')).toEqual(['/api/v1/openapi.json']);
  });

  it('serves every route of routes.ts from exactly one function, the one API Gateway sends its path to', () => {
    const http = functions.filter((f) => f.events.some((e) => 'httpApi' in e));
    expect(Object.fromEntries(http.map((f) => [f.name, f.handler]))).toEqual(
      Object.fromEntries(Object.entries(HTTP_FUNCTIONS).map(([name, f]) => [name, f.handler])),
    );
    const events = http.flatMap((f) => f.events.map((e) => ({ name: f.name, ...(e.httpApi as { method: string; path: string }) })));
    /** API Gateway's choice for a request: an exact route before a greedy one, the longest greedy prefix first. */
    const gatewayTarget = (method: string, path: string) => {
      const concrete = path.replace(/\{\w+\}/g, '1');
      const candidates = events
        .filter((e) => e.method === '*' || e.method === method)
        .map((e) => {
          if (e.path.endsWith('/{proxy+}')) {
            const prefix = e.path.slice(0, -'{proxy+}'.length);
            return { name: e.name, score: concrete.startsWith(prefix) ? prefix.length : -1 };
          }
          const pattern = new RegExp(`^${e.path.replace(/\{\w+\}/g, '[^/]+')}$`);
          return { name: e.name, score: pattern.test(concrete) ? Number.MAX_SAFE_INTEGER : -1 };
        })
        .filter((c) => c.score >= 0)
        .sort((a, b) => b.score - a.score);
      return candidates[0]?.name;
    };
    const dev = loadConfig({ APP_ENV: 'test', DATABASE_URL: 'mysql://nobody:none@127.0.0.1:1/none' });
    const production = { ...dev, env: 'production' as const, sms: { provider: 'http' as const, url: 'https://sms.invalid/send', token: undefined } };
    for (const config of [dev, production]) {
      const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
      const all = apiRoutes({ config }).map(key).sort();
      const served = Object.entries(HTTP_FUNCTIONS).flatMap(([name, f]) => servedRoutes(f.audience, f.group, { config }).map((r) => ({ name, route: r })));
      // Each route once: a route file missing from its audience's group, or a route in two, fails here.
      expect(served.map((s) => key(s.route)).sort(), config.env).toEqual(all);
      // And at the function API Gateway routes its path to: a group left unrouted in serverless.yml fails here.
      for (const { name, route } of served) {
        expect(gatewayTarget(route.method, route.path), key(route)).toBe(name);
        expect(HTTP_FUNCTIONS[name]!.audience, key(route)).toBe(audienceOf(route.path));
      }
    }
  });

  it("leaves pino's transport threads (thread-stream) out of every bundle: the logger writes to standard output", () => {
    for (const fn of functions) {
      expect(fn.meta.inputs.filter((path) => path.startsWith('node_modules/thread-stream/')), fn.name).toEqual([]);
      expect(fn.meta.inputs, fn.name).toEqual(expect.arrayContaining(['node_modules/pino/pino.js', 'functions/src/lambda/no-thread-stream.cjs']));
    }
  });

  it('leaves mysql2 out of every bundle, imported only on demand (a DATABASE_URL), never at load', () => {
    for (const fn of functions) {
      expect(fn.meta.inputs.filter((path) => path.includes('node_modules/mysql2/')), fn.name).toEqual([]);
      const mysql2 = fn.meta.imports.filter((i) => i.path === 'mysql2' || i.path.startsWith('mysql2/'));
      expect(mysql2, fn.name).toEqual([{ path: 'mysql2', kind: 'dynamic-import', external: true }]);
    }
  });

  it('imports each bundle in a fresh Node with the deployed environment: no mysql2, no key derivation, no code generated', () => {
    // serverless.yml's environment, secrets filled in; nothing connects at import (the API builds
    // its dependencies then, a job at its first run). The extracted bundle has no node_modules
    // above it, so a package left out of it, mysql2 included, would fail to load here. A scrypt
    // at import (the dummy hash of auth/password.ts was one) would add a whole password hash to
    // every cold start: node:crypto's scrypt is counted while the bundle loads.
    // APP_ENV=staging: production's requirements, but simulated payments (production refuses
    // them until a real provider exists; tests/payment/provider-config.test.ts).
    const env = {
      PATH: process.env.PATH ?? '',
      APP_ENV: 'staging',
      TRUST_PROXY: '1',
      LOG_LEVEL: 'silent',
      DATABASE_HOST: 'aws.connect.psdb.invalid',
      DATABASE_USERNAME: 'user',
      DATABASE_PASSWORD: 'pscale_pw_x',
      JWT_SECRET: 'j'.repeat(48),
      FIELD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      SMS_PROVIDER: 'http',
      SMS_HTTP_URL: 'https://sms.invalid/send',
      SMS_HTTP_TOKEN: 'token',
    };
    const script = [
      "import crypto from 'node:crypto'; import { syncBuiltinESMExports } from 'node:module';",
      'let scrypts = 0;',
      'for (const name of ["scrypt", "scryptSync"]) { const real = crypto[name]; crypto[name] = (...a) => { scrypts += 1; return real(...a); }; }',
      'syncBuiltinESMExports();',
      'let generated = 0; const RealFunction = Function;',
      'globalThis.Function = new Proxy(RealFunction, { construct: (target, args) => { generated += 1; return Reflect.construct(target, args); } });',
      'const m = await import(process.argv[1]);',
      'process.stdout.write(JSON.stringify({ handler: typeof m.handler, scrypts, generated })); process.exit(0);',
    ].join('\n');
    for (const fn of functions) {
      const file = join(extractDir, fn.name, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`);
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], { env, encoding: 'utf8' });
      // One `new Function` is zod's probe whether code generation is allowed at all; a second was
      // the configuration's schema compiled for its single parse (config.ts parses it jitless).
      expect(JSON.parse(out), fn.name).toEqual({ handler: 'function', scrypts: 0, generated: 1 });
    }
  });

  it("declares the API on Node 20 behind HTTP API routes by audience, secrets resolved by AWS at deploy", () => {
    const resources = Object.values(template.Resources);
    const lambdas = resources.filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(lambdas).toHaveLength(functions.length);
    for (const lambda of lambdas) {
      expect(lambda.Properties.Runtime).toBe('nodejs20.x');
      const env = lambda.Properties.Environment.Variables as Record<string, string>;
      expect(env).toMatchObject({ APP_ENV: 'production', TRUST_PROXY: '1', SMS_PROVIDER: 'http' });
      for (const name of ['DATABASE_HOST', 'DATABASE_USERNAME', 'DATABASE_PASSWORD', 'JWT_SECRET', 'FIELD_ENCRYPTION_KEY', 'SMS_HTTP_URL', 'SMS_HTTP_TOKEN']) {
        expect(env[name]).toBe(`{{resolve:secretsmanager:bx87h9/prod:SecretString:${name}}}`);
      }
    }
    const routes = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(routes.sort()).toEqual(['ANY /api/v1/admin/{proxy+}', 'ANY /api/v1/doctor/{proxy+}', 'ANY /api/{proxy+}', 'GET /api/v1/openapi.json']);
    // Every osls variable was resolved at package time; only CloudFormation's own `${AWS::…}` remain.
    expect(JSON.stringify(template)).not.toMatch(/\$\{(?!AWS::)/);
  });
});

describe('the bundled API handler', () => {
  let handler: LambdaHandler;
  const invoke = async (...args: Parameters<typeof httpApiEvent>) => {
    const result = await handler(httpApiEvent(...args), lambdaContext);
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };

  beforeAll(async () => {
    const api = functions.find((f) => f.name === 'api')!;
    // The API builds its dependencies at import, like a cold start.
    handler = await withEnv(
      { APP_ENV: 'test', ...planetScaleEnv(), LOG_LEVEL: 'silent', CORS_ORIGINS: H5_ORIGIN, TRUST_PROXY: '1' },
      () => importHandler(api),
    );
  });

  it('answers GET /api/v1/health with the security headers and the gateway request id', async () => {
    const res = await invoke('GET', '/api/v1/health');
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.isBase64Encoded).toBe(false);
    expect(res.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-request-id': GATEWAY_REQUEST_ID,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
    expect(res.cookies ?? []).toEqual([]);
  });

  it("echoes the client's own X-Request-Id and ignores request cookies", async () => {
    const res = await invoke('GET', '/api/v1/health', { headers: { 'x-request-id': 'h5-req-42' }, cookies: ['session=abc', 'theme=dark'] });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('h5-req-42');
  });

  it('registers and logs in through the bundle, with plain and base64-encoded bodies', async () => {
    const phone = '13700001234';
    const password = 'Lambda2024';
    const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const unknown = await invoke('POST', '/api/v1/auth/login', json({ phone, password }));
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.json.error.message).toMatch(/\p{Script=Han}/u);

    const sent = await invoke('POST', '/api/v1/auth/sms-codes', json({ phone, purpose: 'register' }));
    expect(sent.statusCode).toBe(202);
    const inbox = await invoke('GET', `/api/v1/dev/sms?phone=${phone}`);
    const code = inbox.json.items[0].code as string;
    const registered = await invoke('POST', '/api/v1/auth/register', json({ phone, code, password }));
    expect(registered.statusCode).toBe(201);

    const plain = await invoke('POST', '/api/v1/auth/login', json({ phone, password }));
    expect(plain.statusCode).toBe(200);
    expect(plain.json.account).toMatchObject({ role: 'patient' });

    const encoded = Buffer.from(JSON.stringify({ phone, password })).toString('base64');
    const base64 = await invoke('POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `6.6.6.6, ${SOURCE_IP}` },
      body: encoded,
      isBase64Encoded: true,
    });
    expect(base64.statusCode).toBe(200);
    const me = await invoke('GET', '/api/v1/me', { headers: { authorization: `Bearer ${base64.json.tokens.accessToken}` } });
    expect(me.json).toMatchObject({ id: plain.json.account.id, role: 'patient' });

    // The audit trail records the address API Gateway saw, not the one the client claimed.
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['ip', 'request_id'])
      .where('action', '=', 'auth.login')
      .where('target_id', '=', String(plain.json.account.id))
      .execute();
    expect(audit).toEqual([
      { ip: SOURCE_IP, request_id: GATEWAY_REQUEST_ID },
      { ip: SOURCE_IP, request_id: GATEWAY_REQUEST_ID },
    ]);
  });

  it('answers an unknown route 404, invalid JSON 400 and an oversized body 413 with the error shape', async () => {
    const missing = await invoke('GET', '/api/v1/no-such-thing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: expect.stringMatching(/\p{Script=Han}/u) } });
    expect(missing.headers['x-content-type-options']).toBe('nosniff');

    const broken = await invoke('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/json' }, body: '{"phone":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json.error.code).toBe('INVALID_JSON');

    const padding = 'x'.repeat(MAX_BODY_BYTES);
    const huge = await invoke('POST', '/api/v1/auth/login', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ padding }) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a CORS preflight from an allowed origin and refuses another', async () => {
    const allowed = await invoke('OPTIONS', '/api/v1/auth/login', {
      headers: { origin: H5_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(H5_ORIGIN);
    expect(allowed.headers['access-control-allow-headers']).toContain('Authorization');

    const refused = await invoke('OPTIONS', '/api/v1/auth/login', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe("the bundled doctor's and admin's API handlers", () => {
  const handlers = new Map<string, LambdaHandler>();
  const invoke = async (name: string, ...args: Parameters<typeof httpApiEvent>) => {
    const result = await handlers.get(name)!(httpApiEvent(...args), lambdaContext);
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };

  beforeAll(async () => {
    for (const name of ['api', 'apiDoctor', 'apiAdmin']) {
      const fn = functions.find((f) => f.name === name)!;
      handlers.set(name, await withEnv({ APP_ENV: 'test', ...planetScaleEnv(), LOG_LEVEL: 'silent', TRUST_PROXY: '1' }, () => importHandler(fn)));
    }
  });

  it("serves each audience's routes from its own function, and none of another's", async () => {
    expect((await invoke('apiDoctor', 'GET', '/api/v1/doctor/profile')).json.error.code).toBe('UNAUTHENTICATED');
    expect((await invoke('apiAdmin', 'GET', '/api/v1/admin/users')).json.error.code).toBe('UNAUTHENTICATED');
    // Were API Gateway to send a path to the wrong function, it would not be served there.
    for (const [name, path] of [
      ['api', '/api/v1/admin/users'],
      ['api', '/api/v1/doctor/profile'],
      ['apiDoctor', '/api/v1/me'],
      ['apiDoctor', '/api/v1/admin/users'],
      ['apiAdmin', '/api/v1/doctor/profile'],
      ['apiAdmin', '/api/v1/health'],
    ] as const) {
      const res = await invoke(name, 'GET', path);
      expect({ name, path, status: res.statusCode, code: res.json.error.code }).toEqual({ name, path, status: 404, code: 'ROUTE_NOT_FOUND' });
    }
  });

  it('serves the OpenAPI document, of every route, from the admin function', async () => {
    const res = await invoke('apiAdmin', 'GET', '/api/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/me/profiles', '/api/v1/doctor/profile', '/api/v1/admin/users']));
  });
});

describe('the bundled scheduled jobs', () => {
  it('each runs against an empty, migrated database and reports a summary', async () => {
    const scheduled = functions.filter((f) => f.events.some((e) => 'schedule' in e));
    for (const fn of scheduled) {
      const event = { version: '0', id: 'test', 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString(), detail: {} };
      const run = withEnv({ APP_ENV: 'test', ...planetScaleEnv(), LOG_LEVEL: 'silent' }, async () => (await importHandler(fn))(event, lambdaContext));
      await expect(run, fn.name).resolves.toBeDefined();
    }
  });
});

describe('functions/src under serverless-http', () => {
  it('never reads req.rawHeaders, which serverless-http leaves empty', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && readFileSync(path, 'utf8').includes('rawHeaders')) offenders.push(path);
      }
    };
    walk(join(root, 'functions/src'));
    expect(offenders).toEqual([]);
  });
});
