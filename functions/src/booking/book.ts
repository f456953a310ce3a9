/**
 * The booking path (DESIGN §3): a cheap gate without locks, then one short transaction whose
 * hot part is the conditional UPDATE of the slot row and the appointment INSERT.
 *
 *   gate, no locks    one read: slot, session, doctor, department, the rule rows that apply, the
 *                     appointment an earlier request with this Idempotency-Key created, the
 *                     caller's profile (ownership), ban and the profile's load that day. A
 *                     replay, a sold-out / unreleased / suspended / past slot, someone else's
 *                     profile, a ban or a limit is answered here, never queueing on a lock.
 *   BEGIN
 *     SELECT profile … FOR UPDATE            -- serialises one profile's requests, nobody else's
 *                                              (not the account: a family's profiles book at once)
 *     SELECT the profile's active appointments that day (+ an Idempotency-Key replay, the ban)
 *                     the limits again, read after the profile's lock, so they are exact: two
 *                     concurrent requests of one profile for different sessions cannot both
 *                     pass a limit of one, as they could if only the gate checked
 *     INSERT audit_log                       -- written before the hot row is locked
 *     UPDATE slot SET remaining = remaining - 1, next_seq = LAST_INSERT_ID(…)
 *      WHERE id = ? AND remaining > 0 AND EXISTS (session open, released, bookable; doctor,
 *                     department and its 大科 active)
 *     INSERT appointment … SELECT … FROM clinic_session   (queue number from next_seq; the doctor
 *                     and department read from the session row under its lock, see below)
 *     INSERT notification                    -- 预约成功 (free) or the 待支付提醒 due before the hold ends
 *   COMMIT
 *
 * The slot row, the one row every patient of a slot contends for, is locked from its UPDATE to
 * COMMIT: the INSERT and the COMMIT, nothing else. The profile lock and the recount come
 * before the slot's UPDATE, so they never lengthen the hot row's lock. The session's status
 * and release, and whether the doctor and department are active, are checked twice: by the
 * gate (to refuse cheaply) and by the UPDATE itself (its EXISTS is a locking read of the
 * session, doctor and department rows, so a suspension, a later release or a deactivation
 * that commits while we wait for the slot row is seen).
 *
 * The new appointment's doctor and department (denormalised onto the appointment) are taken
 * from the session row by the INSERT's own SELECT — a locking read in InnoDB, after the slot
 * UPDATE's EXISTS has share-locked that row — never from the gate's earlier read: a 替诊
 * (schedule/substitution.ts) that commits between the gate and the slot lock would otherwise
 * book the patient to the old doctor after the substitution had moved everyone else. The
 * SELECT also requires the doctor the gate read, so the answer and the message (which name
 * that doctor) cannot disagree with the row: when a 替诊 came in between, it inserts nothing
 * and the booking starts over from the gate (SessionChanged), rare enough to cost nothing.
 *
 * Lock order — the one order of every module that locks rows (DESIGN §3), so that two of them
 * queue behind each other instead of deadlocking:
 *
 *     patient_profile → slot (several: in id order) → clinic_session → appointment → payment
 *
 * with doctor and department rows only share-locked, by the UPDATE's EXISTS, after the slot.
 * Booking: profile → slot → (session, doctor, department: shared) → appointment (INSERT).
 * Cancellation and expiry (transitions.ts, releasePlaces): slot → appointment → payment. Suspension
 * (suspend.ts): slots → session → appointments → payments. Payment (pay.ts):
 * appointment → payment. The generator's rebuild and 加号 (schedule/): slots → session.
 * Joining a waitlist (waitlist/join.ts): profile → slots (id order) → waitlist_entry (INSERT).
 * The waitlist's fill, inside a cancellation or expiry (waitlist-offer.ts): slot → appointment
 * → waitlist_entry → the candidate's profile → appointment (INSERT) → the candidate's other
 * appointments that day. The candidate's profile comes before the slot in this order, so the
 * fill only tries it (FOR UPDATE NOWAIT) and passes over a candidate it cannot lock at once:
 * it never waits against the order, so it cannot deadlock with a booking holding that profile.
 * Nobody locks user_account rows on these paths: they are read.
 *
 * Queue numbers (就诊序号): each slot owns the numbers seq_start … seq_start + seq_count - 1 of
 * its session, so numbering needs no session-wide counter (which would make the session row a
 * second hot row). `next_seq` cycles through 1 … seq_count in the same UPDATE that takes the
 * place (`LAST_INSERT_ID(expr)` hands the new value back in the OK packet on mysql2 and in
 * `insertId` on PlanetScale, so no third statement reads it) and the candidate is
 * seq_start + next_seq - 1. Until a slot's first cancellation the numbers are handed out in
 * booking order and never collide. A number freed by a cancellation or expiry is reused: once
 * `next_seq` wraps round, a candidate may still be held by an active appointment; the INSERT
 * then fails on uq_appointment_queue_number (which fails only that statement, not the
 * transaction), and one locking read of the slot's range picks the first free number after
 * the candidate. While we hold the slot row nobody else can take a number of this slot, and
 * `remaining > 0` guarantees that a free number exists.
 *
 * Sold out, remembered (DESIGN §3: "a sold-out slot is cheap to refuse"). When the gate, or the
 * re-read after a lost race, finds a slot full, this process remembers it for FULL_SLOT_MEMO_MS
 * (one second, real time). Within that second a booking of that slot skips the gate: one
 * point read on uq_appointment_idempotency answers an Idempotency-Key replay exactly as the
 * gate would (an appointment that request created is returned, never refused), and anything
 * else is refused from the remembered facts (SLOT_FULL, or SLOT_PAST once the app's clock has
 * passed the slot). The memo can only refuse, never take a place — every place is still taken
 * by the conditional UPDATE — so it cannot oversell. Its cost is staleness: a place that comes
 * back within that second may be refused for the rest of it. This process forgets every
 * remembered slot of a database when it returns places itself (cancel, expiry, suspension:
 * `forgetFullSlots`, after their COMMIT); a gate read already under way may remember the slot
 * again, and a place returned by another process, capacity raised by an admin (schedule/) or a
 * suspension elsewhere (answered SLOT_FULL rather than SESSION_SUSPENDED meanwhile) is seen
 * within the second all the same.
 */
