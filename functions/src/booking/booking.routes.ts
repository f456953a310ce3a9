/**
 * /api/v1/appointments (patients): thin handlers over book.ts, pay.ts, cancel.ts and
 * my-appointments.ts. Suspending a session (doctors, admins): suspension.routes.ts.
 */
import * as z from 'zod';
import { AppError } from '../errors.js';
import { defineRoute, Reply } from '../http/route.js';
import { idParams } from '../schemas.js';
import { payAppointment } from './pay.js';
import { appointmentSchema } from './appointment-view.js';
import { bookAppointment, IDEMPOTENCY_KEY_PATTERN } from './book.js';
import { cancelAppointment } from './cancel.js';
import { getMyAppointment, listMyAppointments } from './my-appointments.js';

const bodyId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

function idempotencyKey(headers: Record<string, string | string[] | undefined>): string {
  const value = headers['idempotency-key'];
  if (value === undefined) throw new AppError('IDEMPOTENCY_KEY_REQUIRED');
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) throw new AppError('IDEMPOTENCY_KEY_INVALID');
  return value;
}

export const bookingRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/appointments',
    tag: 'appointments',
    summary:
      '预约挂号。须带 Idempotency-Key 请求头（8–64 位字母、数字、- 或 _）：同一 Key 的相同请求返回同一预约，不会重复下单',
    auth: ['patient'],
    body: z.strictObject({ slotId: bodyId.meta({ description: '号源 id' }), profileId: bodyId.meta({ description: '就诊人 id' }) }),
    headers: [
      {
        name: 'Idempotency-Key',
        required: true,
        description: '客户端为每次下单生成的唯一键：重试或重复点击时带同一 Key，返回同一预约',
        schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
      },
    ],
    response: appointmentSchema,
    status: 201,
    errors: [
      'IDEMPOTENCY_KEY_REQUIRED',
      'IDEMPOTENCY_KEY_INVALID',
      'IDEMPOTENCY_KEY_REUSED',
      'SLOT_NOT_FOUND',
      'PROFILE_NOT_FOUND',
      'SLOT_FULL',
      'SLOT_NOT_RELEASED',
      'SESSION_SUSPENDED',
      'SLOT_PAST',
      'ALREADY_BOOKED',
      'DAILY_LIMIT_REACHED',
      'DEPARTMENT_DAILY_LIMIT_REACHED',
      'BOOKING_BANNED',
      'DOCTOR_UNAVAILABLE',
    ],
    handler: async ({ body, headers, deps, principal, meta }) => {
      const key = idempotencyKey(headers);
      const result = await bookAppointment(deps, principal, { slotId: body.slotId, profileId: body.profileId, idempotencyKey: key }, meta);
      return new Reply(result.appointment, 201, result.replayed ? { 'Idempotent-Replayed': 'true' } : {});
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/appointments',
    tag: 'appointments',
    summary: '我的预约（upcoming 待就诊 / past 历史 / cancelled 已取消或已失效）',
    auth: ['patient'],
    query: z.strictObject({
      scope: z.enum(['upcoming', 'past', 'cancelled']).default('upcoming'),
      page: z.coerce.number().int().min(1).max(1000).default(1),
      pageSize: z.coerce.number().int().min(1).max(100).default(20),
    }),
    response: z.object({ items: z.array(appointmentSchema), page: z.number().int(), pageSize: z.number().int() }),
    handler: ({ query, deps, principal }) => listMyAppointments(deps, principal, query.scope, query.page, query.pageSize),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/appointments/{id}',
    tag: 'appointments',
    summary: '预约详情（仅本人）',
    auth: ['patient'],
    params: idParams,
    response: appointmentSchema,
    errors: ['APPOINTMENT_NOT_FOUND'],
    handler: async ({ params, deps, principal }) => {
      const appointment = await getMyAppointment(deps, principal, params.id);
      if (!appointment) throw new AppError('APPOINTMENT_NOT_FOUND');
      return appointment;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/appointments/{id}/pay',
    tag: 'appointments',
    summary: '支付挂号费（模拟支付；重复支付返回已支付的预约）',
    auth: ['patient'],
    params: idParams,
    response: appointmentSchema,
    errors: ['APPOINTMENT_NOT_FOUND', 'HOLD_EXPIRED', 'NOT_PAYABLE', 'PAYMENT_FAILED'],
    handler: ({ params, deps, principal, meta }) => payAppointment(deps, principal, params.id, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/appointments/{id}/cancel',
    tag: 'appointments',
    summary: '取消预约（须在就诊开始前的取消时限之前；已支付的原路退款）',
    auth: ['patient'],
    params: idParams,
    body: z.strictObject({ reason: z.string().trim().min(1).max(200).optional() }),
    response: appointmentSchema,
    errors: ['APPOINTMENT_NOT_FOUND', 'CANCEL_CUTOFF_PASSED', 'NOT_CANCELLABLE'],
    handler: ({ params, body, deps, principal, meta }) => cancelAppointment(deps, principal, params.id, body.reason, meta),
  }),
];
