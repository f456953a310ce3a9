/** Operations endpoints: health, the OpenAPI document, and development-only helpers. */
import * as z from 'zod';
import { phoneSchema } from '../auth/schemas.js';
import { defineRoute, Reply, type RouteSpec } from '../http/route.js';
import { buildOpenApiDocument } from '../http/openapi.js';
import { recentDevSms } from './dev-sms.js';
import { checkHealth } from './health.js';

export function systemRoutes(allRoutes: () => readonly RouteSpec[]): RouteSpec[] {
  let openApiDocument: unknown;
  return [
    defineRoute({
      method: 'GET',
      path: '/api/v1/health',
      tag: 'system',
      summary: '健康检查（数据库可达时返回 ok）',
      auth: 'public',
      response: z.object({ status: z.enum(['ok', 'unavailable']) }),
      handler: async ({ deps, log }) => {
        const health = await checkHealth(deps.db, log);
        return health.status === 'ok' ? health : new Reply({ status: health.status }, 503, { 'Retry-After': String(health.retryAfterSeconds) });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/v1/openapi.json',
      tag: 'system',
      summary: 'OpenAPI 3.1 接口文档',
      auth: 'public',
      response: z.record(z.string(), z.unknown()),
      handler: async () => {
        openApiDocument ??= buildOpenApiDocument(allRoutes());
        return openApiDocument as Record<string, unknown>;
      },
    }),
  ];
}

/** Only mounted when the development SMS provider is active (never in production): dev-sms.ts. */
export const devRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/dev/sms',
    tag: 'dev',
    summary: '【仅开发环境】查看发往某手机号的最近短信',
    auth: 'public',
    query: z.strictObject({ phone: phoneSchema }),
    response: z.object({ items: z.array(z.object({ text: z.string(), code: z.string().nullable(), sentAt: z.iso.datetime() })) }),
    handler: ({ query, deps }) => recentDevSms(deps, query.phone),
  }),
];
