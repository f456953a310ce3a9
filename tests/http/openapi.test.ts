/**
 * The OpenAPI document, and bad input on every route it describes. The route walk derives its
 * requests from the document alone, so routes added later are covered without touching this file.
 */
import { request as httpRequest } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalog } from '../../functions/src/errors.js';
import { apiRoutes } from '../../functions/src/routes.js';
import { registerPatient, staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

type Schema = Record<string, any>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: Schema | undefined;
  isPublic: boolean;
}

let app: TestApp;
let document: Record<string, any>;
let operations: Operation[];
/** Access tokens to try in turn: a route answers the first role it allows. */
let tokens: string[];

beforeAll(async () => {
  app = await startTestApp();
  const res = await app.request('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  document = res.body;
  operations = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: (op.parameters ?? []) as Parameter[],
      body: op.requestBody?.content?.['application/json']?.schema,
      // An operation-level empty security list overrides the document's bearer requirement.
      isPublic: Array.isArray(op.security) && op.security.length === 0,
    })),
  );
  const admin = await staffSession(app, 'admin');
  const doctor = await staffSession(app, 'doctor');
  const patient = await registerPatient(app);
  tokens = [admin.accessToken, doctor.accessToken, patient.accessToken];
});
afterAll(() => app.close());

describe('GET /api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents the Idempotency-Key header of booking, with the pattern the handler enforces', () => {
    const header = document.paths['/api/v1/appointments'].post.parameters.find((p: { in: string }) => p.in === 'header');
    expect(header).toMatchObject({ name: 'Idempotency-Key', required: true, schema: { type: 'string' } });
    expect(new RegExp(header.schema.pattern).test('a1b2c3d4-e5f6')).toBe(true);
    expect(new RegExp(header.schema.pattern).test('short')).toBe(false);
  });

  it('describes every route the app serves, with its method, and nothing else', () => {
    const served = apiRoutes(app.deps).map((r) => `${r.method} ${r.path}`);
    const described = operations.map((o) => `${o.method} ${o.path}`);
    expect(described.sort()).toEqual([...served].sort());
  });

  it('declares each path template parameter, names every operation once, and resolves every $ref', () => {
    for (const op of operations) {
      const templated = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort(), `${op.method} ${op.path}`).toEqual(templated.sort());
    }
    const ids = Object.values(document.paths as Record<string, Record<string, any>>).flatMap((item) =>
      Object.values(item).map((op) => op.operationId as string),
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const ref of JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components.schemas, ref[1]).toHaveProperty([ref[1]!]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Requests built from the document's schemas.

function resolve(schema: Schema): Schema {
  let current = schema;
  while (typeof current.$ref === 'string') {
    current = document.components.schemas[current.$ref.replace('#/components/schemas/', '')];
  }
  return current;
}

/** The first non-null alternative of a union, or the schema itself. */
function mainVariant(schema: Schema): Schema {
  const s = resolve(schema);
  const options = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (options) return mainVariant(options.find((o) => resolve(o).type !== 'null') ?? options[0]!);
  if (s.allOf) return mainVariant(s.allOf[0]);
  return s;
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  return Array.isArray(type) ? type.find((t: string) => t !== 'null') : type;
}

/** Strings that satisfy common formats and patterns (phone, SMS code, date, time …). */
const STRING_CANDIDATES = ['13800138000', '123456', '2030-01-15', '08:00', '08:00:00', 'Passw0rd1', '110101199003074514', 'abc', '张三'];

function sampleString(s: Schema): string {
  if (s.format === 'date-time') return new Date().toISOString();
  if (s.format === 'date') return '2030-01-15';
  if (s.format === 'email') return 'someone@example.com';
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/';
  const fits = (candidate: string) =>
    (!s.pattern || new RegExp(s.pattern, 'u').test(candidate)) &&
    candidate.length >= (s.minLength ?? 0) &&
    candidate.length <= (s.maxLength ?? Infinity);
  return STRING_CANDIDATES.find(fits) ?? 'x'.repeat(Math.max(1, s.minLength ?? 1));
}

/** A value the schema most likely accepts: required properties only, smallest allowed numbers. */
function sample(schema: Schema): unknown {
  const s = mainVariant(schema);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if ('default' in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ('example' in s) return s.example;
  switch (typeOf(s)) {
    case 'string':
      return sampleString(s);
    case 'integer':
    case 'number': {
      const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
      return Math.min(Math.ceil(low), s.maximum ?? Infinity);
    }
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => sample(s.items ?? {}));
    case 'object':
      return Object.fromEntries(((s.required ?? []) as string[]).map((name) => [name, sample(s.properties?.[name] ?? {})]));
    default:
      return null;
  }
}

/** A value of the wrong JSON type for the schema, or undefined when the schema accepts anything. */
function wrongType(schema: Schema): unknown {
  const s = mainVariant(schema);
  if (Array.isArray(s.enum) || 'const' in s) return 'surely-not-one-of-the-allowed-values';
  switch (typeOf(s)) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'not-a-number';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return ['not', 'an', 'object'];
    default:
      return undefined;
  }
}

/** A number, or an id: a string whose pattern admits digits only (http/schemas.ts idSchema). */
function isNumeric(schema: Schema): boolean {
  const s = mainVariant(schema);
  const type = typeOf(s);
  if (type === 'integer' || type === 'number') return true;
  if (type !== 'string' || typeof s.pattern !== 'string') return false;
  const pattern = new RegExp(s.pattern, 'u');
  return pattern.test('123') && !pattern.test('abc') && !pattern.test('0x10');
}

/** The operation's URL with valid-looking path and required query parameters, then `overrides`. */
function url(op: Operation, overrides: { path?: Record<string, string>; query?: Record<string, string> } = {}): string {
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.parameters) {
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(overrides.path?.[p.name] ?? String(sample(p.schema))));
    if (p.in === 'query' && p.required) query.set(p.name, String(sample(p.schema)));
  }
  for (const [name, value] of Object.entries(overrides.query ?? {})) query.set(name, value);
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

