/** The catalogue's admin management (科室管理, 医生管理): the admin's function only (http/audience.ts). */
import * as z from 'zod';
import { passwordSchema, phoneSchema } from '../auth/schemas.js';
import { defineRoute } from '../http/route.js';
import { feeFenSchema, idParams, idSchema } from '../schemas.js';
import { createDoctor, listDepartmentsForAdmin, listDoctorsForAdmin, saveDepartment, updateDoctor } from './catalog-admin.js';
import { doctorProfile, titleSchema } from './catalog.routes.js';
import { reorderDepartments } from './department-order.js';

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

export const catalogAdminRoutes = [
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
    summary: '修改科室（停用后患者端不再显示；仍有在职医生、启用的小科或未来出诊时不能停用）',
    auth: ['admin'],
    params: idParams,
    body: departmentInput,
    response: departmentAdmin,
    errors: ['DEPARTMENT_NOT_FOUND', 'DEPARTMENT_CODE_TAKEN', 'DEPARTMENT_PARENT_INVALID', 'DEPARTMENT_IN_USE'],
    handler: ({ deps, principal, params, body, meta }) => saveDepartment(deps, principal, params.id, body, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/departments/order',
    tag: 'admin',
    summary: '调整科室顺序：同一上级科室下的全部科室按给定顺序排列（患者端同序显示）',
    auth: ['admin'],
    body: z.strictObject({
      parentId: z.number().int().positive().nullable().meta({ description: '上级科室；null 为一级科室（大科）' }),
      ids: z.array(z.number().int().positive()).min(1).max(500).meta({ description: '该上级科室下的全部科室（含停用），按新顺序，每个一次' }),
    }),
    response: z.object({ items: z.array(departmentAdmin) }),
    errors: ['DEPARTMENT_NOT_FOUND', 'DEPARTMENT_ORDER_MISMATCH'],
    handler: async ({ deps, principal, body, meta }) => ({ items: await reorderDepartments(deps, principal, body.parentId, body.ids, meta) }),
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
