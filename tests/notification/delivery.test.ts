/**
 * The notification outbox on the real database, on both drivers where runners race: messages
 * enqueued in a transaction, claimed by concurrent runners, sent once, retried with back-off,
 * given up into 'failed', deferred in quiet hours, and WeChat consent credits consumed once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../functions/src/db/create-db.js';
import { inTransaction } from '../../functions/src/db/transaction.js';
import type { Channel, Channels, OutboundMessage } from '../../functions/src/notification/channels.js';
import { deliverDueNotifications, type DeliveryOptions } from '../../functions/src/notification/delivery.js';
import { enqueueNotification, enqueueNotifications, type NotificationInput } from '../../functions/src/notification/outbox.js';
import { shanghaiToInstant } from '../../functions/src/time/shanghai.js';
import { migratedDatabase, type TestDatabase } from '../support/database.js';
import { drivers, openDb } from '../support/drivers.js';
import { createPatients, type Patient } from '../support/scenario.js';

let database: TestDatabase;
let patients: Patient[];
beforeAll(async () => {
  database = await migratedDatabase();
  patients = await createPatients(database.db, 20);
});
afterAll(() => database.close());
// Every test starts with an empty outbox: a runner claims whatever is due, not only its test's rows.
beforeEach(async () => {
  await database.db.deleteFrom('notification').execute();
});

const visit = { orderNo: 'NY20261130000001', patientName: '患者1', departmentName: '心血管内科', doctorName: '张三', visitTime: '2026-11-30 08:30' };
let serial = 0;
function message(patient: Patient, overrides: Partial<NotificationInput> = {}): NotificationInput {
  serial += 1;
  return {
    template: 'booking_confirmed',
    params: visit,
    userId: patient.userId,
    dedupeKey: `test:${serial}`,
    ...overrides,
  } as NotificationInput;
}

/** A provider that counts what it was asked to send, by dedupe key. */
function countingChannel(fail: (m: OutboundMessage, call: number) => boolean = () => false) {
  const delivered = new Map<string, number>();
  let calls = 0;
  const channel: Channel = {
    async send(m) {
      calls += 1;
      await new Promise((r) => setImmediate(r));
      if (fail(m, calls)) throw new Error('gateway refused');
      delivered.set(m.dedupeKey, (delivered.get(m.dedupeKey) ?? 0) + 1);
    },
  };
  return { channel, delivered, calls: () => calls };
}

function channelsOf(sms: Channel, wechat: Channel = sms, inApp: Channel = sms): Channels {
  return { sms, wechat, in_app: inApp };
}

/** Runs rounds until one claims nothing. */
async function drain(db: Db, channels: Channels, clock: () => Date, options: DeliveryOptions = {}): Promise<void> {
  for (;;) {
    const round = await deliverDueNotifications(db, channels, clock, options);
    if (round.claimed === 0) return;
  }
}

const daytime = shanghaiToInstant('2026-11-30', '10:00');

async function rowsOf(db: Db, keyPrefix: string) {
  return db
    .selectFrom('notification')
    .select(['id', 'channel', 'status', 'attempts', 'last_error', 'send_after', 'dedupe_key', 'claim_token'])
    .where('dedupe_key', 'like', `${keyPrefix}%`)
    .orderBy('id')
    .execute();
}

