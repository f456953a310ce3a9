/**
 * 停诊申请: a doctor asks for one of their own future sessions to be suspended, with a reason;
 * an admin approves it — the existing suspension (cancel, refund, notify: booking/suspend.ts)
 * runs in the approval's transaction — or rejects it with a reason. At most one request per
 * session is pending (unique key on `pending_session_id`, cleared when decided). Deciding is
 * one conditional UPDATE on `status = 'pending'`: of two admins deciding at once, exactly one
 * wins and the other is told the request was already decided.
 */
import { recordAudit } from '../audit/audit.js';
import { afterSuspension, suspendWithin } from '../booking/suspend.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { shanghaiToInstant, type LocalDate } from '../time/shanghai.js';

export interface SuspensionRequestView {
  id: number;
  sessionId: number;
  doctorId: number;
  doctorName: string;
  departmentName: string;
  date: LocalDate;
  period: 'morning' | 'afternoon' | 'evening';
  startTime: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  rejectReason: string | null;
  createdAt: string;
}

/** The instant a session's first slot starts: after it, 停诊 is refused (as booking/suspend.ts does). */
async function sessionStart(db: Db | Trx, sessionId: number): Promise<{ doctorId: number; status: 'open' | 'suspended'; startsAt: Date } | undefined> {
  const row = await db
    .selectFrom('clinic_session as cs')
    .select((eb) => [
      'cs.doctor_id',
      'cs.status',
      'cs.session_date',
      'cs.start_time',
      eb.selectFrom('slot').select((sb) => sb.fn.min('slot.start_time').as('first')).whereRef('slot.session_id', '=', 'cs.id').as('first_slot_start'),
    ])
    .where('cs.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { doctorId: row.doctor_id, status: row.status, startsAt: shanghaiToInstant(row.session_date, row.first_slot_start ?? row.start_time) };
}

/**
 * Files a 停诊 request for the doctor's own session that is open and has not started.
 * A second pending request for the same session is refused (SUSPENSION_REQUEST_PENDING).
 */
export async function requestSuspension(deps: AppDeps, actor: Principal, doctorId: number, sessionId: number, reason: string, meta: RequestMeta): Promise<SuspensionRequestView> {
  const now = deps.clock.now();
  const session = await sessionStart(deps.db, sessionId);
  if (!session || session.doctorId !== doctorId) throw new AppError('SESSION_NOT_FOUND');
  if (session.status !== 'open') throw new AppError('SESSION_ALREADY_SUSPENDED');
  if (now >= session.startsAt) throw new AppError('SESSION_STARTED');
  const id = await inTransaction(deps.db, async (trx) => {
    const inserted = await trx
      .insertInto('suspension_request')
      .values({ session_id: sessionId, doctor_id: doctorId, reason, status: 'pending', pending_session_id: sessionId, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (isDuplicateKey(error, 'uq_suspension_request_pending')) throw new AppError('SUSPENSION_REQUEST_PENDING');
        throw error;
      });
    const requestId = Number(inserted.insertId);
    await recordAudit(trx, { actor, action: 'suspension_request.create', target: { type: 'suspension_request', id: requestId }, meta, summary: { sessionId, reason } }, now);
    return requestId;
  });
  return getRequest(deps.db, id);
}

function requestQuery(db: Db | Trx) {
  return db
    .selectFrom('suspension_request as r')
    .innerJoin('clinic_session as cs', 'cs.id', 'r.session_id')
    .innerJoin('doctor as d', 'd.id', 'r.doctor_id')
    .innerJoin('department as dep', 'dep.id', 'cs.department_id')
    .leftJoin('user_account as u', 'u.id', 'r.decided_by')
    .select([
      'r.id',
      'r.session_id',
      'r.doctor_id',
      'd.name as doctor_name',
      'dep.name as department_name',
      'cs.session_date',
      'cs.period',
      'cs.start_time',
      'r.reason',
      'r.status',
      'u.display_name as decided_by_name',
      'r.decided_at',
      'r.reject_reason',
      'r.created_at',
    ]);
}

function toView(r: Awaited<ReturnType<ReturnType<typeof requestQuery>['executeTakeFirstOrThrow']>>): SuspensionRequestView {
  return {
    id: r.id,
    sessionId: r.session_id,
    doctorId: r.doctor_id,
    doctorName: r.doctor_name,
    departmentName: r.department_name,
    date: r.session_date,
    period: r.period,
    startTime: r.start_time,
    reason: r.reason,
    status: r.status,
    decidedBy: r.decided_by_name ?? null,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    rejectReason: r.reject_reason,
    createdAt: r.created_at.toISOString(),
  };
}

export async function getRequest(db: Db | Trx, id: number): Promise<SuspensionRequestView> {
  const row = await requestQuery(db).where('r.id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('SUSPENSION_REQUEST_NOT_FOUND');
  return toView(row);
}

/** A doctor's own requests (newest first), or every request in a state for admins. */
export async function listRequests(db: Db, filter: { doctorId?: number; status?: 'pending' | 'approved' | 'rejected' }): Promise<SuspensionRequestView[]> {
  let query = requestQuery(db).orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(200);
  if (filter.doctorId !== undefined) query = query.where('r.doctor_id', '=', filter.doctorId);
  if (filter.status !== undefined) query = query.where('r.status', '=', filter.status);
  return (await query.execute()).map(toView);
}

/**
 * Marks a pending request decided in `trx`: one conditional UPDATE, so only one decision
 * ever applies; the loser learns whether the request is missing or already decided.
 */
async function decide(trx: Trx, id: number, status: 'approved' | 'rejected', actor: Principal, now: Date, rejectReason: string | null) {
  const updated = await trx
    .updateTable('suspension_request')
    .set({ status, pending_session_id: null, decided_by: actor.userId, decided_at: now, reject_reason: rejectReason, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    const exists = await trx.selectFrom('suspension_request').select('id').where('id', '=', id).executeTakeFirst();
    throw new AppError(exists ? 'SUSPENSION_REQUEST_DECIDED' : 'SUSPENSION_REQUEST_NOT_FOUND');
  }
  return trx.selectFrom('suspension_request').select(['session_id', 'reason']).where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Approves a pending request and suspends its session (cancel, refund, notify) in the same
 * transaction, as the doctor's 停诊 (the patients are told 医生停诊): if the suspension is refused (the session has started, is already
 * suspended…) the approval rolls back with it and the request stays pending.
 */
export async function approveRequest(deps: AppDeps, actor: Principal, id: number, meta: RequestMeta) {
  const now = deps.clock.now();
  const suspension = await inTransaction(deps.db, async (trx) => {
    const request = await decide(trx, id, 'approved', actor, now, null);
    await recordAudit(trx, { actor, action: 'suspension_request.approve', target: { type: 'suspension_request', id }, meta, summary: { sessionId: request.session_id } }, now);
    return suspendWithin(trx, actor, request.session_id, request.reason, now, meta, 'doctor');
  });
  await afterSuspension(deps.db, suspension, now, deps.log);
  return { request: await getRequest(deps.db, id), suspension: suspension.result };
}

/** Rejects a pending request with a reason the doctor sees; the session is untouched. */
export async function rejectRequest(deps: AppDeps, actor: Principal, id: number, reason: string, meta: RequestMeta): Promise<SuspensionRequestView> {
  const now = deps.clock.now();
  await inTransaction(deps.db, async (trx) => {
    const request = await decide(trx, id, 'rejected', actor, now, reason);
    await recordAudit(trx, { actor, action: 'suspension_request.reject', target: { type: 'suspension_request', id }, meta, summary: { sessionId: request.session_id, reason } }, now);
  });
  return getRequest(deps.db, id);
}
