/** /api/v1/admin/users: staff accounts are created here, any account can be disabled, and a staff account's password reset. */
import * as z from 'zod';
import { createStaffAccount, resetStaffPassword, setAccountStatus } from '../auth/staff-accounts.js';
import { accountSchema, passwordSchema, phoneSchema, roleSchema } from '../auth/schemas.js';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { listAccounts } from './users.js';

export const adminUserRoutes = [
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/users',
    tag: 'admin',
    summary: '创建医生或管理员账号（仅管理员）',
    auth: ['admin'],
    body: z.strictObject({
      phone: phoneSchema,
      password: passwordSchema,
      role: z.enum(['doctor', 'admin']),
      displayName: z.string().trim().min(1).max(50),
    }),
    response: accountSchema,
    status: 201,
    errors: ['PHONE_ALREADY_REGISTERED'],
    handler: ({ body, deps, principal, meta }) => createStaffAccount(deps, principal, body, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/users',
    tag: 'admin',
    summary: '账号列表（可按角色、手机号筛选，分页）',
    auth: ['admin'],
    query: z.strictObject({
      role: roleSchema.optional(),
      phone: z.string().regex(/^\d{1,11}$/).optional().meta({ description: '手机号前缀' }),
      page: z.coerce.number().int().min(1).default(1),
      pageSize: z.coerce.number().int().min(1).max(100).default(20),
    }),
    response: z.object({
      items: z.array(accountSchema.extend({ failedLoginCount: z.number().int(), lockedUntil: z.iso.datetime().nullable() })),
      total: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
    }),
    handler: ({ query, deps }) => listAccounts(deps.db, query),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/users/{id}/status',
    tag: 'admin',
    summary: '启用或停用账号（停用后立即注销其所有登录）',
    auth: ['admin'],
    params: idParams,
    body: z.strictObject({ status: z.enum(['active', 'disabled']) }),
    response: accountSchema,
    errors: ['NOT_FOUND'],
    handler: ({ params, body, deps, principal, meta }) => setAccountStatus(deps, principal, params.id, body.status, meta),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/admin/users/{id}/password-reset',
    tag: 'admin',
    summary: '重置医生或管理员账号的密码（生成新密码，只显示这一次；注销其所有登录，下次登录须先修改密码）',
    auth: ['admin'],
    params: idParams,
    response: z.object({ account: accountSchema, password: z.string().meta({ description: '新的初始密码，只返回这一次' }) }),
    errors: ['NOT_FOUND', 'FORBIDDEN'],
    handler: ({ params, deps, principal, meta }) => resetStaffPassword(deps, principal, params.id, meta),
  }),
];
