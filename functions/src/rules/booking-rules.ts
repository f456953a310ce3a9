/**
 * Booking rules (预约规则): one global row (department_id NULL) and optional per-department
 * overrides. A rule is resolved column by column, most specific first:
 *
 *   department's own row → its parent department's row (大科) → global row → built-in default
 *
 * A NULL column in a row means "inherit", so an override row may set only the columns it
 * changes. The parent step lets an admin set, say, a shorter cut-off once for 内科 and have
 * every 小科 under it follow, unless the 小科 overrides that column itself.
 */
import type { Db } from '../db/create-db.js';
import type { Trx } from '../db/transaction.js';
import type { BookingRule } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { addDays, shanghaiToInstant, type LocalDate } from '../time/shanghai.js';

export interface EffectiveRules {
  /** How many days before a session its slots are released (放号). */
  daysAhead: number;
  /** Shanghai wall-clock time of the daily release, `HH:MM:SS`. */
  releaseTime: string;
  /** A patient may cancel until this many minutes before the slot starts. */
  cancelCutoffMinutes: number;
  /** How long an unpaid booking holds its place. */
  paymentHoldMinutes: number;
  /** Active appointments per profile per Shanghai calendar day (all departments). */
  maxPerProfilePerDay: number;
  /** Active appointments per profile per department per Shanghai calendar day. */
  maxPerProfilePerDepartmentPerDay: number;
  maxProfilesPerAccount: number;
  /** This many no-shows within `noShowWindowDays` bans booking for `noShowBanDays`. */
  noShowThreshold: number;
  noShowWindowDays: number;
  noShowBanDays: number;
  /** 候补: how long a place offered to the waitlist is held unpaid (capped before the visit, booking/waitlist-offer.ts). */
  waitlistOfferHoldMinutes: number;
  /** 候补 closes this many minutes before the session's day begins (Shanghai): 360 = 18:00 the day before. */
  waitlistCloseMinutes: number;
  /** 候补: sessions one profile may wait for at once. */
  waitlistMaxPerProfile: number;
  /** 签到 opens this many minutes before the slot starts (Shanghai wall-clock)… */
  checkInBeforeMinutes: number;
  /** …and closes this many minutes after it starts (the late cut-off). */
  checkInUntilMinutes: number;
  /** Arriving later than this many minutes after the slot start counts as late (queued behind on-time patients). */
  lateGraceMinutes: number;
  /** A late or returning (过号) patient re-enters the queue after this many waiting patients. */
  lateInterleave: number;
  /** A patient passed (过号) more than this many times is not queued again. */
  passLimit: number;
  /** Second ban tier: this many no-shows within `noShowWindowDays` ban for `noShowTier2BanDays`. */
  noShowTier2Threshold: number;
  noShowTier2BanDays: number;
}

/** Used for any column that no row sets. */
export const defaultRules: Readonly<EffectiveRules> = Object.freeze({
  daysAhead: 7,
  releaseTime: '07:30:00',
  cancelCutoffMinutes: 120,
  paymentHoldMinutes: 15,
  maxPerProfilePerDay: 2,
  maxPerProfilePerDepartmentPerDay: 1,
  maxProfilesPerAccount: 5,
  noShowThreshold: 3,
  noShowWindowDays: 90,
  noShowBanDays: 30,
  waitlistOfferHoldMinutes: 30,
  waitlistCloseMinutes: 360,
  waitlistMaxPerProfile: 3,
  checkInBeforeMinutes: 60,
  checkInUntilMinutes: 30,
  lateGraceMinutes: 10,
  lateInterleave: 2,
  passLimit: 2,
  noShowTier2Threshold: 6,
  noShowTier2BanDays: 180,
});

/** Which column of booking_rule carries each rule. */
export const ruleColumns = {
  daysAhead: 'days_ahead',
  releaseTime: 'release_time',
  cancelCutoffMinutes: 'cancel_cutoff_minutes',
  paymentHoldMinutes: 'payment_hold_minutes',
  maxPerProfilePerDay: 'max_per_profile_per_day',
  maxPerProfilePerDepartmentPerDay: 'max_per_profile_per_department_per_day',
  maxProfilesPerAccount: 'max_profiles_per_account',
  noShowThreshold: 'no_show_threshold',
  noShowWindowDays: 'no_show_window_days',
  noShowBanDays: 'no_show_ban_days',
  waitlistOfferHoldMinutes: 'waitlist_offer_hold_minutes',
  waitlistCloseMinutes: 'waitlist_close_minutes',
  waitlistMaxPerProfile: 'waitlist_max_per_profile',
  checkInBeforeMinutes: 'check_in_before_minutes',
  checkInUntilMinutes: 'check_in_until_minutes',
  lateGraceMinutes: 'late_grace_minutes',
  lateInterleave: 'late_interleave',
  passLimit: 'pass_limit',
  noShowTier2Threshold: 'no_show_tier2_threshold',
  noShowTier2BanDays: 'no_show_tier2_ban_days',
} as const satisfies Record<keyof EffectiveRules, keyof BookingRule>;

