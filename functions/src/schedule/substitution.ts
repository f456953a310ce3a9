/**
 * 替诊: instead of cancelling everyone (停诊), an admin hands a session to another doctor. The
 * bookings stay — same slot, same queue number, same payment — and each patient is told who
 * will see them. One transaction:
 *
 *   SELECT clinic_session … FOR UPDATE             -- bookings of it now wait (see below)
 *   SELECT doctor (the new one) … LOCK IN SHARE MODE  -- still active, same department
 *   the active appointments … FOR UPDATE, their 替诊通知 (naming the old and the new doctor)
 *   UPDATE clinic_session SET doctor_id = new        -- uq_session_doctor_date: not double-booked
 *   UPDATE appointment SET doctor_id = new            -- denormalised onto every active appointment
 *   audit entry
 *
 * Against a booking in flight: the booking's slot UPDATE share-locks the session row (its
 * EXISTS) and its INSERT takes the doctor from that row (booking/book.ts, top). So either the
 * booking committed first — its appointment is then among those moved here — or it waits for
 * this transaction and books the new doctor. No slot is locked here: places do not move. Lock
 * order (book.ts): session → appointment, the suspension's order without its slots.
 *
 * The rules, in the order they are checked: the session exists, is open and has not started
 * (Shanghai time); the new doctor exists, is not the session's doctor, is active, belongs to
 * the session's department, has the same or a higher title (TITLE_ORDER, below), and has
 * no session of their own at that date and period. The session is detached from its template
 * and remembers the doctor it was first scheduled for, so the generator neither rebuilds it
 * nor recreates that doctor's session on that date (generator.ts).
 */
import { sql } from 'kysely';
import { recordAudit } from '../audit/audit.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import type { Doctor } from '../db/schema.js';
import { isDuplicateKey } from '../db/driver-errors.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { notifyAppointments } from '../notification/outbox.js';
import { shanghaiToInstant } from '../time/shanghai.js';

type DoctorTitle = Doctor['title'];

/** Titles from junior to senior: the one order of seniority (住院 < 主治 < 副主任 < 主任医师). */
export const TITLE_ORDER: readonly DoctorTitle[] = ['resident', 'attending', 'associate_chief', 'chief'];

/** Whether `title` is `than` or more senior (TITLE_ORDER). */
export function titleAtLeast(title: DoctorTitle, than: DoctorTitle): boolean {
  return TITLE_ORDER.indexOf(title) >= TITLE_ORDER.indexOf(than);
}

/** Appointments that move with their session: every status that still holds a place. */
const MOVING = ['pending_payment', 'booked', 'checked_in'] as const;

export interface SubstitutionResult {
  sessionId: number;
  fromDoctorId: number;
  toDoctorId: number;
  movedAppointments: number;
  notifiedPatients: number;
}

interface DoctorFacts {
  id: number;
  name: string;
  department_id: number;
  title: DoctorTitle;
  active: number;
}

/** The refusal for handing a session of `from` to `to`, if any (see the top for the rules). */
function refusal(from: DoctorFacts, to: DoctorFacts | undefined): AppError | undefined {
  if (!to) return new AppError('DOCTOR_NOT_FOUND', '替诊医生不存在');
  if (to.id === from.id) return new AppError('SUBSTITUTE_SAME_DOCTOR');
  if (to.active !== 1) return new AppError('SUBSTITUTE_NOT_ACTIVE');
  if (to.department_id !== from.department_id) return new AppError('SUBSTITUTE_OTHER_DEPARTMENT');
  if (!titleAtLeast(to.title, from.title)) return new AppError('SUBSTITUTE_TITLE_TOO_LOW');
  return undefined;
}

async function doctorFacts(db: Db | Trx, doctorId: number, lock: boolean): Promise<DoctorFacts | undefined> {
  const query = db.selectFrom('doctor').select(['id', 'name', 'department_id', 'title', 'active']).where('id', '=', doctorId);
  return (lock ? query.modifyEnd(sql`lock in share mode`) : query).executeTakeFirst();
}

/**
 * Hands session `sessionId` to doctor `toDoctorId` (admins only; the route checks the role),
 * with `reason` in the audit log. Moves every appointment that holds a place to the new doctor
 * and enqueues one 替诊通知 per such appointment, in the same transaction.
 */