import { createHash, randomInt } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { Db } from '../db/create-db.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { overridesFromColumns, resolveRules, ruleColumns, type EffectiveRules, type RuleName } from '../rules/booking-rules.js';
import { enqueueNotification } from '../notification/outbox.js';
import { paymentDueAt, shanghaiWallClock } from '../notification/payment-due.js';
import type { VisitParams } from '../notification/templates.js';
import { shanghaiDate } from '../time/shanghai.js';
import { findOwnAppointment, toAppointmentView, type AppointmentView } from './appointment-view.js';
import { bookableCondition, DOCTOR_AVAILABLE_SQL, slotRefusal, type SlotFacts } from './bookability.js';
import { knownFull, rememberFull } from './full-slots.js';
import { bookingBanned } from './banned.js';

export interface BookingRequest {
  slotId: number;
  profileId: number;
  /** Client-chosen key; the same key with the same request answers with the same appointment. */
  idempotencyKey: string;
}

export interface BookingResult {
  appointment: AppointmentView;
  /** True when an earlier request with this Idempotency-Key had already booked it. */
  replayed: boolean;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Raised inside the transaction when the conditional UPDATE took no place: rolls it back. */
class NoPlaceTaken extends Error {}

/** Raised inside the transaction when the session's doctor is no longer the gate's (a 替诊): start over. */
class SessionChanged extends Error {}

/** 订单号: the booking's Shanghai date and 12 random digits, e.g. 20260310482915730264. */
export function newOrderNumber(now: Date): string {
  const digits = String(randomInt(0, 1_000_000)).padStart(6, '0') + String(randomInt(0, 1_000_000)).padStart(6, '0');
  return shanghaiDate(now).replaceAll('-', '') + digits;
}

export function requestHash(request: Pick<BookingRequest, 'slotId' | 'profileId'>): string {
  return createHash('sha256').update(JSON.stringify({ slotId: request.slotId, profileId: request.profileId })).digest('hex');
}

/*
 * The statements of the hot path are written as SQL, compiled once, and run through Kysely's
 * `executeQuery`: building and compiling them with the query builder on every request cost
 * about half a millisecond of the single-threaded server's CPU per booking (bench/).
 */
function execute<Row>(db: Db | Trx, statement: string, parameters: unknown[]) {
  return db.executeQuery<Row>(CompiledQuery.raw(statement, parameters));
}

/**
 * A statement whose placeholders are named by the keys of `P`, checked by the compiler (a
 * misspelt name does not type-check): `statement<P>()\`… ${'slot'} …\`` turns each name into a
 * `?` once, at load, and `values(p)` lists `p`'s values in their order. `raw(text)` splices SQL
 * text (a column list, a condition) instead of a placeholder.
 */
function statement<P>() {
  return (strings: TemplateStringsArray, ...parts: Array<keyof P | Raw>) => {
    let text = strings[0]!;
    const names: Array<keyof P> = [];
    parts.forEach((part, index) => {
      if (typeof part === 'object') text += part.raw;
      else {
        names.push(part);
        text += '?';
      }
      text += strings[index + 1]!;
    });
    return { text, values: (parameters: P) => names.map((name) => parameters[name]) };
  };
}

interface Raw {
  raw: string;
}

const raw = (text: string): Raw => ({ raw: text });

/**
 * The rules a booking applies (release and ban are facts of the session and the account). The
 * gate reads only these columns of the three rule rows: the other seven would triple the
 * columns every booking and refusal parses, for nothing.
 */
const BOOKING_RULES = ['paymentHoldMinutes', 'maxPerProfilePerDay', 'maxPerProfilePerDepartmentPerDay'] as const satisfies readonly RuleName[];
export type BookingRules = Pick<EffectiveRules, (typeof BOOKING_RULES)[number]>;

/** The columns `bookingRuleColumnsSql(alias)` selects, as the gate's row has them. */
type BookingRuleColumns<Alias extends string> = {
  [Name in (typeof BOOKING_RULES)[number] as `${Alias}_${(typeof ruleColumns)[Name]}`]: number | null;
};

/** The gate's row: every column GATE selects, and nothing else (a misspelt column does not type-check). */
type GateRow = SlotFacts &
  BookingRuleColumns<'rd'> &
  BookingRuleColumns<'rp'> &
  BookingRuleColumns<'rg'> & {
    id: number;
    end_time: string;
    seq_start: number;
    seq_count: number;
    session_id: number;
    period: 'morning' | 'afternoon' | 'evening';
    fee_fen: number;
    doctor_id: number;
    doctor_name: string;
    doctor_title: 'chief' | 'associate_chief' | 'attending' | 'resident';
    department_id: number;
    department_name: string;
    department_location: string | null;
    /** The account's phone, for the booking's SMS. */
    account_phone: string | null;
    replay_id: number | null;
    /** NULL unless the profile is the caller's and not deleted. */
    profile_id: number | null;
    banned_until: Date | null;
    /** One of the profile's active appointments on the session's date (NULL: it has none). */
    held_id: number | null;
    held_department_id: number | null;
    held_session_id: number | null;
  };

/** The SELECT list of the booking rules of the rule row joined as `alias` (read back by `overridesFromColumns`). */
function bookingRuleColumnsSql(alias: string): string {
  return BOOKING_RULES.map((name) => `${alias}.${ruleColumns[name]} AS ${alias}_${ruleColumns[name]}`).join(', ');
}

/**
 * The gate: slot, session, doctor, department, the rule rows that apply, a replay, the caller's
 * profile (ownership), ban, and the profile's active appointments on the session's date. Every
 * LEFT JOIN but the last is on a unique key; the last joins the profile's active appointments
 * that day, so the gate is one row per appointment (at most the daily limit; one row of NULLs
 * when there are none) and the limits are counted from those rows. As joins rather than the
 * scalar subqueries they once were (one for the replay, three counts), the statement costs
 * MariaDB about 0.17 ms of CPU instead of 0.26 (measured alone, 16 connections) — on a 2-core
 * machine that is CPU the booking transaction itself is short of.
 */
interface GateParameters {
  account: number;
  key: string;
  profile: number;
  slot: number;
}

const GATE = statement<GateParameters>()`
  SELECT s.id, s.remaining, s.start_time, s.end_time, s.seq_start, s.seq_count,
         cs.id AS session_id, cs.session_date, cs.period, cs.fee_fen, cs.status, cs.release_at, cs.bookable_until,
         cs.doctor_id, d.name AS doctor_name, d.title AS doctor_title,
         cs.department_id, dep.name AS department_name, dep.location AS department_location,
         ${raw(DOCTOR_AVAILABLE_SQL)} AS doctor_available,
         ${raw(bookingRuleColumnsSql('rd'))}, ${raw(bookingRuleColumnsSql('rp'))}, ${raw(bookingRuleColumnsSql('rg'))},
         p.id AS profile_id, u.banned_until, u.phone AS account_phone, k.id AS replay_id,
         a.id AS held_id, a.department_id AS held_department_id, a.session_id AS held_session_id
    FROM slot s
    JOIN clinic_session cs ON cs.id = s.session_id
    JOIN doctor d ON d.id = cs.doctor_id
    JOIN department dep ON dep.id = cs.department_id
    LEFT JOIN department par ON par.id = dep.parent_id
    LEFT JOIN booking_rule rd ON rd.scope_key = cs.department_id
    LEFT JOIN booking_rule rp ON rp.scope_key = dep.parent_id
    LEFT JOIN booking_rule rg ON rg.scope_key = 0
    LEFT JOIN patient_profile p ON p.id = ${'profile'} AND p.account_id = ${'account'} AND p.deleted_at IS NULL
    LEFT JOIN user_account u ON u.id = ${'account'}
    LEFT JOIN appointment k ON k.account_id = ${'account'} AND k.idempotency_key = ${'key'}
    LEFT JOIN appointment a ON a.profile_id = ${'profile'} AND a.session_date = cs.session_date AND a.holds_place = 1
   WHERE s.id = ${'slot'}`;

async function bookingGate(db: Db, request: BookingRequest, accountId: number): Promise<{ slot: GateRow; load: ProfileLoad } | undefined> {
  const result = await execute<GateRow>(
    db,
    GATE.text,
    GATE.values({ account: accountId, key: request.idempotencyKey, profile: request.profileId, slot: request.slotId }),
  );
  const slot = result.rows[0];
  if (!slot) return undefined;
  const load: ProfileLoad = { day: 0, department: 0, sameSession: 0 };
  for (const row of result.rows) {
    if (row.held_id === null) continue;
    load.day += 1;
    if (row.held_department_id === slot.department_id) load.department += 1;
    if (row.held_session_id === slot.session_id) load.sameSession += 1;
  }
  return { slot, load };
}

/** The appointment an earlier request with this Idempotency-Key created (uq_appointment_idempotency). */
const REPLAY_SQL = 'SELECT id FROM appointment WHERE account_id = ? AND idempotency_key = ?';

export interface ProfileLoad {
  day: number;
  department: number;
  sameSession: number;
}

/**
 * Inside the transaction: locks the caller's profile row by primary key — a record lock only,
 * no gap lock that could stall other patients' inserts, and not the account's row: another
 * profile of the same family books in parallel. Undefined when the profile is not theirs or
 * is deleted.
 */
async function lockProfile(trx: Trx, request: BookingRequest, accountId: number) {
  const result = await execute<{ id: number; real_name: string }>(trx, LOCK_PROFILE_SQL, [request.profileId, accountId]);
  return result.rows[0];
}

/** Parameters: profile id, account id. Exported, as the other statements of the transaction, for bench/. */
export const LOCK_PROFILE_SQL = `
  SELECT id, real_name FROM patient_profile
   WHERE id = ? AND account_id = ? AND deleted_at IS NULL
     FOR UPDATE`;

/**
 * After `lockProfile`: the profile's active appointments on the session's date, the
 * appointment another request with this key committed while we waited for the lock, and the
 * account's ban (read, not locked: a ban is written by the no-show sweep, whose race with one
 * booking is harmless). The transaction's first plain read, so its snapshot is taken now,
 * after the lock: it sees every booking of this profile that committed before, as each of
 * them held the same lock.
 */
async function recount(trx: Trx, request: BookingRequest, accountId: number, slot: GateRow) {
  const result = await execute<{ day: number; department: number | null; same_session: number | null; replay_id: number | null; banned_until: Date | null }>(
    trx,
    RECOUNT_SQL,
    [slot.department_id, slot.session_id, accountId, request.idempotencyKey, accountId, request.profileId, slot.session_date],
  );
  const row = result.rows[0]!;
  const load: ProfileLoad = { day: Number(row.day), department: Number(row.department ?? 0), sameSession: Number(row.same_session ?? 0) };
  return { load, replayId: row.replay_id, bannedUntil: row.banned_until };
}

/** Parameters: department id, session id, account id, Idempotency-Key, account id, profile id, session date. */
export const RECOUNT_SQL = `
  SELECT COUNT(*) AS day, SUM(department_id = ?) AS department, SUM(session_id = ?) AS same_session,
         (SELECT k.id FROM appointment k WHERE k.account_id = ? AND k.idempotency_key = ?) AS replay_id,
         (SELECT u.banned_until FROM user_account u WHERE u.id = ?) AS banned_until
    FROM appointment
   WHERE profile_id = ? AND session_date = ? AND holds_place = 1`;

export function enforceLimits(load: ProfileLoad, rules: BookingRules): void {
  if (load.sameSession > 0) throw new AppError('ALREADY_BOOKED');
  if (load.department >= rules.maxPerProfilePerDepartmentPerDay) {
    throw new AppError('DEPARTMENT_DAILY_LIMIT_REACHED', undefined, { limit: rules.maxPerProfilePerDepartmentPerDay });
  }
  if (load.day >= rules.maxPerProfilePerDay) throw new AppError('DAILY_LIMIT_REACHED', undefined, { limit: rules.maxPerProfilePerDay });
}

/** The appointment an earlier request with this key created, if the request was the same. */
async function replay(db: Db, principal: Principal, request: BookingRequest, hash: string): Promise<BookingResult> {
  const existing = await db
    .selectFrom('appointment')
    .select(['id', 'request_hash'])
    .where('account_id', '=', principal.userId)
    .where('idempotency_key', '=', request.idempotencyKey)
    .executeTakeFirstOrThrow();
  if (existing.request_hash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  const appointment = await findOwnAppointment(db, principal.userId, existing.id);
  if (!appointment) throw new AppError('APPOINTMENT_NOT_FOUND');
  return { appointment, replayed: true };
}

/**
 * The first number of the slot's range, cyclically from `candidate`, that no active appointment
 * of the session holds. A locking read, so it sees rows committed after this transaction's
 * snapshot was taken (bookings of this slot that committed before we got its row lock).
 */
export async function freeQueueNumber(trx: Trx, sessionId: number, seqStart: number, seqCount: number, candidate: number): Promise<number> {
  const taken = await trx
    .selectFrom('appointment')
    .select('queue_number')
    .where('session_id', '=', sessionId)
    .where('queue_number', '>=', seqStart)
    .where('queue_number', '<', seqStart + seqCount)
    .where('holds_place', '=', 1)
    .modifyEnd(sql`lock in share mode`)
    .execute();
  const held = new Set(taken.map((row) => row.queue_number));
  for (let step = 1; step <= seqCount; step++) {
    const number = seqStart + ((candidate - seqStart + step) % seqCount);
    if (!held.has(number)) return number;
  }
  throw new Error(`slot range ${seqStart}+${seqCount} of session ${sessionId} has no free number although a place was taken`);
}

const BOOKABLE_CONDITION = bookableCondition();

/**
 * Takes one place: the only statement that decrements `remaining`, and only from a slot that
 * is bookable (bookability.ts) as its row lock and the EXISTS's locking reads see it — so a
 * suspension, a later release or a deactivation that committed while we waited for the slot
 * row (after the gate had read it) refuses. Parameters: `takePlaceParameters`.
 */
export const TAKE_PLACE_SQL = `
  UPDATE slot s
     SET s.remaining = s.remaining - 1,
         s.next_seq = LAST_INSERT_ID(MOD(s.next_seq, s.seq_count) + 1),
         s.updated_at = ?
   WHERE s.id = ?
     AND ${BOOKABLE_CONDITION.sql}`;

/** The values of TAKE_PLACE_SQL's placeholders. */
export function takePlaceParameters(slotId: number, now: Date): unknown[] {
  return [now, slotId, ...BOOKABLE_CONDITION.parameters(now)];
}

/**
 * The doctor and department come from the session row as it is under its lock (see the top),
 * and only while the doctor is still the one the gate read: otherwise nothing is inserted.
 * Shared with the waitlist's offer (booking/waitlist-offer.ts).
 */
export const INSERT_APPOINTMENT_SQL = `
  INSERT INTO appointment (order_no, account_id, profile_id, slot_id, session_id, doctor_id, department_id,
                           session_date, period, slot_start, slot_end, queue_number, fee_fen, status,
                           hold_expires_at, idempotency_key, request_hash, created_at, updated_at)
  SELECT ?, ?, ?, ?, cs.id, cs.doctor_id, cs.department_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
    FROM clinic_session cs
   WHERE cs.id = ? AND cs.doctor_id = ?`;

/** How often a booking starts over because a 替诊 changed its session's doctor meanwhile. */
const SESSION_CHANGE_RETRIES = 3;

/**
 * Books `request.slotId` for the caller's profile `request.profileId`. Enforces: the profile
 * belongs to the caller and is not deleted; the account is not banned for no-shows; the session
 * is open, released and not past; the slot has a place; the profile has no other active
 * appointment in the session and stays within the per-day and per-department-per-day limits.
 * A booking with a fee starts `pending_payment` with a hold of `paymentHoldMinutes`; a free one
 * is `booked` at once.
 */
export async function bookAppointment(deps: AppDeps, principal: Principal, request: BookingRequest, meta: RequestMeta): Promise<BookingResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bookOnce(deps, principal, request, meta);
    } catch (error) {
      if (!(error instanceof SessionChanged) || attempt >= SESSION_CHANGE_RETRIES) throw error;
    }
  }
}

