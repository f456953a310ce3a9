/**
 * /api/v1/admin/booking-rules: the global rules and per-department overrides (the admin's
 * function only, http/audience.ts). A stored value of null means "inherit" (the parent
 * department's, then the global row's, then the built-in default; see booking-rules.ts).
 */
import * as z from 'zod';
import { defineRoute } from '../http/route.js';
import { idSchema } from '../schemas.js';
import { effectiveSchema, ruleFields } from './booking-rules.routes.js';
import { deleteRuleOverrides, departmentRuleSet, listRuleSets, saveRuleOverrides } from './rule-settings.js';

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

export const bookingRuleAdminRoutes = [
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
