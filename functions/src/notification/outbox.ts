/**
 * The notification outbox. A message is written in the same transaction as its cause (a
 * cancellation, a 停诊…), so it exists exactly when its cause committed; the delivery job
 * (delivery.ts) sends it later. Each message is two rows:
 *
 *   in_app   the patient's inbox entry; "sent" (visible) once its send_after has come
 *   outbound SMS or WeChat; with channel 'auto' the delivery job picks WeChat when the patient
 *            has a consent credit for the template, SMS otherwise
 *
 * Every message has a dedupe key, unique in the table: the same cause enqueued twice (a job
 * run twice, a retried transaction) yields one message, and the key goes to the provider.
 */
import { shanghaiToInstant } from '../time/shanghai.js';
import type { Insertable } from 'kysely';
import { isDuplicateKey } from '../db/driver-errors.js';
import type { Notification } from '../db/schema.js';
import type { Trx } from '../db/transaction.js';
import { renderTemplate, type TemplateName, type TemplateParams, type VisitParams } from './templates.js';

/** 'auto': WeChat with a consent credit, else SMS; 'sms': SMS only; 'in_app': inbox only. */
export type ChannelPreference = 'auto' | 'sms' | 'in_app';

export interface NotificationInput<K extends TemplateName = TemplateName> {
  template: K;
  params: TemplateParams<K>;
  /** The patient's account: owner of the inbox entry and of WeChat consents. */
  userId: number;
  /** SMS number; the account's phone when omitted. */
  phone?: string;
  channel?: ChannelPreference;
  /** Unique per message; the same key enqueued again is ignored. */
  dedupeKey: string;
  /** Urgent messages (停诊) go out by SMS in quiet hours too. */
  urgent?: boolean;
  /** Not before this instant (reminders); now when omitted. */
  sendAfter?: Date;
  /** The appointment the message is about: the inbox links to it. */
  appointmentId?: number;
}

/**
 * Enqueues messages inside the caller's transaction `trx`. Returns how many were new (a dedupe
 * key already present counts 0). A duplicate is detected by the unique key's error, which in
 * InnoDB undoes only that statement, not the caller's transaction; INSERT IGNORE would also
 * swallow data errors, and ON DUPLICATE KEY UPDATE cannot tell a duplicate from an insert
 * under mysql2's FOUND_ROWS flag.
 */
export async function enqueueNotifications(trx: Trx, inputs: readonly NotificationInput[], now: Date): Promise<number> {
  if (inputs.length === 0) return 0;
  const missingPhones = [...new Set(inputs.filter((i) => !i.phone && i.channel !== 'in_app').map((i) => i.userId))];
  const phones = new Map<number, string>();
  if (missingPhones.length > 0) {
    const rows = await trx.selectFrom('user_account').select(['id', 'phone']).where('id', 'in', missingPhones).execute();
    for (const r of rows) phones.set(r.id, r.phone);
  }
  const messages = inputs.map((input) => messageRows(input, phones, now));
  // Usually no key is taken yet (the reminder job filters enqueued ones out first): all in one
  // statement. A duplicate undoes just that statement; then one statement per message.
  if (messages.length > 1) {
    try {
      await trx.insertInto('notification').values(messages.flat()).execute();
      return messages.length;
    } catch (error) {
      if (!isDuplicateKey(error, 'uq_notification_dedupe')) throw error;
    }
  }
  let created = 0;
  for (const rows of messages) {
    try {
      // Both rows in one statement: a message is all there or (a duplicate) not added at all.
      await trx.insertInto('notification').values(rows).execute();
      created += 1;
    } catch (error) {
      if (!isDuplicateKey(error, 'uq_notification_dedupe')) throw error;
    }
  }
  return created;
}

