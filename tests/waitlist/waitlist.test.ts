/**
 * 候补 one request at a time (mysql2): who may join and who is refused, ownership, leaving,
 * and which returned places are offered to whom — time ranges, the checks again at the offer,
 * suspension (no offer), capacity raised and 加号, a free session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDueWaitlists } from '../../functions/src/waitlist/close.js';
import { staffSession } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  appointmentAction,
  book,
  capacityViolations,
  createDoctor,
  createPatients,
  createSession,
  shanghaiDay,
  tokenFor,
  type Patient,
} from '../support/scenario.js';
import { entries, fill, join, myEntries } from './helpers.js';

let app: TestApp;
let admin: { accessToken: string };
beforeAll(async () => {
  app = await startTestApp();
  admin = await staffSession(app, 'admin');
});
afterAll(() => app.close());

/** A released session four days ahead, fee 1500, of a new doctor; slots 08:00 and 09:00 of `capacity`. */
async function fullSession(capacity = 1, options: { feeFen?: number; fillSlots?: number; days?: number; seqCount?: number } = {}) {
  const db = app.database.db;
  const session = await createSession(db, await createDoctor(db), {
    date: shanghaiDay(app.clock.now(), options.days ?? 4),
    feeFen: options.feeFen ?? 1500,
    slots: [
      { start: '08:00', capacity, seqCount: options.seqCount },
      { start: '09:00', capacity, seqCount: options.seqCount },
    ],
  });
  const holders: Patient[] = [];
  const appointments: number[] = [];
  for (const slotId of session.slotIds.slice(0, options.fillSlots ?? 2)) {
    const patients = await createPatients(db, capacity);
    holders.push(...patients);
    appointments.push(...(await fill(app, patients, slotId)));
  }
  return { ...session, holders, appointments };
}

describe('joining', () => {
  it('joins a full session for one of my 就诊人 and lists it with its position', async () => {
    const session = await fullSession();
    const [a, b] = await createPatients(app.database.db, 2);
    const first = await join(app, a!, session.sessionId);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'waiting', position: 1, slotStarts: null, profile: { id: a!.profileId }, session: { id: session.sessionId } });
    const second = await join(app, b!, session.sessionId, { slotStarts: ['09:00'] });
    expect(second.body).toMatchObject({ status: 'waiting', position: 2, slotStarts: ['09:00'] });
    const listed = await myEntries(app, b!);
    expect(listed.body.items.map((e: { id: number }) => e.id)).toEqual([second.body.id]);
  });

  it('refuses a session with a place left (WAITLIST_NOT_FULL), but not for a chosen slot that is full', async () => {
    const session = await fullSession(1, { fillSlots: 1 });
    const [p] = await createPatients(app.database.db, 1);
    const refused = await join(app, p!, session.sessionId);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WAITLIST_NOT_FULL');
    expect((await join(app, p!, session.sessionId, { slotStarts: ['09:00'] })).body.error.code).toBe('WAITLIST_NOT_FULL');
    expect((await join(app, p!, session.sessionId, { slotStarts: ['10:00'] })).body.error.code).toBe('WAITLIST_SLOT_INVALID');
    const joined = await join(app, p!, session.sessionId, { slotStarts: ['08:00'] });
    expect(joined.status).toBe(201);
    expect(await entries(app, session.sessionId)).toHaveLength(1);
  });

  it('refuses when the profile already waits, already booked the session, or is banned', async () => {
    const session = await fullSession();
    const [p, banned] = await createPatients(app.database.db, 2);
    expect((await join(app, p!, session.sessionId)).status).toBe(201);
    expect((await join(app, p!, session.sessionId)).body.error.code).toBe('ALREADY_WAITING');
    expect((await join(app, session.holders[0]!, session.sessionId)).body.error.code).toBe('ALREADY_BOOKED');
    await app.database.db.updateTable('user_account').set({ banned_until: new Date(app.clock.now().getTime() + 86_400_000) }).where('id', '=', banned!.userId).execute();
    const answer = await join(app, banned!, session.sessionId);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('BOOKING_BANNED');
    expect(await entries(app, session.sessionId)).toHaveLength(1);
  });

  it('refuses a profile at its daily limit, and a fourth wait at once (waitlistMaxPerProfile 3)', async () => {
    const db = app.database.db;
    const [p] = await createPatients(db, 1);
    // Two appointments on day 5 (the daily limit, two departments): a full session that day is refused.
    const day = 5;
    for (const start of ['13:00', '14:00']) {
      const s = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), day), period: 'afternoon', slots: [{ start, capacity: 1 }] });
      expect((await book(app, p!, s.slotIds[0]!)).status).toBe(201);
    }
    const sameDay = await fullSession(1, { days: day });
    expect((await join(app, p!, sameDay.sessionId)).body.error.code).toBe('DAILY_LIMIT_REACHED');
    const others = [await fullSession(1, { days: 4 }), await fullSession(1, { days: 4 }), await fullSession(1, { days: 4 }), await fullSession(1, { days: 4 })];
    for (const s of others.slice(0, 3)) expect((await join(app, p!, s.sessionId)).status).toBe(201);
    const fourth = await join(app, p!, others[3]!.sessionId);
    expect(fourth.status).toBe(409);
    expect(fourth.body.error.code).toBe('WAITLIST_LIMIT_REACHED');
    // Leaving one makes room.
    const mine = (await myEntries(app, p!)).body.items as Array<{ id: number }>;
    expect((await app.request('POST', `/api/v1/waitlist/${mine[0]!.id}/leave`, { token: await tokenFor(app, p!.userId) })).status).toBe(200);
    expect((await join(app, p!, others[3]!.sessionId)).status).toBe(201);
  });
});

