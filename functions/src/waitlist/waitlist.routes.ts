/** /api/v1/waitlist (patients): thin handlers over join.ts. */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { joinWaitlist, leaveWaitlist, listMyWaitlist, waitlistEntrySchema } from './join.js';

const bodyId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const slotStart = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:00)?$/)
  .meta({ description: '时段开始时间 HH:MM（北京时间）' });

export const waitlistRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/waitlist',
    tag: 'appointments',
    summary: '加入候补：该出诊号源已满时，为本人名下的就诊人排队；有人退号时按先后顺序自动为其保留号源（待支付）',
    auth: ['patient'],
    body: z.strictObject({
      sessionId: bodyId.meta({ description: '出诊（排班）id' }),
      profileId: bodyId.meta({ description: '就诊人 id' }),
      slotStarts: z.array(slotStart).max(50).optional().meta({ description: '只候补这些时段；不填表示任意时段' }),
    }),
    response: waitlistEntrySchema,
    status: 201,
    errors: [
      'SESSION_NOT_FOUND',
      'PROFILE_NOT_FOUND',
      'WAITLIST_NOT_FULL',
      'WAITLIST_CLOSED',
      'WAITLIST_LIMIT_REACHED',
      'WAITLIST_SLOT_INVALID',
      'ALREADY_WAITING',
      'ALREADY_BOOKED',
      'DAILY_LIMIT_REACHED',
      'DEPARTMENT_DAILY_LIMIT_REACHED',
      'BOOKING_BANNED',
      'SESSION_SUSPENDED',
      'SLOT_NOT_RELEASED',
      'SLOT_PAST',
      'DOCTOR_UNAVAILABLE',
    ],
    handler: ({ body, deps, principal, meta }) => joinWaitlist(deps, principal, body, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/waitlist',
    tag: 'appointments',
    summary: '我的候补（active：候补中与已候补成功；all：全部）',
    auth: ['patient'],
    query: z.strictObject({ scope: z.enum(['active', 'all']).default('active') }),
    response: z.object({ items: z.array(waitlistEntrySchema) }),
    handler: async ({ query, deps, principal }) => ({ items: await listMyWaitlist(deps, principal, query.scope) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/waitlist/{id}/leave',
    tag: 'appointments',
    summary: '取消候补（仅候补中的记录；仅本人）',
    auth: ['patient'],
    params: idParams,
    response: waitlistEntrySchema,
    errors: ['WAITLIST_ENTRY_NOT_FOUND', 'WAITLIST_NOT_WAITING'],
    handler: ({ params, deps, principal, meta }) => leaveWaitlist(deps, principal, params.id, meta),
  }),
];
