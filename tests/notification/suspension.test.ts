/**
 * 停诊 through the outbox, end to end over HTTP: the suspension enqueues one urgent message per
 * cancelled appointment in its transaction; the delivery job sends the SMS even in quiet hours
 * (urgent), once; the patient finds 停诊通知 in 消息, linked to the appointment.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliverNotifications } from '../../functions/src/jobs/deliver-notifications.js';
import type { Channel } from '../../functions/src/notification/channels.js';
import { createWechatDevChannel } from '../../functions/src/notification/channels.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { book, createDoctor, createPatients, createSession, shanghaiDay, tokenFor } from '../support/scenario.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

it('a 停诊 reaches each patient once by SMS, even at 23:30, and in the inbox with a link to the appointment', async () => {
  const db = app.database.db;
  const doctor = await createDoctor(db);
  const session = await createSession(db, doctor, { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 5 }] });
  const patients = await createPatients(db, 2);
  const ids: number[] = [];
  for (const p of patients) ids.push((await book(app, p, session.slotIds[0]!)).body.id);
  // Each free booking wrote its 预约成功 message (tests/notification/causes.test.ts): not this test's subject.
  expect(await db.deleteFrom('notification').where('template', '=', 'booking_confirmed').executeTakeFirst()).toMatchObject({ numDeletedRows: 4n });

  const res = await app.request('POST', `/api/v1/doctor/sessions/${session.sessionId}/suspend`, {
    token: await tokenFor(app, doctor.doctorUserId, 'doctor'),
    body: { reason: '外出会诊' },
  });
  expect(res.status).toBe(200);

  // Late evening in Shanghai, the day before the visit.
  app.clock.freeze(shanghaiToInstant(shanghaiDay(app.clock.now(), 2), '23:30'));
  const sms: string[] = [];
  const smsChannel: Channel = { send: async (m) => void sms.push(`${m.recipient}|${m.dedupeKey}|${m.text}`) };
  const channels = { sms: smsChannel, wechat: createWechatDevChannel(), in_app: { send: async () => {} } };
  const first = await deliverNotifications(app.deps, { channels });
  const second = await deliverNotifications(app.deps, { channels });
  expect(first).toMatchObject({ claimed: 4, sent: 4, deferred: 0, failed: 0 });
  expect(second.claimed).toBe(0);
  expect(sms).toHaveLength(2);
  expect(sms.map((s) => s.split('|')[0]).sort()).toEqual(patients.map((p) => p.phone).sort());
  expect(sms.map((s) => s.split('|')[1]).sort()).toEqual(ids.map((id) => `session_suspended:${id}:out`).sort());
  expect(sms[0]).toContain('【南阳市第二人民医院】');
  expect(sms[0]).toContain('因故停诊（外出会诊）');

  const inbox = await app.request('GET', '/api/v1/me/messages', { token: await tokenFor(app, patients[0]!.userId) });
  expect(inbox.body.items).toHaveLength(1);
  expect(inbox.body.items[0]).toMatchObject({ template: 'session_suspended', title: '停诊通知', appointmentId: ids[0], readAt: null });
});
