/**
 * Booking bans after repeated no-shows (预约限制), by the hospital-wide rules: `noShowThreshold`
 * no-shows within `noShowWindowDays` ban the account from booking for `noShowBanDays`; when the
 * no-shows in the window reach `noShowTier2Threshold`, for `noShowTier2BanDays` instead. The
 * count starts again after each ban (no-shows before a ban's start never count twice), so a
 * lifted ban is not re-applied by the next sweep.
 *
 * A ban is a booking_ban row (its history, what an admin lifts) and user_account.banned_until
 * (what the booking path reads). It runs through the last Shanghai calendar day
 * (`today + days`) and ends at the next midnight. The patient is told in the same transaction
 * (notification outbox).
 */
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import { maskPhone } from '../auth/phone.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { banLastDay } from '../booking/banned.js';
import { enqueueNotification } from '../notification/outbox.js';
import type { EffectiveRules } from '../rules/booking-rules.js';
import { addDays, shanghaiDate, shanghaiToInstant } from '../time/shanghai.js';

export interface AppliedBan {
  banId: number;
  accountId: number;
  tier: 1 | 2;
  noShows: number;
  endsAt: Date;
}

/**
 * In the sweep's transaction, after its no-shows were recorded: bans each of `accountIds` that
 * now reaches the threshold. Locks the account row first, so that two sweeps recording no-shows
 * of one account serialise here, and the counts (plain reads, whose snapshot starts after the
 * lock) see the other's committed no-shows. The ban's unique trigger (the latest counted
 * no-show) makes a repeated evaluation a no-op.
 */
export async function applyBans(trx: Trx, accountIds: readonly number[], rules: EffectiveRules, now: Date): Promise<AppliedBan[]> {
  const applied: AppliedBan[] = [];
  const windowStart = new Date(now.getTime() - rules.noShowWindowDays * 86_400_000);
  for (const accountId of [...new Set(accountIds)].sort((a, b) => a - b)) {
    await sql`SELECT id FROM user_account WHERE id = ${accountId} FOR UPDATE`.execute(trx);
    const last = await trx.selectFrom('booking_ban').select((eb) => eb.fn.max('starts_at').as('since')).where('account_id', '=', accountId).executeTakeFirst();
    const since = last?.since ? new Date(last.since) : undefined;
    const noShows = await trx
      .selectFrom('appointment')
      .select(['id', 'no_show_at'])
      .where('account_id', '=', accountId)
      .where('no_show_at', '>', windowStart)
      .where('status', '=', 'no_show')
      .orderBy('id')
      .execute();
    const sinceLastBan = since ? noShows.filter((n) => n.no_show_at! > since) : noShows;
    if (sinceLastBan.length < rules.noShowThreshold) continue;
    const tier = noShows.length >= rules.noShowTier2Threshold ? 2 : 1;
    const days = tier === 2 ? rules.noShowTier2BanDays : rules.noShowBanDays;
    const endsAt = shanghaiToInstant(addDays(shanghaiDate(now), days + 1), '00:00');
    const trigger = sinceLastBan.at(-1)!.id;
    const inserted = await trx
      .insertInto('booking_ban')
      .values({ account_id: accountId, tier, no_show_count: noShows.length, trigger_appointment_id: trigger, starts_at: now, ends_at: endsAt, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow();
    const banId = Number(inserted.insertId);
    await sql`UPDATE user_account SET banned_until = ${endsAt}, updated_at = ${now}
               WHERE id = ${accountId} AND (banned_until IS NULL OR banned_until < ${endsAt})`.execute(trx);
    await enqueueNotification(trx, { template: 'ban_applied', params: { noShows: noShows.length, until: banLastDay(endsAt) }, userId: accountId, dedupeKey: `ban_applied:${banId}` }, now);
    await recordAudit(trx, { actor: 'system', action: 'booking_ban.apply', target: { type: 'user_account', id: accountId }, summary: { banId, tier, noShows: noShows.length, endsAt: endsAt.toISOString() } }, now);
    applied.push({ banId, accountId, tier, noShows: noShows.length, endsAt });
  }
  return applied;
}

export interface BanView {
  id: number;
  accountId: number;
  phone: string;
  displayName: string | null;
  tier: number;
  noShowCount: number;
  startsAt: string;
  endsAt: string;
  lastDay: string;
  active: boolean;
  liftedAt: string | null;
  liftedBy: number | null;
  liftReason: string | null;
}

/** Bans, newest first: `active` only those in force now (not lifted, not ended). Phones come masked (admins see bans, not personal data). */
export async function listBans(db: Db, filter: { active?: boolean; id?: number }, now: Date): Promise<BanView[]> {
  let q = db
    .selectFrom('booking_ban as b')
    .innerJoin('user_account as u', 'u.id', 'b.account_id')
    .select(['b.id', 'b.account_id', 'u.phone', 'u.display_name', 'b.tier', 'b.no_show_count', 'b.starts_at', 'b.ends_at', 'b.lifted_at', 'b.lifted_by', 'b.lift_reason']);
  if (filter.active) q = q.where('b.lifted_at', 'is', null).where('b.ends_at', '>', now);
  if (filter.id !== undefined) q = q.where('b.id', '=', filter.id);
  const rows = await q.orderBy('b.id', 'desc').limit(500).execute();
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    phone: maskPhone(r.phone),
    displayName: r.display_name,
    tier: r.tier,
    noShowCount: r.no_show_count,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    lastDay: banLastDay(r.ends_at),
    active: r.lifted_at === null && r.ends_at > now,
    liftedAt: r.lifted_at?.toISOString() ?? null,
    liftedBy: r.lifted_by,
    liftReason: r.lift_reason,
  }));
}

/**
 * An admin lifts a ban, with a reason (audited): the row is marked lifted by one conditional
 * UPDATE, and the account's banned_until becomes the end of its latest other ban in force (or none).
 */
export async function liftBan(deps: AppDeps, admin: Principal, banId: number, reason: string, meta: RequestMeta): Promise<BanView> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const ban = await trx.selectFrom('booking_ban').select(['account_id', 'lifted_at', 'ends_at']).where('id', '=', banId).executeTakeFirst();
    if (!ban) throw new AppError('BAN_NOT_FOUND');
    await sql`SELECT id FROM user_account WHERE id = ${ban.account_id} FOR UPDATE`.execute(trx);
    const lifted = await trx
      .updateTable('booking_ban')
      .set({ lifted_at: now, lifted_by: admin.userId, lift_reason: reason, updated_at: now })
      .where('id', '=', banId)
      .where('lifted_at', 'is', null)
      .executeTakeFirst();
    if (Number(lifted.numUpdatedRows) !== 1) throw new AppError('BAN_ALREADY_LIFTED');
    const other = await trx
      .selectFrom('booking_ban')
      .select((eb) => eb.fn.max('ends_at').as('until'))
      .where('account_id', '=', ban.account_id)
      .where('lifted_at', 'is', null)
      .where('ends_at', '>', now)
      .executeTakeFirst();
    await trx.updateTable('user_account').set({ banned_until: other?.until ? new Date(other.until) : null, updated_at: now }).where('id', '=', ban.account_id).execute();
    await recordAudit(trx, { actor: admin, action: 'booking_ban.lift', target: { type: 'user_account', id: ban.account_id }, meta, summary: { banId, reason, endsAt: ban.ends_at.toISOString() } }, now);
  });
  const [view] = await listBans(deps.db, { id: banId }, now);
  return view!;
}
