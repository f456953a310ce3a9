/**
 * 停诊预览: before an admin suspends a session, the appointments the suspension would cancel —
 * exactly those `suspendWithin` (booking/suspend.ts) takes, i.e. the statuses the 'suspend'
 * transition starts from — with whether each was paid (so is refunded). Patients' names and
 * phones are masked like every other admin view (patient/masking.ts, auth/phone.ts).
 */
import * as z from 'zod';
import { maskPhone } from '../auth/phone.js';
import { maskName } from '../patient/masking.js';
import { fromStatuses } from '../booking/transitions.js';
import type { Db } from '../db/create-db.js';
import { AppError } from '../errors.js';

export const suspensionPreviewSchema = z
  .object({
    sessionId: z.number().int(),
    items: z.array(
      z.object({
        id: z.number().int(),
        orderNo: z.string(),
        queueNumber: z.number().int(),
        status: z.enum(['pending_payment', 'booked']),
        startTime: z.string(),
        feeFen: z.number().int(),
        patient: z.object({ name: z.string().meta({ description: '脱敏姓名' }), phone: z.string().meta({ description: '脱敏手机号' }) }),
        paid: z.boolean().meta({ description: '已支付：停诊时原路退款' }),
      }),
    ),
  })
  .meta({ id: 'SuspensionPreview' });

/**
 * The appointments of `sessionId` a 停诊 would cancel now, by queue number. A read without
 * locks: the suspension itself re-reads them under its locks, so a booking between the preview
 * and the confirmation is cancelled too (the answer counts it).
 */
export async function suspensionPreview(db: Db, sessionId: number): Promise<z.input<typeof suspensionPreviewSchema>> {
  const session = await db.selectFrom('clinic_session').select('id').where('id', '=', sessionId).executeTakeFirst();
  if (!session) throw new AppError('SESSION_NOT_FOUND');
  const rows = await db
    .selectFrom('appointment as a')
    .innerJoin('patient_profile as p', 'p.id', 'a.profile_id')
    .select((eb) => [
      'a.id',
      'a.order_no',
      'a.queue_number',
      'a.status',
      'a.slot_start',
      'a.fee_fen',
      'p.real_name',
      'p.phone',
      eb.exists(eb.selectFrom('payment').select('payment.id').whereRef('payment.appointment_id', '=', 'a.id').where('payment.status', '=', 'paid')).as('paid'),
    ])
    .where('a.session_id', '=', sessionId)
    .where('a.status', 'in', fromStatuses('suspend'))
    .orderBy('a.queue_number')
    .execute();
  return {
    sessionId,
    items: rows.map((r) => ({
      id: Number(r.id),
      orderNo: r.order_no,
      queueNumber: r.queue_number,
      status: r.status as 'pending_payment' | 'booked',
      startTime: r.slot_start.slice(0, 5),
      feeFen: r.fee_fen,
      patient: { name: maskName(r.real_name), phone: maskPhone(r.phone) },
      paid: Boolean(Number(r.paid)),
    })),
  };
}
