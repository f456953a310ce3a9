/**
 * /api/v1/admin/notifications…: the outbox for admins (消息管理), and sending a failed one again
 * (the admin's function only, http/audience.ts).
 */
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { adminMessagePageSchema, adminMessageQuerySchema, adminMessageSchema, listMessages, retryNotification } from '../admin/messages.js';

export const notificationAdminRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/notifications',
    tag: 'admin',
    summary: '消息列表（按状态、渠道、模板、手机号、日期筛选，新的在前，分页；手机号已脱敏）',
    auth: ['admin'],
    query: adminMessageQuerySchema,
    response: adminMessagePageSchema,
    handler: ({ deps, query }) => listMessages(deps.db, query),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/notifications/{id}/retry',
    tag: 'admin',
    summary: '重新发送一条发送失败的消息（重置发送次数，记入审计日志）',
    auth: ['admin'],
    params: idParams,
    response: adminMessageSchema,
    errors: ['NOTIFICATION_NOT_FOUND', 'NOTIFICATION_NOT_RETRYABLE'],
    handler: ({ deps, principal, params, meta }) => retryNotification(deps.db, principal, params.id, meta, deps.clock.now()),
  }),
];
