/**
 * The patient's inbox API over HTTP: only delivered in-app messages, newest first in pages,
 * unread count, mark one / all read, and ownership — another patient can neither see nor mark
 * mine. Also the WeChat consent API that adds one credit per accepted template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../functions/src/db/transaction.js';
import { createWechatDevChannel } from '../../functions/src/notification/channels.js';
import { deliverDueNotifications } from '../../functions/src/notification/delivery.js';
import { enqueueNotifications, type NotificationInput } from '../../functions/src/notification/outbox.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createPatients, tokenFor, type Patient } from '../support/scenario.js';

let app: TestApp;
let alice: Patient;
let bob: Patient;
beforeAll(async () => {
  app = await startTestApp();
  [alice, bob] = (await createPatients(app.deps.db, 2)) as [Patient, Patient];
});
afterAll(() => app.close());

const visit = { orderNo: 'NY20261130000001', patientName: '患者1', departmentName: '心血管内科', doctorName: '张三', visitTime: '2026-11-30 08:30' };
const noop = { send: async () => {} };

async function deliverAll() {
  const channels = { sms: noop, wechat: createWechatDevChannel(), in_app: noop };
  while ((await deliverDueNotifications(app.deps.db, channels, () => app.clock.now())).claimed > 0);
}

describe('inbox', () => {
  it('lists my delivered messages newest first in pages, counts and marks unread, and hides them from others', async () => {
    const now = app.clock.now();
    const inputs: NotificationInput[] = Array.from({ length: 5 }, (_, i) => ({
      template: 'booking_confirmed',
      params: { ...visit, orderNo: `NY2026113000000${i}` },
      userId: alice.userId,
      dedupeKey: `inbox:${i}`,
      appointmentId: 100 + i,
      sendAfter: new Date(now.getTime() - (10 - i) * 60_000),
    }));
    // Enqueued but due tomorrow: not in the inbox yet.
    inputs.push({ template: 'visit_reminder_soon', params: visit, userId: alice.userId, dedupeKey: 'inbox:later', sendAfter: new Date(now.getTime() + 86_400_000) });
    await inTransaction(app.deps.db, (trx) => enqueueNotifications(trx, inputs, now));
    const token = await tokenFor(app, alice.userId);
    const before = await app.request('GET', '/api/v1/me/messages/unread-count', { token });
    expect(before.body).toEqual({ unread: 0 });
    await deliverAll();

    const first = await app.request('GET', '/api/v1/me/messages?limit=2', { token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((m: { appointmentId: number }) => m.appointmentId)).toEqual([104, 103]);
    expect(first.body.items[0]).toMatchObject({ template: 'booking_confirmed', title: '预约成功', readAt: null });
    expect(first.body.items[0].text).toContain('NY20261130000004');
    const second = await app.request('GET', `/api/v1/me/messages?limit=2&cursor=${first.body.nextCursor}`, { token });
    const third = await app.request('GET', `/api/v1/me/messages?limit=2&cursor=${second.body.nextCursor}`, { token });
    expect(second.body.items.map((m: { appointmentId: number }) => m.appointmentId)).toEqual([102, 101]);
    expect(third.body).toMatchObject({ nextCursor: null });
    expect(third.body.items.map((m: { appointmentId: number }) => m.appointmentId)).toEqual([100]);
    expect((await app.request('GET', '/api/v1/me/messages/unread-count', { token })).body).toEqual({ unread: 5 });

    const bobToken = await tokenFor(app, bob.userId);
    const id = first.body.items[0].id;
    expect((await app.request('GET', '/api/v1/me/messages', { token: bobToken })).body.items).toEqual([]);
    const stolen = await app.request('POST', `/api/v1/me/messages/${id}/read`, { token: bobToken });
    expect([stolen.status, stolen.body.error.code]).toEqual([404, 'NOTIFICATION_NOT_FOUND']);
    expect((await app.request('POST', '/api/v1/me/messages/read-all', { token: bobToken })).body).toEqual({ marked: 0 });
    expect((await app.request('GET', '/api/v1/me/messages/unread-count', { token })).body).toEqual({ unread: 5 });

    expect((await app.request('POST', `/api/v1/me/messages/${id}/read`, { token })).status).toBe(200);
    expect((await app.request('POST', `/api/v1/me/messages/${id}/read`, { token })).status).toBe(200);
    expect((await app.request('GET', '/api/v1/me/messages/unread-count', { token })).body).toEqual({ unread: 4 });
    expect((await app.request('POST', '/api/v1/me/messages/read-all', { token })).body).toEqual({ marked: 4 });
    expect((await app.request('GET', '/api/v1/me/messages/unread-count', { token })).body).toEqual({ unread: 0 });
  });

  it('records WeChat consents as one credit per acceptance and refuses unknown templates', async () => {
    const token = await tokenFor(app, bob.userId);
    const res = await app.request('POST', '/api/v1/me/wechat-consents', { token, body: { accepted: ['booking_confirmed', 'session_suspended'] } });
    expect(res.status).toBe(200);
    await app.request('POST', '/api/v1/me/wechat-consents', { token, body: { accepted: ['booking_confirmed'] } });
    const rows = await app.deps.db.selectFrom('wechat_consent').select(['template', 'credits']).where('user_id', '=', bob.userId).orderBy('template').execute();
    expect(rows).toEqual([{ template: 'booking_confirmed', credits: 2 }, { template: 'session_suspended', credits: 1 }]);
    const bad = await app.request('POST', '/api/v1/me/wechat-consents', { token, body: { accepted: ['nope'] } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
