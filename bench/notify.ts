/**
 * bench/notify.ts — throughput of the notification outbox's delivery job, and proof that two
 * runners at once never send a message twice.
 *
 *   npm run bench:notify                                  # 20 000 messages, 2 runners, mysql2
 *   npm run bench:notify -- --messages 5000 --runners 4 --provider-ms 5 --driver planetscale
 *
 * One private database (bench_notify_<random>) on the project's MariaDB test instance
 * (TEST_DATABASE_URL, or scripts/db.sh start test), dropped at the end. It enqueues `--messages`
 * due messages (each one inbox row and one outbound row, channel 'auto', urgent so quiet hours
 * never defer them, a tenth of the patients
 * holding WeChat consent credits), then runs `--runners` delivery loops at once, each with its
 * own connection pool, against a local fake provider that takes `--provider-ms` per send and
 * counts sends per dedupe key. Prints deliveries/s, messages/s and duplicates (must be 0).
 *
 * Then the reminder job (notification/reminders.ts) for a day of `--appointments` booked
 * appointments (20 sessions, 20 000 by default; 0 skips it): one run at 18:05 the day before,
 * when every day-before reminder is due at once, and a second run that finds nothing left to do.
 * Prints both times and the reminders enqueued (must equal the appointments, then 0).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { createDb } from '../functions/src/db/create-db.js';
import { migrate } from '../functions/src/db/migrate.js';
import type { Channel, Channels } from '../functions/src/notification/channels.js';
import { deliverDueNotifications } from '../functions/src/notification/delivery.js';
import { enqueueNotifications, type NotificationInput } from '../functions/src/notification/outbox.js';
import { enqueueDueReminders } from '../functions/src/notification/reminders.js';
import { addDays, shanghaiDate, shanghaiToInstant } from '../functions/src/time/shanghai.js';
import { openDb, type Driver } from '../tests/support/drivers.js';

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    runners: { type: 'string', default: '2' },
    'provider-ms': { type: 'string', default: '0' },
    driver: { type: 'string', default: 'mysql2' },
    batch: { type: 'string', default: '200' },
    appointments: { type: 'string', default: '20000' },
  },
});
const messages = Number(args.messages);
const runners = Number(args.runners);
const providerMs = Number(args['provider-ms']);
const driver = args.driver as Driver;

const serverUrl =
  process.env.TEST_DATABASE_URL ??
  execFileSync('bash', [new URL('../scripts/db.sh', import.meta.url).pathname, 'start', 'test'], { encoding: 'utf8' }).trim();
const name = `bench_notify_${randomBytes(4).toString('hex')}`;
const admin = await createConnection(serverUrl);
await admin.query(`CREATE DATABASE \`${name}\``);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = createDb({ kind: 'mysql', url: url.toString(), poolSize: 4 });

try {
  await migrate(db);
  const now = new Date();
  const patients = 2000;
  const phones = Array.from({ length: patients }, (_, i) => `139${String(i).padStart(8, '0')}`);
  await db
    .insertInto('user_account')
    .values(phones.map((phone) => ({ phone, password_hash: 'x', role: 'patient' as const, created_at: now, updated_at: now })))
    .execute();
  const users = await db.selectFrom('user_account').select(['id', 'phone']).orderBy('id').execute();
  await db
    .insertInto('wechat_consent')
    .values(users.filter((_, i) => i % 10 === 0).map((u) => ({ user_id: u.id, template: 'booking_confirmed', credits: 3, updated_at: now })))
    .execute();
  const visit = { orderNo: 'NY20261130000001', patientName: '患者', departmentName: '心血管内科', doctorName: '张三', visitTime: '2026-11-30 08:30' };
  const started = performance.now();
  for (let i = 0; i < messages; i += 500) {
    const inputs: NotificationInput[] = [];
    for (let j = i; j < Math.min(messages, i + 500); j++) {
      const user = users[j % users.length]!;
      inputs.push({ template: 'booking_confirmed', params: visit, userId: user.id, phone: user.phone, dedupeKey: `bench:${j}`, urgent: true });
    }
    await db.transaction().execute((trx) => enqueueNotifications(trx, inputs, now));
  }
  const rows = messages * 2;
  console.log(`enqueued ${messages} messages (${rows} outbox rows) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const sends = new Map<string, number>();
  const provider: Channel = {
    async send(m) {
      if (providerMs > 0) await new Promise((r) => setTimeout(r, providerMs));
      sends.set(m.dedupeKey, (sends.get(m.dedupeKey) ?? 0) + 1);
    },
  };
  const channels: Channels = { sms: provider, wechat: provider, in_app: provider };
  const pools = Array.from({ length: runners }, () => openDb(driver, url.toString(), { poolSize: 8 }));
  const perRunner = Array.from({ length: runners }, () => 0);
  const t0 = performance.now();
  await Promise.all(
    pools.map(async (pool, r) => {
      for (;;) {
        const round = await deliverDueNotifications(pool.db, channels, () => new Date(), { batchSize: Number(args.batch) });
        perRunner[r]! += round.sent;
        if (round.claimed === 0) return;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const pool of pools) await pool.close();

  const duplicates = [...sends.values()].reduce((n, count) => n + count - 1, 0);
  const sent = await db.selectFrom('notification').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow();
  const wechat = await db.selectFrom('notification').select((eb) => eb.fn.countAll<number>().as('n')).where('channel', '=', 'wechat').executeTakeFirstOrThrow();
  console.log(`driver ${driver}, ${runners} runners, provider ${providerMs} ms per send, batch ${args.batch}`);
  console.log(`delivered ${sends.size} of ${rows} rows in ${seconds.toFixed(2)} s: ${(sends.size / seconds).toFixed(0)} deliveries/s, ${(messages / seconds).toFixed(0)} messages/s`);
  console.log(`per runner: ${perRunner.join(' / ')}; by WeChat: ${Number(wechat.n)}; rows marked sent: ${Number(sent.n)}`);
  console.log(`duplicates: ${duplicates}`);
  if (duplicates !== 0 || sends.size !== rows || Number(sent.n) !== rows) process.exitCode = 1;

  const appointments = Number(args.appointments);
  if (appointments > 0) {
    const day = addDays(shanghaiDate(now), 1);
    await seedDay(day, appointments, users, now);
    const at = shanghaiToInstant(addDays(day, -1), '18:05');
    const r0 = performance.now();
    const first = await enqueueDueReminders(db, at);
    const firstSeconds = (performance.now() - r0) / 1000;
    const r1 = performance.now();
    const again = await enqueueDueReminders(db, at);
    const againSeconds = (performance.now() - r1) / 1000;
    console.log(
      `reminder job, a day of ${appointments} booked appointments: ${first.dayBefore} day-before reminders enqueued in ${firstSeconds.toFixed(2)} s; ` +
        `a second run (nothing left) ${againSeconds.toFixed(2)} s, ${again.dayBefore} enqueued`,
    );
    if (first.dayBefore !== appointments || again.dayBefore !== 0) process.exitCode = 1;
  }
} finally {
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.end();
}

/**
 * `count` booked appointments on `day`: 20 doctors in 4 departments, one morning session each
 * with 10 slots, each appointment for a different profile within its session.
 */
