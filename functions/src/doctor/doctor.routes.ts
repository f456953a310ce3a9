/**
 * The doctor workstation's own routes beside the schedule ones (schedule/schedule.routes.ts):
 * who am I, and 加号 on my own session. The doctor always comes from the login.
 */
import * as z from 'zod';
import type { Principal } from '../context.js';
import type { AppDeps } from '../deps.js';
import { defineRoute } from '../http/route.js';
import { idParams, localTimeSchema } from '../schemas.js';
import { sessionSchema } from '../schedule/schedule.routes.js';
import { addSlot } from '../schedule/sessions.js';
import { shanghaiDate } from '../time/shanghai.js';
import { AppError } from '../errors.js';
import { getDoctorProfile, ownSession } from './profile.js';
import { approveRequest, listRequests, rejectRequest, requestSuspension } from './suspension-requests.js';

const profileSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    title: z.enum(['chief', 'associate_chief', 'attending', 'resident']),
    titleLabel: z.string(),
    specialty: z.string(),
    department: z.object({ id: z.number().int(), name: z.string(), location: z.string().nullable() }),
  })
  .meta({ id: 'DoctorProfile' });

const requestStatus = z.enum(['pending', 'approved', 'rejected']);
const suspensionRequestSchema = z
  .object({
    id: z.number().int(),
    sessionId: z.number().int(),
    doctorId: z.number().int(),
    doctorName: z.string(),
    departmentName: z.string(),
    date: z.string(),
    period: z.enum(['morning', 'afternoon', 'evening']),
    startTime: z.string(),
    reason: z.string(),
    status: requestStatus,
    decidedBy: z.string().nullable().meta({ description: '审核人' }),
    decidedAt: z.iso.datetime().nullable(),
    rejectReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'SuspensionRequest' });
const reasonBody = z.strictObject({ reason: z.string().trim().min(1).max(200) });

async function myDoctorId(deps: AppDeps, principal: Principal): Promise<number> {
  return (await getDoctorProfile(deps.db, principal.userId)).id;
}

export const doctorRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/profile',
    tag: 'doctor',
    summary: '我的医生信息（科室、职称、擅长、出诊地点）',
    auth: ['doctor'],
    response: profileSchema,
    handler: ({ deps, principal }) => getDoctorProfile(deps.db, principal.userId),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/sessions/{id}/slots',
    tag: 'doctor',
    summary: '加号：为我的排班新增一个时段（号源即时可约）',
    auth: ['doctor'],
    params: idParams,
    body: z.strictObject({ startTime: localTimeSchema, endTime: localTimeSchema, capacity: z.number().int().min(1).max(200) }),
    response: sessionSchema,
    status: 201,
    errors: ['SESSION_NOT_FOUND', 'SESSION_TIMES_INVALID', 'SESSION_SUSPENDED', 'SESSION_IN_PAST'],
    handler: async ({ deps, principal, params, body, meta }) => {
      const session = await ownSession(deps.db, await myDoctorId(deps, principal), params.id);
      // Extra places only where patients can still come: not on a 停诊 session, not on a past day.
      if (session.status !== 'open') throw new AppError('SESSION_SUSPENDED');
      if (session.date < shanghaiDate(deps.clock.now())) throw new AppError('SESSION_IN_PAST', '不能为已过去的排班加号');
      return addSlot(deps, principal, params.id, body, meta);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/sessions/{id}/suspension-requests',
    tag: 'doctor',
    summary: '申请停诊（待管理员审核；通过后取消该场预约、退款并通知患者）',
    auth: ['doctor'],
    params: idParams,
    body: reasonBody,
    response: suspensionRequestSchema,
    status: 201,
    errors: ['SESSION_NOT_FOUND', 'SESSION_ALREADY_SUSPENDED', 'SESSION_STARTED', 'SUSPENSION_REQUEST_PENDING'],
    handler: async ({ deps, principal, params, body, meta }) => requestSuspension(deps, principal, await myDoctorId(deps, principal), params.id, body.reason, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/suspension-requests',
    tag: 'doctor',
    summary: '我的停诊申请及审核状态',
    auth: ['doctor'],
    response: z.object({ items: z.array(suspensionRequestSchema) }),
    handler: async ({ deps, principal }) => ({ items: await listRequests(deps.db, { doctorId: await myDoctorId(deps, principal) }) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/suspension-requests',
    tag: 'schedule',
    summary: '停诊申请列表（默认待审核）',
    auth: ['admin'],
    query: z.strictObject({ status: requestStatus.default('pending') }),
    response: z.object({ items: z.array(suspensionRequestSchema) }),
    handler: async ({ deps, query }) => ({ items: await listRequests(deps.db, { status: query.status }) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/suspension-requests/{id}/approve',
    tag: 'schedule',
    summary: '批准停诊申请（同一事务内停诊：取消预约、退款、通知患者）',
    auth: ['admin'],
    params: idParams,
    response: z.object({
      request: suspensionRequestSchema,
      suspension: z.object({ sessionId: z.number().int(), status: z.literal('suspended'), cancelledAppointments: z.number().int(), refundedAppointments: z.number().int(), notifiedPatients: z.number().int() }),
    }),
    errors: ['SUSPENSION_REQUEST_NOT_FOUND', 'SUSPENSION_REQUEST_DECIDED', 'SESSION_ALREADY_SUSPENDED', 'SESSION_STARTED'],
    handler: ({ deps, principal, params, meta }) => approveRequest(deps, principal, params.id, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/suspension-requests/{id}/reject',
    tag: 'schedule',
    summary: '驳回停诊申请（须填写原因，医生可见）',
    auth: ['admin'],
    params: idParams,
    body: reasonBody,
    response: suspensionRequestSchema,
    errors: ['SUSPENSION_REQUEST_NOT_FOUND', 'SUSPENSION_REQUEST_DECIDED'],
    handler: ({ deps, principal, params, body, meta }) => rejectRequest(deps, principal, params.id, body.reason, meta),
  }),
];
