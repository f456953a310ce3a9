/** /api/v1/me/profiles…: a patient's 就诊人 and their health records. */
import * as z from 'zod';
import { phoneSchema } from '../auth/schemas.js';
import { defineRoute } from '../http/route.js';
import { idParams, localDateSchema, okSchema } from '../schemas.js';
import { getHealthRecord, putHealthRecord } from './health-record.js';
import { createProfile, deleteProfile, listProfiles, updateProfile } from './profiles.js';

const realName = z
  .string()
  .trim()
  .min(2, '姓名至少 2 个字')
  .max(30)
  .regex(/^[\p{Script=Han}A-Za-z·•. ]+$/u, '姓名只能包含汉字、字母和间隔号');
const relation = z.enum(['self', 'child', 'parent', 'spouse', 'other']).meta({ description: '与账号本人的关系：本人/子女/父母/配偶/其他' });
const localDate = localDateSchema;

const profileSchema = z
  .object({
    id: z.number().int(),
    realName: z.string(),
    idType: z.enum(['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent']),
    idTypeLabel: z.string(),
    idNumberMasked: z.string().meta({ description: '脱敏后的证件号，完整号码从不返回' }),
    gender: z.enum(['male', 'female']),
    birthDate: localDate,
    age: z.number().int(),
    phoneMasked: z.string(),
    relation,
    isDefault: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'PatientProfile' });

const freeText = (max: number) => z.string().trim().max(max).default('');
const healthRecordInput = z.strictObject({
  bloodType: z.enum(['A', 'B', 'AB', 'O', 'unknown']).default('unknown'),
  rhFactor: z.enum(['positive', 'negative', 'unknown']).default('unknown'),
  allergies: freeText(500).meta({ description: '过敏史' }),
  chronicConditions: freeText(500).meta({ description: '慢性病史' }),
  medications: freeText(500).meta({ description: '长期用药' }),
  notes: freeText(1000).meta({ description: '其他备注' }),
});
const healthRecordSchema = z
  .object({
    bloodType: z.enum(['A', 'B', 'AB', 'O', 'unknown']),
    rhFactor: z.enum(['positive', 'negative', 'unknown']),
    allergies: z.string(),
    chronicConditions: z.string(),
    medications: z.string(),
    notes: z.string(),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'HealthRecord' });

export const patientRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/me/profiles',
    tag: 'patient',
    summary: '我的就诊人列表',
    auth: ['patient'],
    response: z.object({ items: z.array(profileSchema) }),
    handler: async ({ deps, principal }) => ({ items: await listProfiles(deps, principal.userId) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/me/profiles',
    tag: 'patient',
    summary: '添加就诊人（居民身份证自动校验并读取性别、出生日期）',
    auth: ['patient'],
    body: z.strictObject({
      realName,
      idType: z.enum(['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'foreign_permanent']),
      idNumber: z.string().trim().min(5).max(32),
      gender: z.enum(['male', 'female']).optional(),
      birthDate: localDate.optional(),
      phone: phoneSchema,
      relation,
      isDefault: z.boolean().optional(),
    }),
    response: profileSchema,
    status: 201,
    errors: ['ID_NUMBER_INVALID', 'ID_INFO_MISMATCH', 'PROFILE_DUPLICATE', 'PROFILE_LIMIT_REACHED'],
    handler: ({ deps, principal, body, meta }) => createProfile(deps, principal, body, meta),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/me/profiles/{id}',
    tag: 'patient',
    summary: '修改就诊人（证件信息不可修改，如有误请删除后重新添加）',
    auth: ['patient'],
    params: idParams,
    body: z.strictObject({ realName: realName.optional(), phone: phoneSchema.optional(), relation: relation.optional(), isDefault: z.boolean().optional() }),
    response: profileSchema,
    errors: ['PROFILE_NOT_FOUND'],
    handler: ({ deps, principal, params, body, meta }) => updateProfile(deps, principal, params.id, body, meta),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/me/profiles/{id}',
    tag: 'patient',
    summary: '删除就诊人（有未完成预约时不可删除）',
    auth: ['patient'],
    params: idParams,
    response: okSchema,
    errors: ['PROFILE_NOT_FOUND', 'PROFILE_HAS_APPOINTMENTS'],
    handler: async ({ deps, principal, params, meta }) => {
      await deleteProfile(deps, principal, params.id, meta);
      return { ok: true as const };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/me/profiles/{id}/health-record',
    tag: 'patient',
    summary: '就诊人健康档案',
    auth: ['patient'],
    params: idParams,
    response: healthRecordSchema,
    errors: ['PROFILE_NOT_FOUND'],
    handler: ({ deps, principal, params }) => getHealthRecord(deps, principal, params.id),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/me/profiles/{id}/health-record',
    tag: 'patient',
    summary: '保存就诊人健康档案',
    auth: ['patient'],
    params: idParams,
    body: healthRecordInput,
    response: healthRecordSchema,
    errors: ['PROFILE_NOT_FOUND'],
    handler: ({ deps, principal, params, body, meta }) => putHealthRecord(deps, principal, params.id, body, meta),
  }),
];
