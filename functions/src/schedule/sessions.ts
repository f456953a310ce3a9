/**
 * Clinic sessions (排班) and their slots (号源), written by the generator or directly by admins
 * and doctors. Capacity changes here keep the booking invariant
 * `remaining + active appointments = capacity` with single conditional UPDATEs, never by
 * reading then writing.
 */
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import { forgetFullSlots } from '../booking/full-slots.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { getEffectiveRules, releaseAt } from '../rules/booking-rules.js';
import { offerReturnedPlaces } from '../booking/waitlist-offer.js';
import { shanghaiDate, shanghaiToInstant, type LocalDate, type LocalTime } from '../time/shanghai.js';
import { MAX_SESSION_NUMBERS, periodOf, planSlots, toMinutes, type Period } from './slot-plan.js';

export interface SessionShape {
  doctorId: number;
  date: LocalDate;
  startTime: LocalTime;
  endTime: LocalTime;
  slotMinutes: number;
  capacityPerSlot: number;
  feeFen: number;
}

export interface SessionView {
  id: number;
  doctorId: number;
  departmentId: number;
  date: LocalDate;
  period: Period;
  startTime: LocalTime;
  endTime: LocalTime;
  feeFen: number;
  status: 'open' | 'suspended';
  suspendReason: string | null;
  releaseAt: string;
  fromTemplate: boolean;
  slots: Array<{ id: number; startTime: LocalTime; endTime: LocalTime; capacity: number; remaining: number; booked: number }>;
}

/**
 * Session creation vs department deactivation. Deactivating a department is refused while
 * future sessions depend on it, a check made under the department's exclusive row lock
 * (catalog/catalog-admin.ts, saveDepartment). Every session insert therefore first takes a
 * shared lock on the department row (and its 大科's: deactivating the 大科 counts its 小科's
 * sessions) and re-checks `active` under it: a deactivation either committed before — the
 * insert sees it and is refused with DEPARTMENT_INACTIVE — or waits for the insert to commit
 * and then counts the new session. Shared, not exclusive: concurrent creations and bookings
 * (whose slot UPDATE share-locks the same row, booking/book.ts) do not queue on each other.
 *
 * Lock order (booking/book.ts, top; DESIGN §3): slot → clinic_session → department. A new
 * session's insert takes the department first, as it locks no slot or session; the generator's
 * rebuild takes its old slots and session, then the department. The deactivation holds only
 * the department row (its counts are plain reads), so neither side can wait on the other in a
 * cycle.
 */
async function lockActiveDepartment(trx: Trx, departmentId: number): Promise<void> {
  const lockShared = (id: number) =>
    trx.selectFrom('department').select(['id', 'parent_id', 'active']).where('id', '=', id).modifyEnd(sql`lock in share mode`).executeTakeFirst();
  const department = await lockShared(departmentId);
  if (!department) throw new AppError('DEPARTMENT_NOT_FOUND');
  const parent = department.parent_id === null ? undefined : await lockShared(department.parent_id);
  if (department.active !== 1 || (parent && parent.active !== 1)) throw new AppError('DEPARTMENT_INACTIVE');
}

/**
 * Inserts a session and its slots in the given transaction. The unique key
 * (doctor, date, period) makes a second insert of the same session fail with SESSION_EXISTS,
 * which is what keeps the generator from creating anything twice. Refused with
 * DEPARTMENT_INACTIVE when the department (or its 大科) is inactive, read under its row lock.
 */
