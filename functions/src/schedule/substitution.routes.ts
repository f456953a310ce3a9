/** 替诊: an admin hands a session to another doctor of its department (substitution.ts). */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { substituteDoctor } from './substitution.js';

export const substitutionRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/sessions/{id}/substitute',
    tag: 'admin',
    summary: '替诊：将该次出诊交给同科室、同级或更高职称的医生，预约保留并通知患者（管理员）',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({
      doctorId: z.number().int().positive().meta({ description: '替诊医生' }),
      reason: z.string().trim().min(1).max(200).meta({ description: '替诊原因（记入审计日志）' }),
    }),
    response: z
      .object({
        sessionId: z.number().int(),
        fromDoctorId: z.number().int(),
        toDoctorId: z.number().int(),
        movedAppointments: z.number().int(),
        notifiedPatients: z.number().int(),
      })
      .meta({ id: 'Substitution' }),
    errors: [
      'SESSION_NOT_FOUND',
      'SESSION_SUSPENDED',
      'SESSION_STARTED',
      'DOCTOR_NOT_FOUND',
      'SUBSTITUTE_SAME_DOCTOR',
      'SUBSTITUTE_NOT_ACTIVE',
      'SUBSTITUTE_OTHER_DEPARTMENT',
      'SUBSTITUTE_TITLE_TOO_LOW',
      'SUBSTITUTE_BUSY',
    ],
    handler: ({ deps, principal, params, body, meta }) => substituteDoctor(deps, principal, params.id, body, meta),
  }),
];
