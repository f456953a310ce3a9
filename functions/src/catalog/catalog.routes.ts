/** Public catalogue (no login) and its admin management. */
import * as z from 'zod';
import { passwordSchema, phoneSchema } from '../auth/schemas.js';
import { defineRoute } from '../http/route.js';
import { feeFenSchema, idParams, idSchema, localDateSchema } from '../schemas.js';
import { doctorCalendar } from './calendar.js';
import { departmentTree, getDepartment, getDoctor, listDoctors } from './catalog.js';
import { createDoctor, listDepartmentsForAdmin, listDoctorsForAdmin, saveDepartment, updateDoctor } from './catalog-admin.js';

const titleSchema = z.enum(['chief', 'associate_chief', 'attending', 'resident']).meta({ description: '主任医师/副主任医师/主治医师/住院医师' });
const periodSchema = z.enum(['morning', 'afternoon', 'evening']);

const departmentBase = z.object({ id: z.number().int(), code: z.string(), name: z.string(), intro: z.string().nullable(), location: z.string().nullable(), parentId: z.number().int().nullable() });
type DepartmentNodeShape = z.infer<typeof departmentBase> & { children: DepartmentNodeShape[] };
const departmentNode: z.ZodType<DepartmentNodeShape> = departmentBase
  .extend({ get children() { return z.array(departmentNode); } })
  .meta({ id: 'DepartmentNode' });

/** What patients and admins both see of a doctor. */
const doctorProfile = z.object({
  id: z.number().int(),
  name: z.string(),
  title: titleSchema,
  titleLabel: z.string(),
  specialty: z.string(),
  intro: z.string().nullable(),
  photoUrl: z.string().nullable(),
});
const doctorCard = doctorProfile
  .extend({
    feeFen: z.number().int(),
    department: z.object({ id: z.number().int(), name: z.string(), location: z.string().nullable() }),
    availability: z.array(z.object({ date: localDateSchema, remaining: z.number().int(), released: z.boolean() })),
  })
  .meta({ id: 'DoctorCard' });

const slotState = z.enum(['available', 'full', 'not_released', 'suspended', 'past']);
const calendarSchema = z.object({
  from: localDateSchema,
  to: localDateSchema,
  sessions: z.array(
    z.object({
      id: z.number().int(),
      date: localDateSchema,
      period: periodSchema,
      periodLabel: z.string(),
      startTime: z.string(),
      endTime: z.string(),
      feeFen: z.number().int(),
      status: z.enum(['open', 'suspended']),
      suspendReason: z.string().nullable(),
      releaseAt: z.iso.datetime().meta({ description: '放号时间（UTC）' }),
      remaining: z.number().int(),
      slots: z.array(
        z.object({
          id: z.number().int(),
          startTime: z.string(),
          endTime: z.string(),
          capacity: z.number().int(),
          remaining: z.number().int(),
          state: slotState.meta({ description: '可预约 / 已约满 / 未放号 / 停诊 / 已过期' }),
          stateLabel: z.string(),
        }),
      ),
    }),
  ),
});

const departmentInput = z.strictObject({
  code: z.string().trim().regex(/^[A-Z0-9_]{1,20}$/, '科室编码为 1–20 位大写字母或数字'),
  name: z.string().trim().min(1).max(50),
  parentId: z.number().int().positive().nullable().default(null),
  intro: z.string().trim().max(2000).nullable().default(null),
  location: z.string().trim().max(100).nullable().default(null),
  sortOrder: z.number().int().min(0).max(9999).default(0),
  active: z.boolean().default(true),
});
const departmentAdmin = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  parentId: z.number().int().nullable(),
  intro: z.string().nullable(),
  location: z.string().nullable(),
  sortOrder: z.number().int(),
  active: z.boolean(),
  doctorCount: z.number().int(),
});
const doctorInput = z.strictObject({
  departmentId: z.number().int().positive(),
  name: z.string().trim().min(2).max(50),
  title: titleSchema,
  specialty: z.string().trim().max(255).default(''),
  intro: z.string().trim().max(2000).nullable().default(null),
  photoUrl: z.url({ protocol: /^https?$/ }).max(500).nullable().default(null),
  defaultFeeFen: feeFenSchema,
  sortOrder: z.number().int().min(0).max(9999).default(0),
  active: z.boolean().default(true),
});
const doctorAdmin = doctorProfile.extend({
  userId: z.number().int(),
  departmentId: z.number().int(),
  departmentName: z.string(),
  defaultFeeFen: z.number().int(),
  sortOrder: z.number().int(),
  active: z.boolean(),
  phone: z.string(),
});