async function bookOnce(deps: AppDeps, principal: Principal, request: BookingRequest, meta: RequestMeta): Promise<BookingResult> {
  const { db } = deps;
  const now = deps.clock.now();

  const soldOut = knownFull(db, request.slotId);
  if (soldOut) {
    // Sold out a moment ago: what the gate would answer, from one point read (see the top).
    const earlier = await execute<{ id: number }>(db, REPLAY_SQL, [principal.userId, request.idempotencyKey]);
    if (earlier.rows.length > 0) return replay(db, principal, request, requestHash(request));
    throw new AppError(slotRefusal(soldOut, now) ?? 'SLOT_FULL');
  }

  const gate = await bookingGate(db, request, principal.userId);
  if (!gate) throw new AppError('SLOT_NOT_FOUND');
  const { slot } = gate;
  if (slot.replay_id !== null) return replay(db, principal, request, requestHash(request));
  const refusal = slotRefusal(slot, now);
  if (refusal === 'SLOT_FULL') rememberFull(db, request.slotId, slot);
  if (refusal) throw new AppError(refusal);
  if (slot.profile_id === null) throw new AppError('PROFILE_NOT_FOUND');
  if (slot.banned_until && slot.banned_until > now) {
    throw bookingBanned(slot.banned_until);
  }
  // Rules the gate did not read resolve to their defaults: typed away, so none can be used by mistake.
  const rules: BookingRules = resolveRules(['rd', 'rp', 'rg'].map((alias) => overridesFromColumns(slot, alias)));
  enforceLimits(gate.load, rules);
  const hash = requestHash(request);

  const status = slot.fee_fen > 0 ? ('pending_payment' as const) : ('booked' as const);
  const holdExpiresAt = status === 'pending_payment' ? new Date(now.getTime() + rules.paymentHoldMinutes * 60_000) : null;
  let profile: { id: number; realName: string } | undefined;

  const bookInTransaction = () =>
    inTransaction(db, async (trx) => {
      const orderNo = newOrderNumber(now);
      const locked = await lockProfile(trx, request, principal.userId);
      if (!locked) throw new AppError('PROFILE_NOT_FOUND');
      const current = await recount(trx, request, principal.userId, slot);
      if (current.replayId !== null) return { replayId: current.replayId };
      if (current.bannedUntil && current.bannedUntil > now) {
        throw bookingBanned(current.bannedUntil);
      }
      enforceLimits(current.load, rules);
      profile = { id: locked.id, realName: locked.real_name };

      await recordAudit(
        trx,
        {
          actor: principal,
          action: 'appointment.book',
          target: { type: 'appointment', id: orderNo },
          meta,
          summary: { slotId: request.slotId, profileId: request.profileId, status, feeFen: slot.fee_fen },
        },
        now,
      );

      const taken = await execute(trx, TAKE_PLACE_SQL, takePlaceParameters(request.slotId, now));
      if (Number(taken.numAffectedRows ?? 0) !== 1) throw new NoPlaceTaken();
      // mysql2 and PlanetScale both return the LAST_INSERT_ID(expr) value as the insert id.
      const nextSeq = Number(taken.insertId);
      let queueNumber = slot.seq_start + nextSeq - 1;

      for (let insertTry = 1; ; insertTry++) {
        try {
          const inserted = await execute(trx, INSERT_APPOINTMENT_SQL, [
            orderNo, principal.userId, request.profileId, request.slotId,
            slot.session_date, slot.period, slot.start_time, slot.end_time, queueNumber,
            slot.fee_fen, status, holdExpiresAt, request.idempotencyKey, hash, now, now,
            slot.session_id, slot.doctor_id,
          ]);
          if (Number(inserted.numAffectedRows ?? 0) !== 1) throw new SessionChanged();
          const id = Number(inserted.insertId);
          await notifyBooked(trx, { id, orderNo, accountId: principal.userId, phone: slot.account_phone, patientName: locked.real_name, slot, holdExpiresAt }, now);
          return { id, queueNumber, orderNo };
        } catch (error) {
          if (insertTry >= 2 || !isDuplicateKey(error, 'uq_appointment_queue_number')) throw error;
          queueNumber = await freeQueueNumber(trx, slot.session_id, slot.seq_start, slot.seq_count, queueNumber);
        }
      }
    });

  let booked: { id: number; queueNumber: number; orderNo: string } | { replayId: number };
  try {
    // Two random order numbers colliding is rare but possible: the whole transaction (whose
    // audit row names the order number) then runs again with a new one.
    booked = await bookInTransaction().catch((error: unknown) => {
      if (isDuplicateKey(error, 'uq_appointment_order_no')) return bookInTransaction();
      throw error;
    });
  } catch (error) {
    if (error instanceof NoPlaceTaken) throw await refusalAfterRace(db, request.slotId, now);
    if (isDuplicateKey(error, 'uq_appointment_idempotency')) return replay(db, principal, request, hash);
    if (isDuplicateKey(error, 'uq_appointment_profile_session')) throw new AppError('ALREADY_BOOKED');
    throw error;
  }
  if ('replayId' in booked) return replay(db, principal, request, hash);

  // The row just written, as the appointment reads would return it, without reading it back.
  return {
    replayed: false,
    appointment: toAppointmentView({
      id: booked.id,
      order_no: booked.orderNo,
      status,
      queue_number: booked.queueNumber,
      fee_fen: slot.fee_fen,
      hold_expires_at: holdExpiresAt,
      profile_id: profile!.id,
      real_name: profile!.realName,
      slot_id: slot.id,
      session_id: slot.session_id,
      session_date: slot.session_date,
      period: slot.period,
      slot_start: slot.start_time,
      slot_end: slot.end_time,
      doctor_id: slot.doctor_id,
      doctor_name: slot.doctor_name,
      doctor_title: slot.doctor_title,
      department_id: slot.department_id,
      department_name: slot.department_name,
      department_location: slot.department_location,
      created_at: now,
      paid_at: null,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
      cancelled_by_suspension: 0,
      expired_at: null,
    }),
  };
}

