/**
 * How an appointment is shown to its patient: the slot's time (Shanghai wall-clock and as an
 * instant), doctor, department and its location, queue number, fee and status. One query with
 * two joins on primary keys; the appointment row already carries the slot's date and times.
 */
import * as z from 'zod';
import type { Db } from '../db/create-db.js';
import type { Trx } from '../db/transaction.js';
import { shanghaiToInstant } from '../time/shanghai.js';

export const appointmentStatuses = [
  'pending_payment',
  'booked',
  'checked_in',
  'completed',
  'cancelled',
  'expired',
  'no_show',
  // The visit (visit/): 叫号, 就诊中, 过号. Each holds its place, like checked_in.
  'called',
  'in_visit',
  'passed',
] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

/**
 * Who cancelled an appointment, as its patient is told: they themselves, the hospital (one
 * appointment, by an admin), a 停诊 of the whole session — the doctor's (also when an admin
 * approved the doctor's request) or the hospital's — or the system.
 */
export const cancelSources = ['patient', 'hospital', 'doctor_suspension', 'hospital_suspension', 'system'] as const;
export type CancelSource = (typeof cancelSources)[number];

/** The label of each cancellation source; the apps show these (generated into api-types.gen.ts as `cancelSourceLabels`). */
export const CANCEL_SOURCE_LABELS: Record<CancelSource, string> = {
  patient: '本人取消',
  hospital: '医院取消',
  doctor_suspension: '医生停诊',
  hospital_suspension: '医院停诊',
  system: '系统取消',
};

/** The source of a cancelled row: a 停诊 (cancelled_by_suspension) is the doctor's or else the hospital's. */
export function cancelSourceOf(row: { cancelled_at: Date | null; cancelled_by: 'patient' | 'doctor' | 'admin' | 'system' | null; cancelled_by_suspension: number }): CancelSource | null {
  if (!row.cancelled_at) return null;
  if (row.cancelled_by_suspension) return row.cancelled_by === 'doctor' ? 'doctor_suspension' : 'hospital_suspension';
  if (row.cancelled_by === 'patient') return 'patient';
  if (row.cancelled_by === 'admin' || row.cancelled_by === 'doctor') return 'hospital';
  return 'system';
}

export const appointmentSchema = z
  .object({
    id: z.number().int(),
    orderNo: z.string().meta({ description: '订单号' }),
    status: z.enum(appointmentStatuses),
    queueNumber: z.number().int().meta({ description: '就诊序号（本次出诊内唯一）' }),
    feeFen: z.number().int().meta({ description: '挂号费（分）' }),
    holdExpiresAt: z.iso.datetime().nullable().meta({ description: '待支付预约的支付截止时间' }),
    profile: z.object({ id: z.number().int(), realName: z.string() }),
    slot: z.object({
      id: z.number().int(),
      sessionId: z.number().int(),
      date: z.iso.date().meta({ description: '就诊日期（北京时间）' }),
      period: z.enum(['morning', 'afternoon', 'evening']),
      startTime: z.string().meta({ description: '开始时间 HH:MM（北京时间）' }),
      endTime: z.string().meta({ description: '结束时间 HH:MM（北京时间）' }),
      startsAt: z.iso.datetime(),
    }),
    doctor: z.object({
      id: z.number().int(),
      name: z.string(),
      title: z.enum(['chief', 'associate_chief', 'attending', 'resident']),
    }),
    department: z.object({ id: z.number().int(), name: z.string(), location: z.string().nullable() }),
    createdAt: z.iso.datetime(),
    paidAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    cancelledBy: z.enum(['patient', 'doctor', 'admin', 'system']).nullable(),
    cancelReason: z.string().nullable(),
    cancelSource: z.enum(cancelSources).nullable().meta({ description: '取消来源：本人取消、医院取消、医生停诊、医院停诊、系统取消（cancelSourceLabels）' }),
    expiredAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Appointment' });

export type AppointmentView = z.infer<typeof appointmentSchema>;

export function viewQuery(db: Db | Trx) {
  return db
    .selectFrom('appointment as a')
    .innerJoin('doctor as d', 'd.id', 'a.doctor_id')
    .innerJoin('department as dep', 'dep.id', 'a.department_id')
    .innerJoin('patient_profile as p', 'p.id', 'a.profile_id')
    .select([
      'a.id',
      'a.order_no',
      'a.status',
      'a.queue_number',
      'a.fee_fen',
      'a.hold_expires_at',
      'a.profile_id',
      'p.real_name',
      'a.slot_id',
      'a.session_id',
      'a.session_date',
      'a.period',
      'a.slot_start',
      'a.slot_end',
      'a.doctor_id',
      'd.name as doctor_name',
      'd.title as doctor_title',
      'a.department_id',
      'dep.name as department_name',
      'dep.location as department_location',
      'a.created_at',
      'a.paid_at',
      'a.cancelled_at',
      'a.cancelled_by',
      'a.cancel_reason',
      'a.cancelled_by_suspension',
      'a.expired_at',
    ]);
}

export type ViewRow = Awaited<ReturnType<ReturnType<typeof viewQuery>['executeTakeFirstOrThrow']>>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAppointmentView(row: ViewRow): AppointmentView {
  return {
    id: row.id,
    orderNo: row.order_no,
    status: row.status,
    queueNumber: row.queue_number,
    feeFen: row.fee_fen,
    holdExpiresAt: row.status === 'pending_payment' ? iso(row.hold_expires_at) : null,
    profile: { id: row.profile_id, realName: row.real_name },
    slot: {
      id: row.slot_id,
      sessionId: row.session_id,
      date: row.session_date,
      period: row.period,
      startTime: row.slot_start.slice(0, 5),
      endTime: row.slot_end.slice(0, 5),
      startsAt: shanghaiToInstant(row.session_date, row.slot_start).toISOString(),
    },
    doctor: { id: row.doctor_id, name: row.doctor_name, title: row.doctor_title },
    department: { id: row.department_id, name: row.department_name, location: row.department_location },
    createdAt: row.created_at.toISOString(),
    paidAt: iso(row.paid_at),
    cancelledAt: iso(row.cancelled_at),
    cancelledBy: row.cancelled_by,
    cancelReason: row.cancel_reason,
    cancelSource: cancelSourceOf(row),
    expiredAt: iso(row.expired_at),
  };
}

/** One appointment as its owner sees it; undefined when it does not exist or is someone else's. */
export async function findOwnAppointment(db: Db | Trx, accountId: number, appointmentId: number): Promise<AppointmentView | undefined> {
  const row = await viewQuery(db).where('a.id', '=', appointmentId).where('a.account_id', '=', accountId).executeTakeFirst();
  return row ? toAppointmentView(row) : undefined;
}
