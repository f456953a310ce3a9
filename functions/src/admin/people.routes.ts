/** Admin-only reads about patients: an account's 就诊人 (masked, audited) and the 候补 lists. */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idParams } from '../schemas.js';
import { accountProfiles } from './patient-profiles.js';
import { adminWaitlistPageSchema, adminWaitlistQuerySchema, listWaitlist } from './waitlist.js';

const adminProfileSchema = z
  .object({
    id: z.number().int(),
    realName: z.string(),
    relation: z.enum(['self', 'child', 'parent', 'spouse', 'other']).meta({ description: '本人/子女/父母/配偶/其他' }),
    idType: z.enum(['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent']),
    idTypeLabel: z.string(),
    idNumberMasked: z.string().meta({ description: '脱敏证件号，完整号码从不返回' }),
    phoneMasked: z.string(),
    gender: z.enum(['male', 'female']),
    age: z.number().int(),
    isDefault: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'AdminPatientProfile' });

export const adminPeopleRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/users/{id}/profiles',
    tag: 'admin',
    summary: '患者账号的就诊人（证件号、手机号已脱敏；每次查看均记录审计）',
    auth: ['admin'],
    params: idParams,
    response: z.object({ items: z.array(adminProfileSchema) }),
    errors: ['NOT_FOUND'],
    handler: async ({ deps, principal, params, meta }) => ({
      // Only the listed fields: the birth date is not shown to staff, the age is enough.
      items: (await accountProfiles(deps, principal, params.id, meta)).map(({ birthDate: _birthDate, ...view }) => view),
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/waitlist',
    tag: 'admin',
    summary: '候补列表（按出诊、日期、科室、状态筛选，分页；候补中的带排队位次；姓名、手机号已脱敏）',
    auth: ['admin'],
    query: adminWaitlistQuerySchema,
    response: adminWaitlistPageSchema,
    handler: ({ deps, query }) => listWaitlist(deps.db, query),
  }),
];
