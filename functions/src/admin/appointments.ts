/**
 * Appointments as admins see them: filtered lists, one appointment with its whole history,
 * and the CSV export of a filtered list. The patient's name, phone and ID number are masked in
 * every view: admins run the hospital, they do not need to read who is ill.
 */
import { sql } from 'kysely';
import * as z from 'zod';
import { maskPhone } from '../auth/phone.js';
import { maskName } from '../patient/masking.js';
import { appointmentStatuses } from '../booking/appointment-view.js';
import { canMove } from '../booking/transitions.js';
import { cancelByAdmin } from '../booking/cancel.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { idSchema, localDateSchema } from '../schemas.js';
import { shanghaiDate, shanghaiTime } from '../time/shanghai.js';
import { auditEntrySchema, listAuditLog } from './audit-log.js';
import { PERIOD_LABELS } from '../schedule/slot-plan.js';
import { recordAudit } from '../audit/audit.js';
import { CSV_BOM, csvRow } from './csv.js';

export const appointmentFilterSchema = z.strictObject({
  from: localDateSchema.optional().meta({ description: '就诊日期起（含）' }),
  to: localDateSchema.optional().meta({ description: '就诊日期止（含）' }),
  departmentId: idSchema.optional().meta({ description: '科室（含其下小科）' }),
  doctorId: idSchema.optional(),
  status: z.enum(appointmentStatuses).optional(),
  orderNo: z.string().trim().regex(/^[A-Za-z0-9]{1,20}$/, '订单号格式不正确').optional(),
  phone: z.string().trim().regex(/^1\d{10}$/, '请输入 11 位手机号').optional().meta({ description: '就诊人或账号手机号' }),
});
export type AppointmentFilter = z.output<typeof appointmentFilterSchema>;

