/**
 * 停诊: a doctor (their own session) or an admin suspends a clinic session. One transaction —
 * its own (`suspendSession`) or the caller's (`suspendWithin`, e.g. an approved 停诊申请):
 *
 *   lock the session's slot rows (id order)          -- bookings and cancels of it now wait
 *   UPDATE clinic_session SET status = 'suspended' WHERE id = ? AND status = 'open'
 *   lock and cancel its pending/booked appointments  -- cancelled_by_suspension, cancelled_by doctor | admin
 *   UPDATE slot SET remaining = remaining + n        -- per slot, n = its cancelled appointments
 *   refunds (payment rows), notification outbox rows (SMS + in-app) and audit entries
 *
 * Lock order (book.ts, top): slot → session → appointment → payment, the booking path's and
 * cancellation's order, so a suspension queues behind a booking in flight instead of
 * deadlocking with it; a booking that arrives later re-reads the session in its conditional
 * UPDATE and is refused SESSION_SUSPENDED. Accounts are read (for the SMS), never locked: a
 * suspension waits for nobody's unrelated request. Patients who have already checked in or
 * been seen keep their appointments (and places). A session has at most a few hundred
 * appointments, so one transaction is short enough.
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { notifyAppointments } from '../notification/outbox.js';
import { recordRefunds, settleRefunds, type RecordedRefund } from './refunds.js';
import { shanghaiToInstant } from '../time/shanghai.js';
import { forgetFullSlots } from './full-slots.js';
import { fromStatuses, moveAppointments, releasePlaces } from './transitions.js';

export interface SuspensionResult {
  sessionId: number;
  status: 'suspended';
  cancelledAppointments: number;
  refundedAppointments: number;
  notifiedPatients: number;
}

/** What `suspendWithin` did: the answer, and the refunds to settle after COMMIT (`afterSuspension`). */
export interface Suspension {
  result: SuspensionResult;
  refunds: RecordedRefund[];
}

/**
 * Suspends `sessionId` and cancels every active appointment that has not started (pending
 * payment or booked), returning each place and refunding each payment, in its own transaction;
 * then settles the refunds with the provider. A doctor may suspend only their own sessions, and
 * nobody a session whose first slot has started (Shanghai time): SESSION_STARTED.
 */
export async function suspendSession(
  deps: AppDeps,
  actor: Principal,
  sessionId: number,
  reason: string,
  meta?: RequestMeta,
): Promise<SuspensionResult> {
  const now = deps.clock.now();
  const suspension = await inTransaction(deps.db, (trx) => suspendWithin(trx, actor, sessionId, reason, now, meta));
  await afterSuspension(deps.db, suspension, now, deps.log);
  return suspension.result;
}

/**
 * After the COMMIT of a transaction that ran `suspendWithin`: its slots now answer
 * SESSION_SUSPENDED and their places came back, so this process refuses nothing from its
 * sold-out memo; and the provider is asked to pay the refunds back (never while the
 * transaction held the slot rows).
 */
export async function afterSuspension(db: Db, suspension: Suspension, now: Date, log: Logger): Promise<void> {
  forgetFullSlots(db);
  await settleRefunds(db, suspension.refunds, now, log);
}

/**
 * In the caller's transaction: the suspension of `sessionId` (see `suspendSession` for the
 * rules). Throws an AppError — the caller rolls back — when the session is missing, someone
 * else's (a doctor), already suspended or started. The caller calls `afterSuspension` after
 * its COMMIT. The appointments are cancelled by whoever decided the 停诊: the actor's role, or
 * `requestedBy` — 'doctor' when an admin approves the doctor's 停诊申请, so the patient is told
 * 医生停诊, not 医院停诊 (the approving admin is the audit entries' actor).
 */
export async function suspendWithin(
  trx: Trx,
  actor: Principal,
  sessionId: number,
  reason: string,
  now: Date,
  meta?: RequestMeta,
  requestedBy?: 'doctor',
): Promise<Suspension> {
  const session = await trx
    .selectFrom('clinic_session as cs')
    .innerJoin('doctor as d', 'd.id', 'cs.doctor_id')
    .select((eb) => [
      'cs.id',
      'cs.status',
      'cs.session_date',
      'cs.period',
      'cs.start_time',
      'd.user_id as doctor_user_id',
      'd.name as doctor_name',
      eb.selectFrom('slot').select((sb) => sb.fn.min('slot.start_time').as('first')).whereRef('slot.session_id', '=', 'cs.id').as('first_slot_start'),
    ])
    .where('cs.id', '=', sessionId)
    .executeTakeFirst();
  if (!session) throw new AppError('SESSION_NOT_FOUND');
  if (actor.role === 'doctor' && session.doctor_user_id !== actor.userId) throw new AppError('FORBIDDEN');
  if (actor.role === 'patient') throw new AppError('FORBIDDEN');
  if (session.status === 'suspended') throw new AppError('SESSION_ALREADY_SUSPENDED');
  // Once its first slot has started, patients may already have been seen: 停诊 is for sessions
  // that have not begun (the visit states that would tell who was seen do not exist yet).
  if (now >= shanghaiToInstant(session.session_date, session.first_slot_start ?? session.start_time)) throw new AppError('SESSION_STARTED');
  const cancelledBy = requestedBy ?? (actor.role === 'doctor' ? ('doctor' as const) : ('admin' as const));

  await trx.selectFrom('slot').select('id').where('session_id', '=', sessionId).orderBy('id').forUpdate().execute();
  const suspended = await trx
    .updateTable('clinic_session')
    .set({ status: 'suspended', suspend_reason: reason, updated_at: now })
    .where('id', '=', sessionId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(suspended.numUpdatedRows) !== 1) throw new AppError('SESSION_ALREADY_SUSPENDED');

  const victims = await trx
    .selectFrom('appointment')
    .select(['id', 'slot_id', 'order_no', 'account_id', 'status', 'slot_start'])
    .where('session_id', '=', sessionId)
    .where('status', 'in', fromStatuses('suspend'))
    .orderBy('id')
    .forUpdate()
    .execute();
  // The slots are locked already (above), so the appointments move first and then their places return.
  await moveAppointments(trx, 'suspend', victims.map((v) => v.id), { cancelled_at: now, cancelled_by: cancelledBy, cancel_reason: reason, cancelled_by_suspension: 1 }, now);
  await releasePlaces(trx, victims.map((v) => ({ slotId: v.slot_id })), now);
  const refunds = await recordRefunds(trx, victims.map((v) => ({ id: v.id, orderNo: v.order_no })), now);

  // Reads the patients' phones and visit details without locking them (see notifyAppointments).
  await notifyAppointments(trx, 'session_suspended', victims.map((v) => ({ appointmentId: v.id, params: { reason, paid: v.status === 'booked' } })), now, { urgent: true });

  await recordAudit(
    trx,
    {
      actor,
      action: 'session.suspend',
      target: { type: 'clinic_session', id: sessionId },
      meta,
      summary: { reason, cancelled: victims.map((v) => v.order_no), refunded: refunds.length },
    },
    now,
  );
  for (const v of victims) {
    await recordAudit(
      trx,
      {
        actor,
        action: 'appointment.cancel',
        target: { type: 'appointment', id: v.order_no },
        meta,
        summary: { appointmentId: v.id, from: v.status, by: cancelledBy, reason, sessionSuspended: sessionId },
      },
      now,
    );
  }
  return {
    refunds,
    result: {
      sessionId,
      status: 'suspended',
      cancelledAppointments: victims.length,
      refundedAppointments: refunds.length,
      notifiedPatients: new Set(victims.map((v) => v.account_id)).size,
    },
  };
}
