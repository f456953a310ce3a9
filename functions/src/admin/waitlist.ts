/**
 * 候补 as admins see it: waitlist entries filtered by session, the session's Shanghai date range,
 * department and status (waiting by default), ordered by session and then the FIFO the offer job
 * follows (created_at, id — waitlist/join.ts), a page at a time. A waiting entry carries its
 * position in its session's queue (1 = offered the next freed place). Names and phones are masked.
 */
import { sql } from 'kysely';
import * as z from 'zod';
import { maskPhone } from '../auth/phone.js';
import { decodeSlotStarts } from '../booking/waitlist-slot-starts.js';
import type { Db } from '../db/create-db.js';
import { waitlistStatuses } from '../waitlist/join.js';
import { idSchema, localDateSchema } from '../schemas.js';
import { maskName } from './appointments.js';

export const adminWaitlistQuerySchema = z.strictObject({
  sessionId: idSchema.optional().meta({ description: '出诊（排班）id' }),
  departmentId: idSchema.optional(),
  from: localDateSchema.optional().meta({ description: '出诊日期起（北京时间，含）' }),
  to: localDateSchema.optional().meta({ description: '出诊日期止（北京时间，含）' }),
  status: z.enum(waitlistStatuses).default('waiting').meta({ description: 'waiting 候补中（默认）/ fulfilled 已候补成功 / cancelled 已取消 / expired 已截止' }),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type AdminWaitlistQuery = z.output<typeof adminWaitlistQuerySchema>;

export const adminWaitlistEntrySchema = z
  .object({
    id: z.number().int(),
    status: z.enum(waitlistStatuses),
    position: z.number().int().nullable().meta({ description: '候补中时在本场的排队位次（1 = 下一个）' }),
    patientName: z.string().meta({ description: '脱敏姓名，如 张*丰' }),
    phone: z.string().meta({ description: '脱敏账号手机号' }),
    slotStarts: z.array(z.string()).nullable().meta({ description: '只候补这些时段（HH:MM）；null 表示任意时段' }),
    createdAt: z.iso.datetime(),
    appointmentId: z.number().int().nullable(),
    session: z.object({
      id: z.number().int(),
      date: z.iso.date(),
      period: z.enum(['morning', 'afternoon', 'evening']),
      startTime: z.string(),
      endTime: z.string(),
      doctorName: z.string(),
      departmentId: z.number().int(),
      departmentName: z.string(),
    }),
  })
  .meta({ id: 'AdminWaitlistEntry' });
export type AdminWaitlistEntry = z.input<typeof adminWaitlistEntrySchema>;

export const adminWaitlistPageSchema = z.object({
  items: z.array(adminWaitlistEntrySchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export async function listWaitlist(db: Db, query: AdminWaitlistQuery): Promise<z.input<typeof adminWaitlistPageSchema>> {
  let q = db
    .selectFrom('waitlist_entry as w')
    .innerJoin('clinic_session as cs', 'cs.id', 'w.session_id')
    .where('w.status', '=', query.status);
  if (query.sessionId !== undefined) q = q.where('w.session_id', '=', query.sessionId);
  if (query.departmentId !== undefined) q = q.where('cs.department_id', '=', query.departmentId);
  if (query.from) q = q.where('cs.session_date', '>=', query.from);
  if (query.to) q = q.where('cs.session_date', '<=', query.to);
  const [rows, count] = await Promise.all([
    q
      .innerJoin('doctor as d', 'd.id', 'cs.doctor_id')
      .innerJoin('department as dep', 'dep.id', 'cs.department_id')
      .innerJoin('patient_profile as p', 'p.id', 'w.profile_id')
      .innerJoin('user_account as u', 'u.id', 'w.account_id')
      .select([
        'w.id', 'w.status', 'w.slot_starts', 'w.appointment_id', 'w.created_at', 'w.session_id',
        'p.real_name', 'u.phone', 'cs.session_date', 'cs.period', 'cs.start_time', 'cs.end_time', 'cs.department_id',
        'd.name as doctor_name', 'dep.name as department_name',
        // The same FIFO position the patient sees (waitlist/join.ts), over ix_waitlist_session.
        sql<number | null>`CASE WHEN w.status = 'waiting' THEN (
          SELECT COUNT(*) FROM waitlist_entry o
           WHERE o.session_id = w.session_id AND o.status = 'waiting'
             AND (o.created_at < w.created_at OR (o.created_at = w.created_at AND o.id <= w.id))) END`.as('position'),
      ])
      .orderBy('cs.session_date')
      .orderBy('cs.start_time')
      .orderBy('w.session_id')
      .orderBy('w.created_at')
      .orderBy('w.id')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      status: r.status,
      position: r.position === null ? null : Number(r.position),
      patientName: maskName(r.real_name),
      phone: maskPhone(r.phone),
      slotStarts: decodeSlotStarts(r.slot_starts)?.map((t) => t.slice(0, 5)) ?? null,
      createdAt: r.created_at.toISOString(),
      appointmentId: r.appointment_id,
      session: {
        id: r.session_id,
        date: r.session_date,
        period: r.period,
        startTime: r.start_time.slice(0, 5),
        endTime: r.end_time.slice(0, 5),
        doctorName: r.doctor_name,
        departmentId: r.department_id,
        departmentName: r.department_name,
      },
    })),
    total: Number(count.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}