export const appointmentListQuerySchema = appointmentFilterSchema.extend({
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

const cancelledBy = z.enum(['patient', 'doctor', 'admin', 'system']);

export const adminAppointmentSchema = z
  .object({
    id: z.number().int(),
    orderNo: z.string(),
    status: z.enum(appointmentStatuses),
    date: z.iso.date().meta({ description: '就诊日期（北京时间）' }),
    period: z.enum(['morning', 'afternoon', 'evening']),
    startTime: z.string(),
    endTime: z.string(),
    queueNumber: z.number().int(),
    feeFen: z.number().int(),
    department: z.object({ id: z.number().int(), name: z.string() }),
    doctor: z.object({ id: z.number().int(), name: z.string() }),
    patient: z.object({
      name: z.string().meta({ description: '脱敏姓名，如 张*丰' }),
      phone: z.string().meta({ description: '脱敏手机号' }),
      idNumber: z.string().meta({ description: '脱敏证件号' }),
    }),
    createdAt: z.iso.datetime(),
    paidAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    cancelledBy: cancelledBy.nullable(),
    cancelReason: z.string().nullable(),
    cancellable: z.boolean().meta({ description: '管理员可取消（待支付、待就诊、已签到未叫号）' }),
  })
  .meta({ id: 'AdminAppointment' });
type AdminAppointment = z.input<typeof adminAppointmentSchema>;

export const adminAppointmentPageSchema = z.object({
  items: z.array(adminAppointmentSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const adminAppointmentDetailSchema = z.object({
  appointment: adminAppointmentSchema,
  payment: z
    .object({
      amountFen: z.number().int(),
      provider: z.string(),
      status: z.enum(['paid', 'refunded']),
      paidAt: z.iso.datetime(),
      refundAmountFen: z.number().int().nullable(),
      refundedAt: z.iso.datetime().nullable(),
    })
    .nullable(),
  audit: z.array(auditEntrySchema).meta({ description: '该预约的全部审计记录，按时间先后' }),
  notifications: z.array(
    z.object({
      id: z.number().int(),
      channel: z.enum(['sms', 'wechat', 'in_app']),
      template: z.string(),
      status: z.enum(['pending', 'sent', 'failed', 'skipped']),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      createdAt: z.iso.datetime(),
      sentAt: z.iso.datetime().nullable(),
    }),
  ),
});

export { maskName };

function filtered(db: Db, filter: AppointmentFilter) {
  let q = db
    .selectFrom('appointment as a')
    .innerJoin('doctor as d', 'd.id', 'a.doctor_id')
    .innerJoin('department as dep', 'dep.id', 'a.department_id')
    .innerJoin('patient_profile as p', 'p.id', 'a.profile_id');
  // session_date is already a Shanghai calendar date: no instant conversion needed.
  if (filter.from) q = q.where('a.session_date', '>=', filter.from);
  if (filter.to) q = q.where('a.session_date', '<=', filter.to);
  if (filter.departmentId !== undefined) {
    const id = filter.departmentId;
    q = q.where((eb) => eb.or([eb('a.department_id', '=', id), eb('dep.parent_id', '=', id)]));
  }
  if (filter.doctorId !== undefined) q = q.where('a.doctor_id', '=', filter.doctorId);
  if (filter.status) q = q.where('a.status', '=', filter.status);
  if (filter.orderNo) q = q.where('a.order_no', '=', filter.orderNo);
  if (filter.phone) {
    const phone = filter.phone;
    q = q.where((eb) =>
      eb.or([
        eb('p.phone', '=', phone),
        eb('a.account_id', 'in', eb.selectFrom('user_account').select('id').where('phone', '=', phone)),
      ]),
    );
  }
  return q;
}

function withColumns(q: ReturnType<typeof filtered>) {
  return q.select([
    'a.id', 'a.order_no', 'a.status', 'a.session_date', 'a.period', 'a.slot_start', 'a.slot_end', 'a.queue_number',
    'a.fee_fen', 'a.department_id', 'dep.name as department_name', 'a.doctor_id', 'd.name as doctor_name',
    'p.real_name', 'p.phone as patient_phone', 'p.id_number_masked', 'a.created_at', 'a.paid_at', 'a.cancelled_at',
    'a.cancelled_by', 'a.cancel_reason', 'a.account_id',
  ]);
}
type Row = Awaited<ReturnType<ReturnType<typeof withColumns>['executeTakeFirstOrThrow']>>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toView(r: Row): AdminAppointment {
  return {
    id: Number(r.id),
    orderNo: r.order_no,
    status: r.status,
    date: r.session_date,
    period: r.period,
    startTime: r.slot_start.slice(0, 5),
    endTime: r.slot_end.slice(0, 5),
    queueNumber: r.queue_number,
    feeFen: r.fee_fen,
    department: { id: Number(r.department_id), name: r.department_name },
    doctor: { id: Number(r.doctor_id), name: r.doctor_name },
    patient: { name: maskName(r.real_name), phone: maskPhone(r.patient_phone), idNumber: r.id_number_masked },
    createdAt: r.created_at.toISOString(),
    paidAt: iso(r.paid_at),
    cancelledAt: iso(r.cancelled_at),
    cancelledBy: r.cancelled_by,
    cancelReason: r.cancel_reason,
    cancellable: canMove('adminCancel', r.status),
  };
}

/** One page of the filtered appointments, newest booking first. */
export async function listAppointments(db: Db, query: z.output<typeof appointmentListQuerySchema>): Promise<z.input<typeof adminAppointmentPageSchema>> {
  const q = filtered(db, query);
  const [rows, count] = await Promise.all([
    withColumns(q).orderBy('a.id', 'desc').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toView), total: Number(count.n), page: query.page, pageSize: query.pageSize };
}

/** Cancels the appointment for the patient (booking/cancel.ts cancelByAdmin) and answers its detail as it is now. */
export async function adminCancelAppointment(
  deps: AppDeps,
  admin: Principal,
  appointmentId: number,
  reason: string,
  meta: RequestMeta,
): Promise<z.input<typeof adminAppointmentDetailSchema>> {
  await cancelByAdmin(deps, admin, appointmentId, reason, meta);
  const detail = await appointmentDetail(deps.db, appointmentId);
  if (!detail) throw new AppError('APPOINTMENT_NOT_FOUND');
  return detail;
}

/**
 * One appointment with its history: every audit entry naming it (booked, paid, cancelled,
 * expired, refunded — each written in the transaction of its change), its payment and refund,
 * and the messages sent about it. Undefined when it does not exist.
 */
export async function appointmentDetail(db: Db, id: number): Promise<z.input<typeof adminAppointmentDetailSchema> | undefined> {
  const row = await withColumns(filtered(db, {})).where('a.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [payment, audit, notifications] = await Promise.all([
    db.selectFrom('payment').selectAll().where('appointment_id', '=', id).executeTakeFirst(),
    listAuditLog(db, { targetType: 'appointment', targetId: row.order_no, page: 1, pageSize: 100 }),
    db
      .selectFrom('notification')
      .select(['id', 'channel', 'template', 'status', 'attempts', 'last_error', 'created_at', 'sent_at'])
      // Messages about an appointment name it in their payload; user_id narrows by index first.
      .where('user_id', '=', row.account_id)
      .where(sql<boolean>`JSON_VALUE(payload, '$.appointmentId') = ${String(id)}`)
      .orderBy('id')
      .limit(100)
      .execute(),
  ]);
  return {
    appointment: toView(row),
    payment: payment
      ? {
          amountFen: payment.amount_fen,
          provider: payment.provider,
          status: payment.status,
          paidAt: payment.paid_at.toISOString(),
          refundAmountFen: payment.refund_amount_fen,
          refundedAt: iso(payment.refunded_at),
        }
      : null,
    audit: audit.items.reverse(),
    notifications: notifications.map((n) => ({
      id: Number(n.id),
      channel: n.channel,
      template: n.template,
      status: n.status,
      attempts: n.attempts,
      lastError: n.last_error,
      createdAt: n.created_at.toISOString(),
      sentAt: iso(n.sent_at),
    })),
  };
}

const STATUS_LABEL: Record<(typeof appointmentStatuses)[number], string> = {
  pending_payment: '待支付',
  booked: '已预约',
  checked_in: '已签到',
  completed: '已就诊',
  cancelled: '已取消',
  expired: '已失效',
  no_show: '爽约',
  called: '叫号中',
  in_visit: '就诊中',
  passed: '过号',
};
const CANCELLED_BY_LABEL = { patient: '患者', doctor: '医生', admin: '管理员', system: '系统' } as const;

export const CSV_HEADER = [
  '订单号', '就诊日期', '时段', '就诊时间', '科室', '医生', '就诊序号', '就诊人', '手机号', '证件号',
  '挂号费（元）', '状态', '下单时间', '支付时间', '取消时间', '取消方', '取消原因',
] as const;

/** Shanghai wall-clock `YYYY-MM-DD HH:MM:SS`, how a spreadsheet user reads an instant. */
const shanghaiStamp = (d: Date | null) => (d ? `${shanghaiDate(d)} ${shanghaiTime(d)}` : '');

function csvLine(r: Row): string {
  return csvRow([
    r.order_no,
    r.session_date,
    PERIOD_LABELS[r.period],
    `${r.slot_start.slice(0, 5)}-${r.slot_end.slice(0, 5)}`,
    r.department_name,
    r.doctor_name,
    r.queue_number,
    maskName(r.real_name),
    maskPhone(r.patient_phone),
    r.id_number_masked,
    (r.fee_fen / 100).toFixed(2),
    STATUS_LABEL[r.status],
    shanghaiStamp(r.created_at),
    shanghaiStamp(r.paid_at),
    shanghaiStamp(r.cancelled_at),
    r.cancelled_by ? CANCELLED_BY_LABEL[r.cancelled_by] : '',
    r.cancel_reason,
  ]);
}

/**
 * An admin's CSV export of the filtered appointments: a bulk read of patients' data, so who
 * exported which filter is audited before the first row is read (a failed audit write exports
 * nothing). The filter's phone is masked in the entry, as everywhere in the audit log.
 */
export async function exportAppointments(deps: AppDeps, admin: Principal, filter: AppointmentFilter, meta: RequestMeta): Promise<AsyncGenerator<string>> {
  const summary = { ...filter, ...(filter.phone ? { phone: maskPhone(filter.phone) } : {}) };
  await recordAudit(deps.db, { actor: admin, action: 'appointment.export', meta, summary }, deps.clock.now());
  return appointmentsCsv(deps.db, filter);
}

/**
 * The filtered appointments as CSV text, newest booking first, read `batchSize` rows at a time
 * by keyset (`id < last id`) so memory holds one batch whatever the range; each batch is one
 * chunk. Keyset rather than OFFSET: a later batch costs the same as the first.
 */
export async function* appointmentsCsv(db: Db, filter: AppointmentFilter, batchSize = 500): AsyncGenerator<string> {
  // The header goes out with the first batch, so a query that fails at once still answers a
  // JSON error instead of a file cut after its header (http/respond.ts sendTextStream).
  let head = CSV_BOM + csvRow(CSV_HEADER);
  let after: number | undefined;
  for (;;) {
    let q = withColumns(filtered(db, filter));
    if (after !== undefined) q = q.where('a.id', '<', after);
    const rows = await q.orderBy('a.id', 'desc').limit(batchSize).execute();
    yield head + rows.map(csvLine).join('');
    head = '';
    if (rows.length < batchSize) return;
    after = Number(rows.at(-1)!.id);
  }
}
