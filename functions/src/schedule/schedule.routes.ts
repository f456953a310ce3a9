/**
 * Schedules: admins manage every doctor's templates and sessions; a doctor manages their own
 * (`/doctor/…`, the doctor id comes from the login, never from the request).
 */
import * as z from 'zod';
import type { Principal } from '../context.js';
import type { AppDeps } from '../deps.js';
import { assertFeeEditable, ownSession } from '../doctor/profile.js';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { feeFenSchema, idParams, idSchema, localDateSchema, localTimeSchema } from '../schemas.js';
import { generateSessions } from './generator.js';
import { addSlot, createSession, doctorIdOfUser, findDoctor, listSessions, setSlotCapacity, updateSessionFee } from './sessions.js';
import { deleteTemplate, listTemplates, saveTemplate } from './templates.js';

export const sessionSchema = z
  .object({
    id: z.number().int(),
    doctorId: z.number().int(),
    departmentId: z.number().int(),
    date: localDateSchema,
    period: z.enum(['morning', 'afternoon', 'evening']),
    startTime: z.string(),
    endTime: z.string(),
    feeFen: z.number().int(),
    status: z.enum(['open', 'suspended']),
    suspendReason: z.string().nullable(),
    releaseAt: z.iso.datetime(),
    fromTemplate: z.boolean(),
    slots: z.array(z.object({ id: z.number().int(), startTime: z.string(), endTime: z.string(), capacity: z.number().int(), remaining: z.number().int(), booked: z.number().int() })),
  })
  .meta({ id: 'ClinicSession' });

const sessionShape = {
  date: localDateSchema,
  startTime: localTimeSchema,
  endTime: localTimeSchema,
  slotMinutes: z.number().int().min(5).max(240),
  capacityPerSlot: z.number().int().min(1).max(200),
  feeFen: feeFenSchema,
};
const templateInput = z.strictObject({
  weekday: z.number().int().min(1).max(7).meta({ description: '星期：1=周一 … 7=周日' }),
  startTime: localTimeSchema,
  endTime: localTimeSchema,
  slotMinutes: z.number().int().min(5).max(240),
  capacityPerSlot: z.number().int().min(1).max(200),
  feeFen: feeFenSchema,
  active: z.boolean().default(true),
});
const templateSchema = z
  .object({
    id: z.number().int(),
    doctorId: z.number().int(),
    weekday: z.number().int(),
    period: z.enum(['morning', 'afternoon', 'evening']),
    startTime: z.string(),
    endTime: z.string(),
    slotMinutes: z.number().int(),
    capacityPerSlot: z.number().int(),
    feeFen: z.number().int(),
    active: z.boolean(),
  })
  .meta({ id: 'ScheduleTemplate' });
const templates = z.object({ items: z.array(templateSchema) });
const range = z.strictObject({ from: localDateSchema.optional(), to: localDateSchema.optional() });
const sessionErrors = ['DOCTOR_NOT_FOUND', 'SESSION_EXISTS', 'SESSION_TIMES_INVALID', 'SESSION_IN_PAST'] as const;
const templateParams = z.strictObject({ id: idSchema, templateId: idSchema });

/** For /doctor/… routes: the session or slot must be the caller's own. */
async function ownSessionOf(deps: AppDeps, principal: Principal, which: { sessionId?: number; slotId?: number }): Promise<void> {
  const doctorId = await doctorIdOfUser(deps.db, principal.userId);
  const row = which.slotId !== undefined
    ? await deps.db.selectFrom('slot').innerJoin('clinic_session as s', 's.id', 'slot.session_id').select('s.doctor_id').where('slot.id', '=', which.slotId).executeTakeFirst()
    : await deps.db.selectFrom('clinic_session').select('doctor_id').where('id', '=', which.sessionId!).executeTakeFirst();
  // Someone else's session reads as missing: ids reveal nothing.
  if (!row || row.doctor_id !== doctorId) throw new AppError('SESSION_NOT_FOUND');
}

