/** The signed-in doctor's own record, and the ownership rule of every `/doctor/…` session route. */
import { TITLE_LABELS, type DoctorTitle } from '../catalog/catalog.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';
import type { LocalDate } from '../time/shanghai.js';

export interface DoctorProfile {
  id: number;
  name: string;
  title: DoctorTitle;
  titleLabel: string;
  specialty: string;
  department: { id: number; name: string; location: string | null };
}

/**
 * The doctor record linked to a login. A doctor account without one (plain staff) cannot act
 * as a doctor: 403, like every other `/doctor/…` route (schedule/sessions.ts doctorIdOfUser).
 */
export async function getDoctorProfile(db: Db, userId: number): Promise<DoctorProfile> {
  const row = await db
    .selectFrom('doctor as d')
    .innerJoin('department as dep', 'dep.id', 'd.department_id')
    .select(['d.id', 'd.name', 'd.title', 'd.specialty', 'dep.id as departmentId', 'dep.name as departmentName', 'dep.location'])
    .where('d.user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new AppError('FORBIDDEN', '该账号未关联医生信息');
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    titleLabel: TITLE_LABELS[row.title],
    specialty: row.specialty,
    department: { id: row.departmentId, name: row.departmentName, location: row.location },
  };
}

/**
 * A `/doctor/…` route acts only on the caller's own session; someone else's reads as missing
 * (404, ids reveal nothing). Answers what the doctor-side rules depend on.
 */
export async function ownSession(db: Db, doctorId: number, sessionId: number): Promise<{ releaseAt: Date; status: 'open' | 'suspended'; date: LocalDate }> {
  const row = await db.selectFrom('clinic_session').select(['doctor_id', 'release_at', 'status', 'session_date']).where('id', '=', sessionId).executeTakeFirst();
  if (!row || row.doctor_id !== doctorId) throw new AppError('SESSION_NOT_FOUND');
  return { releaseAt: row.release_at, status: row.status, date: row.session_date };
}

/**
 * The fee a patient pays is fixed once the session's places are released: patients who look
 * at the same session must never see its price move. Before release the doctor may change it.
 */
export function assertFeeEditable(session: { releaseAt: Date }, now: Date): void {
  if (session.releaseAt <= now) throw new AppError('SESSION_RELEASED');
}
