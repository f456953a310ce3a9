/**
 * The visit flow's patient routes: 签到 and live status. The doctor's queue screen:
 * visit-doctor.routes.ts; the admin's bans: visit-admin.routes.ts.
 */
import * as z from 'zod';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { appointmentStatuses } from '../booking/appointment-view.js';
import { checkIn } from './check-in.js';
import { queueStatus } from './queue.js';

const status = z.enum(appointmentStatuses);

const queueStatusSchema = z
  .object({
    appointmentId: z.number().int(),
    status,
    queueNumber: z.number().int(),
    ahead: z.number().int().nullable().meta({ description: '前面还有几位候诊患者（仅已签到时）' }),
    callingNumber: z.number().int().nullable().meta({ description: '本场正在叫号/就诊的序号' }),
    room: z.string().meta({ description: '就诊地点：科室 诊室' }),
    message: z.string().meta({ description: '给患者看的当前状态' }),
    checkIn: z.object({ opensAt: z.iso.datetime(), closesAt: z.iso.datetime(), open: z.boolean().meta({ description: '现在可以签到' }) }),
  })
  .meta({ id: 'QueueStatus' });


export const visitRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/appointments/{id}/check-in',
    tag: 'visit',
    summary: '签到（本人预约，就诊时段开始前 N 分钟至开始后 M 分钟；过号后可重新签到）',
    auth: ['patient'],
    params: idParams,
    response: queueStatusSchema,
    errors: ['APPOINTMENT_NOT_FOUND', 'CHECK_IN_NOT_OPEN', 'CHECK_IN_CLOSED', 'VISIT_STATE_CONFLICT', 'PASS_LIMIT_REACHED', 'SESSION_SUSPENDED'],
    handler: async ({ deps, principal, params, meta }) => {
      await checkIn(deps, { kind: 'patient', principal }, params.id, meta);
      return (await queueStatus(deps.db, principal.userId, params.id, deps.clock.now()))!;
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/appointments/{id}/queue',
    tag: 'visit',
    summary: '就诊进度：前面还有几人、正在叫号、就诊地点（轮询，单次查询）',
    auth: ['patient'],
    params: idParams,
    response: queueStatusSchema,
    errors: ['APPOINTMENT_NOT_FOUND'],
    handler: async ({ deps, principal, params }) => {
      const found = await queueStatus(deps.db, principal.userId, params.id, deps.clock.now());
      if (!found) throw new AppError('APPOINTMENT_NOT_FOUND');
      return found;
    },
  }),
];