describe.each(drivers)('delivery runners on %s', (driver) => {
  it('two runners at once send every message exactly once', async () => {
    const prefix = `race-${driver}:`;
    await inTransaction(database.db, (trx) =>
      enqueueNotifications(trx, Array.from({ length: 400 }, (_, i) => message(patients[i % patients.length]!, { dedupeKey: `${prefix}${i}` })), daytime),
    );
    const counter = countingChannel();
    const a = openDb(driver, database.url, { poolSize: 4 });
    const b = openDb(driver, database.url, { poolSize: 4 });
    try {
      await Promise.all([
        drain(a.db, channelsOf(counter.channel), () => daytime, { batchSize: 25 }),
        drain(b.db, channelsOf(counter.channel), () => daytime, { batchSize: 25 }),
      ]);
    } finally {
      await a.close();
      await b.close();
    }
    const rows = await rowsOf(database.db, prefix);
    expect(rows).toHaveLength(800);
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(800);
    expect(counter.delivered.size).toBe(800);
    expect([...counter.delivered.values()].filter((n) => n !== 1)).toEqual([]);
    expect(counter.calls()).toBe(800);
  });

  it('consumes each WeChat consent credit exactly once under concurrency', async () => {
    const [patient] = await createPatients(database.db, 1);
    await database.db.insertInto('wechat_consent').values({ user_id: patient!.userId, template: 'payment_due', credits: 5, updated_at: daytime }).execute();
    const prefix = `credit-${driver}:`;
    await inTransaction(database.db, (trx) =>
      enqueueNotifications(
        trx,
        Array.from({ length: 12 }, (_, i) => message(patient!, { template: 'payment_due', params: { ...visit, payBy: '08:45' }, dedupeKey: `${prefix}${i}` } as Partial<NotificationInput>)),
        daytime,
      ),
    );
    const sms = countingChannel();
    const wechat = countingChannel();
    const inbox = countingChannel();
    const a = openDb(driver, database.url, { poolSize: 4 });
    const b = openDb(driver, database.url, { poolSize: 4 });
    try {
      const channels = channelsOf(sms.channel, wechat.channel, inbox.channel);
      await Promise.all([drain(a.db, channels, () => daytime, { batchSize: 2 }), drain(b.db, channels, () => daytime, { batchSize: 2 })]);
    } finally {
      await a.close();
      await b.close();
    }
    expect(wechat.calls()).toBe(5);
    expect(sms.calls()).toBe(7);
    expect(inbox.calls()).toBe(12);
    const consent = await database.db.selectFrom('wechat_consent').select('credits').where('user_id', '=', patient!.userId).executeTakeFirstOrThrow();
    expect(consent.credits).toBe(0);
    const rows = await rowsOf(database.db, prefix);
    expect(rows.filter((r) => r.channel === 'wechat')).toHaveLength(5);
    expect(rows.filter((r) => r.channel === 'sms')).toHaveLength(7);
  });
});

describe('retries', () => {
  const options = { maxAttempts: 5, backoffMs: 60_000, maxBackoffMs: 3_600_000 };

  it('a provider that fails 3 times then succeeds delivers exactly once, backing off exponentially', async () => {
    const prefix = 'flaky:';
    await inTransaction(database.db, (trx) => enqueueNotification(trx, message(patients[0]!, { channel: 'sms', dedupeKey: `${prefix}1` }), daytime));
    const sms = countingChannel((m, call) => call <= 3);
    const inbox = countingChannel();
    let now = daytime;
    const waits: number[] = [];
    for (let round = 0; round < 8; round++) {
      await deliverDueNotifications(database.db, channelsOf(sms.channel, sms.channel, inbox.channel), () => now, options);
      const [out] = (await rowsOf(database.db, prefix)).filter((r) => r.dedupe_key!.endsWith(':out'));
      if (out!.status === 'pending') {
        waits.push(out!.send_after.getTime() - now.getTime());
        // Not due before its back-off: a round in between claims nothing.
        expect((await deliverDueNotifications(database.db, channelsOf(sms.channel), () => new Date(out!.send_after.getTime() - 1), options)).claimed).toBe(0);
        now = out!.send_after;
      }
    }
    expect(waits).toEqual([60_000, 120_000, 240_000]);
    expect(sms.calls()).toBe(4);
    expect([...sms.delivered.values()]).toEqual([1]);
    const [out] = (await rowsOf(database.db, prefix)).filter((r) => r.dedupe_key!.endsWith(':out'));
    expect(out).toMatchObject({ status: 'sent', attempts: 4, last_error: null, claim_token: null });
  });

  it('a provider that always fails ends in failed after maxAttempts tries, and is not tried again', async () => {
    const prefix = 'dead:';
    await inTransaction(database.db, (trx) => enqueueNotification(trx, message(patients[1]!, { channel: 'sms', dedupeKey: `${prefix}1` }), daytime));
    const sms = countingChannel(() => true);
    const inbox = countingChannel();
    let now = daytime;
    for (let round = 0; round < 10; round++) {
      await deliverDueNotifications(database.db, channelsOf(sms.channel, sms.channel, inbox.channel), () => now, options);
      now = new Date(now.getTime() + options.maxBackoffMs);
    }
    expect(sms.calls()).toBe(5);
    const [out] = (await rowsOf(database.db, prefix)).filter((r) => r.dedupe_key!.endsWith(':out'));
    expect(out).toMatchObject({ status: 'failed', attempts: 5, last_error: 'gateway refused', claim_token: null });
  });
});

