/**
 * 候补: joining, listing and leaving a session's waitlist (the fill is booking/waitlist-offer.ts, in the transaction that returns a place; the closing
 * job close.ts). A patient may join for one of their own 就诊人 when the session is full —
 * no place in any slot they would take (all of its slots, or the slot times they chose),
 * judged by the booking gate's own rule (booking/bookability.ts) — and the waitlist has not
 * closed (rules/waitlist-timing.ts). At joining, the booking path's checks (book.ts: ban, ALREADY_BOOKED,
 * the per-day and per-department limits) apply as they would to a booking of that session,
 * and a profile waits for at most `waitlistMaxPerProfile` sessions at once.
 *
 * Joining runs in one transaction that locks the profile row first (the booking path's first
 * lock, book.ts), so a profile's concurrent joins and bookings are counted exactly; then it
 * locks the slots it would wait for and inserts the entry. A profile waits at most once per
 * session (uq_waitlist_profile_session over waiting entries).
 *
 * Fullness is judged twice: before the transaction, to refuse cheaply, and again under the
 * row locks of the chosen slots (FOR UPDATE, id order), just before the INSERT. A place comes
 * back only by an UPDATE of its slot (booking/transitions.ts `releasePlaces`, schedule/), whose
 * transaction offers it to the waitlist while it holds that slot's lock; so a join and a
 * returning place serialise on the slot row. Either the place came back first — the join reads
 * `remaining > 0` under the lock and answers WAITLIST_NOT_FULL (book it) — or the entry commits
 * first and the returning transaction, which reads the waitlist after taking the slot's lock,
 * offers the place to it. Never an entry waiting beside a free place it would take.
 *
 * Lock order (booking/book.ts, waitlist-offer.ts): patient_profile → slot (chosen, id order)
 * → waitlist_entry (INSERT). The slots are locked last, so the hot rows are held only for the
 * INSERT, the audit row and COMMIT.
 */
