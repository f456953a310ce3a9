/**
 * The doctor's steps of a visit, on their own session's queue: 叫号 (call the next waiting
 * patient), 复呼 (call the current one again), 过号 (called and not there), 开始就诊, 完成.
 * Each is one conditional UPDATE on the current status (transitions.ts); a step tried from the
 * wrong status, or lost to a concurrent one, is a 409 VISIT_STATE_CONFLICT. One patient is
 * called or seen at a time per session (uq_appointment_calling): 叫号 while one is there is a
 * 409 QUEUE_BUSY, so two devices pressing at once call one patient.
 */
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { sql, type UpdateObject } from 'kysely';
import type { DB } from '../db/schema.js';
import { canMove, moveAppointments, moveNextInQueue, TransitionLost, type TransitionName } from '../booking/transitions.js';
import { ownSession } from '../doctor/profile.js';
import { visitStateConflict } from './visit-errors.js';

export interface Doctor {
  principal: Principal;
  doctorId: number;
}

/** 叫号: the next waiting patient of the doctor's own open session. Returns the called appointment's id. */
export async function callNext(deps: AppDeps, doctor: Doctor, sessionId: number, meta: RequestMeta): Promise<number> {
  const session = await ownSession(deps.db, doctor.doctorId, sessionId);
  if (session.status !== 'open') throw new AppError('SESSION_SUSPENDED');
  const now = deps.clock.now();
  try {
    return await inTransaction(deps.db, async (trx) => {
      if (!(await moveNextInQueue(trx, sessionId, now))) {
        const current = await trx.selectFrom('appointment').select('id').where('calling_session_id', '=', sessionId).executeTakeFirst();
        throw current ? new AppError('QUEUE_BUSY') : new AppError('QUEUE_EMPTY');
      }
      const called = await trx
        .selectFrom('appointment')
        .select(['id', 'order_no', 'queue_number'])
        .where('calling_session_id', '=', sessionId)
        .executeTakeFirstOrThrow();
      await recordAudit(trx, { actor: doctor.principal, action: 'appointment.call', target: { type: 'appointment', id: called.order_no }, meta, summary: { appointmentId: called.id, sessionId, queueNumber: called.queue_number } }, now);
      return called.id;
    });
  } catch (error) {
    if (isDuplicateKey(error, 'uq_appointment_calling')) throw new AppError('QUEUE_BUSY');
    throw error;
  }
}

/** The doctor's steps on one appointment of their own queue, after 叫号. */
export type VisitStep = Extract<TransitionName, 'recall' | 'pass' | 'startVisit' | 'complete'>;

/* Counters as expressions: each step changes its row even at the same millisecond (the UPDATE counts changed rows). */
const STEP_SET: Record<VisitStep, (now: Date) => UpdateObject<DB, 'appointment'>> = {
  recall: (now) => ({ called_at: now, recall_count: sql`recall_count + 1` }),
  pass: (now) => ({ passed_at: now, passed_count: sql`passed_count + 1` }),
  startVisit: (now) => ({ visit_started_at: now }),
  complete: (now) => ({ completed_at: now }),
};

const STEP_ACTION: Record<VisitStep, string> = {
  recall: 'appointment.recall',
  pass: 'appointment.pass',
  startVisit: 'appointment.start_visit',
  complete: 'appointment.complete',
};

/**
 * Moves an appointment of the doctor's own queue by `step`. Another doctor's appointment reads
 * as missing (404). 过号 counts the passes: over the rule's limit, the patient is not queued again
 * (check-in.ts).
 */
export async function visitStep(deps: AppDeps, doctor: Doctor, appointmentId: number, step: VisitStep, meta: RequestMeta): Promise<{ sessionId: number }> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('appointment')
    .select(['id', 'order_no', 'status', 'doctor_id', 'session_id'])
    .where('id', '=', appointmentId)
    .executeTakeFirst();
  if (!row || row.doctor_id !== doctor.doctorId) throw new AppError('APPOINTMENT_NOT_FOUND');
  if (!canMove(step, row.status)) throw visitStateConflict(row.status);
  try {
    await inTransaction(deps.db, async (trx) => {
      await moveAppointments(trx, step, [row.id], STEP_SET[step](now), now);
      await recordAudit(trx, { actor: doctor.principal, action: STEP_ACTION[step], target: { type: 'appointment', id: row.order_no }, meta, summary: { appointmentId: row.id, sessionId: row.session_id, from: row.status } }, now);
    });
  } catch (error) {
    if (!(error instanceof TransitionLost)) throw error;
    const current = await deps.db.selectFrom('appointment').select('status').where('id', '=', appointmentId).executeTakeFirstOrThrow();
    throw visitStateConflict(current.status);
  }
  return { sessionId: row.session_id };
}
