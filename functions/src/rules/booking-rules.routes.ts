/**
 * /api/v1/admin/booking-rules: the global rules and per-department overrides; and
 * /api/v1/booking-rules, the rules in force as patients see them (public hospital policy). A stored value
 * of null means "inherit" (the parent department's, then the global row's, then the built-in
 * default; see booking-rules.ts). Reading and changing them: rule-settings.ts.
 */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idSchema } from '../schemas.js';
import { deleteRuleOverrides, departmentRuleSet, listRuleSets, publicRules, saveRuleOverrides } from './rule-settings.js';

const count = (max: number) => z.number().int().min(0).max(max);
const ruleFields = {
  daysAhead: count(60).min(1).meta({ description: '提前放号天数' }),
  releaseTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/)
    .meta({ description: '每日放号时间（北京时间）HH:MM 或 HH:MM:SS' }),
  cancelCutoffMinutes: count(10_080).meta({ description: '就诊开始前多少分钟停止取消' }),
  paymentHoldMinutes: count(1440).min(1).meta({ description: '待支付订单保留分钟数' }),
  maxPerProfilePerDay: count(20).min(1).meta({ description: '每位就诊人每天最多预约数' }),
  maxPerProfilePerDepartmentPerDay: count(20).min(1).meta({ description: '每位就诊人每天每科室最多预约数' }),
  maxProfilesPerAccount: count(20).min(1).meta({ description: '每个账号最多就诊人数' }),
  noShowThreshold: count(100).min(1).meta({ description: '爽约多少次后暂停预约' }),
  noShowWindowDays: count(3650).min(1).meta({ description: '爽约统计窗口（天）' }),
  noShowBanDays: count(3650).min(1).meta({ description: '暂停预约天数' }),
  waitlistOfferHoldMinutes: count(1440).min(1).meta({ description: '候补号源保留待支付的分钟数' }),
  waitlistCloseMinutes: count(10_080).meta({ description: '候补截止：就诊日 0 点前多少分钟（360 = 前一天 18:00）' }),
  waitlistMaxPerProfile: count(20).min(1).meta({ description: '每位就诊人同时候补的出诊数上限' }),
  checkInBeforeMinutes: count(1440).meta({ description: '就诊时段开始前多少分钟可签到' }),
  checkInUntilMinutes: count(1440).meta({ description: '就诊时段开始后多少分钟内仍可签到（迟到截止）' }),
  lateGraceMinutes: count(1440).meta({ description: '时段开始后超过多少分钟签到算迟到（排在按时患者之后）' }),
  lateInterleave: count(100).min(1).meta({ description: '迟到或过号返回的患者排在多少位候诊患者之后' }),
  passLimit: count(20).meta({ description: '过号超过多少次不再叫号' }),
  noShowTier2Threshold: count(100).min(1).meta({ description: '第二档：统计窗口内爽约多少次' }),
  noShowTier2BanDays: count(3650).min(1).meta({ description: '第二档：暂停预约天数' }),
};

/**
 * Rules added after the admin console was written: a PUT may leave them out, and then keeps
 * their stored values (a console that does not know them cannot reset them by saving).
 */
const laterRules = new Set<string>(['waitlistOfferHoldMinutes', 'waitlistCloseMinutes', 'waitlistMaxPerProfile']);

/** Every rule, each a value or null (inherit); PUT replaces the whole row (but for `laterRules` left out). */
const overridesBody = z.strictObject(
  Object.fromEntries(
    Object.entries(ruleFields).map(([name, schema]) => [name, laterRules.has(name) ? schema.nullable().optional() : schema.nullable()]),
  ) as {
    [K in keyof typeof ruleFields]: z.ZodNullable<(typeof ruleFields)[K]>;
  },
);

const effectiveSchema = z.object(ruleFields).meta({ id: 'EffectiveBookingRules' });
const overridesSchema = z
  .object(Object.fromEntries(Object.entries(ruleFields).map(([name, schema]) => [name, schema.nullable()])) as {
    [K in keyof typeof ruleFields]: z.ZodNullable<(typeof ruleFields)[K]>;
  })
  .meta({ id: 'BookingRuleOverrides', description: 'null 表示继承上级（上级科室 → 全院 → 系统默认）' });
const ruleSetSchema = z.object({
  departmentId: z.number().int().nullable(),
  overrides: overridesSchema,
  effective: effectiveSchema,
});

const departmentParams = z.strictObject({ departmentId: idSchema });

export const bookingRuleRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/booking-rules',
    tag: 'catalogue',
    summary: '患者可见的预约规则（放号时间、取消时限、支付时限、预约限额），可按科室',
    auth: 'public',
    query: z.strictObject({ departmentId: idSchema.optional() }),
    response: effectiveSchema,
    errors: ['DEPARTMENT_NOT_FOUND'],
    handler: ({ deps, query }) => publicRules(deps.db, query.departmentId),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/booking-rules',
    tag: 'admin',
    summary: '全院预约规则及各科室的覆盖设置',
    auth: ['admin'],
    response: z.object({
      defaults: effectiveSchema,
      global: ruleSetSchema,
      departments: z.array(ruleSetSchema.extend({ departmentName: z.string() })),
    }),
    handler: ({ deps }) => listRuleSets(deps.db),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/booking-rules',
    tag: 'admin',
    summary: '设置全院预约规则（null 表示使用系统默认值）',
    auth: ['admin'],
    body: overridesBody,
    response: ruleSetSchema,
    handler: ({ body, deps, principal, meta }) => saveRuleOverrides(deps.db, deps.clock.now(), principal, null, body, meta),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/admin/booking-rules/departments/{departmentId}',
    tag: 'admin',
    summary: '某科室的预约规则（覆盖设置与实际生效值）',
    auth: ['admin'],
    params: departmentParams,
    response: ruleSetSchema,
    errors: ['NOT_FOUND'],
    handler: ({ params, deps }) => departmentRuleSet(deps.db, params.departmentId),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/booking-rules/departments/{departmentId}',
    tag: 'admin',
    summary: '设置某科室的预约规则覆盖（null 表示继承上级科室或全院规则）',
    auth: ['admin'],
    params: departmentParams,
    body: overridesBody,
    response: ruleSetSchema,
    errors: ['NOT_FOUND'],
    handler: ({ params, body, deps, principal, meta }) => saveRuleOverrides(deps.db, deps.clock.now(), principal, params.departmentId, body, meta),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/v1/admin/booking-rules/departments/{departmentId}',
    tag: 'admin',
    summary: '删除某科室的预约规则覆盖（恢复继承）',
    auth: ['admin'],
    params: departmentParams,
    response: ruleSetSchema,
    errors: ['NOT_FOUND'],
    handler: ({ params, deps, principal, meta }) => deleteRuleOverrides(deps.db, deps.clock.now(), principal, params.departmentId, meta),
  }),
];
