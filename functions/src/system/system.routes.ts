/** Operations endpoints: health, the OpenAPI document, and development-only helpers. */
import { sql } from 'kysely';
import * as z from 'zod';
import { databaseUnavailable, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../db/driver-errors.js';
import { AppError } from '../errors.js';
import { phoneSchema } from '../auth/schemas.js';
import { defineRoute, Reply, type RouteSpec } from '../http/route.js';
import { buildOpenApiDocument } from '../http/openapi.js';

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
        try {
          await sql`SELECT 1`.execute(deps.db);
          return { status: 'ok' as const };
        } catch (error) {
          log.error({ err: error }, 'health check: database unreachable');
          // Whatever the failure (refused, lost, busy), the same Retry-After as the API's 503s.
          const retryAfter = databaseUnavailable(error)?.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_SECONDS;
          return new Reply({ status: 'unavailable' as const }, 503, { 'Retry-After': String(retryAfter) });
        }
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

/**
 * Only mounted when the development SMS provider is active (never in production): lets the
 * developer, the H5 app in development and the browser tests read the codes "sent".
 */
export const devRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/dev/sms',
    tag: 'dev',
    summary: '【仅开发环境】查看发往某手机号的最近短信',
    auth: 'public',
    query: z.strictObject({ phone: phoneSchema }),
    response: z.object({ items: z.array(z.object({ text: z.string(), code: z.string().nullable(), sentAt: z.iso.datetime() })) }),
    handler: async ({ query, deps }) => {
      if (deps.sms.name !== 'dev') throw new AppError('ROUTE_NOT_FOUND');
      const rows = await deps.db
        .selectFrom('notification')
        .select(['payload', 'created_at'])
        .where('channel', '=', 'sms')
        .where('recipient', '=', query.phone)
        .orderBy('id', 'desc')
        .limit(5)
        .execute();
      return {
        items: rows.map((r) => {
          const payload = JSON.parse(r.payload) as { text?: string; code?: string };
          return { text: payload.text ?? '', code: payload.code ?? null, sentAt: r.created_at.toISOString() };
        }),
      };
    },
  }),
];
