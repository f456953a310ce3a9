/**
 * Schedules: admins manage every doctor's templates and sessions; a doctor manages their own
 * (`/doctor/…`, the doctor id comes from the login, never from the request).
 */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { feeFenSchema, idParams, idSchema, localDateSchema, localTimeSchema } from '../schemas.js';
import { generateSessionsFor, LISTED_LIMIT, MAX_RANGE_DAYS } from './generator.js';
import {
  createOwnSession,
  deleteOwnTemplate,
  listOwnSessions,
  listOwnTemplates,
  saveOwnTemplate,
  setOwnSlotCapacity,
  updateOwnSessionFee,
} from '../doctor/own-schedule.js';
import { addSlot, createSession, listSessions, setSlotCapacity, updateSessionFee } from './sessions.js';
import { createTemplate, deleteTemplate, listTemplates, saveTemplate } from './templates.js';

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
const sessionErrors = ['DOCTOR_NOT_FOUND', 'SESSION_EXISTS', 'SESSION_TIMES_INVALID', 'SESSION_IN_PAST', 'DEPARTMENT_INACTIVE'] as const;
const templateParams = z.strictObject({ id: idSchema, templateId: idSchema });
const period = z.enum(['morning', 'afternoon', 'evening']);
const generateInput = z
  .strictObject({
    from: localDateSchema.optional().meta({ description: '开始日期（北京时间，不早于今天）；与 to 同时给出，省略则按默认范围' }),
    to: localDateSchema.optional().meta({ description: `结束日期（含），距开始日期最多 ${MAX_RANGE_DAYS} 天（含两端）` }),
    departmentId: z.number().int().positive().optional().meta({ description: '只生成该科室（含其小科）医生的排班' }),
    doctorId: z.number().int().positive().optional().meta({ description: '只生成该医生的排班' }),
  })
  .default({});
const generatedEntry = {
  doctorId: z.number().int(),
  doctorName: z.string(),
  departmentId: z.number().int(),
  departmentName: z.string(),
  date: localDateSchema,
  period,
  startTime: z.string(),
  endTime: z.string(),
};
const generationReport = z
  .object({
    created: z.number().int(),
    rebuilt: z.number().int(),
    removed: z.number().int(),
    skipped: z.number().int(),
    from: localDateSchema,
    to: localDateSchema,
    sessions: z
      .array(z.object({ ...generatedEntry, sessionId: z.number().int(), capacity: z.number().int(), outcome: z.enum(['created', 'rebuilt']) }))
      .meta({ description: `本次新生成（created）或按模板重建（rebuilt）的排班，最多列出 ${LISTED_LIMIT} 条` }),
    skippedSessions: z
      .array(
        z.object({
          ...generatedEntry,
          reason: z.enum(['exists', 'edited', 'suspended', 'handed_over', 'template_inactive', 'doctor_inactive', 'department_inactive']),
          sessionId: z.number().int().nullable(),
        }),
      )
      .meta({
        description: `未生成的排班及原因，最多列出 ${LISTED_LIMIT} 条：exists 已生成；edited 已有手工创建或修改过的排班；suspended 已停诊；handed_over 已由他人替诊；template_inactive 模板停用；doctor_inactive 医生停诊；department_inactive 科室停用`,
      }),
  })
  .meta({ id: 'GenerationReport' });

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
    handler: async ({ deps, principal, params, body, meta }) => ({ items: await createTemplate(deps, principal, params.id, body, meta) }),
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
    summary: '按出诊模板生成排班：可选日期范围（北京时间，最长 62 天）和科室 / 医生；返回新生成的排班和未生成的原因（每日定时任务按默认范围执行）',
    auth: ['admin'],
    body: generateInput,
    response: generationReport,
    errors: ['GENERATE_RANGE_INVALID', 'GENERATE_RANGE_IN_PAST', 'GENERATE_RANGE_TOO_LONG', 'DEPARTMENT_NOT_FOUND', 'DOCTOR_NOT_FOUND'],
    handler: ({ deps, principal, body, meta }) => generateSessionsFor(deps, principal, body, meta),
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
    handler: async ({ deps, principal, query }) => ({ items: await listOwnSessions(deps.db, principal, query) }),
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
    handler: ({ deps, principal, body, meta }) => createOwnSession(deps, principal, body, meta),
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
    handler: ({ deps, principal, params, body, meta }) => updateOwnSessionFee(deps, principal, params.id, body.feeFen, meta),
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
    handler: ({ deps, principal, params, body, meta }) => setOwnSlotCapacity(deps, principal, params.id, body.capacity, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctor/templates',
    tag: 'doctor',
    summary: '我的出诊模板',
    auth: ['doctor'],
    response: templates,
    handler: async ({ deps, principal }) => ({ items: await listOwnTemplates(deps, principal) }),
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
    handler: async ({ deps, principal, body, meta }) => ({ items: await saveOwnTemplate(deps, principal, undefined, body, meta) }),
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
    handler: async ({ deps, principal, params, body, meta }) => ({ items: await saveOwnTemplate(deps, principal, params.id, body, meta) }),
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
    handler: async ({ deps, principal, params, meta }) => ({ items: await deleteOwnTemplate(deps, principal, params.id, meta) }),
  }),
];

