/**
 * The waitlist's clocks under a non-Shanghai TZ (the suite runs with TZ=America/New_York): it
 * closes at 18:00 Shanghai the day before by default; the closing job closes each waiting
 * entry once, with one message, even when two runs race; nobody joins and nothing is offered
 * after the close; an offer's hold ends before the slot's cancellation cut-off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../functions/src/rules/booking-rules.js';
import { closeDueWaitlists } from '../../functions/src/waitlist/close.js';
import { offerHoldExpiresAt, waitlistClosesAt } from '../../functions/src/rules/waitlist-timing.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { appointmentAction, createDoctor, createPatients, createSession, shanghaiDay } from '../support/scenario.js';
import { entries, fill, join } from './helpers.js';

describe('the waitlist clocks', () => {
  it('runs under a TZ that is not Shanghai', () => {
    expect(process.env.TZ).toBe('America/New_York');
  });

  it('closes at 18:00 Shanghai the day before by default, whatever the server TZ', () => {
    expect(waitlistClosesAt('2026-12-10', defaultRules).toISOString()).toBe('2026-12-09T10:00:00.000Z');
    expect(waitlistClosesAt('2026-03-09', { waitlistCloseMinutes: 0 }).toISOString()).toBe('2026-03-08T16:00:00.000Z');
  });

  it('holds an offer for waitlistOfferHoldMinutes, capped at the cancellation cut-off, and not at all past it', () => {
    const rules = { waitlistOfferHoldMinutes: 30, cancelCutoffMinutes: 120 };
    const now = new Date('2026-12-09T09:00:00Z'); // 17:00 Shanghai
    expect(offerHoldExpiresAt(now, '2026-12-10', '08:00:00', rules)!.toISOString()).toBe('2026-12-09T09:30:00.000Z');
    // A slot at 17:10 Shanghai the same day: cut-off 15:10 Shanghai has passed at 17:00.
    expect(offerHoldExpiresAt(now, '2026-12-09', '17:10:00', rules)).toBeUndefined();
    // A slot at 19:15 Shanghai: cut-off 17:15, before the 17:30 the hold would run to.
    expect(offerHoldExpiresAt(now, '2026-12-09', '19:15:00', rules)!.toISOString()).toBe('2026-12-09T09:15:00.000Z');
  });
});

describe('closing', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('closes the waiting entries at the closing time, once, with one message each, also with two runs at once', async () => {
    const db = app.database.db;
    const date = shanghaiDay(app.clock.now(), 3);
    const { sessionId, slotIds } = await createSession(db, await createDoctor(db), { date, slots: [{ start: '08:00', capacity: 1 }] });
    const [holder, a, b] = await createPatients(db, 3);
    const [appointmentId] = await fill(app, [holder!], slotIds[0]!);
    await join(app, a!, sessionId);
    await join(app, b!, sessionId);

    const closesAt = shanghaiToInstant(shanghaiDay(new Date(`${date}T12:00:00+08:00`), -1), '18:00');
    expect(await closeDueWaitlists(db, new Date(closesAt.getTime() - 1))).toEqual({ due: 0, closed: 0 });
    expect((await entries(app, sessionId)).map((e) => e.status)).toEqual(['waiting', 'waiting']);

    // After the close nobody joins, and a returned place goes to the public, not to the waitlist.
    app.clock.set(closesAt);
    try {
      const [late] = await createPatients(db, 1);
      const refused = await join(app, late!, sessionId);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('WAITLIST_CLOSED');
      expect((await appointmentAction(app, holder!, appointmentId!, 'cancel')).status).toBe(200);
      const slot = await db.selectFrom('slot').select('remaining').where('id', '=', slotIds[0]!).executeTakeFirstOrThrow();
      expect(slot.remaining).toBe(1);
    } finally {
      app.clock.set(new Date());
    }

    const [first, second] = await Promise.all([closeDueWaitlists(db, closesAt), closeDueWaitlists(db, closesAt)]);
    expect(first.closed + second.closed).toBe(2);
    expect((await entries(app, sessionId)).map((e) => e.status)).toEqual(['expired', 'expired']);
    expect(await closeDueWaitlists(db, closesAt)).toEqual({ due: 0, closed: 0 });
    const messages = await db
      .selectFrom('notification')
      .select(['user_id', 'channel', 'template', 'payload'])
      .where('template', '=', 'waitlist_closed')
      .where('user_id', 'in', [a!.userId, b!.userId])
      .execute();
    // One message per entry: its inbox row and its outbound row.
    expect(messages.map((m) => `${m.user_id}:${m.channel}`).sort()).toEqual([`${a!.userId}:in_app`, `${a!.userId}:sms`, `${b!.userId}:in_app`, `${b!.userId}:sms`].sort());
    const text = JSON.parse(messages.find((m) => m.channel === 'in_app')!.payload).text as string;
    expect(text).toContain(`${date} 上午`);
    expect(text).toContain('候补已关闭');
  });
});