export async function insertSession(
  trx: Trx,
  shape: SessionShape & { departmentId: number; releaseAt: Date; templateId: number | null },
  now: Date,
): Promise<number> {
  const slots = planSlots(shape.startTime, shape.endTime, shape.slotMinutes, shape.capacityPerSlot);
  if (!slots) throw new AppError('SESSION_TIMES_INVALID', `出诊时间、时段长度或号源数有误（每场最多 ${MAX_SESSION_NUMBERS} 个号）`);
  await lockActiveDepartment(trx, shape.departmentId);
  const period = periodOf(shape.startTime);
  const inserted = await trx
    .insertInto('clinic_session')
    .values({
      doctor_id: shape.doctorId,
      department_id: shape.departmentId,
      template_id: shape.templateId,
      session_date: shape.date,
      period,
      start_time: shape.startTime,
      end_time: shape.endTime,
      fee_fen: shape.feeFen,
      release_at: shape.releaseAt,
      bookable_until: shanghaiToInstant(shape.date, slots.at(-1)!.endTime),
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => {
      if (isDuplicateKey(error, 'uq_session_doctor_date')) throw new AppError('SESSION_EXISTS');
      throw error;
    });
  const sessionId = Number(inserted.insertId);
  await trx
    .insertInto('slot')
    .values(
      slots.map((s) => ({
        session_id: sessionId,
        start_time: s.startTime,
        end_time: s.endTime,
        capacity: s.capacity,
        remaining: s.capacity,
        seq_start: s.seqStart,
        seq_count: s.seqCount,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  return sessionId;
}

/** A doctor's active record, or 404. Doctors act only on their own sessions. */
export async function findDoctor(db: Db | Trx, doctorId: number) {
  const doctor = await db.selectFrom('doctor').select(['id', 'department_id', 'user_id', 'active', 'name']).where('id', '=', doctorId).executeTakeFirst();
  if (!doctor) throw new AppError('DOCTOR_NOT_FOUND');
  return doctor;
}

export async function doctorIdOfUser(db: Db, userId: number): Promise<number> {
  const doctor = await db.selectFrom('doctor').select('id').where('user_id', '=', userId).executeTakeFirst();
  if (!doctor) throw new AppError('FORBIDDEN', '该账号未关联医生信息');
  return doctor.id;
}

/** Creates one session directly (admin for any doctor, a doctor for themself). */
export async function createSession(deps: AppDeps, actor: Principal, shape: SessionShape, meta: RequestMeta): Promise<SessionView> {
  const now = deps.clock.now();
  if (shape.date < shanghaiDate(now)) throw new AppError('SESSION_IN_PAST');
  const doctor = await findDoctor(deps.db, shape.doctorId);
  const rules = await getEffectiveRules(deps.db, doctor.department_id);
  const id = await inTransaction(deps.db, async (trx) => {
    const sessionId = await insertSession(trx, { ...shape, departmentId: doctor.department_id, releaseAt: releaseAt(shape.date, rules), templateId: null }, now);
    await recordAudit(trx, { actor, action: 'session.create', target: { type: 'clinic_session', id: sessionId }, meta, summary: { ...shape } }, now);
    return sessionId;
  });
  return getSession(deps.db, id);
}

export async function getSession(db: Db | Trx, sessionId: number): Promise<SessionView> {
  const [view] = await listSessions(db, { sessionId });
  if (!view) throw new AppError('SESSION_NOT_FOUND');
  return view;
}

/** Sessions with their slots and booked counts, for the doctor's and the admin's schedules. */
export async function listSessions(
  db: Db | Trx,
  filter: { sessionId?: number; doctorId?: number; departmentId?: number; from?: LocalDate; to?: LocalDate },
): Promise<SessionView[]> {
  let q = db.selectFrom('clinic_session').selectAll();
  if (filter.sessionId !== undefined) q = q.where('id', '=', filter.sessionId);
  if (filter.doctorId !== undefined) q = q.where('doctor_id', '=', filter.doctorId);
  if (filter.departmentId !== undefined) q = q.where('department_id', '=', filter.departmentId);
  if (filter.from) q = q.where('session_date', '>=', filter.from);
  if (filter.to) q = q.where('session_date', '<=', filter.to);
  const sessions = await q.orderBy('session_date').orderBy('start_time').orderBy('doctor_id').limit(500).execute();
  if (sessions.length === 0) return [];
  const slots = await db
    .selectFrom('slot')
    .select(['id', 'session_id', 'start_time', 'end_time', 'capacity', 'remaining'])
    .where('session_id', 'in', sessions.map((s) => s.id))
    .orderBy('start_time')
    .execute();
  return sessions.map((s) => ({
    id: s.id,
    doctorId: s.doctor_id,
    departmentId: s.department_id,
    date: s.session_date,
    period: s.period,
    startTime: s.start_time,
    endTime: s.end_time,
    feeFen: s.fee_fen,
    status: s.status,
    suspendReason: s.suspend_reason,
    releaseAt: s.release_at.toISOString(),
    fromTemplate: s.template_id !== null,
    slots: slots
      .filter((slot) => slot.session_id === s.id)
      .map((slot) => ({
        id: slot.id,
        startTime: slot.start_time,
        endTime: slot.end_time,
        capacity: slot.capacity,
        remaining: slot.remaining,
        booked: slot.capacity - slot.remaining,
      })),
  }));
}

/*
 * A session edited directly (fee, capacity, 加号) leaves its template: `template_id` is set to
 * NULL in the edit's transaction, so the generator, which rebuilds only unreleased sessions
 * that still follow a template, never rebuilds the edit away (generator.ts). The session then
 * lives on as if created by hand (`fromTemplate: false`): later template changes pass it by.
 */

/** Changes the fee of future bookings; appointments already made keep the fee they were made with. The session leaves its template. */
export async function updateSessionFee(deps: AppDeps, actor: Principal, sessionId: number, feeFen: number, meta: RequestMeta): Promise<SessionView> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const before = await getSession(trx, sessionId);
    await trx.updateTable('clinic_session').set({ fee_fen: feeFen, template_id: null, updated_at: now }).where('id', '=', sessionId).execute();
    await recordAudit(trx, { actor, action: 'session.update', target: { type: 'clinic_session', id: sessionId }, meta, summary: { feeFen: { before: before.feeFen, after: feeFen } } }, now);
  });
  return getSession(deps.db, sessionId);
}

/**
 * Sets a slot's capacity in one conditional UPDATE: `remaining` moves by the same amount, the
 * new capacity may not drop below what is booked (capacity − remaining, read in the same
 * statement under the row lock) nor exceed the slot's queue-number range. Racing bookings
 * either happen before (and count as booked) or after (and see the new remaining). The
 * session leaves its template.
 */
export async function setSlotCapacity(deps: AppDeps, actor: Principal, slotId: number, capacity: number, meta: RequestMeta): Promise<SessionView> {
  const now = deps.clock.now();
  const slot = await deps.db.selectFrom('slot').select(['session_id', 'capacity', 'remaining', 'seq_count']).where('id', '=', slotId).executeTakeFirst();
  if (!slot) throw new AppError('SLOT_NOT_FOUND');
  if (capacity > slot.seq_count) throw new AppError('CAPACITY_ABOVE_RANGE', `该时段最多 ${slot.seq_count} 个号，如需加号请新增时段`);
  await inTransaction(deps.db, async (trx) => {
    // MySQL applies SET assignments left to right: `remaining` is computed from the old capacity.
    const result = await sql`
      UPDATE slot SET remaining = remaining + ${capacity} - capacity, capacity = ${capacity}, updated_at = ${now}
       WHERE id = ${slotId} AND capacity - remaining <= ${capacity} AND ${capacity} <= seq_count`.execute(trx);
    if (Number(result.numAffectedRows ?? 0) !== 1) {
      // Both drivers count changed rows: 0 is either a refusal or a capacity already in place.
      const current = await trx.selectFrom('slot').select(['capacity', sql<number>`capacity - remaining`.as('booked')]).where('id', '=', slotId).executeTakeFirstOrThrow();
      if (current.capacity !== capacity) {
        throw new AppError('CAPACITY_BELOW_BOOKED', `该时段已预约 ${current.booked} 人，号源数不能少于已预约人数`);
      }
    }
    // Places that exist now go to the waitlist first, before anyone else sees them (booking/waitlist-offer.ts).
    await offerReturnedPlaces(trx, [{ slotId, count: capacity }], now);
    // After the slot's row: the lock order of every path (booking/book.ts, top).
    await trx.updateTable('clinic_session').set({ template_id: null, updated_at: now }).where('id', '=', slot.session_id).where('template_id', 'is not', null).execute();
    await recordAudit(trx, { actor, action: 'slot.capacity', target: { type: 'slot', id: slotId }, meta, summary: { before: slot.capacity, after: capacity } }, now);
  });
  // More places may exist now: this process stops refusing the slot from its sold-out memo.
  forgetFullSlots(deps.db);
  return getSession(deps.db, slot.session_id);
}

/**
 * 加号: adds a slot to a session with a fresh range of queue numbers after every existing one,
 * so numbers already handed out never move. The session leaves its template.
 */
export async function addSlot(
  deps: AppDeps,
  actor: Principal,
  sessionId: number,
  input: { startTime: LocalTime; endTime: LocalTime; capacity: number },
  meta: RequestMeta,
): Promise<SessionView> {
  const now = deps.clock.now();
  if (toMinutes(input.endTime) <= toMinutes(input.startTime)) throw new AppError('SESSION_TIMES_INVALID');
  await inTransaction(deps.db, async (trx) => {
    // Lock the session row so two concurrent additions cannot take the same number range —
    // after its slots, the lock order of every path (booking/book.ts, top).
    await trx.selectFrom('slot').select('id').where('session_id', '=', sessionId).orderBy('id').forUpdate().execute();
    const session = await trx.selectFrom('clinic_session').select(['id', 'session_date']).where('id', '=', sessionId).forUpdate().executeTakeFirst();
    if (!session) throw new AppError('SESSION_NOT_FOUND');
    const top = await trx
      .selectFrom('slot')
      .select(sql<number>`COALESCE(MAX(seq_start + seq_count), 1)`.as('next'))
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    const seqStart = Number(top.next);
    if (seqStart + input.capacity - 1 > MAX_SESSION_NUMBERS) throw new AppError('SESSION_TIMES_INVALID', `每场最多 ${MAX_SESSION_NUMBERS} 个号`);
    const inserted = await trx
      .insertInto('slot')
      .values({
        session_id: sessionId,
        start_time: input.startTime,
        end_time: input.endTime,
        capacity: input.capacity,
        remaining: input.capacity,
        seq_start: seqStart,
        seq_count: input.capacity,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isDuplicateKey(error, 'uq_slot_session_time')) throw new AppError('SESSION_TIMES_INVALID', '该时段已存在');
        throw error;
      });
    // A slot after the session's last one extends the bookable window; the session leaves its template.
    await trx
      .updateTable('clinic_session')
      .set((eb) => ({
        bookable_until: sql`GREATEST(${eb.ref('bookable_until')}, ${shanghaiToInstant(session.session_date, input.endTime)})`,
        template_id: null,
        updated_at: now,
      }))
      .where('id', '=', sessionId)
      .execute();
    // 加号: the new places go to the waitlist first (booking/waitlist-offer.ts).
    await offerReturnedPlaces(trx, [{ slotId: Number(inserted.insertId), count: input.capacity }], now);
    await recordAudit(trx, { actor, action: 'slot.add', target: { type: 'slot', id: Number(inserted.insertId) }, meta, summary: { sessionId, ...input } }, now);
  });
  return getSession(deps.db, sessionId);
}