import * as z from 'zod';
import { CompiledQuery, sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import { enforceLimits, LOCK_PROFILE_SQL, RECOUNT_SQL, type ProfileLoad } from '../booking/book.js';
import { DOCTOR_AVAILABLE_SQL, slotRefusal, type SlotFacts, type SlotRefusal } from '../booking/bookability.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getEffectiveRules } from '../rules/booking-rules.js';
import { decodeSlotStarts, encodeSlotStarts, normaliseTime } from '../booking/waitlist-slot-starts.js';
import { waitlistClosesAt } from '../rules/waitlist-timing.js';

export const waitlistStatuses = ['waiting', 'fulfilled', 'cancelled', 'expired'] as const;

export const waitlistEntrySchema = z
  .object({
    id: z.number().int(),
    status: z.enum(waitlistStatuses).meta({ description: 'waiting 候补中 / fulfilled 已候补成功 / cancelled 已取消 / expired 已截止未候补到' }),
    position: z.number().int().nullable().meta({ description: '候补中时的排队位次（1 = 下一个）' }),
    slotStarts: z.array(z.string()).nullable().meta({ description: '只候补这些时段（开始时间 HH:MM）；null 表示任意时段' }),
    profile: z.object({ id: z.number().int(), realName: z.string() }),
    session: z.object({
      id: z.number().int(),
      date: z.iso.date(),
      period: z.enum(['morning', 'afternoon', 'evening']),
      startTime: z.string(),
      endTime: z.string(),
      feeFen: z.number().int(),
    }),
    doctor: z.object({ id: z.number().int(), name: z.string(), title: z.enum(['chief', 'associate_chief', 'attending', 'resident']) }),
    department: z.object({ id: z.number().int(), name: z.string() }),
    appointmentId: z.number().int().nullable().meta({ description: '候补成功后为您保留号源的预约' }),
    closesAt: z.iso.datetime().meta({ description: '候补截止时间' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WaitlistEntry' });

export type WaitlistEntryView = z.infer<typeof waitlistEntrySchema>;

export interface JoinRequest {
  sessionId: number;
  profileId: number;
  /** Slot start times (`HH:MM`) the patient accepts; empty or absent: any slot. */
  slotStarts?: readonly string[];
}

type SessionSlotRow = SlotFacts & { slot_id: number; department_id: number };

/** A session's slots with the facts bookability.ts judges them by. */
const SESSION_SLOTS_SQL = `
  SELECT s.id AS slot_id, s.remaining, s.start_time, cs.session_date, cs.status, cs.release_at, cs.bookable_until,
         cs.department_id, ${DOCTOR_AVAILABLE_SQL} AS doctor_available
    FROM clinic_session cs
    JOIN slot s ON s.session_id = cs.id
    JOIN doctor d ON d.id = cs.doctor_id
    JOIN department dep ON dep.id = cs.department_id
    LEFT JOIN department par ON par.id = dep.parent_id
   WHERE cs.id = ?
   ORDER BY s.start_time`;

/**
 * Why a patient may not join the waitlist over `slots` (the ones they would take) at `now`, or
 * undefined: full means every slot is refused, at least one of them SLOT_FULL and none for a
 * reason a wait cannot cure (suspended, not released, doctor unavailable); past slots are no
 * one's to wait for.
 */
export function joinRefusal(slots: readonly SlotFacts[], now: Date): SlotRefusal | 'WAITLIST_NOT_FULL' | undefined {
  const refusals = slots.map((slot) => slotRefusal(slot, now));
  if (refusals.some((r) => r === undefined)) return 'WAITLIST_NOT_FULL';
  const incurable = refusals.find((r) => r !== 'SLOT_FULL' && r !== 'SLOT_PAST');
  if (incurable) return incurable;
  return refusals.includes('SLOT_FULL') ? undefined : 'SLOT_PAST';
}

/** Joins the waitlist of `request.sessionId` for the caller's profile (see the top). */
export async function joinWaitlist(deps: AppDeps, principal: Principal, request: JoinRequest, meta: RequestMeta): Promise<WaitlistEntryView> {
  const { db } = deps;
  const now = deps.clock.now();
  const slots = (await db.executeQuery<SessionSlotRow>(CompiledQuery.raw(SESSION_SLOTS_SQL, [request.sessionId]))).rows;
  if (slots.length === 0) throw new AppError('SESSION_NOT_FOUND');
  const slotStarts = encodeSlotStarts(request.slotStarts);
  const chosen = slotStarts === null ? slots : slots.filter((s) => slotStarts.split(',').includes(normaliseTime(s.start_time)));
  if (slotStarts !== null && chosen.length !== slotStarts.split(',').length) throw new AppError('WAITLIST_SLOT_INVALID');
  const refusal = joinRefusal(chosen, now);
  if (refusal) throw new AppError(refusal);
  const { session_date: sessionDate, department_id: departmentId } = slots[0]!;
  const rules = await getEffectiveRules(db, departmentId);
  if (now >= waitlistClosesAt(sessionDate, rules)) throw new AppError('WAITLIST_CLOSED');

  const entryId = await inTransaction(db, async (trx) => {
    const run = <Row>(statement: string, parameters: unknown[]) => trx.executeQuery<Row>(CompiledQuery.raw(statement, parameters));
    const profile = (await run<{ id: number }>(LOCK_PROFILE_SQL, [request.profileId, principal.userId])).rows[0];
    if (!profile) throw new AppError('PROFILE_NOT_FOUND');
    // The booking path's recount (book.ts), read after the profile's lock: exact.
    const counted = (
      await run<{ day: number; department: number | null; same_session: number | null; banned_until: Date | null }>(RECOUNT_SQL, [
        departmentId, request.sessionId, principal.userId, '', principal.userId, request.profileId, sessionDate,
      ])
    ).rows[0]!;
    if (counted.banned_until && counted.banned_until > now) {
      throw new AppError('BOOKING_BANNED', undefined, { bannedUntil: counted.banned_until.toISOString() });
    }
    const load: ProfileLoad = { day: Number(counted.day), department: Number(counted.department ?? 0), sameSession: Number(counted.same_session ?? 0) };
    enforceLimits(load, rules);
    const waiting = await trx
      .selectFrom('waitlist_entry')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('profile_id', '=', request.profileId)
      .where('status', '=', 'waiting')
      .executeTakeFirstOrThrow();
    if (Number(waiting.n) >= rules.waitlistMaxPerProfile) {
      throw new AppError('WAITLIST_LIMIT_REACHED', undefined, { limit: rules.waitlistMaxPerProfile });
    }
    // Full again, under the locks a returning place takes first (see the top).
    const locked = await trx
      .selectFrom('slot')
      .select(['id', 'remaining'])
      .where('id', 'in', chosen.map((s) => s.slot_id))
      .orderBy('id')
      .forUpdate()
      .execute();
    const remaining = new Map(locked.map((s) => [s.id, s.remaining]));
    const refusedNow = joinRefusal(chosen.map((s) => ({ ...s, remaining: remaining.get(s.slot_id) ?? 0 })), now);
    if (refusedNow) throw new AppError(refusedNow);
    const inserted = await trx
      .insertInto('waitlist_entry')
      .values({
        account_id: principal.userId,
        profile_id: request.profileId,
        session_id: request.sessionId,
        status: 'waiting',
        slot_starts: slotStarts,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isDuplicateKey(error, 'uq_waitlist_profile_session')) throw new AppError('ALREADY_WAITING');
        throw error;
      });
    const id = Number(inserted.insertId);
    await recordAudit(
      trx,
      { actor: principal, action: 'waitlist.join', target: { type: 'waitlist_entry', id }, meta, summary: { sessionId: request.sessionId, profileId: request.profileId, slotStarts } },
      now,
    );
    return id;
  });
  return (await findOwnEntry(db, principal.userId, entryId))!;
}

/**
 * Leaves the waitlist: the caller's waiting entry becomes cancelled. Leaving twice answers
 * with the cancelled entry; an entry already offered or closed cannot be left
 * (WAITLIST_NOT_WAITING); another account's entry is not found.
 */
export async function leaveWaitlist(deps: AppDeps, principal: Principal, entryId: number, meta: RequestMeta): Promise<WaitlistEntryView> {
  const { db } = deps;
  const now = deps.clock.now();
  const left = await inTransaction(db, async (trx) => {
    const updated = await trx
      .updateTable('waitlist_entry')
      .set({ status: 'cancelled', closed_at: now, updated_at: now })
      .where('id', '=', entryId)
      .where('account_id', '=', principal.userId)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await recordAudit(trx, { actor: principal, action: 'waitlist.leave', target: { type: 'waitlist_entry', id: entryId }, meta }, now);
    return true;
  });
  const entry = await findOwnEntry(db, principal.userId, entryId);
  if (!entry) throw new AppError('WAITLIST_ENTRY_NOT_FOUND');
  if (!left && entry.status !== 'cancelled') throw new AppError('WAITLIST_NOT_WAITING', undefined, { status: entry.status });
  return entry;
}

/** The caller's entries, newest first; waiting ones with their position in the FIFO. */
export async function listMyWaitlist(deps: AppDeps, principal: Principal, scope: 'active' | 'all'): Promise<WaitlistEntryView[]> {
  let query = entryQuery(deps.db).where('w.account_id', '=', principal.userId);
  if (scope === 'active') query = query.where('w.status', 'in', ['waiting', 'fulfilled']);
  const rows = await query.orderBy('w.created_at', 'desc').orderBy('w.id', 'desc').limit(100).execute();
  return Promise.all(rows.map((row) => toView(deps.db, row)));
}

export async function findOwnEntry(db: Db, accountId: number, entryId: number): Promise<WaitlistEntryView | undefined> {
  const row = await entryQuery(db).where('w.id', '=', entryId).where('w.account_id', '=', accountId).executeTakeFirst();
  return row ? toView(db, row) : undefined;
}

function entryQuery(db: Db) {
  return db
    .selectFrom('waitlist_entry as w')
    .innerJoin('clinic_session as cs', 'cs.id', 'w.session_id')
    .innerJoin('doctor as d', 'd.id', 'cs.doctor_id')
    .innerJoin('department as dep', 'dep.id', 'cs.department_id')
    .innerJoin('patient_profile as p', 'p.id', 'w.profile_id')
    .select([
      'w.id', 'w.status', 'w.slot_starts', 'w.appointment_id', 'w.created_at', 'w.session_id', 'w.profile_id',
      'p.real_name', 'cs.session_date', 'cs.period', 'cs.start_time', 'cs.end_time', 'cs.fee_fen', 'cs.department_id',
      'd.id as doctor_id', 'd.name as doctor_name', 'd.title as doctor_title', 'dep.name as department_name',
      // FIFO position among the session's waiting entries (ix_waitlist_session).
      sql<number | null>`CASE WHEN w.status = 'waiting' THEN (
        SELECT COUNT(*) FROM waitlist_entry o
         WHERE o.session_id = w.session_id AND o.status = 'waiting'
           AND (o.created_at < w.created_at OR (o.created_at = w.created_at AND o.id <= w.id))) END`.as('position'),
    ]);
}

type EntryRow = Awaited<ReturnType<ReturnType<typeof entryQuery>['executeTakeFirstOrThrow']>>;

async function toView(db: Db, row: EntryRow): Promise<WaitlistEntryView> {
  const rules = await getEffectiveRules(db, row.department_id);
  return {
    id: row.id,
    status: row.status,
    position: row.position === null ? null : Number(row.position),
    slotStarts: decodeSlotStarts(row.slot_starts)?.map((t) => t.slice(0, 5)) ?? null,
    profile: { id: row.profile_id, realName: row.real_name },
    session: {
      id: row.session_id,
      date: row.session_date,
      period: row.period,
      startTime: row.start_time.slice(0, 5),
      endTime: row.end_time.slice(0, 5),
      feeFen: row.fee_fen,
    },
    doctor: { id: row.doctor_id, name: row.doctor_name, title: row.doctor_title },
    department: { id: row.department_id, name: row.department_name },
    appointmentId: row.appointment_id,
    closesAt: waitlistClosesAt(row.session_date, rules).toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}
