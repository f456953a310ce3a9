/**
 * The OpenAPI 3.1 document, generated from the same route definitions and zod schemas that
 * validate requests, so it cannot describe an API other than the one served. Schemas with a
 * `.meta({ id })` become shared components.
 */
import * as z from 'zod';
import { errorCatalog, type ErrorCode } from '../errors.js';
import type { RouteSpec } from './route.js';

type JsonSchema = Record<string, unknown>;

const errorBodySchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { $ref: '#/components/schemas/ErrorCode' },
        message: { type: 'string', description: '面向用户的中文说明' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
};

/** Every error code with its Chinese message, in the catalog's order: the apps' types and messages are generated from it. */
const errorCodeSchema: JsonSchema = {
  type: 'string',
  description: '稳定的错误码，客户端据此分支',
  enum: Object.keys(errorCatalog),
  'x-enum-descriptions': Object.values(errorCatalog).map(([, message]) => message),
};

export function buildOpenApiDocument(routes: readonly RouteSpec[]): JsonSchema {
  const components: Record<string, JsonSchema> = { Error: errorBodySchema, ErrorCode: errorCodeSchema };
  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    delete json.$schema;
    for (const [id, def] of Object.entries(defs)) components[id] = rewriteRefs(def) as JsonSchema;
    return rewriteRefs(json) as JsonSchema;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [location, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const json = convert(schema, 'input');
      const required = new Set((json.required as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries((json.properties ?? {}) as Record<string, JsonSchema>)) {
        parameters.push({
          name,
          in: location,
          required: location === 'path' || required.has(name),
          ...(typeof property.description === 'string' ? { description: property.description } : {}),
          schema: property,
        });
      }
    }

    for (const header of route.headers ?? []) {
      parameters.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: header.schema });
    }

    const status = String(route.status ?? 200);
    const responses: Record<string, unknown> = {
      [status]: route.contentType
        ? { description: '成功', content: { [route.contentType.split(';')[0]!]: { schema: { type: 'string' } } } }
        : { description: '成功', content: { 'application/json': { schema: convert(route.response, 'output') } } },
    };
    const codes = new Set<ErrorCode>(route.errors ?? []);
    codes.add('VALIDATION_FAILED');
    if (route.auth !== 'public') {
      codes.add('UNAUTHENTICATED');
      codes.add('TOKEN_EXPIRED');
      codes.add('TOKEN_INVALID');
      if (Array.isArray(route.auth)) codes.add('FORBIDDEN');
      if (!route.duringPasswordChange) codes.add('PASSWORD_CHANGE_REQUIRED');
    }
    if (route.body) {
      codes.add('INVALID_JSON');
      codes.add('PAYLOAD_TOO_LARGE');
      codes.add('UNSUPPORTED_MEDIA_TYPE');
    }
    codes.add('DATABASE_BUSY');
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes) {
      const [httpStatus] = errorCatalog[code];
      byStatus.set(httpStatus, [...(byStatus.get(httpStatus) ?? []), code]);
    }
    for (const [httpStatus, list] of [...byStatus].sort(([a], [b]) => a - b)) {
      responses[String(httpStatus)] = {
        description: list.map((c) => `\`${c}\` ${errorCatalog[c][1]}`).join('；'),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }

    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === 'public' ? { security: [] } : {}),
      ...(Array.isArray(route.auth) ? { description: `角色：${route.auth.join('、')}` } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: convert(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'bx87h9 南阳市第二人民医院预约挂号 API',
      version: '1.0.0',
      description: '错误统一为 `{ "error": { "code", "message" } }`；时间为 UTC ISO 8601，门诊日期与时间为北京时间。',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: components,
    },
  };
}

function operationId(route: RouteSpec): string {
  const words = route.path
    .replace(/^\/api\/v1\//, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((part) => (part.startsWith('{') ? `By${cap(part.slice(1, -1))}` : cap(part)));
  return route.method.toLowerCase() + words.join('');
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).replace(/\./g, '');
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v),
      ]),
    );
  }
  return value;
}