describe('ownership and roles', () => {
  it('another account can neither join for my profile, see my entry, nor leave it; staff cannot join', async () => {
    const session = await fullSession();
    const [me, other] = await createPatients(app.database.db, 2);
    expect((await join(app, other!, session.sessionId, { profileId: me!.profileId })).body.error.code).toBe('PROFILE_NOT_FOUND');
    const mine = await join(app, me!, session.sessionId);
    expect((await myEntries(app, other!)).body.items).toEqual([]);
    const leave = await app.request('POST', `/api/v1/waitlist/${mine.body.id}/leave`, { token: await tokenFor(app, other!.userId) });
    expect(leave.status).toBe(404);
    expect(leave.body.error.code).toBe('WAITLIST_ENTRY_NOT_FOUND');
    expect((await entries(app, session.sessionId))[0]!.status).toBe('waiting');
    const staff = await app.request('POST', '/api/v1/waitlist', { token: admin.accessToken, body: { sessionId: session.sessionId, profileId: me!.profileId } });
    expect(staff.status).toBe(403);
    expect((await app.request('GET', '/api/v1/waitlist')).status).toBe(401);
  });

  it('leaving: my entry is cancelled, twice is the same answer, and the next moves up', async () => {
    const session = await fullSession();
    const [a, b] = await createPatients(app.database.db, 2);
    const first = await join(app, a!, session.sessionId);
    await join(app, b!, session.sessionId);
    const token = await tokenFor(app, a!.userId);
    const left = await app.request('POST', `/api/v1/waitlist/${first.body.id}/leave`, { token });
    expect(left.body).toMatchObject({ status: 'cancelled', position: null });
    expect((await app.request('POST', `/api/v1/waitlist/${first.body.id}/leave`, { token })).body).toMatchObject({ status: 'cancelled' });
    expect((await myEntries(app, b!)).body.items[0]).toMatchObject({ position: 1 });
    // A cancellation now goes to b, not to a.
    await appointmentAction(app, session.holders[0]!, session.appointments[0]!, 'cancel');
    const rows = await entries(app, session.sessionId);
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'fulfilled']);
  });
});

