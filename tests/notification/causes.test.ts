/**
 * Every message a booking's life promises the patient is written in the same transaction as its
 * cause (issue 11): 预约成功 (free booking, payment), 待支付提醒 (at booking, due before the
 * hold ends, skipped by the delivery job once moot), 预约已超时取消, 预约已取消 (who, why) and
 * 退款已到账 (when the provider confirms the refund, also by the retry job). Each cause writes
 * exactly one message: its inbox entry and one outbound row whose channel (WeChat with a
 * consent, else SMS) the delivery job decides; a rolled-back cause writes none.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancelWithin } from '../../functions/src/booking/cancel.js';
import { expireHoldWithin, expireOverdueHolds } from '../../functions/src/booking/expire.js';
import { inTransaction } from '../../functions/src/db/transaction.js';
import type { Channel, Channels, OutboundMessage } from '../../functions/src/notification/channels.js';
import { deliverDueNotifications } from '../../functions/src/notification/delivery.js';
import { PAYMENT_DUE_LEAD_MINUTES } from '../../functions/src/notification/payment-due.js';
import { retryUnconfirmedRefunds, REFUND_RETRY_LEASE_MS } from '../../functions/src/payment/refund-retry.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, book, createDoctor, createPatients, createSession, shanghaiDay, tokenFor, type Patient } from '../support/scenario.js';

let app: TestApp;
let freeSlot: number;
let paidSlot: number;
let patients: Patient[];
let nextPatient = 0;
const patient = () => patients[nextPatient++]!;
/** 10:00 Shanghai tomorrow: outside quiet hours, so SMS go out when due. */
let morning: Date;

beforeAll(async () => {
  app = await startTestApp();
  const db = app.database.db;
  morning = shanghaiToInstant(shanghaiDay(new Date(), 1), '10:00');
  app.clock.freeze(morning);
  const date = shanghaiDay(morning, 3);
  const doctor = await createDoctor(db, { name: '张三' });
  freeSlot = (await createSession(db, doctor, { date, period: 'morning', slots: [{ start: '08:00', capacity: 30 }] })).slotIds[0]!;
  paidSlot = (await createSession(db, doctor, { date, period: 'afternoon', feeFen: 1250, slots: [{ start: '14:00', capacity: 30 }] })).slotIds[0]!;
  patients = await createPatients(db, 30);
});
afterAll(() => app.close());
beforeEach(() => app.clock.freeze(morning));

/** The outbox rows about one appointment, in order. */
function rowsOf(appointmentId: number) {
  return app.database.db
    .selectFrom('notification')
    .select(['template', 'channel', 'channel_choice', 'status', 'send_after', 'payload', 'dedupe_key', 'urgent'])
    .where('appointment_id', '=', appointmentId)
    .orderBy('id')
    .execute();
}

/** template → its rows' `channel/choice`, e.g. { booking_confirmed: ['in_app/fixed', 'sms/auto'] }. */
async function messagesOf(appointmentId: number): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const r of await rowsOf(appointmentId)) (out[r.template] ??= []).push(`${r.channel}/${r.channel_choice}`);
  return out;
}
/** One message: its inbox entry, and one outbound row whose channel the delivery job picks. */
const ONE = ['in_app/fixed', 'sms/auto'];

/** Providers that record what they were asked to send, by dedupe key. */
function recordingChannels() {
  const sent: OutboundMessage[] = [];
  const channel: Channel = { send: async (m) => void sent.push(m) };
  const channels: Channels = { sms: channel, wechat: channel, in_app: channel };
  return { channels, sent, keysOf: (id: number) => sent.filter((m) => m.dedupeKey.split(':')[1] === String(id)).map((m) => m.dedupeKey).sort() };
}

async function deliverAll(channels: Channels) {
  for (;;) if ((await deliverDueNotifications(app.deps.db, channels, () => app.clock.now())).claimed === 0) return;
}

const textOf = (row: { payload: string }) => (JSON.parse(row.payload) as { text: string }).text;