async function seedDay(day: string, count: number, users: { id: number; phone: string }[], now: Date): Promise<void> {
  const sessionsCount = 20;
  const perSession = Math.ceil(count / sessionsCount);
  if (perSession > users.length) throw new Error('more appointments per session than patients');
  await db
    .insertInto('patient_profile')
    .values(
      users.map((u, i) => ({
        account_id: u.id,
        real_name: `患者${i}`,
        id_type: 'passport' as const,
        id_number_cipher: 'bench',
        id_number_hash: randomBytes(32).toString('hex'),
        id_number_masked: 'E****123',
        gender: 'female' as const,
        birth_date: '1990-01-01',
        phone: u.phone,
        relation: 'self' as const,
        is_default: 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const profiles = await db.selectFrom('patient_profile').select(['id', 'account_id']).orderBy('id').execute();
  const departmentIds: number[] = [];
  for (let d = 0; d < 4; d++) {
    const dep = await db.insertInto('department').values({ code: `B${d}`, name: `科室${d}`, created_at: now, updated_at: now }).executeTakeFirstOrThrow();
    departmentIds.push(Number(dep.insertId));
  }
  const slotsPerSession = 10;
  const perSlot = Math.ceil(perSession / slotsPerSession);
  let made = 0;
  for (let s = 0; s < sessionsCount && made < count; s++) {
    const departmentId = departmentIds[s % 4]!;
    const user = await db
      .insertInto('user_account')
      .values({ phone: `138${String(s).padStart(8, '0')}`, password_hash: 'x', role: 'doctor', created_at: now, updated_at: now })
      .executeTakeFirstOrThrow();
    const doctor = await db
      .insertInto('doctor')
      .values({ user_id: Number(user.insertId), department_id: departmentId, name: `医生${s}`, title: 'attending', default_fee_fen: 1000, created_at: now, updated_at: now })
      .executeTakeFirstOrThrow();
    const session = await db
      .insertInto('clinic_session')
      .values({
        doctor_id: Number(doctor.insertId),
        department_id: departmentId,
        session_date: day,
        period: 'morning',
        start_time: '08:00',
        end_time: '12:00',
        fee_fen: 1000,
        release_at: now,
        bookable_until: shanghaiToInstant(day, '12:00'),
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    const sessionId = Number(session.insertId);
    const values = [];
    for (let k = 0; k < slotsPerSession; k++) {
      const start = `${String(8 + Math.floor((k * 24) / 60)).padStart(2, '0')}:${String((k * 24) % 60).padStart(2, '0')}:00`;
      const inSlot = Math.max(0, Math.min(perSlot, perSession - k * perSlot, count - made));
      const slot = await db
        .insertInto('slot')
        .values({ session_id: sessionId, start_time: start, end_time: start, capacity: perSlot, remaining: perSlot - inSlot, seq_start: 1 + k * perSlot, seq_count: perSlot, created_at: now, updated_at: now })
        .executeTakeFirstOrThrow();
      for (let q = 0; q < inSlot; q++) {
        const profile = profiles[k * perSlot + q]!;
        made += 1;
        values.push({
          order_no: `B${String(made).padStart(19, '0')}`,
          account_id: profile.account_id,
          profile_id: profile.id,
          slot_id: Number(slot.insertId),
          session_id: sessionId,
          doctor_id: Number(doctor.insertId),
          department_id: departmentId,
          session_date: day,
          period: 'morning' as const,
          slot_start: start,
          slot_end: start,
          queue_number: 1 + k * perSlot + q,
          fee_fen: 1000,
          status: 'booked' as const,
          paid_at: shanghaiToInstant(addDays(day, -3), '10:00'),
          idempotency_key: `bench-${made}`,
          request_hash: '0'.repeat(64),
          created_at: now,
          updated_at: now,
        });
      }
    }
    for (let i = 0; i < values.length; i += 1000) await db.insertInto('appointment').values(values.slice(i, i + 1000)).execute();
  }
}
