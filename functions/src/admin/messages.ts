/**
 * The notification outbox as admins see it (消息管理): every message row — inbox entries and outbound SMS /
 * WeChat — filtered by status (a 'failed' one is what needs a look), channel, template, the
 * patient's phone and the Shanghai day it was written, newest first, a page at a time. Phones
 * are masked, and the message text (which names the 就诊人) is not listed: the title, the
 * template and the order number say what it was about.
 *
 * A failed message can be sent again: `retryNotification` puts it back to 'pending' with its
 * tries reset, due now, audited in the same transaction. Only 'failed' ones: a pending message
 * is still being tried, a sent one went out, a skipped one was moot.
 */
import * as z from 'zod';
import { recordAudit } from '../audit/audit.js';
import { maskPhone } from '../auth/phone.js';
import type { Principal, RequestMeta } from '../context.js';
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import { AppError } from '../errors.js';
import { localDateSchema } from '../schemas.js';
import { addDays, shanghaiToInstant } from '../time/shanghai.js';

export const adminMessageQuerySchema = z.strictObject({
  status: z.enum(['pending', 'sent', 'failed', 'skipped']).optional().meta({ description: '待发送 / 已发送 / 发送失败 / 已失效跳过' }),
  channel: z.enum(['sms', 'wechat', 'in_app']).optional(),
  template: z.string().trim().min(1).max(50).optional().meta({ description: '消息模板，如 payment_due' }),
  phone: z.string().trim().regex(/^1\d{10}$/, '请填写 11 位手机号').optional().meta({ description: '患者手机号（账号或短信号码）' }),
  appointmentId: z.coerce.number().int().positive().optional(),
  from: localDateSchema.optional().meta({ description: '写入日期起（北京时间，含）' }),
  to: localDateSchema.optional().meta({ description: '写入日期止（北京时间，含）' }),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type AdminMessageQuery = z.output<typeof adminMessageQuerySchema>;

export const adminMessageSchema = z
  .object({
    id: z.number().int(),
    createdAt: z.iso.datetime(),
    sendAfter: z.iso.datetime().meta({ description: '最早发送时间（提醒类消息为其预定时间）' }),
    sentAt: z.iso.datetime().nullable(),
    channel: z.enum(['sms', 'wechat', 'in_app']),
    channelChoice: z.enum(['auto', 'fixed']).meta({ description: 'auto：首次发送时按订阅授权选择微信或短信' }),
    template: z.string(),
    title: z.string(),
    status: z.enum(['pending', 'sent', 'failed', 'skipped']),
    urgent: z.boolean(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    userId: z.number().int().nullable(),
    phone: z.string().nullable().meta({ description: '脱敏手机号，如 138****8000' }),
    appointmentId: z.number().int().nullable(),
    orderNo: z.string().nullable(),
  })
  .meta({ id: 'AdminMessage' });
export type AdminMessage = z.input<typeof adminMessageSchema>;

export const adminMessagePageSchema = z.object({
  items: z.array(adminMessageSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

function baseQuery(db: Db) {
  return db
    .selectFrom('notification as n')
    .leftJoin('user_account as u', 'u.id', 'n.user_id')
    .leftJoin('appointment as a', 'a.id', 'n.appointment_id')
    .select([
      'n.id', 'n.created_at', 'n.send_after', 'n.sent_at', 'n.channel', 'n.channel_choice', 'n.template', 'n.payload', 'n.status',
      'n.urgent', 'n.attempts', 'n.last_error', 'n.user_id', 'n.recipient', 'u.phone', 'n.appointment_id', 'a.order_no',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function toView(r: Row): AdminMessage {
  let title = r.template;
  try {
    title = (JSON.parse(r.payload) as { title?: string }).title ?? title;
  } catch {
    // an unreadable payload still lists, under its template's name
  }
  // SMS rows carry the number they go to; inbox rows the account id, so the account's phone.
  const phone = r.channel === 'in_app' ? r.phone : /^1\d{10}$/.test(r.recipient) ? r.recipient : r.phone;
  return {
    id: r.id,
    createdAt: r.created_at.toISOString(),
    sendAfter: r.send_after.toISOString(),
    sentAt: r.sent_at ? r.sent_at.toISOString() : null,
    channel: r.channel,
    channelChoice: r.channel_choice,
    template: r.template,
    title,
    status: r.status,
    urgent: r.urgent === 1,
    attempts: r.attempts,
    lastError: r.last_error,
    userId: r.user_id,
    phone: phone ? maskPhone(phone) : null,
    appointmentId: r.appointment_id,
    orderNo: r.order_no,
  };
}

/** One page of the outbox, newest first (id order is insertion order). */
export async function listMessages(db: Db, query: AdminMessageQuery): Promise<z.input<typeof adminMessagePageSchema>> {
  let q = baseQuery(db);
  if (query.status) q = q.where('n.status', '=', query.status);
  if (query.channel) q = q.where('n.channel', '=', query.channel);
  if (query.template) q = q.where('n.template', '=', query.template);
  if (query.appointmentId) q = q.where('n.appointment_id', '=', query.appointmentId);
  if (query.phone) {
    const phone = query.phone;
    q = q.where((eb) => eb.or([eb('u.phone', '=', phone), eb('n.recipient', '=', phone)]));
  }
  if (query.from) q = q.where('n.created_at', '>=', shanghaiToInstant(query.from, '00:00'));
  if (query.to) q = q.where('n.created_at', '<', shanghaiToInstant(addDays(query.to, 1), '00:00'));
  const [rows, count] = await Promise.all([
    q.orderBy('n.id', 'desc').limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toView), total: Number(count.n), page: query.page, pageSize: query.pageSize };
}

/**
 * Sends a failed message again: 'failed' → 'pending', tries reset to 0, due now, audited with
 * its last error, in one transaction. NOTIFICATION_NOT_FOUND for no such message,
 * NOTIFICATION_NOT_RETRYABLE unless it is failed (two admins pressing at once: one retries).
 */
export async function retryNotification(db: Db, actor: Principal, id: number, meta: RequestMeta, now: Date): Promise<AdminMessage> {
  await inTransaction(db, async (trx) => {
    const current = await trx.selectFrom('notification').select(['status', 'template', 'channel', 'attempts', 'last_error']).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new AppError('NOTIFICATION_NOT_FOUND');
    if (current.status !== 'failed') throw new AppError('NOTIFICATION_NOT_RETRYABLE', undefined, { status: current.status });
    await trx
      .updateTable('notification')
      .set({ status: 'pending', attempts: 0, send_after: now, claim_token: null, claimed_until: null })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .execute();
    await recordAudit(
      trx,
      {
        actor,
        action: 'notification.retry',
        target: { type: 'notification', id },
        meta,
        summary: { template: current.template, channel: current.channel, attempts: current.attempts, lastError: current.last_error },
      },
      now,
    );
  });
  return toView(await baseQuery(db).where('n.id', '=', id).executeTakeFirstOrThrow());
}
