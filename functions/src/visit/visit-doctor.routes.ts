/**
 * The visit flow's doctor routes, the queue screen: 签到 at the desk, 叫号, 复呼, 过号, 开始,
 * 完成, patient detail. The doctor always comes from the login; another doctor's session or
 * appointment reads as missing.
 */
import * as z from 'zod';
import type { Principal } from '../context.js';
import type { AppDeps } from '../deps.js';
import { getDoctorProfile, ownSession } from '../doctor/profile.js';
import { defineRoute } from '../http/route.js';
import { idParams, localDateSchema } from '../schemas.js';
import { appointmentStatuses } from '../booking/appointment-view.js';
import { checkIn } from './check-in.js';
import { patientDetail } from './patient-detail.js';
import { countsByDoctorDay, sessionQueue } from './queue.js';
import { callNext, visitStep, type Doctor, type VisitStep } from './visit.js';

const status = z.enum(appointmentStatuses);
const period = z.enum(['morning', 'afternoon', 'evening']);

const entrySchema = z
  .object({
    appointmentId: z.number().int(),
    queueNumber: z.number().int(),
    patientName: z.string(),
    gender: z.enum(['male', 'female']),
    status,
    slotStart: z.string(),
    late: z.boolean().meta({ description: '迟到或过号返回（插在按时患者之间）' }),
    passedCount: z.number().int(),
    checkedInAt: z.iso.datetime().nullable(),
    calledAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'QueueEntry' });

const countsSchema = z
  .object({
    total: z.number().int(),
    checkedIn: z.number().int().meta({ description: '已签到（含已叫号、就诊中、已完成）' }),
    waiting: z.number().int().meta({ description: '候诊' }),
    completed: z.number().int(),
    passed: z.number().int(),
    noShow: z.number().int(),
  })
  .meta({ id: 'QueueCounts' });

const sessionQueueSchema = z
  .object({
    session: z.object({
      id: z.number().int(),
      date: z.string(),
      period,
      startTime: z.string(),
      endTime: z.string(),
      status: z.enum(['open', 'suspended']),
      departmentName: z.string(),
      room: z.string(),
    }),
    counts: countsSchema,
    current: entrySchema.nullable().meta({ description: '正在叫号或就诊的患者' }),
    waiting: z.array(entrySchema).meta({ description: '候诊队列，按叫号顺序' }),
    passed: z.array(entrySchema),
    notArrived: z.array(entrySchema).meta({ description: '尚未签到' }),
  })
  .meta({ id: 'SessionQueue' });

const patientDetailSchema = z
  .object({
    appointmentId: z.number().int(),
    queueNumber: z.number().int(),
    status: z.string(),
    realName: z.string(),
    gender: z.enum(['male', 'female']),
    age: z.number().int(),
    idType: z.enum(['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent']),
    idTypeLabel: z.string(),
    idNumberMasked: z.string(),
    healthRecord: z.object({
      bloodType: z.string(),
      rhFactor: z.string(),
      allergies: z.string(),
      chronicConditions: z.string(),
      medications: z.string(),
      notes: z.string(),
      updatedAt: z.iso.datetime().nullable(),
    }),
  })
  .meta({ id: 'VisitPatientDetail' });


async function asDoctor(deps: AppDeps, principal: Principal): Promise<Doctor> {
  return { principal, doctorId: (await getDoctorProfile(deps.db, principal.userId)).id };
}

const STEPS: Array<{ path: string; step: VisitStep; summary: string }> = [
  { path: 'recall', step: 'recall', summary: '复呼：再次呼叫当前患者' },
  { path: 'pass', step: 'pass', summary: '过号：叫号未到（返回后重新签到，排在几位患者之后）' },
  { path: 'start', step: 'startVisit', summary: '开始就诊' },
  { path: 'complete', step: 'complete', summary: '完成就诊' },
];

export const visitDoctorRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/sessions/{id}/queue',
    tag: 'visit',
    summary: '我的候诊队列：计数、当前患者、候诊/过号/未签到列表',
    auth: ['doctor'],
    params: idParams,
    response: sessionQueueSchema,
    errors: ['SESSION_NOT_FOUND'],
    handler: async ({ deps, principal, params }) => {
      const doctor = await asDoctor(deps, principal);
      await ownSession(deps.db, doctor.doctorId, params.id);
      return sessionQueue(deps.db, params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/queue-counts',
    tag: 'visit',
    summary: '今日：我当天各场出诊的人数（总数、已签到、候诊、已完成、过号、爽约）',
    auth: ['doctor'],
    query: z.strictObject({ date: localDateSchema }),
    response: z.object({ items: z.array(z.object({ sessionId: z.number().int(), counts: countsSchema })) }),
    handler: async ({ deps, principal, query }) => ({ items: await countsByDoctorDay(deps.db, (await asDoctor(deps, principal)).doctorId, query.date) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/sessions/{id}/call-next',
    tag: 'visit',
    summary: '叫号：呼叫队列中的下一位（同一时间只叫一位）',
    auth: ['doctor'],
    params: idParams,
    response: sessionQueueSchema,
    errors: ['SESSION_NOT_FOUND', 'SESSION_SUSPENDED', 'QUEUE_EMPTY', 'QUEUE_BUSY'],
    handler: async ({ deps, principal, params, meta }) => {
      await callNext(deps, await asDoctor(deps, principal), params.id, meta);
      return sessionQueue(deps.db, params.id);
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/appointments/{id}/check-in',
    tag: 'visit',
    summary: '为我的患者签到（分诊台/诊室）',
    auth: ['doctor'],
    params: idParams,
    response: sessionQueueSchema,
    errors: ['APPOINTMENT_NOT_FOUND', 'CHECK_IN_NOT_OPEN', 'CHECK_IN_CLOSED', 'VISIT_STATE_CONFLICT', 'PASS_LIMIT_REACHED', 'SESSION_SUSPENDED'],
    handler: async ({ deps, principal, params, meta }) => {
      const doctor = await asDoctor(deps, principal);
      const { sessionId } = await checkIn(deps, { kind: 'doctor', principal, doctorId: doctor.doctorId }, params.id, meta);
      return sessionQueue(deps.db, sessionId);
    },
  }),
  ...STEPS.map(({ path, step, summary }) =>
    defineRoute({
      method: 'POST',
      path: `/api/v1/doctor/appointments/{id}/${path}`,
      tag: 'visit',
      summary,
      auth: ['doctor'],
      params: idParams,
      response: sessionQueueSchema,
      errors: ['APPOINTMENT_NOT_FOUND', 'VISIT_STATE_CONFLICT'],
      handler: async ({ deps, principal, params, meta }) => {
        const { sessionId } = await visitStep(deps, await asDoctor(deps, principal), params.id, step, meta);
        return sessionQueue(deps.db, sessionId);
      },
    }),
  ),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/appointments/{id}/patient',
    tag: 'visit',
    summary: '就诊患者信息与健康档案（仅本人队列中已签到/叫号/就诊中的患者；每次查看均记录审计）',
    auth: ['doctor'],
    params: idParams,
    response: patientDetailSchema,
    errors: ['APPOINTMENT_NOT_FOUND', 'FORBIDDEN'],
    handler: async ({ deps, principal, params, meta }) => patientDetail(deps, await asDoctor(deps, principal), params.id, meta),
  }),
];
