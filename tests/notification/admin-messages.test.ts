/**
 * 消息管理 for admins: GET /api/v1/admin/notifications (filters, masked phones, pages) and
 * POST /api/v1/admin/notifications/{id}/retry (failed → pending, tries reset, audited), admins
 * only; a retried message is then delivered by the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffAccount } from '../../functions/src/auth/staff-accounts.js';
import { inTransaction } from '../../functions/src/db/transaction.js';
import type { Channel, Channels } from '../../functions/src/notification/channels.js';
import { deliverDueNotifications } from '../../functions/src/notification/delivery.js';
import { enqueueNotifications } from '../../functions/src/notification/outbox.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createDoctor, createPatients, tokenFor, type Patient } from '../support/scenario.js';

let app: TestApp;
let adminId: number;
let adminToken: string;
let patients: Patient[];
const visit = { orderNo: '20261130000000000001', patientName: '欧阳娜娜', departmentName: '心血管内科', doctorName: '张三', visitTime: '2026-11-30 08:30' };
/** Written on 2026-11-28 and 2026-11-29, Shanghai. */
const day1 = shanghaiToInstant('2026-11-28', '10:00');
const day2 = shanghaiToInstant('2026-11-29', '23:30');

beforeAll(async () => {
  app = await startTestApp();
  const db = app.database.db;
  const admin = await createStaffAccount(app.deps, 'system', { phone: '13966667777', password: 'Admin2026x', role: 'admin', displayName: '管理员' });
  adminId = admin.id;
  adminToken = await tokenFor(app, admin.id, 'admin');
  patients = await createPatients(db, 3);
  await inTransaction(db, (trx) =>
    enqueueNotifications(trx, [
      { template: 'booking_confirmed', params: visit, userId: patients[0]!.userId, dedupeKey: 'admin-test:1' },
      { template: 'refund_made', params: { orderNo: visit.orderNo, amountFen: 1250 }, userId: patients[1]!.userId, dedupeKey: 'admin-test:2' },
    ], day1),
  );
  await inTransaction(db, (trx) =>
    enqueueNotifications(trx, [{ template: 'session_suspended', params: { ...visit, reason: '外出', paid: true }, userId: patients[2]!.userId, dedupeKey: 'admin-test:3', urgent: true }], day2),
  );
  // The SMS of patient 1's refund gave up after 6 tries.
  await db.updateTable('notification').set({ status: 'failed', attempts: 6, last_error: 'gateway refused' }).where('dedupe_key', '=', 'admin-test:2:out').execute();
});
afterAll(() => app.close());

/** `token` null: anonymous. */
const list = (query: string, token: string | null = adminToken) => app.request('GET', `/api/v1/admin/notifications${query}`, { token: token ?? undefined });
const retry = (id: number, token: string | null = adminToken) => app.request('POST', `/api/v1/admin/notifications/${id}/retry`, { token: token ?? undefined });

describe('admin messages', () => {
  it('are for admins only, both routes: anonymous 401, patient and doctor 403', async () => {
    const doctor = await createDoctor(app.database.db);
    const patientToken = await tokenFor(app, patients[0]!.userId);
    const doctorToken = await tokenFor(app, doctor.doctorUserId, 'doctor');
    expect((await list('', null)).status).toBe(401);
    expect((await retry(1, null)).status).toBe(401);
    for (const token of [patientToken, doctorToken]) {
      expect((await list('', token)).status).toBe(403);
      expect((await retry(1, token)).status).toBe(403);
    }
    expect((await list('')).status).toBe(200);
  });

  it('lists newest first with masked phones and no message text, filtered by status, channel, template, phone and Shanghai day, in pages', async () => {
    const all = await list('');
    expect(all.body.total).toBe(6);
    expect(all.body.items.map((m: { template: string; channel: string }) => `${m.template}/${m.channel}`)).toEqual([
      'session_suspended/sms', 'session_suspended/in_app', 'refund_made/sms', 'refund_made/in_app', 'booking_confirmed/sms', 'booking_confirmed/in_app',
    ]);
    const failed = await list('?status=failed');
    expect(failed.body.items).toHaveLength(1);
    const p1 = patients[1]!.phone;
    expect(failed.body.items[0]).toMatchObject({
      template: 'refund_made', title: '退款已到账', channel: 'sms', channelChoice: 'auto', status: 'failed', attempts: 6, lastError: 'gateway refused',
      userId: patients[1]!.userId, phone: `${p1.slice(0, 3)}****${p1.slice(7)}`, urgent: false, sentAt: null,
    });
    expect(JSON.stringify(all.body)).not.toContain('欧阳娜娜');
    for (const phone of patients.map((p) => p.phone)) expect(JSON.stringify(all.body)).not.toContain(phone);

    expect((await list('?channel=in_app')).body.total).toBe(3);
    expect((await list('?template=session_suspended')).body.items.map((m: { urgent: boolean }) => m.urgent)).toEqual([true, true]);
    expect((await list(`?phone=${patients[0]!.phone}`)).body.items.map((m: { template: string }) => m.template)).toEqual(['booking_confirmed', 'booking_confirmed']);
    // Days are Shanghai days (the server runs under TZ=America/New_York here): 10:00 on the 28th there is 21:00 on the 27th in New York.
    expect((await list('?from=2026-11-29&to=2026-11-29')).body.total).toBe(2);
    expect((await list('?from=2026-11-28&to=2026-11-28')).body.total).toBe(4);
    const page2 = await list('?page=2&pageSize=4');
    expect({ n: page2.body.items.length, total: page2.body.total, page: page2.body.page }).toEqual({ n: 2, total: 6, page: 2 });
    const bad = await list('?status=lost&phone=123');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/\p{Script=Han}/u);
  });

  it('sends a failed message again: pending, tries reset, audited; then delivered; only failed ones', async () => {
    const failed = (await list('?status=failed')).body.items[0];
    const now = shanghaiToInstant('2026-11-30', '10:00');
    app.clock.freeze(now);
    adminToken = await tokenFor(app, adminId, 'admin');
    const res = await retry(failed.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: failed.id, status: 'pending', attempts: 0, sendAfter: now.toISOString() });
    const again = await retry(failed.id);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'NOTIFICATION_NOT_RETRYABLE', message: '只有发送失败的消息才能重新发送' });
    expect((await retry(999_999)).body.error.code).toBe('NOTIFICATION_NOT_FOUND');

    const audit = await app.database.db.selectFrom('audit_log').select(['actor_role', 'summary']).where('action', '=', 'notification.retry').where('target_id', '=', String(failed.id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_role).toBe('admin');
    expect(JSON.parse(audit[0]!.summary!)).toEqual({ template: 'refund_made', channel: 'sms', attempts: 6, lastError: 'gateway refused' });

    const sent: string[] = [];
    const channel: Channel = { send: async (m) => void sent.push(m.dedupeKey) };
    const channels: Channels = { sms: channel, wechat: channel, in_app: channel };
    while ((await deliverDueNotifications(app.deps.db, channels, () => app.clock.now())).claimed > 0);
    expect(sent.filter((k) => k === 'admin-test:2:out')).toEqual(['admin-test:2:out']);
    expect((await list(`?status=sent&template=refund_made&channel=sms`)).body.items.map((m: { id: number }) => m.id)).toEqual([failed.id]);
  });
});
