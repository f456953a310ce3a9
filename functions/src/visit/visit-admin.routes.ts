/** The visit flow's admin routes: booking bans after no-shows, and lifting one (bans.ts). */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { liftBan, listBans } from './bans.js';

const banSchema = z
  .object({
    id: z.number().int(),
    accountId: z.number().int(),
    phone: z.string(),
    displayName: z.string().nullable(),
    tier: z.number().int(),
    noShowCount: z.number().int(),
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
    lastDay: z.string().meta({ description: '限制的最后一天（北京时间）' }),
    active: z.boolean(),
    liftedAt: z.iso.datetime().nullable(),
    liftedBy: z.number().int().nullable(),
    liftReason: z.string().nullable(),
  })
  .meta({ id: 'BookingBan' });

export const visitAdminRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/bans',
    tag: 'visit',
    summary: '预约限制（爽约暂停预约）列表',
    auth: ['admin'],
    query: z.strictObject({ active: z.enum(['true', 'false']).default('true').meta({ description: 'true：仅生效中' }) }),
    response: z.object({ items: z.array(banSchema) }),
    handler: async ({ deps, query }) => ({ items: await listBans(deps.db, { active: query.active === 'true' }, deps.clock.now()) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/bans/{id}/lift',
    tag: 'visit',
    summary: '解除预约限制（须填写原因，记录审计）',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({ reason: z.string().trim().min(1).max(200) }),
    response: banSchema,
    errors: ['BAN_NOT_FOUND', 'BAN_ALREADY_LIFTED'],
    handler: ({ deps, principal, params, body, meta }) => liftBan(deps, principal, params.id, body.reason, meta),
  }),
];
