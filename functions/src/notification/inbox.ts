/**
 * The patient's in-app inbox (消息): the in_app rows of the outbox that the delivery job has
 * made visible, newest first. Only the owner reads or marks them; another account's message
 * answers NOTIFICATION_NOT_FOUND, never revealing that it exists.
 */
import type { Db } from '../db/create-db.js';
import { inTransaction } from '../db/transaction.js';
import { AppError } from '../errors.js';
import { isTemplateName, templateNames, type TemplateName } from './templates.js';

export interface InboxMessage {
  id: number;
  template: string;
  title: string;
  text: string;
  appointmentId: number | null;
  createdAt: string;
  readAt: string | null;
}

export interface InboxPage {
  items: InboxMessage[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const visible = (db: Db, userId: number) =>
  db.selectFrom('notification').where('user_id', '=', userId).where('channel', '=', 'in_app').where('status', '=', 'sent');

/**
 * A page of `userId`'s messages, newest first by the time they became due (a reminder enqueued
 * at booking shows up at its time, not among older messages), ties by id. The cursor is the
 * last item's `<due ms>.<id>` (index ix_notification_inbox).
 */
export async function listInbox(db: Db, userId: number, page: { cursor?: string; limit: number }): Promise<InboxPage> {
  let query = visible(db, userId).select(['id', 'template', 'payload', 'appointment_id', 'send_after', 'read_at']);
  if (page.cursor !== undefined) {
    const [ms, id] = page.cursor.split('.').map(Number) as [number, number];
    const at = new Date(ms);
    query = query.where((eb) => eb.or([eb('send_after', '<', at), eb.and([eb('send_after', '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('send_after', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
  const items = rows.slice(0, page.limit).map((r) => {
    const payload = JSON.parse(r.payload) as { title?: string; text?: string };
    return {
      id: r.id,
      template: r.template,
      title: payload.title ?? '通知',
      text: payload.text ?? '',
      appointmentId: r.appointment_id,
      createdAt: r.send_after.toISOString(),
      readAt: r.read_at ? r.read_at.toISOString() : null,
    };
  });
  const last = rows[page.limit - 1];
  return { items, nextCursor: rows.length > page.limit && last ? `${last.send_after.getTime()}.${last.id}` : null };
}

export async function unreadCount(db: Db, userId: number): Promise<number> {
  const row = await visible(db, userId).where('read_at', 'is', null).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one of `userId`'s messages read (idempotent). */
export async function markRead(db: Db, userId: number, id: number, now: Date): Promise<void> {
  const row = await visible(db, userId).select(['id', 'read_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOTIFICATION_NOT_FOUND');
  if (row.read_at) return;
  await db.updateTable('notification').set({ read_at: now }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).execute();
}

/** Marks every visible message of `userId` read; returns how many were unread. */
export async function markAllRead(db: Db, userId: number, now: Date): Promise<number> {
  const result = await db
    .updateTable('notification')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('channel', '=', 'in_app')
    .where('status', '=', 'sent')
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Records the templates a patient accepted in wx.requestSubscribeMessage: each acceptance allows
 * WeChat to deliver one message of that template, so it adds one credit (delivery.ts spends it).
 */
export async function recordWechatConsents(db: Db, userId: number, accepted: readonly TemplateName[], now: Date): Promise<Record<string, number>> {
  const unique = [...new Set(accepted)].filter(isTemplateName);
  await inTransaction(db, async (trx) => {
    for (const template of unique) {
      await trx
        .insertInto('wechat_consent')
        .values({ user_id: userId, template, credits: 1, updated_at: now })
        .onDuplicateKeyUpdate((eb) => ({ credits: eb('credits', '+', 1), updated_at: now }))
        .execute();
    }
  });
  const rows = await db.selectFrom('wechat_consent').select(['template', 'credits']).where('user_id', '=', userId).execute();
  return Object.fromEntries(templateNames.map((t) => [t, rows.find((r) => r.template === t)?.credits ?? 0]));
}