describe('offers', () => {
  it('goes to the first entry whose time range takes the returned slot', async () => {
    const session = await fullSession();
    const [nineOnly, any] = await createPatients(app.database.db, 2);
    await join(app, nineOnly!, session.sessionId, { slotStarts: ['09:00'] });
    await join(app, any!, session.sessionId);
    // The 08:00 place: not for the 09:00-only entry.
    await appointmentAction(app, session.holders[0]!, session.appointments[0]!, 'cancel');
    expect((await entries(app, session.sessionId)).map((r) => r.status)).toEqual(['waiting', 'fulfilled']);
    // The 09:00 place: for it.
    await appointmentAction(app, session.holders[1]!, session.appointments[1]!, 'cancel');
    const rows = await entries(app, session.sessionId);
    expect(rows.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const offered = await app.database.db.selectFrom('appointment').select(['slot_id', 'slot_start']).where('id', '=', rows[0]!.appointment_id!).executeTakeFirstOrThrow();
    expect(offered).toEqual({ slot_id: session.slotIds[1], slot_start: '09:00:00' });
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('checks the ban and limits again at the offer: a patient banned since joining keeps waiting, the next gets the place', async () => {
    const session = await fullSession();
    const [banned, next] = await createPatients(app.database.db, 2);
    await join(app, banned!, session.sessionId);
    await join(app, next!, session.sessionId);
    await app.database.db.updateTable('user_account').set({ banned_until: new Date(app.clock.now().getTime() + 86_400_000) }).where('id', '=', banned!.userId).execute();
    await appointmentAction(app, session.holders[0]!, session.appointments[0]!, 'cancel');
    const rows = await entries(app, session.sessionId);
    expect(rows.map((r) => [r.profile_id, r.status])).toEqual([
      [banned!.profileId, 'waiting'],
      [next!.profileId, 'fulfilled'],
    ]);
  });

  it('the offer shows on 我的预约 as pending payment and in 消息; paying books it with its queue number', async () => {
    const session = await fullSession();
    const [p] = await createPatients(app.database.db, 1);
    await join(app, p!, session.sessionId);
    await appointmentAction(app, session.holders[0]!, session.appointments[0]!, 'cancel');
    const token = await tokenFor(app, p!.userId);
    const mine = await app.request('GET', '/api/v1/appointments?scope=upcoming', { token });
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ status: 'pending_payment', queueNumber: 1, slot: { sessionId: session.sessionId, startTime: '08:00' } });
    const inbox = await app.database.db
      .selectFrom('notification')
      .select(['template', 'payload', 'appointment_id'])
      .where('user_id', '=', p!.userId)
      .where('channel', '=', 'in_app')
      .execute();
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ template: 'waitlist_offer', appointment_id: mine.body.items[0].id });
    expect(JSON.parse(inbox[0]!.payload).title).toBe('候补成功');
    const paid = await appointmentAction(app, p!, mine.body.items[0].id, 'pay');
    expect(paid.body).toMatchObject({ status: 'booked', queueNumber: 1 });
  });

  it('停诊 returns the places but offers none; the closing job then closes the entries with a message', async () => {
    const session = await fullSession();
    const [p] = await createPatients(app.database.db, 1);
    await join(app, p!, session.sessionId);
    const suspended = await app.request('POST', `/api/v1/admin/sessions/${session.sessionId}/suspend`, { token: admin.accessToken, body: { reason: '医生外出会诊' } });
    expect(suspended.status).toBe(200);
    const rows = await entries(app, session.sessionId);
    expect(rows.map((r) => r.status)).toEqual(['waiting']);
    const offered = await app.database.db.selectFrom('appointment').select('id').where('profile_id', '=', p!.profileId).execute();
    expect(offered).toEqual([]);
    expect(await closeDueWaitlists(app.database.db, app.clock.now())).toMatchObject({ closed: 1 });
    expect((await entries(app, session.sessionId)).map((r) => r.status)).toEqual(['expired']);
    const message = await app.database.db.selectFrom('notification').select('template').where('user_id', '=', p!.userId).where('channel', '=', 'in_app').execute();
    expect(message).toEqual([{ template: 'waitlist_closed' }]);
  });

  it('capacity raised and 加号 offer the new places to the waitlist first', async () => {
    // Slots of 1 place with ranges of 2 numbers: capacity may go up to 2.
    const session = await fullSession(1, { seqCount: 2 });
    const patients = await createPatients(app.database.db, 4);
    for (const p of patients) await join(app, p, session.sessionId);
    const raised = await app.request('PUT', `/api/v1/admin/slots/${session.slotIds[1]}/capacity`, { token: admin.accessToken, body: { capacity: 2 } });
    expect(raised.status).toBe(200);
    expect((await entries(app, session.sessionId)).map((r) => r.status)).toEqual(['fulfilled', 'waiting', 'waiting', 'waiting']);
    const added = await app.request('POST', `/api/v1/admin/sessions/${session.sessionId}/slots`, {
      token: admin.accessToken,
      body: { startTime: '10:00', endTime: '10:30', capacity: 2 },
    });
    expect(added.status).toBe(201);
    expect((await entries(app, session.sessionId)).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'waiting']);
    const slots = await app.database.db.selectFrom('slot').select(['remaining']).where('session_id', '=', session.sessionId).orderBy('id').execute();
    expect(slots.map((s) => s.remaining)).toEqual([0, 0, 0]);
    expect(await capacityViolations(app.database.db)).toEqual([]);
  });

  it('a free session books the offer at once (booked, with a 预约成功 message)', async () => {
    const session = await fullSession(1, { feeFen: 0 });
    const [p] = await createPatients(app.database.db, 1);
    await join(app, p!, session.sessionId);
    await appointmentAction(app, session.holders[0]!, session.appointments[0]!, 'cancel');
    const [entry] = await entries(app, session.sessionId);
    const offered = await app.database.db.selectFrom('appointment').select(['status', 'hold_expires_at']).where('id', '=', entry!.appointment_id!).executeTakeFirstOrThrow();
    expect(offered).toEqual({ status: 'booked', hold_expires_at: null });
    const message = await app.database.db.selectFrom('notification').select('template').where('appointment_id', '=', entry!.appointment_id!).where('channel', '=', 'in_app').execute();
    expect(message).toEqual([{ template: 'booking_confirmed' }]);
  });
});