describe('a free booking', () => {
  it('writes 预约成功 once with the booking, naming the visit', async () => {
    const p = patient();
    const res = await book(app, p, freeSlot, { key: `free-key-${p.userId}` });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('booked');
    expect(await messagesOf(res.body.id)).toEqual({ booking_confirmed: ONE });
    const [inbox] = await rowsOf(res.body.id);
    expect(inbox!.dedupe_key).toBe(`booking_confirmed:${res.body.id}:in_app`);
    expect(textOf(inbox!)).toBe(`您已成功预约测试科室${textOf(inbox!).match(/测试科室(\d+)/)![1]}张三医生 ${shanghaiDay(morning, 3)} 08:00 的门诊（就诊人 患者${patients.indexOf(p) + 1}，订单号 ${res.body.orderNo}），请按时就诊。`);
    // A replay of the same request writes nothing more.
    expect((await book(app, p, freeSlot, { key: `free-key-${p.userId}` })).body.id).toBe(res.body.id);
    expect(await messagesOf(res.body.id)).toEqual({ booking_confirmed: ONE });
  });
});

describe('a paid booking', () => {
  it('writes the 待支付提醒 with the booking, due 5 minutes before the hold ends, sent then if still unpaid', async () => {
    const res = await book(app, patient(), paidSlot);
    expect(res.body.status).toBe('pending_payment');
    expect(await messagesOf(res.body.id)).toEqual({ payment_due: ONE });
    const holdEnds = new Date(res.body.holdExpiresAt);
    const due = new Date(holdEnds.getTime() - PAYMENT_DUE_LEAD_MINUTES * 60_000);
    for (const row of await rowsOf(res.body.id)) expect(row.send_after.getTime()).toBe(due.getTime());

    const early = recordingChannels();
    app.clock.freeze(new Date(due.getTime() - 1000));
    await deliverAll(early.channels);
    expect(early.keysOf(res.body.id)).toEqual([]);

    const onTime = recordingChannels();
    app.clock.freeze(due);
    await deliverAll(onTime.channels);
    expect(onTime.keysOf(res.body.id)).toEqual([`payment_due:${res.body.id}:in_app`, `payment_due:${res.body.id}:out`]);
    const sms = onTime.sent.find((m) => m.dedupeKey === `payment_due:${res.body.id}:out`)!;
    expect(sms.text).toContain('尚未支付，请于 ');
    expect(sms.wechat.thing6!.value).toMatch(/^请于\d{2}:\d{2}前完成支付$/);
    expect((await rowsOf(res.body.id)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('paying writes 预约成功 in the payment transaction, and the reminder, moot, is skipped — never sent, not in the inbox', async () => {
    const p = patient();
    const res = await book(app, p, paidSlot);
    expect((await appointmentAction(app, p, res.body.id, 'pay')).status).toBe(200);
    expect(await messagesOf(res.body.id)).toEqual({ payment_due: ONE, booking_confirmed: ONE });

    const delivery = recordingChannels();
    app.clock.freeze(new Date(new Date(res.body.holdExpiresAt).getTime() - 60_000));
    await deliverAll(delivery.channels);
    expect(delivery.keysOf(res.body.id)).toEqual([`booking_confirmed:${res.body.id}:in_app`, `booking_confirmed:${res.body.id}:out`]);
    expect((await rowsOf(res.body.id)).map((r) => `${r.template}:${r.status}`)).toEqual([
      'payment_due:skipped',
      'payment_due:skipped',
      'booking_confirmed:sent',
      'booking_confirmed:sent',
    ]);
    const inbox = await app.request('GET', '/api/v1/me/messages', { token: await tokenFor(app, p.userId) });
    expect(inbox.body.items.map((m: { template: string }) => m.template)).toEqual(['booking_confirmed']);
  });

  it('expiry writes 预约已超时取消 once, even when the job runs twice; the reminder due with it is skipped', async () => {
    const res = await book(app, patient(), paidSlot);
    app.clock.freeze(new Date(new Date(res.body.holdExpiresAt).getTime() + 1000));
    expect((await expireOverdueHolds(app.deps.db, app.clock.now())).expired).toBeGreaterThanOrEqual(1);
    await expireOverdueHolds(app.deps.db, app.clock.now());
    expect(await messagesOf(res.body.id)).toEqual({ payment_due: ONE, hold_expired: ONE });
    const delivery = recordingChannels();
    await deliverAll(delivery.channels);
    // Due together: the reminder is moot (expired), the expiry notice goes out.
    expect(delivery.keysOf(res.body.id)).toEqual([`hold_expired:${res.body.id}:in_app`, `hold_expired:${res.body.id}:out`]);
    const sms = delivery.sent.find((m) => m.dedupeKey === `hold_expired:${res.body.id}:out`)!;
    expect(sms.text).toContain('未在规定时间内支付，预约已自动取消');
  });

  it('a patient cancelling an unpaid booking: 预约已取消 by 您本人 with the reason, the reminder skipped, no refund message', async () => {
    const p = patient();
    const res = await book(app, p, paidSlot);
    const cancelled = await app.request('POST', `/api/v1/appointments/${res.body.id}/cancel`, { token: await tokenFor(app, p.userId), body: { reason: '临时出差' } });
    expect(cancelled.status).toBe(200);
    expect(await messagesOf(res.body.id)).toEqual({ payment_due: ONE, appointment_cancelled: ONE });
    const notice = (await rowsOf(res.body.id)).find((r) => r.template === 'appointment_cancelled')!;
    expect(textOf(notice)).toContain('已由您本人取消，原因：临时出差。');
    app.clock.freeze(new Date(res.body.holdExpiresAt));
    await deliverAll(recordingChannels().channels);
    expect((await rowsOf(res.body.id)).map((r) => `${r.template}:${r.status}`)).toEqual([
      'payment_due:skipped',
      'payment_due:skipped',
      'appointment_cancelled:sent',
      'appointment_cancelled:sent',
    ]);
  });

  it('cancelling a paid booking: 预约已取消, then 退款已到账 once the provider confirmed the refund', async () => {
    const p = patient();
    const res = await book(app, p, paidSlot);
    await appointmentAction(app, p, res.body.id, 'pay');
    expect((await appointmentAction(app, p, res.body.id, 'cancel')).status).toBe(200);
    expect(await messagesOf(res.body.id)).toEqual({ payment_due: ONE, booking_confirmed: ONE, appointment_cancelled: ONE, refund_made: ONE });
    const refund = (await rowsOf(res.body.id)).find((r) => r.template === 'refund_made')!;
    expect(textOf(refund)).toBe(`订单 ${res.body.orderNo} 的挂号费 12.50 元已原路退回，请注意查收。`);
  });

  it('a refund confirmed only by the retry job: 退款已到账 is written with that confirmation, once', async () => {
    const p = patient();
    const res = await book(app, p, paidSlot);
    await appointmentAction(app, p, res.body.id, 'pay');
    await appointmentAction(app, p, res.body.id, 'cancel');
    // As if the provider's answer to the cancellation's refund had been lost: no confirmation, so no message.
    const db = app.database.db;
    await db.updateTable('payment').set({ refund_txn_id: null, updated_at: new Date(morning.getTime() - REFUND_RETRY_LEASE_MS - 60_000) }).where('appointment_id', '=', res.body.id).execute();
    await db.deleteFrom('notification').where('appointment_id', '=', res.body.id).where('template', '=', 'refund_made').execute();

    expect((await retryUnconfirmedRefunds(app.deps)).confirmed).toBe(1);
    expect(await retryUnconfirmedRefunds(app.deps)).toMatchObject({ due: 0, confirmed: 0 });
    expect((await messagesOf(res.body.id)).refund_made).toEqual(ONE);
  });
});

describe('a rolled-back cause', () => {
  it('leaves no message: a cancellation or an expiry whose transaction rolls back writes nothing', async () => {
    const p = patient();
    const res = await book(app, p, paidSlot);
    const row = await app.database.db.selectFrom('appointment').select(['id', 'slot_id', 'order_no', 'status']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    const rollback = new Error('rolled back after the cause');
    await expect(
      inTransaction(app.deps.db, async (trx) => {
        await cancelWithin(trx, row, { principal: { userId: p.userId, role: 'patient' }, reason: '测试', meta: { requestId: 'test', ip: '127.0.0.1', userAgent: undefined } }, morning);
        expect((await trx.selectFrom('notification').select('template').where('appointment_id', '=', row.id).execute()).map((r) => r.template)).toContain('appointment_cancelled');
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    const expiredAt = new Date(new Date(res.body.holdExpiresAt).getTime() + 1000);
    await expect(
      inTransaction(app.deps.db, async (trx) => {
        await expireHoldWithin(trx, { id: row.id, slotId: row.slot_id, orderNo: row.order_no }, expiredAt);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(await messagesOf(res.body.id)).toEqual({ payment_due: ONE });
    const after = await app.database.db.selectFrom('appointment').select('status').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('pending_payment');
  });
});