describe('enqueue', () => {
  it('the same dedupe key enqueued twice is one message; a rolled-back cause leaves none', async () => {
    const input = message(patients[2]!, { dedupeKey: 'dedupe:appointment-7' });
    expect(await inTransaction(database.db, (trx) => enqueueNotification(trx, input, daytime))).toBe(true);
    expect(await inTransaction(database.db, (trx) => enqueueNotification(trx, input, daytime))).toBe(false);
    expect(await rowsOf(database.db, 'dedupe:appointment-7')).toHaveLength(2);

    await expect(
      inTransaction(database.db, async (trx) => {
        await enqueueNotification(trx, message(patients[2]!, { dedupeKey: 'dedupe:rolled-back' }), daytime);
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    expect(await rowsOf(database.db, 'dedupe:rolled-back')).toHaveLength(0);
  });

  it('a batch with one key already taken adds the others, each once (one-statement path falls back per message)', async () => {
    const taken = message(patients[3]!, { dedupeKey: 'batch:taken' });
    await inTransaction(database.db, (trx) => enqueueNotification(trx, taken, daytime));
    const batch = [message(patients[3]!, { dedupeKey: 'batch:a' }), taken, message(patients[3]!, { dedupeKey: 'batch:b' })];
    expect(await inTransaction(database.db, (trx) => enqueueNotifications(trx, batch, daytime))).toBe(2);
    expect(await rowsOf(database.db, 'batch:')).toHaveLength(6);
    expect(await inTransaction(database.db, (trx) => enqueueNotifications(trx, [message(patients[3]!, { dedupeKey: 'batch:c' }), message(patients[3]!, { dedupeKey: 'batch:d' })], daytime))).toBe(2);
    expect(await rowsOf(database.db, 'batch:')).toHaveLength(10);
  });
});

describe('quiet hours', () => {
  it('defers a non-urgent SMS due at 23:30 Shanghai to 07:00, sends urgent ones and the inbox at once', async () => {
    const night = shanghaiToInstant('2026-11-30', '23:30');
    const sevenAm = shanghaiToInstant('2026-12-01', '07:00');
    await inTransaction(database.db, (trx) =>
      enqueueNotifications(trx, [message(patients[3]!, { channel: 'sms', dedupeKey: 'quiet:normal' }), message(patients[3]!, { channel: 'sms', dedupeKey: 'quiet:urgent', urgent: true })], night),
    );
    const sms = countingChannel();
    const inbox = countingChannel();
    await drain(database.db, channelsOf(sms.channel, sms.channel, inbox.channel), () => night);
    expect([...sms.delivered.keys()]).toEqual(['quiet:urgent:out']);
    expect(inbox.calls()).toBe(2);
    const [deferred] = (await rowsOf(database.db, 'quiet:normal')).filter((r) => r.dedupe_key!.endsWith(':out'));
    expect(deferred).toMatchObject({ status: 'pending', attempts: 0, claim_token: null });
    expect(deferred!.send_after.toISOString()).toBe(sevenAm.toISOString());

    await drain(database.db, channelsOf(sms.channel, sms.channel, inbox.channel), () => new Date(sevenAm.getTime() - 1));
    expect(sms.calls()).toBe(1);
    await drain(database.db, channelsOf(sms.channel, sms.channel, inbox.channel), () => sevenAm);
    expect([...sms.delivered.keys()].sort()).toEqual(['quiet:normal:out', 'quiet:urgent:out']);
  });
});
