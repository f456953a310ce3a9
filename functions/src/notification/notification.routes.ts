/**
 * /api/v1/me/messages…: a patient's inbox (消息); /api/v1/me/wechat-consents: 订阅消息 consents.
 * The outbox for admins (消息管理): notification-admin.routes.ts.
 */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams, okSchema } from '../schemas.js';
import { listInbox, markAllRead, markRead, recordWechatConsents, unreadCount } from './inbox.js';
import { templateNames, type TemplateName } from './templates.js';

const templateSchema = z.enum(templateNames as [TemplateName, ...TemplateName[]]);

const messageSchema = z
  .object({
    id: z.number().int(),
    template: z.string().meta({ description: '消息模板，如 booking_confirmed、session_suspended' }),
    title: z.string(),
    text: z.string(),
    appointmentId: z.number().int().nullable().meta({ description: '相关预约，可跳转到预约详情' }),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'InboxMessage' });

export const notificationRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/me/messages',
    tag: 'notification',
    summary: '我的消息（最新在前，分页）',
    auth: ['patient'],
    query: z.strictObject({
      cursor: z.string().regex(/^\d{1,15}\.\d{1,20}$/).optional().meta({ description: '上一页返回的 nextCursor' }),
      limit: z.coerce.number().int().min(1).max(50).default(20),
    }),
    response: z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() }),
    handler: ({ deps, principal, query }) => listInbox(deps.db, principal.userId, query),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/me/messages/unread-count',
    tag: 'notification',
    summary: '未读消息数',
    auth: ['patient'],
    response: z.object({ unread: z.number().int() }),
    handler: async ({ deps, principal }) => ({ unread: await unreadCount(deps.db, principal.userId) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/me/messages/{id}/read',
    tag: 'notification',
    summary: '标记一条消息为已读',
    auth: ['patient'],
    params: idParams,
    response: okSchema,
    errors: ['NOTIFICATION_NOT_FOUND'],
    handler: async ({ deps, principal, params }) => {
      await markRead(deps.db, principal.userId, params.id, deps.clock.now());
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/me/messages/read-all',
    tag: 'notification',
    summary: '全部标记为已读',
    auth: ['patient'],
    response: z.object({ marked: z.number().int() }),
    handler: async ({ deps, principal }) => ({ marked: await markAllRead(deps.db, principal.userId, deps.clock.now()) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/me/wechat-consents',
    tag: 'notification',
    summary: '记录用户在微信订阅消息授权中接受的模板（每接受一次可发送一条）',
    auth: ['patient'],
    body: z.strictObject({ accepted: z.array(templateSchema).min(1).max(20) }),
    response: z.object({ credits: z.record(z.string(), z.number().int()) }),
    handler: async ({ deps, principal, body }) => ({ credits: await recordWechatConsents(deps.db, principal.userId, body.accepted, deps.clock.now()) }),
  }),
];
