/** Public catalogue (no login); its admin management: catalog-admin.routes.ts. */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams, idSchema, localDateSchema } from '../schemas.js';
import { doctorCalendar } from './calendar.js';
import { departmentTree, getDepartment, getDoctor, listDoctors } from './catalog.js';

export const titleSchema = z.enum(['chief', 'associate_chief', 'attending', 'resident']).meta({ description: '主任医师/副主任医师/主治医师/住院医师' });
const periodSchema = z.enum(['morning', 'afternoon', 'evening']);

const departmentBase = z.object({ id: z.number().int(), code: z.string(), name: z.string(), intro: z.string().nullable(), location: z.string().nullable(), parentId: z.number().int().nullable() });
type DepartmentNodeShape = z.infer<typeof departmentBase> & { children: DepartmentNodeShape[] };
const departmentNode: z.ZodType<DepartmentNodeShape> = departmentBase
  .extend({ get children() { return z.array(departmentNode); } })
  .meta({ id: 'DepartmentNode' });

/** What patients and admins both see of a doctor. */
export const doctorProfile = z.object({
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
];