const label = (op: Operation) => `${op.method} ${op.path}`;

/** A client error in the documented shape: 4xx, a catalogued code, a message in Chinese. */
function expectClientError(res: { status: number; body: any }, context: string, code?: string): void {
  expect(res.status, `${context}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${context}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  expect(Object.keys(res.body ?? {}), context).toEqual(['error']);
  expect(Object.keys(errorCatalog), context).toContain(res.body.error.code);
  expect(res.body.error.message, context).toMatch(/\p{Script=Han}/u);
  if (code) expect(res.body.error.code, context).toBe(code);
}

/** node:http rather than fetch, which refuses to send a body with GET. */
function send(method: string, target: string, options: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: any }> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = {};
  if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(app.baseUrl + target, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sends as the first role the route allows (a 403 means: try the next token). */
async function asAllowedRole(op: Operation, target: string, body?: unknown) {
  if (op.isPublic) return send(op.method, target, { body });
  let res = await send(op.method, target, { body, token: tokens[0] });
  for (const token of tokens.slice(1)) {
    if (res.body?.error?.code !== 'FORBIDDEN') break;
    res = await send(op.method, target, { body, token });
  }
  return res;
}

describe('bad input on every route', () => {
  it('answers 401 UNAUTHENTICATED without a token, wherever one is needed', async () => {
    const guarded = operations.filter((op) => !op.isPublic);
    expect(guarded.length).toBeGreaterThan(0);
    for (const op of guarded) {
      const res = await send(op.method, url(op), { body: op.body ? sample(op.body) : undefined });
      expectClientError(res, label(op), 'UNAUTHENTICATED');
      const forged = await send(op.method, url(op), { token: 'not.a.jwt' });
      expectClientError(forged, `${label(op)} forged token`, 'TOKEN_INVALID');
    }
  });

  it('refuses a body field the schema does not know', async () => {
    for (const op of operations.filter((o) => o.body && typeOf(mainVariant(o.body)) === 'object')) {
      const body = { ...(sample(op.body!) as object), unexpectedField: 'x' };
      const res = await asAllowedRole(op, url(op), body);
      expectClientError(res, label(op), 'VALIDATION_FAILED');
      expect(res.body.error.details.issues, label(op)).toContainEqual({ path: 'body', code: 'unrecognized_keys' });
    }
  });

  it('refuses body fields of the wrong type, and a body of the wrong type', async () => {
    for (const op of operations.filter((o) => o.body)) {
      const schema = mainVariant(op.body!);
      if (typeOf(schema) === 'object') {
        const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
        const wrong = Object.fromEntries(properties.map(([name, s]) => [name, wrongType(s)]).filter(([, v]) => v !== undefined));
        if (Object.keys(wrong).length > 0) {
          expectClientError(await asAllowedRole(op, url(op), wrong), `${label(op)} wrong field types`, 'VALIDATION_FAILED');
        }
      }
      expectClientError(await asAllowedRole(op, url(op), wrongType(schema) ?? 'x'), `${label(op)} wrong body type`, 'VALIDATION_FAILED');
    }
  });

  it('refuses a body on a route that takes none', async () => {
    for (const op of operations.filter((o) => !o.body)) {
      const res = await asAllowedRole(op, url(op), { unexpected: true });
      expectClientError(res, label(op), 'VALIDATION_FAILED');
    }
  });

  it('refuses a numeric path parameter that is not a number', async () => {
    const withNumericIds = operations.filter((o) => o.parameters.some((p) => p.in === 'path' && isNumeric(p.schema)));
    expect(withNumericIds.length).toBeGreaterThan(0);
    for (const op of withNumericIds) {
      for (const p of op.parameters.filter((q) => q.in === 'path' && isNumeric(q.schema))) {
        for (const bad of ['abc', '1.5', '-1', '0x10', '1e2']) {
          const res = await asAllowedRole(op, url(op, { path: { [p.name]: bad } }), op.body ? sample(op.body) : undefined);
          expectClientError(res, `${label(op)} ${p.name}=${bad}`, 'VALIDATION_FAILED');
        }
      }
    }
  });

  it('refuses unknown query parameters, and numeric query parameters that are not numbers', async () => {
    for (const op of operations) {
      const body = op.body ? sample(op.body) : undefined;
      const unknown = await asAllowedRole(op, url(op, { query: { unexpectedParam: '1' } }), body);
      expectClientError(unknown, `${label(op)} unknown query`, 'VALIDATION_FAILED');
      for (const p of op.parameters.filter((q) => q.in === 'query' && isNumeric(q.schema))) {
        const res = await asAllowedRole(op, url(op, { query: { [p.name]: 'abc' } }), body);
        expectClientError(res, `${label(op)} ${p.name}=abc`, 'VALIDATION_FAILED');
      }
    }
  });
});
