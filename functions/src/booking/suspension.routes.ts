/**
 * 停诊 of a session, by an admin or by its doctor: thin handlers over suspend.ts. Each route is
 * served by its audience's function (http/audience.ts), so neither is in the patient's bundle.
 */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { suspendSession } from './suspend.js';

const suspensionSchema = z
  .object({
    sessionId: z.number().int(),
    status: z.literal('suspended'),
    cancelledAppointments: z.number().int(),
    refundedAppointments: z.number().int(),
    notifiedPatients: z.number().int(),
  })
  .meta({ id: 'SessionSuspension' });
const suspendBody = z.strictObject({ reason: z.string().trim().min(1).max(200).meta({ description: '停诊原因，将通知患者' }) });
const suspendErrors = ['SESSION_NOT_FOUND', 'SESSION_ALREADY_SUSPENDED', 'SESSION_STARTED'] as const;

export const adminSuspensionRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/sessions/{id}/suspend',
    tag: 'admin',
    summary: '停诊：取消该次出诊的全部待就诊预约、退款并通知患者（管理员）',
    auth: ['admin'],
    params: idParams,
    body: suspendBody,
    response: suspensionSchema,
    errors: suspendErrors,
    handler: ({ params, body, deps, principal, meta }) => suspendSession(deps, principal, params.id, body.reason, meta),
  }),
];

export const doctorSuspensionRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/sessions/{id}/suspend',
    tag: 'doctor',
    summary: '停诊：取消本人该次出诊的全部待就诊预约、退款并通知患者（医生）',
    auth: ['doctor'],
    params: idParams,
    body: suspendBody,
    response: suspensionSchema,
    errors: suspendErrors,
    handler: ({ params, body, deps, principal, meta }) => suspendSession(deps, principal, params.id, body.reason, meta),
  }),
];