/**
 * In the booking's transaction, its one message: 预约成功 for a free booking (booked at once),
 * else the 待支付提醒, due shortly before the hold runs out and skipped if paid by then
 * (notification/payment-due.ts). Built from what the gate read — checked against the session
 * row by the INSERT — so it costs one INSERT and no read under the slot lock.
 */
async function notifyBooked(
  trx: Trx,
  booked: { id: number; orderNo: string; accountId: number; phone: string | null; patientName: string; slot: GateRow; holdExpiresAt: Date | null },
  now: Date,
): Promise<void> {
  const { slot } = booked;
  const visit: VisitParams = {
    orderNo: booked.orderNo,
    patientName: booked.patientName,
    departmentName: slot.department_name,
    doctorName: slot.doctor_name,
    visitTime: `${slot.session_date} ${slot.start_time.slice(0, 5)}`,
  };
  const common = { userId: booked.accountId, phone: booked.phone ?? undefined, appointmentId: booked.id };
  if (booked.holdExpiresAt === null) {
    await enqueueNotification(trx, { ...common, template: 'booking_confirmed', params: visit, dedupeKey: `booking_confirmed:${booked.id}` }, now);
  } else {
    await enqueueNotification(
      trx,
      {
        ...common,
        template: 'payment_due',
        params: { ...visit, payBy: shanghaiWallClock(booked.holdExpiresAt) },
        dedupeKey: `payment_due:${booked.id}`,
        sendAfter: paymentDueAt(now, booked.holdExpiresAt),
      },
      now,
    );
  }
}

/** The conditional UPDATE took nothing: a fresh read says why (full, suspended, past…). */
async function refusalAfterRace(db: Db, slotId: number, now: Date): Promise<AppError> {
  const result = await execute<SlotFacts>(db, RACE_SQL, [slotId]);
  const slot = result.rows[0];
  if (!slot) return new AppError('SLOT_NOT_FOUND');
  const refusal = slotRefusal(slot, now);
  if (refusal === 'SLOT_FULL') rememberFull(db, slotId, slot);
  // Not full by this read (a place came back meanwhile): still this request's answer is "full".
  return new AppError(refusal ?? 'SLOT_FULL');
}

const RACE_SQL = `
  SELECT s.remaining, s.start_time, cs.session_date, cs.status, cs.release_at, cs.bookable_until,
         ${DOCTOR_AVAILABLE_SQL} AS doctor_available
    FROM slot s JOIN clinic_session cs ON cs.id = s.session_id
    JOIN doctor d ON d.id = cs.doctor_id
    JOIN department dep ON dep.id = cs.department_id
    LEFT JOIN department par ON par.id = dep.parent_id
   WHERE s.id = ?`;