export async function substituteDoctor(
  deps: AppDeps,
  actor: Principal,
  sessionId: number,
  change: { doctorId: number; reason: string },
  meta: RequestMeta,
): Promise<SubstitutionResult> {
  const now = deps.clock.now();
  return inTransaction(deps.db, async (trx) => {
    const session = await trx
      .selectFrom('clinic_session')
      .select((eb) => [
        'id',
        'doctor_id',
        'department_id',
        'status',
        'session_date',
        'period',
        'start_time',
        'substituted_from_doctor_id',
        eb.selectFrom('slot').select((sb) => sb.fn.min('slot.start_time').as('first')).whereRef('slot.session_id', '=', 'clinic_session.id').as('first_slot_start'),
      ])
      .where('id', '=', sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (!session) throw new AppError('SESSION_NOT_FOUND');
    if (session.status === 'suspended') throw new AppError('SESSION_SUSPENDED');
    if (now >= shanghaiToInstant(session.session_date, session.first_slot_start ?? session.start_time)) {
      throw new AppError('SESSION_STARTED', '该出诊已开始或已结束，不能替诊');
    }
    const from = (await doctorFacts(trx, session.doctor_id, false))!;
    const to = await doctorFacts(trx, change.doctorId, true);
    const refused = refusal({ ...from, department_id: session.department_id }, to);
    if (refused) throw refused;

    const moving = await trx
      .selectFrom('appointment')
      .select(['id', 'account_id'])
      .where('session_id', '=', sessionId)
      .where('status', 'in', MOVING)
      .orderBy('id')
      .forUpdate()
      .execute();
    // Before the appointments move: the message names the doctor they had booked.
    await notifyAppointments(trx, 'doctor_substituted', moving.map((a) => ({ appointmentId: a.id, params: { newDoctorName: to!.name } })), now, {
      dedupeSuffix: `${to!.id}:${now.getTime()}`,
    });

    try {
      await trx
        .updateTable('clinic_session')
        .set({
          doctor_id: to!.id,
          template_id: null,
          substituted_from_doctor_id: session.substituted_from_doctor_id ?? session.doctor_id,
          updated_at: now,
        })
        .where('id', '=', sessionId)
        .execute();
    } catch (error) {
      if (isDuplicateKey(error, 'uq_session_doctor_date')) throw new AppError('SUBSTITUTE_BUSY');
      throw error;
    }
    if (moving.length > 0) {
      await trx.updateTable('appointment').set({ doctor_id: to!.id, updated_at: now }).where('id', 'in', moving.map((a) => a.id)).execute();
    }

    await recordAudit(
      trx,
      {
        actor,
        action: 'session.substitute',
        target: { type: 'clinic_session', id: sessionId },
        meta,
        summary: { reason: change.reason, fromDoctorId: from.id, toDoctorId: to!.id, date: session.session_date, period: session.period, moved: moving.length },
      },
      now,
    );
    return {
      sessionId,
      fromDoctorId: from.id,
      toDoctorId: to!.id,
      movedAppointments: moving.length,
      notifiedPatients: new Set(moving.map((a) => a.account_id)).size,
    };
  });
}

export interface EligibleSubstitute {
  id: number;
  name: string;
  title: DoctorTitle;
}

/**
 * The doctors session `sessionId` could be handed to now: every doctor of its department for
 * whom `refusal` (the rules `substituteDoctor` checks) finds nothing and who has no session of
 * their own at that date and period (SUBSTITUTE_BUSY), most senior first. A read without locks:
 * `substituteDoctor` checks again under its own. The session's own state (suspended, started)
 * is not checked here: the substitution answers those with their own codes.
 */
export async function eligibleSubstitutes(db: Db, sessionId: number): Promise<EligibleSubstitute[]> {
  const session = await db.selectFrom('clinic_session').select(['doctor_id', 'department_id', 'session_date', 'period']).where('id', '=', sessionId).executeTakeFirst();
  if (!session) throw new AppError('SESSION_NOT_FOUND');
  const from = (await doctorFacts(db, session.doctor_id, false))!;
  const candidates = await db
    .selectFrom('doctor')
    .select(['id', 'name', 'department_id', 'title', 'active'])
    .where('department_id', '=', session.department_id)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('clinic_session as busy')
            .select('busy.id')
            .whereRef('busy.doctor_id', '=', 'doctor.id')
            .where('busy.session_date', '=', session.session_date)
            .where('busy.period', '=', session.period),
        ),
      ),
    )
    .orderBy('id')
    .execute();
  return candidates
    .filter((to) => refusal({ ...from, department_id: session.department_id }, to) === undefined)
    .sort((a, b) => TITLE_ORDER.indexOf(b.title) - TITLE_ORDER.indexOf(a.title) || a.id - b.id)
    .map((d) => ({ id: d.id, name: d.name, title: d.title }));
}
