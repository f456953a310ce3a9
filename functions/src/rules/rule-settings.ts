/**
 * The admin's side of the booking rules: reading the stored overrides of a scope (the global row
 * or a department's) beside the rules in force, replacing them and removing a department's. Every
 * change is audited with its before and after, in the same transaction.
 *
 * A change of daysAhead or releaseTime applies to sessions created afterwards: a session's
 * release instant is fixed when the schedule generator creates it (clinic_session.release_at).
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import { AppError } from '../errors.js';
import {
  defaultRules,
  getEffectiveRules,
  ruleColumns,
  ruleNames,
  rowToOverrides,
  type EffectiveRules,
  type RuleOverrides,
} from './booking-rules.js';

/** A scope's own stored values (null: inherit) and the rules in force there. */
export interface RuleSet {
  departmentId: number | null;
  overrides: RuleOverrides;
  effective: EffectiveRules;
}

async function storedOverrides(db: Db, departmentId: number | null): Promise<RuleOverrides> {
  const row = await db
    .selectFrom('booking_rule')
    .selectAll()
    .where('scope_key', '=', departmentId ?? 0)
    .executeTakeFirst();
  return rowToOverrides(row);
}

async function ruleSet(db: Db, departmentId: number | null): Promise<RuleSet> {
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

/**
 * The rules in force as patients see them (public hospital policy): of an active department, or
 * the global ones. An unknown or inactive department is DEPARTMENT_NOT_FOUND.
 */
export async function publicRules(db: Db, departmentId: number | undefined): Promise<EffectiveRules> {
  if (departmentId !== undefined) {
    const department = await db.selectFrom('department').select('id').where('id', '=', departmentId).where('active', '=', 1).executeTakeFirst();
    if (!department) throw new AppError('DEPARTMENT_NOT_FOUND');
  }
  return getEffectiveRules(db, departmentId ?? null);
}

/** The built-in defaults, the global rule set and that of every department with an override row. */
export async function listRuleSets(db: Db): Promise<{ defaults: EffectiveRules; global: RuleSet; departments: (RuleSet & { departmentName: string })[] }> {
  const overridden = await db
    .selectFrom('booking_rule as r')
    .innerJoin('department as d', 'd.id', 'r.department_id')
    .select(['d.id', 'd.name'])
    .orderBy('d.sort_order')
    .orderBy('d.id')
    .execute();
  const [global, ...departments] = await Promise.all([
    ruleSet(db, null),
    ...overridden.map(async (d) => ({ ...(await ruleSet(db, d.id)), departmentName: d.name })),
  ]);
  return { defaults: { ...defaultRules }, global: global!, departments };
}

/** A department's rule set; NOT_FOUND for an unknown department. */
export async function departmentRuleSet(db: Db, departmentId: number): Promise<RuleSet> {
  await assertDepartment(db, departmentId);
  return ruleSet(db, departmentId);
}

/**
 * Replaces the rule row of a scope (the global one for `departmentId` null) — insert or update on
 * its unique scope key — audited with the values before and after. NOT_FOUND for an unknown
 * department.
 */
export async function saveRuleOverrides(
  db: Db,
  now: Date,
  actor: Principal,
  departmentId: number | null,
  body: RuleOverrides,
  meta: RequestMeta,
): Promise<RuleSet> {
  if (departmentId !== null) await assertDepartment(db, departmentId);
  // A rule the body leaves out keeps its stored value (booking-rules.routes.ts `laterRules`).
  const given = ruleNames.filter((name) => body[name] !== undefined);
  const values = Object.fromEntries(
    given.map((name) => [ruleColumns[name], name === 'releaseTime' ? normaliseTime(body.releaseTime) : body[name]]),
  );
  await inTransaction(db, async (trx) => {
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
  return ruleSet(db, departmentId);
}

/** Removes a department's override row (it inherits again), audited; NOT_FOUND for an unknown department. */
export async function deleteRuleOverrides(db: Db, now: Date, actor: Principal, departmentId: number, meta: RequestMeta): Promise<RuleSet> {
  await assertDepartment(db, departmentId);
  await inTransaction(db, async (trx) => {
    const removed = await trx.deleteFrom('booking_rule').where('scope_key', '=', departmentId).executeTakeFirst();
    await recordAudit(
      trx,
      {
        actor,
        action: 'booking_rule.delete',
        target: { type: 'booking_rule', id: `department:${departmentId}` },
        meta,
        summary: { removed: Number(removed.numDeletedRows) },
      },
      now,
    );
  });
  return ruleSet(db, departmentId);
}