export const scheduleRoutes = [
  // ---- admin
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/sessions',
    tag: 'schedule',
    summary: '排班列表（按医生 / 科室 / 日期筛选）',
    auth: ['admin'],
    query: range.extend({ doctorId: idSchema.optional(), departmentId: idSchema.optional() }),
    response: z.object({ items: z.array(sessionSchema) }),
    handler: async ({ deps, query }) => ({ items: await listSessions(deps.db, query) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/sessions',
    tag: 'schedule',
    summary: '新增排班（按时段长度和每时段号源数生成号源）',
    auth: ['admin'],
    body: z.strictObject({ doctorId: z.number().int().positive(), ...sessionShape }),
    response: sessionSchema,
    status: 201,
    errors: sessionErrors,
    handler: ({ deps, principal, body, meta }) => createSession(deps, principal, body, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/sessions/{id}',
    tag: 'schedule',
    summary: '修改排班挂号费（已预约的订单费用不变）',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({ feeFen: feeFenSchema }),
    response: sessionSchema,
    errors: ['SESSION_NOT_FOUND'],
    handler: ({ deps, principal, params, body, meta }) => updateSessionFee(deps, principal, params.id, body.feeFen, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/sessions/{id}/slots',
    tag: 'schedule',
    summary: '加号：为排班新增一个时段',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({ startTime: localTimeSchema, endTime: localTimeSchema, capacity: z.number().int().min(1).max(200) }),
    response: sessionSchema,
    status: 201,
    errors: ['SESSION_NOT_FOUND', 'SESSION_TIMES_INVALID'],
    handler: ({ deps, principal, params, body, meta }) => addSlot(deps, principal, params.id, body, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/slots/{id}/capacity',
    tag: 'schedule',
    summary: '调整时段号源数（不少于已预约人数）',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({ capacity: z.number().int().min(0).max(200) }),
    response: sessionSchema,
    errors: ['SLOT_NOT_FOUND', 'CAPACITY_BELOW_BOOKED', 'CAPACITY_ABOVE_RANGE'],
    handler: ({ deps, principal, params, body, meta }) => setSlotCapacity(deps, principal, params.id, body.capacity, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/doctors/{id}/templates',
    tag: 'schedule',
    summary: '医生出诊模板',
    auth: ['admin'],
    params: idParams,
    response: templates,
    handler: async ({ deps, params }) => ({ items: await listTemplates(deps, params.id) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/doctors/{id}/templates',
    tag: 'schedule',
    summary: '新增出诊模板',
    auth: ['admin'],
    params: idParams,
    body: templateInput,
    response: templates,
    status: 201,
    errors: ['TEMPLATE_NOT_FOUND', 'DOCTOR_NOT_FOUND', 'SESSION_EXISTS', 'SESSION_TIMES_INVALID'],
    handler: async ({ deps, principal, params, body, meta }) => {
      await findDoctor(deps.db, params.id);
      return { items: await saveTemplate(deps, principal, params.id, undefined, body, meta) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/doctors/{id}/templates/{templateId}',
    tag: 'schedule',
    summary: '修改出诊模板（未放号的排班随之更新）',
    auth: ['admin'],
    params: templateParams,
    body: templateInput,
    response: templates,
    errors: ['TEMPLATE_NOT_FOUND', 'DOCTOR_NOT_FOUND', 'SESSION_EXISTS', 'SESSION_TIMES_INVALID'],
    handler: async ({ deps, principal, params, body, meta }) => ({ items: await saveTemplate(deps, principal, params.id, params.templateId, body, meta) }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/admin/doctors/{id}/templates/{templateId}',
    tag: 'schedule',
    summary: '删除出诊模板',
    auth: ['admin'],
    params: templateParams,
    response: templates,
    errors: ['TEMPLATE_NOT_FOUND', 'DOCTOR_NOT_FOUND'],
    handler: async ({ deps, principal, params, meta }) => ({ items: await deleteTemplate(deps, principal, params.id, params.templateId, meta) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/schedule/generate',
    tag: 'schedule',
    summary: '立即按出诊模板生成排班（每日定时任务也会执行）',
    auth: ['admin'],
    response: z.object({ created: z.number().int(), rebuilt: z.number().int(), removed: z.number().int(), from: localDateSchema, to: localDateSchema }),
    handler: ({ deps }) => generateSessions(deps),
  }),
  // ---- doctor (own schedule)
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/sessions',
    tag: 'doctor',
    summary: '我的排班',
    auth: ['doctor'],
    query: range,
    response: z.object({ items: z.array(sessionSchema) }),
    handler: async ({ deps, principal, query }) => ({ items: await listSessions(deps.db, { ...query, doctorId: await doctorIdOfUser(deps.db, principal.userId) }) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/sessions',
    tag: 'doctor',
    summary: '新增我的排班',
    auth: ['doctor'],
    body: z.strictObject(sessionShape),
    response: sessionSchema,
    status: 201,
    errors: sessionErrors,
    handler: async ({ deps, principal, body, meta }) => createSession(deps, principal, { ...body, doctorId: await doctorIdOfUser(deps.db, principal.userId) }, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/doctor/sessions/{id}',
    tag: 'doctor',
    summary: '修改我的排班挂号费（放号前）',
    auth: ['doctor'],
    params: idParams,
    body: z.strictObject({ feeFen: feeFenSchema }),
    response: sessionSchema,
    errors: ['SESSION_NOT_FOUND', 'SESSION_RELEASED'],
    handler: async ({ deps, principal, params, body, meta }) => {
      assertFeeEditable(await ownSession(deps.db, await doctorIdOfUser(deps.db, principal.userId), params.id), deps.clock.now());
      return updateSessionFee(deps, principal, params.id, body.feeFen, meta);
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/doctor/slots/{id}/capacity',
    tag: 'doctor',
    summary: '调整我的时段号源数',
    auth: ['doctor'],
    params: idParams,
    body: z.strictObject({ capacity: z.number().int().min(0).max(200) }),
    response: sessionSchema,
    errors: ['SLOT_NOT_FOUND', 'CAPACITY_BELOW_BOOKED', 'CAPACITY_ABOVE_RANGE'],
    handler: async ({ deps, principal, params, body, meta }) => {
      await ownSessionOf(deps, principal, { slotId: params.id });
      return setSlotCapacity(deps, principal, params.id, body.capacity, meta);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/templates',
    tag: 'doctor',
    summary: '我的出诊模板',
    auth: ['doctor'],
    response: templates,
    handler: async ({ deps, principal }) => ({ items: await listTemplates(deps, await doctorIdOfUser(deps.db, principal.userId)) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/doctor/templates',
    tag: 'doctor',
    summary: '新增我的出诊模板',
    auth: ['doctor'],
    body: templateInput,
    response: templates,
    status: 201,
    errors: ['SESSION_EXISTS', 'SESSION_TIMES_INVALID'],
    handler: async ({ deps, principal, body, meta }) => ({ items: await saveTemplate(deps, principal, await doctorIdOfUser(deps.db, principal.userId), undefined, body, meta) }),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/doctor/templates/{id}',
    tag: 'doctor',
    summary: '修改我的出诊模板',
    auth: ['doctor'],
    params: idParams,
    body: templateInput,
    response: templates,
    errors: ['TEMPLATE_NOT_FOUND', 'DOCTOR_NOT_FOUND', 'SESSION_EXISTS', 'SESSION_TIMES_INVALID'],
    handler: async ({ deps, principal, params, body, meta }) => ({ items: await saveTemplate(deps, principal, await doctorIdOfUser(deps.db, principal.userId), params.id, body, meta) }),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/doctor/templates/{id}',
    tag: 'doctor',
    summary: '删除我的出诊模板',
    auth: ['doctor'],
    params: idParams,
    response: templates,
    errors: ['TEMPLATE_NOT_FOUND', 'DOCTOR_NOT_FOUND'],
    handler: async ({ deps, principal, params, meta }) => ({ items: await deleteTemplate(deps, principal, await doctorIdOfUser(deps.db, principal.userId), params.id, meta) }),
  }),
];