export const catalogRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/departments',
    tag: 'catalogue',
    summary: '科室列表（大科 → 小科）',
    auth: 'public',
    response: z.object({ items: z.array(departmentNode) }),
    handler: async ({ deps }) => ({ items: await departmentTree(deps.db) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/departments/{id}',
    tag: 'catalogue',
    summary: '科室详情',
    auth: 'public',
    params: idParams,
    response: departmentBase,
    errors: ['DEPARTMENT_NOT_FOUND'],
    handler: ({ deps, params }) => getDepartment(deps.db, params.id),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctors',
    tag: 'catalogue',
    summary: '医生列表：按科室（含其小科）或按姓名 / 擅长 / 科室名搜索，附近期余号',
    auth: 'public',
    query: z.strictObject({
      departmentId: idSchema.optional(),
      q: z.string().trim().min(1).max(50).optional(),
    }),
    response: z.object({ items: z.array(doctorCard) }),
    handler: async ({ deps, query }) => ({ items: await listDoctors(deps.db, query, deps.clock.now()) }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctors/{id}',
    tag: 'catalogue',
    summary: '医生详情',
    auth: 'public',
    params: idParams,
    response: doctorCard,
    errors: ['DOCTOR_NOT_FOUND'],
    handler: ({ deps, params }) => getDoctor(deps.db, params.id, deps.clock.now()),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/doctors/{id}/sessions',
    tag: 'catalogue',
    summary: '医生出诊日历：各场次的时段、余号及能否预约（含原因）',
    auth: 'public',
    params: idParams,
    query: z.strictObject({ from: localDateSchema.optional(), to: localDateSchema.optional() }),
    response: calendarSchema,
    errors: ['DOCTOR_NOT_FOUND'],
    handler: ({ deps, params, query }) => doctorCalendar(deps.db, params.id, query, deps.clock.now()),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/departments',
    tag: 'admin',
    summary: '科室管理：全部科室（含停用）',
    auth: ['admin'],
    response: z.object({ items: z.array(departmentAdmin) }),
    handler: async ({ deps }) => ({ items: await listDepartmentsForAdmin(deps.db) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/departments',
    tag: 'admin',
    summary: '新增科室',
    auth: ['admin'],
    body: departmentInput,
    response: departmentAdmin,
    status: 201,
    errors: ['DEPARTMENT_CODE_TAKEN', 'DEPARTMENT_PARENT_INVALID'],
    handler: ({ deps, principal, body, meta }) => saveDepartment(deps, principal, undefined, body, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/departments/{id}',
    tag: 'admin',
    summary: '修改科室（停用后患者端不再显示）',
    auth: ['admin'],
    params: idParams,
    body: departmentInput,
    response: departmentAdmin,
    errors: ['DEPARTMENT_NOT_FOUND', 'DEPARTMENT_CODE_TAKEN', 'DEPARTMENT_PARENT_INVALID'],
    handler: ({ deps, principal, params, body, meta }) => saveDepartment(deps, principal, params.id, body, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/doctors',
    tag: 'admin',
    summary: '医生管理：全部医生（含停用）',
    auth: ['admin'],
    query: z.strictObject({ departmentId: idSchema.optional() }),
    response: z.object({ items: z.array(doctorAdmin) }),
    handler: async ({ deps, query }) => ({ items: await listDoctorsForAdmin(deps.db, query.departmentId) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/doctors',
    tag: 'admin',
    summary: '新增医生（同时创建其登录账号）',
    auth: ['admin'],
    body: doctorInput.extend({ phone: phoneSchema, password: passwordSchema }),
    response: doctorAdmin,
    status: 201,
    errors: ['DEPARTMENT_NOT_FOUND', 'PHONE_ALREADY_REGISTERED'],
    handler: ({ deps, principal, body, meta }) => createDoctor(deps, principal, body, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/doctors/{id}',
    tag: 'admin',
    summary: '修改医生信息',
    auth: ['admin'],
    params: idParams,
    body: doctorInput,
    response: doctorAdmin,
    errors: ['DOCTOR_NOT_FOUND', 'DEPARTMENT_NOT_FOUND'],
    handler: ({ deps, principal, params, body, meta }) => updateDoctor(deps, principal, params.id, body, meta),
  }),
];
