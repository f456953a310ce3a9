/**
 * The doctor workstation's own routes beside the schedule ones (schedule/schedule.routes.ts):
 * who am I, and 加号 on my own session. The doctor always comes from the login.
 */
import * as z from 'zod';
import type { AppDeps } from '../http/deps.js';
import { defineRoute, type Principal } from '../http/route.js';
import { idParams, localTimeSchema } from '../http/schemas.js';
import { sessionSchema } from '../schedule/schedule.routes.js';
import { addSlot } from '../schedule/sessions.js';
import { shanghaiDate } from '../time/shanghai.js';
import { AppError } from '../errors.js';
import { getDoctorProfile, ownSession } from './profile.js';

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
];