export type RuleName = keyof EffectiveRules;
export const ruleNames = Object.keys(ruleColumns) as RuleName[];

/** A stored row's values as camelCase, NULL meaning "inherit". */
export type RuleOverrides = { [K in RuleName]: EffectiveRules[K] | null };

export function rowToOverrides(row: Selectable<BookingRule> | undefined): RuleOverrides {
  const overrides = {} as Record<RuleName, unknown>;
  for (const name of ruleNames) {
    const value = row ? row[ruleColumns[name]] : null;
    // TIME comes back as 'HH:MM:SS' (or with fractional seconds on some servers): keep 8 chars.
    overrides[name] = name === 'releaseTime' && typeof value === 'string' ? value.slice(0, 8) : (value ?? null);
  }
  return overrides as RuleOverrides;
}

/**
 * The SELECT list of one booking_rule row joined as `alias`, each column named
 * `${alias}_${column}`, for a query that reads the rules with other facts in one statement (the
 * patient's queue status, visit/queue.ts); `overridesFromColumns` reads them back.
 */
export function ruleColumnsSql(alias: string): string {
  return ruleNames.map((name) => `${alias}.${ruleColumns[name]} AS ${alias}_${ruleColumns[name]}`).join(', ');
}

/**
 * The overrides of one booking_rule row joined as `alias` into a wider row, each column named
 * `${alias}_${column}` (the booking path's gate: book.ts); all NULL when no row was joined.
 */
export function overridesFromColumns(row: Record<string, unknown>, alias: string): RuleOverrides {
  const values = Object.fromEntries(ruleNames.map((name) => [ruleColumns[name], row[`${alias}_${ruleColumns[name]}`] ?? null]));
  return rowToOverrides(values as unknown as Selectable<BookingRule>);
}

/** Layers `rows` (most specific first) over the defaults, column by column. */
export function resolveRules(rows: readonly RuleOverrides[]): EffectiveRules {
  const rules = { ...defaultRules } as Record<RuleName, unknown>;
  for (const name of ruleNames) {
    const set = rows.find((row) => row[name] !== null);
    if (set) rules[name] = set[name];
  }
  return rules as unknown as EffectiveRules;
}

/**
 * The rules in force for a department (or the global ones for `null`). Reads at most two small
 * rows by primary-key-like lookups and takes no locks, so it is safe before a booking's BEGIN
 * and inside any transaction.
 */
export async function getEffectiveRules(db: Db | Trx, departmentId: number | null): Promise<EffectiveRules> {
  let parentId: number | null = null;
  if (departmentId !== null) {
    const department = await db
      .selectFrom('department')
      .select('parent_id')
      .where('id', '=', departmentId)
      .executeTakeFirst();
    parentId = department?.parent_id ?? null;
  }
  const scopes = [departmentId, parentId].filter((id): id is number => id !== null);
  const rows = await db
    .selectFrom('booking_rule')
    .selectAll()
    .where('scope_key', 'in', [0, ...scopes])
    .execute();
  const byScope = new Map(rows.map((row) => [row.department_id ?? 0, row]));
  return resolveRules([...scopes, 0].map((scope) => rowToOverrides(byScope.get(scope))));
}

/**
 * The rules in force for each of several departments, given with their 大科 (`parentId`), in
 * one read: for lists that show many departments' doctors at once (catalog.ts).
 */
export async function getEffectiveRulesByDepartment(
  db: Db | Trx,
  departments: ReadonlyArray<{ id: number; parentId: number | null }>,
): Promise<Map<number, EffectiveRules>> {
  const scopes = new Set<number>([0]);
  for (const d of departments) {
    scopes.add(d.id);
    if (d.parentId !== null) scopes.add(d.parentId);
  }
  const rows = await db.selectFrom('booking_rule').selectAll().where('scope_key', 'in', [...scopes]).execute();
  const byScope = new Map(rows.map((row) => [row.department_id ?? 0, row]));
  const overrides = (scope: number | null) => rowToOverrides(scope === null ? undefined : byScope.get(scope));
  return new Map(departments.map((d) => [d.id, resolveRules([overrides(d.id), overrides(d.parentId), overrides(0)])]));
}

/**
 * 放号时间: the instant at which a session's slots become bookable — `releaseTime` Shanghai,
 * `daysAhead` calendar days before the session's date. With the defaults, a session on
 * 2026-03-10 is released at 2026-03-03 07:30 Shanghai (2026-03-02T23:30:00Z).
 */
export function releaseAt(sessionDate: LocalDate, rules: Pick<EffectiveRules, 'daysAhead' | 'releaseTime'>): Date {
  return shanghaiToInstant(addDays(sessionDate, -rules.daysAhead), rules.releaseTime);
}