/** A message's rows: its inbox entry and, unless in-app only, its outbound row. */
function messageRows(input: NotificationInput, phones: Map<number, string>, now: Date): Insertable<Notification>[] {
  const rendered = renderTemplate(input.template, input.params as never);
  const base = {
    user_id: input.userId,
    template: input.template,
    urgent: input.urgent ? 1 : 0,
    send_after: input.sendAfter ?? now,
    created_at: now,
    appointment_id: input.appointmentId ?? null,
  };
  const rows: Insertable<Notification>[] = [
    {
      ...base,
      channel: 'in_app',
      recipient: String(input.userId),
      payload: JSON.stringify({ title: rendered.title, text: rendered.text, params: input.params }),
      dedupe_key: `${input.dedupeKey}:in_app`,
    },
  ];
  if (input.channel !== 'in_app') {
    const phone = input.phone ?? phones.get(input.userId);
    if (!phone) throw new Error(`no phone for account ${input.userId}`);
    rows.push({
      ...base,
      channel: 'sms',
      channel_choice: (input.channel ?? 'auto') === 'auto' ? 'auto' : 'fixed',
      recipient: phone,
      payload: JSON.stringify({ title: rendered.title, text: rendered.sms, wechat: rendered.wechat, params: input.params }),
      dedupe_key: `${input.dedupeKey}:out`,
    });
  }
  return rows;
}

/** One message; see enqueueNotifications. Returns whether it was new. */
export async function enqueueNotification<K extends TemplateName>(trx: Trx, input: NotificationInput<K>, now: Date): Promise<boolean> {
  return (await enqueueNotifications(trx, [input as NotificationInput], now)) === 1;
}

type ExtraParams<K extends TemplateName> = Omit<TemplateParams<K>, keyof VisitParams>;

/**
 * Messages about appointments, for the booking paths: loads each appointment's visit details
 * (patient, department, doctor, Shanghai time) and its account in `trx`, and enqueues one message
 * per appointment with the dedupe key `<template>:<appointmentId>` (plus `options.dedupeSuffix`
 * for causes that may recur, e.g. a second 替诊) — a reminder or a cancellation notice is never
 * sent twice for one appointment. The details are a plain read, never a locking one: locking
 * accounts or profiles after a path's slot locks would invert the booking path's lock order.
 */
export async function notifyAppointments<K extends TemplateName>(
  trx: Trx,
  template: K,
  items: readonly { appointmentId: number; params: ExtraParams<K> }[],
  now: Date,
  options: { urgent?: boolean; channel?: ChannelPreference; sendAfter?: Date; dedupeSuffix?: string } = {},
): Promise<number> {
  if (items.length === 0) return 0;
  const rows = await trx
    .selectFrom('appointment as a')
    .innerJoin('patient_profile as p', 'p.id', 'a.profile_id')
    .innerJoin('doctor as d', 'd.id', 'a.doctor_id')
    .innerJoin('department as dep', 'dep.id', 'a.department_id')
    .innerJoin('user_account as u', 'u.id', 'a.account_id')
    .select(['a.id', 'a.order_no', 'a.account_id', 'a.session_date', 'a.slot_start', 'p.real_name', 'd.name as doctor_name', 'dep.name as department_name', 'u.phone'])
    .where('a.id', 'in', items.map((i) => i.appointmentId))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const inputs = items.map((item): NotificationInput => {
    const a = byId.get(item.appointmentId);
    if (!a) throw new Error(`appointment ${item.appointmentId} not found`);
    const visit: VisitParams = {
      orderNo: a.order_no,
      patientName: a.real_name,
      departmentName: a.department_name,
      doctorName: a.doctor_name,
      visitTime: shanghaiVisitTime(a.session_date, a.slot_start),
    };
    return {
      template,
      params: { ...visit, ...item.params } as TemplateParams<K>,
      userId: a.account_id,
      phone: a.phone,
      channel: options.channel,
      dedupeKey: `${template}:${a.id}${options.dedupeSuffix ? `:${options.dedupeSuffix}` : ''}`,
      urgent: options.urgent,
      sendAfter: options.sendAfter,
      appointmentId: a.id,
    };
  });
  return enqueueNotifications(trx, inputs, now);
}

/** `YYYY-MM-DD HH:MM` for a session date and a slot start (validated as a Shanghai instant). */
function shanghaiVisitTime(date: string, start: string): string {
  shanghaiToInstant(date, start);
  return `${date} ${start.slice(0, 5)}`;
}
