/**
 * The patient in front of the doctor: 就诊人 (masked ID number, age — not the birth date — gender) and their basic
 * health record. Only for an appointment of the doctor's own queue that is checked in, called
 * or in the visit — not before the patient arrived, not after the visit. Every read is audited,
 * successful or refused (PIPL: staff access to medical data is logged).
 */
import { recordAudit } from '../audit/audit.js';
import type { RequestMeta } from '../context.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { ID_TYPE_LABELS, type IdType } from '../patient/id-document.js';
import { shanghaiDate } from '../time/shanghai.js';
import type { Doctor } from './visit.js';

const VISIBLE = new Set(['checked_in', 'called', 'in_visit']);

export interface PatientDetail {
  appointmentId: number;
  queueNumber: number;
  status: string;
  realName: string;
  gender: 'male' | 'female';
  age: number;
  idType: IdType;
  idTypeLabel: string;
  idNumberMasked: string;
  healthRecord: { bloodType: string; rhFactor: string; allergies: string; chronicConditions: string; medications: string; notes: string; updatedAt: string | null };
}

/** Full years between `birthDate` and the Shanghai date `today` (both `YYYY-MM-DD`). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

export async function patientDetail(deps: AppDeps, doctor: Doctor, appointmentId: number, meta: RequestMeta): Promise<PatientDetail> {
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('appointment as a')
    .innerJoin('patient_profile as p', 'p.id', 'a.profile_id')
    .leftJoin('health_record as h', 'h.profile_id', 'a.profile_id')
    .select(['a.id', 'a.order_no', 'a.doctor_id', 'a.status', 'a.queue_number', 'p.id as profile_id', 'p.real_name', 'p.gender', 'p.birth_date', 'p.id_type', 'p.id_number_masked'])
    .select(['h.blood_type', 'h.rh_factor', 'h.allergies', 'h.chronic_conditions', 'h.medications', 'h.notes', 'h.updated_at'])
    .where('a.id', '=', appointmentId)
    .executeTakeFirst();
  const audit = (outcome: 'success' | 'failure', summary: Record<string, unknown>) =>
    recordAudit(deps.db, { actor: doctor.principal, action: 'patient.view_by_doctor', target: { type: 'appointment', id: appointmentId }, outcome, meta, summary }, now);
  if (!row || row.doctor_id !== doctor.doctorId) {
    await audit('failure', { reason: 'not_own_queue' });
    throw new AppError('APPOINTMENT_NOT_FOUND');
  }
  if (!VISIBLE.has(row.status)) {
    await audit('failure', { reason: 'not_in_visit', status: row.status });
    throw new AppError('FORBIDDEN', '仅可查看已签到、叫号中或就诊中患者的信息', { status: row.status });
  }
  await audit('success', { profileId: row.profile_id, status: row.status });
  return {
    appointmentId: row.id,
    queueNumber: row.queue_number,
    status: row.status,
    realName: row.real_name,
    gender: row.gender,
    age: ageOn(row.birth_date, shanghaiDate(now)),
    idType: row.id_type,
    idTypeLabel: ID_TYPE_LABELS[row.id_type],
    idNumberMasked: row.id_number_masked,
    healthRecord: {
      bloodType: row.blood_type ?? 'unknown',
      rhFactor: row.rh_factor ?? 'unknown',
      allergies: row.allergies ?? '',
      chronicConditions: row.chronic_conditions ?? '',
      medications: row.medications ?? '',
      notes: row.notes ?? '',
      updatedAt: row.updated_at?.toISOString() ?? null,
    },
  };
}
