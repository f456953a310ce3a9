/**
 * /api/v1/admin/booking-rules: the global rules and per-department overrides; and
 * /api/v1/booking-rules, the rules in force as patients see them (public hospital policy). A stored value
 * of null means "inherit" (the parent department's, then the global row's, then the built-in
 * default; see booking-rules.ts). Every change is audited with its before and after.
 *
 * A change of daysAhead or releaseTime applies to sessions created afterwards: a session's
 * release instant is fixed when the schedule generator creates it (clinic_session.release_at).
 */
import * as z from 'zod';
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import { idSchema } from '../schemas.js';
import {
  defaultRules,
  getEffectiveRules,
  ruleColumns,
  ruleNames,
  rowToOverrides,
  type RuleOverrides,
} from './booking-rules.js';

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
  checkInBeforeMinutes: count(1440).meta({ description: '就诊时段开始前多少分钟可签到' }),
  checkInUntilMinutes: count(1440).meta({ description: '就诊时段开始后多少分钟内仍可签到（迟到截止）' }),
  lateGraceMinutes: count(1440).meta({ description: '时段开始后超过多少分钟签到算迟到（排在按时患者之后）' }),
  lateInterleave: count(100).min(1).meta({ description: '迟到或过号返回的患者排在多少位候诊患者之后' }),
  passLimit: count(20).meta({ description: '过号超过多少次不再叫号' }),
  noShowTier2Threshold: count(100).min(1).meta({ description: '第二档：统计窗口内爽约多少次' }),
  noShowTier2BanDays: count(3650).min(1).meta({ description: '第二档：暂停预约天数' }),
};

/** Every rule, each a value or null (inherit); PUT replaces the whole row. */
const overridesBody = z.strictObject(
  Object.fromEntries(Object.entries(ruleFields).map(([name, schema]) => [name, schema.nullable()])) as {
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

async function storedOverrides(db: Db, departmentId: number | null): Promise<RuleOverrides> {
  const row = await db
    .selectFrom('booking_rule')
    .selectAll()
    .where('scope_key', '=', departmentId ?? 0)
    .executeTakeFirst();
  return rowToOverrides(row);
}

async function ruleSet(db: Db, departmentId: number | null) {
  const [overrides, effective] = await Promise.all([storedOverrides(db, departmentId), getEffectiveRules(db, departmentId)]);
  return { departmentId, overrides, effective };
}

async function assertDepartment(db: Db, departmentId: number): Promise<void> {
  const found = await db.selectFrom('department').select('id').where('id', '=', departmentId).executeTakeFirst();
  if (!found) throw new AppError('NOT_FOUND', '科室不存在');
}

function normaliseTime(value: string | null): string | null {
  return value === null ? null : value.length === 5 ? `${value}:00` : value;
}

/** Replaces the rule row of a scope (insert or update on its unique scope key), audited. */
async function saveOverrides(
  deps: AppDeps,
  actor: Principal,
  departmentId: number | null,
  body: RuleOverrides,
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  const values = Object.fromEntries(
    ruleNames.map((name) => [ruleColumns[name], name === 'releaseTime' ? normaliseTime(body.releaseTime) : body[name]]),
  );
  await inTransaction(deps.db, async (trx) => {
    const before = rowToOverrides(
      await trx.selectFrom('booking_rule').selectAll().where('scope_key', '=', departmentId ?? 0).forUpdate().executeTakeFirst(),
    );
    await trx
      .insertInto('booking_rule')
      .values({ department_id: departmentId, ...values, updated_by: actor.userId, created_at: now, updated_at: now })
      .onDuplicateKeyUpdate({ ...values, updated_by: actor.userId, updated_at: now })
      .execute();
    await recordAudit(
      trx,
      {
        actor,
        action: 'booking_rule.update',
        target: { type: 'booking_rule', id: departmentId === null ? 'global' : `department:${departmentId}` },
        meta,
        summary: { before, after: { ...body, releaseTime: normaliseTime(body.releaseTime)?.slice(0, 8) ?? null } },
      },
      now,
    );
  });
  return ruleSet(deps.db, departmentId);
}

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
    handler: async ({ deps, query }) => {
      if (query.departmentId !== undefined) {
        const department = await deps.db.selectFrom('department').select('id').where('id', '=', query.departmentId).where('active', '=', 1).executeTakeFirst();
        if (!department) throw new AppError('DEPARTMENT_NOT_FOUND');
      }
      return getEffectiveRules(deps.db, query.departmentId ?? null);
    },
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
    handler: async ({ deps }) => {
      const overridden = await deps.db
        .selectFrom('booking_rule as r')
        .innerJoin('department as d', 'd.id', 'r.department_id')
        .select(['d.id', 'd.name'])
        .orderBy('d.sort_order')
        .orderBy('d.id')
        .execute();
      const [global, ...departments] = await Promise.all([
        ruleSet(deps.db, null),
        ...overridden.map(async (d) => ({ ...(await ruleSet(deps.db, d.id)), departmentName: d.name })),
      ]);
      return { defaults: { ...defaultRules }, global: global!, departments };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/admin/booking-rules',
    tag: 'admin',
    summary: '设置全院预约规则（null 表示使用系统默认值）',
    auth: ['admin'],
    body: overridesBody,
    response: ruleSetSchema,
    handler: ({ body, deps, principal, meta }) => saveOverrides(deps, principal, null, body, meta),
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
    handler: async ({ params, deps }) => {
      await assertDepartment(deps.db, params.departmentId);
      return ruleSet(deps.db, params.departmentId);
    },
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
    handler: async ({ params, body, deps, principal, meta }) => {
      await assertDepartment(deps.db, params.departmentId);
      return saveOverrides(deps, principal, params.departmentId, body, meta);
    },
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
    handler: async ({ params, deps, principal, meta }) => {
      await assertDepartment(deps.db, params.departmentId);
      const now = deps.clock.now();
      await inTransaction(deps.db, async (trx) => {
        const removed = await trx.deleteFrom('booking_rule').where('scope_key', '=', params.departmentId).executeTakeFirst();
        await recordAudit(
          trx,
          {
            actor: principal,
            action: 'booking_rule.delete',
            target: { type: 'booking_rule', id: `department:${params.departmentId}` },
            meta,
            summary: { removed: Number(removed.numDeletedRows) },
          },
          now,
        );
      });
      return ruleSet(deps.db, params.departmentId);
    },
  }),
];
