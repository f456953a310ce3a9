/**
 * bench/stats.ts — the statistics dashboard on a year of a large hospital: each statistics
 * request's time beside one full scan of the appointment table, in the same run.
 *
 *   npm run bench:stats                       # 260 doctors × 365 days ≈ 1.7 M appointments
 *   npm run bench:stats -- --doctors 100      # smaller (≈ 0.65 M), quicker
 *   npm run bench:stats -- --keep             # keep the database (its name is printed)
 *
 * One private database (bench_stats_<random>) on the project's MariaDB test instance
 * (TEST_DATABASE_URL, or scripts/db.sh start test), dropped at the end. Generation is SQL only
 * (INSERT … SELECT over a numbers table), with the appointment table's secondary indexes
 * dropped during the load and built afterwards in one ALTER, so it takes minutes, not hours:
 *   - 40 departments (10 大科 with 3 小科 each), `--doctors` doctors, one half-day session per
 *     doctor per day for 365 days (2 % of them 停诊), 8 slots of 30 minutes × 3 places;
 *   - 55–95 % of places booked depending on the doctor; per booking: 6 % expired unpaid, 10 %
 *     退号 (refunded), then on past days 5 % 爽约 and the rest completed (checked in and called
 *     5–45 minutes later), on future days pending payment or booked; 停诊 sessions' bookings
 *     cancelled by the doctor and refunded; slot.remaining = capacity − active bookings;
 *   - waitlist entries on every tenth session, payments for every paid booking.
 * "Today" is 7 days before the last generated day: the last week holds future visits.
 *
 * Then it runs the refresh-statistics job's work twice (the first run rolls up all history, the
 * second is a routine run 10 minutes later), checks that the statistics from the rollup equal
 * those computed wholly live, and times: one full
 * scan of the appointment table, and each statistics request (the dashboard's four queries
 * and each query alone) for a year, a year of one 大科, and the last 30 days; median of 3 runs
 * after one warm-up; the wholly live computation once, for comparison. Prints each time and its ratio to the scan; the goal is ≤ 10 %.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { createDb, type Db } from '../functions/src/db/create-db.js';
import { migrate } from '../functions/src/db/migrate.js';
import { refreshRollup, rolledThrough } from '../functions/src/statistics/rollup.js';
import {
  dailyCounts,
  departmentRanking,
  departmentScope,
  doctorRanking,
  hourlyDistribution,
  statistics,
  type StatisticsFilter,
} from '../functions/src/statistics/statistics.js';
import { addDays, shanghaiToInstant } from '../functions/src/time/shanghai.js';

const { values: args } = parseArgs({
  options: {
    doctors: { type: 'string', default: '260' },
    days: { type: 'string', default: '365' },
    keep: { type: 'boolean', default: false },
  },
});
const doctors = Number(args.doctors);
const days = Number(args.days);
const FIRST_DAY = '2025-11-01';
const LAST_DAY = addDays(FIRST_DAY, days - 1);
const TODAY = addDays(LAST_DAY, -7);
const NOW = shanghaiToInstant(TODAY, '12:00');
const PATIENTS = 50_000;

const serverUrl =
  process.env.TEST_DATABASE_URL ??
  execFileSync('bash', [new URL('../scripts/db.sh', import.meta.url).pathname, 'start', 'test'], { encoding: 'utf8' }).trim();
const name = `bench_stats_${randomBytes(4).toString('hex')}`;
const admin = await createConnection(serverUrl);
await admin.query(`CREATE DATABASE \`${name}\``);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const db = createDb({ kind: 'mysql', url: url.toString(), poolSize: 4 });

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`  ${label.padEnd(58)} ${seconds(performance.now() - started)}`);
  return result;
}
const exec = (text: string) => sql.raw(text).execute(db);

async function generate(): Promise<void> {
  console.log(`Generating ${doctors} doctors × ${days} days (${FIRST_DAY} … ${LAST_DAY}) into ${name}:`);
  const started = performance.now();
  await exec('CREATE TABLE nums (n INT NOT NULL PRIMARY KEY)');
  await exec(`INSERT INTO nums (n) VALUES ${Array.from({ length: 1000 }, (_, i) => `(${i})`).join(',')}`);
  const now = "'2025-10-01 00:00:00'";
  await step('departments, doctors', async () => {
    await exec(`INSERT INTO department (code, name, sort_order, created_at, updated_at)
      SELECT CONCAT('P', n), CONCAT('大科', n + 1), n, ${now}, ${now} FROM nums WHERE n < 10`);
    await exec(`INSERT INTO department (parent_id, code, name, sort_order, created_at, updated_at)
      SELECT p.id, CONCAT(p.code, '-', k.n), CONCAT(p.name, '小科', k.n + 1), k.n, ${now}, ${now}
      FROM department p CROSS JOIN nums k WHERE k.n < 3`);
    await exec(`INSERT INTO user_account (phone, password_hash, role, created_at, updated_at)
      SELECT CONCAT('180', LPAD(n, 8, '0')), 'x', 'doctor', ${now}, ${now} FROM nums WHERE n < ${doctors}`);
    // Each doctor in one of the 40 departments, in turn (by rank: INSERT … SELECT may leave gaps
    // in the ids); fees 5–50 元; even ids mornings, odd afternoons.
    await exec(`INSERT INTO doctor (user_id, department_id, name, title, default_fee_fen, created_at, updated_at)
      SELECT u.id, d.id, CONCAT('医生', u.id), 'attending', 500 + (u.id % 10) * 500, ${now}, ${now}
      FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM user_account WHERE role = 'doctor') u
      JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM department) d ON d.n = u.n % 40`);
  });
  await step(`${PATIENTS} patients`, async () => {
    await exec(`INSERT INTO user_account (phone, password_hash, role, created_at, updated_at)
      SELECT CONCAT('19', LPAD(a.n * 1000 + b.n, 9, '0')), 'x', 'patient', ${now}, ${now}
      FROM nums a CROSS JOIN nums b WHERE a.n < ${PATIENTS / 1000} ORDER BY a.n, b.n`);
    await exec(`INSERT INTO patient_profile (account_id, real_name, id_type, id_number_cipher, id_number_hash, id_number_masked,
        gender, birth_date, phone, relation, is_default, created_at, updated_at)
      SELECT id, '患者', 'passport', 'x', SHA2(CONCAT('p', id), 256), 'E****1', 'female', '1990-01-01', phone, 'self', 1, ${now}, ${now}
      FROM user_account WHERE role = 'patient' ORDER BY id`);
  });
  await step('sessions and slots', async () => {
    await exec(`INSERT INTO clinic_session (doctor_id, department_id, session_date, period, start_time, end_time, fee_fen, status,
        release_at, bookable_until, created_at, updated_at)
      SELECT d.id, d.department_id, DATE_ADD('${FIRST_DAY}', INTERVAL n.n DAY), IF(d.id % 2 = 0, 'morning', 'afternoon'),
             IF(d.id % 2 = 0, '08:00:00', '14:00:00'), IF(d.id % 2 = 0, '12:00:00', '18:00:00'), d.default_fee_fen,
             IF(CRC32(CONCAT(d.id, '/', n.n)) % 100 < 2, 'suspended', 'open'),
             DATE_ADD('${FIRST_DAY}', INTERVAL n.n - 7 DAY), DATE_ADD('${FIRST_DAY}', INTERVAL n.n DAY), ${now}, ${now}
      FROM doctor d CROSS JOIN nums n WHERE n.n < ${days}`);
    await exec(`INSERT INTO slot (session_id, start_time, end_time, capacity, remaining, seq_start, seq_count, created_at, updated_at)
      SELECT s.id, ADDTIME(s.start_time, SEC_TO_TIME(k.n * 1800)), ADDTIME(s.start_time, SEC_TO_TIME((k.n + 1) * 1800)),
             3, 3, k.n * 3 + 1, 3, ${now}, ${now}
      FROM clinic_session s CROSS JOIN nums k WHERE k.n < 8`);
  });

  // The load goes into the clustered index only; the secondary indexes are built afterwards
  // (a sorted build per index instead of 1.7 M random inserts into each).
  const created = (await sql<{ 'Create Table': string }>`SHOW CREATE TABLE appointment`.execute(db)).rows[0]!['Create Table'];
  const keys = created
    .split('\n')
    .map((line) => line.trim().replace(/,$/, ''))
    .filter((line) => /^(UNIQUE )?KEY /.test(line));
  await exec(`ALTER TABLE appointment ${keys.map((k) => `DROP KEY ${k.match(/KEY `([^`]+)`/)![1]}`).join(', ')}`);
  const profiles = (await sql<{ first: number; account: number }>`
    SELECT MIN(id) AS first, MIN(account_id) AS account FROM patient_profile`.execute(db)).rows[0]!;
  const r = "CRC32(CONCAT(k.n, '#', sl.id)) % 100";
  const status = `CASE WHEN s.status = 'suspended' THEN 'cancelled' WHEN ${r} < 6 THEN 'expired' WHEN ${r} < 16 THEN 'cancelled'
    WHEN s.session_date > '${TODAY}' THEN IF(${r} < 20, 'pending_payment', 'booked') WHEN ${r} < 21 THEN 'no_show' ELSE 'completed' END`;
  // x: one row per booked place, with its status, its order instant and a second hash (r2).
  const places = (from: string, to: string) => `
    SELECT sl.id AS slot_id, s.id AS session_id, s.doctor_id, s.department_id, s.session_date, s.period, s.status AS session_status,
      s.fee_fen, sl.start_time, sl.end_time, sl.seq_start + k.n AS queue_number, k.n AS k,
      CONCAT('B', LPAD(sl.id, 12, '0'), k.n) AS order_no,
      ${profiles.first} + (s.id * 24 + sl.seq_start - 1 + k.n) % ${PATIENTS} AS profile_id,
      ${status} AS status,
      CRC32(CONCAT(sl.id, 'c', k.n)) AS r2,
      TIMESTAMP(s.session_date, sl.start_time) - INTERVAL 8 HOUR AS slot_at
    FROM clinic_session s JOIN slot sl ON sl.session_id = s.id CROSS JOIN nums k
    WHERE s.session_date BETWEEN '${from}' AND '${to}' AND k.n < 3
      AND CRC32(CONCAT(sl.id, '/', k.n)) % 100 < 55 + (s.doctor_id % 5) * 10`;
  const createdAt = 'TIMESTAMP(DATE_SUB(x.session_date, INTERVAL 1 + x.r2 % 7 DAY)) + INTERVAL x.r2 % 86400 SECOND';
  for (let month = 0; month * 31 < days; month += 1) {
    const from = addDays(FIRST_DAY, month * 31);
    const to = addDays(from, 30) < LAST_DAY ? addDays(from, 30) : LAST_DAY;
    await step(`appointments ${from} … ${to}`, () =>
      exec(`INSERT INTO appointment (order_no, account_id, profile_id, slot_id, session_id, doctor_id, department_id, session_date,
          period, slot_start, slot_end, queue_number, fee_fen, status, hold_expires_at, paid_at, checked_in_at, called_at,
          completed_at, cancelled_at, expired_at, no_show_at, cancelled_by, idempotency_key, request_hash, created_at, updated_at)
        SELECT x.order_no, x.profile_id - ${profiles.first} + ${profiles.account}, x.profile_id, x.slot_id, x.session_id, x.doctor_id,
          x.department_id, x.session_date, x.period, x.start_time, x.end_time, x.queue_number, x.fee_fen, x.status,
          IF(x.status IN ('pending_payment', 'expired'), ${createdAt} + INTERVAL 15 MINUTE, NULL),
          IF(x.status IN ('pending_payment', 'expired'), NULL, ${createdAt} + INTERVAL 2 MINUTE),
          IF(x.status = 'completed', x.slot_at - INTERVAL (x.r2 % 20) MINUTE, NULL),
          IF(x.status = 'completed', x.slot_at - INTERVAL (x.r2 % 20) MINUTE + INTERVAL 5 + x.r2 % 40 MINUTE, NULL),
          IF(x.status = 'completed', x.slot_at + INTERVAL 1 HOUR, NULL),
          IF(x.status = 'cancelled', ${createdAt} + INTERVAL 1 HOUR, NULL),
          IF(x.status = 'expired', ${createdAt} + INTERVAL 15 MINUTE, NULL),
          IF(x.status = 'no_show', x.slot_at + INTERVAL 4 HOUR, NULL),
          IF(x.status = 'cancelled', IF(x.session_status = 'suspended', 'doctor', 'patient'), NULL),
          x.order_no, REPEAT('x', 64), ${createdAt}, ${createdAt}
        FROM (${places(from, to)}) x`),
    );
  }
  await step('slot.remaining = capacity − active bookings', () =>
    exec(`UPDATE slot sl JOIN (SELECT slot_id, COUNT(*) AS c FROM appointment WHERE holds_place = 1 GROUP BY slot_id) a
      ON a.slot_id = sl.id SET sl.remaining = sl.capacity - a.c`),
  );
  await step(`appointment's ${keys.length} secondary indexes`, () => exec(`ALTER TABLE appointment ${keys.map((k) => `ADD ${k}`).join(', ')}`));
  await step('payments and refunds', () =>
    exec(`INSERT INTO payment (appointment_id, amount_fen, provider, status, provider_txn_id, paid_at, refund_amount_fen, refund_txn_id,
        refunded_at, created_at, updated_at)
      SELECT id, fee_fen, 'simulated', IF(status = 'cancelled', 'refunded', 'paid'), order_no, paid_at,
        IF(status = 'cancelled', fee_fen, NULL), IF(status = 'cancelled', CONCAT('R', order_no), NULL),
        IF(status = 'cancelled', cancelled_at + INTERVAL 1 MINUTE, NULL), paid_at, paid_at
      FROM appointment WHERE paid_at IS NOT NULL`),
  );
  await step('waitlist entries', () =>
    exec(`INSERT INTO waitlist_entry (account_id, profile_id, session_id, status, created_at, updated_at)
      SELECT ${profiles.account} + (s.id * 24 + 30 + k.n) % ${PATIENTS}, ${profiles.first} + (s.id * 24 + 30 + k.n) % ${PATIENTS}, s.id,
        CASE WHEN s.session_date > '${TODAY}' THEN 'waiting' WHEN CRC32(CONCAT(s.id, 'w', k.n)) % 100 < 40 THEN 'fulfilled'
             WHEN CRC32(CONCAT(s.id, 'w', k.n)) % 100 < 85 THEN 'expired' ELSE 'cancelled' END,
        TIMESTAMP(s.session_date) - INTERVAL 2 DAY, TIMESTAMP(s.session_date) - INTERVAL 2 DAY
      FROM clinic_session s CROSS JOIN nums k WHERE s.id % 10 = 0 AND k.n < 3`),
  );
  await exec('DROP TABLE nums');
  await exec('ANALYZE TABLE appointment, payment, clinic_session, slot, waitlist_entry');
  const mix = (await sql<{ status: string; c: number }>`SELECT status, COUNT(*) AS c FROM appointment GROUP BY status ORDER BY c DESC`.execute(db)).rows;
  const total = mix.reduce((sum, m) => sum + Number(m.c), 0);
  console.log(`  ${total.toLocaleString('en')} appointments: ${mix.map((m) => `${m.status} ${((Number(m.c) / total) * 100).toFixed(1)} %`).join(', ')}`);
  console.log(`  generated in ${seconds(performance.now() - started)}`);
}

async function median(run: () => Promise<unknown>, times = 3): Promise<number> {
  await run(); // warm-up: every figure is a warm cache's, the scan's included
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

/** The four queries over live rows only, as if the rollup did not exist. */
async function liveStatistics(database: Db, filter: StatisticsFilter) {
  const scope = await departmentScope(database, filter);
  const [daily, departments, doctorsTop, hours] = await Promise.all([
    dailyCounts(database, filter, null, scope),
    departmentRanking(database, filter, null, scope),
    doctorRanking(database, filter, null, scope),
    hourlyDistribution(database, filter, null, scope),
  ]);
  return { daily, departments, doctors: doctorsTop, hours };
}

try {
  await migrate(db);
  await generate();
  console.log(`\nRollup (the refresh-statistics job's first run, "today" = ${TODAY}):`);
  const rollup = await step('refreshRollup: all history', () => refreshRollup(db, NOW));
  console.log(`  rolled up ${rollup.from} … ${rollup.through} (${rollup.days} days)`);
  const routine = await step('refreshRollup 10 minutes later (a routine run)', () => refreshRollup(db, new Date(NOW.getTime() + 600_000)));
  console.log(`  rewrote ${routine.from} … ${routine.through} (${routine.days} days)`);
  const rolled = await rolledThrough(db);
  const bigParent = (await sql<{ id: number }>`SELECT id FROM department WHERE parent_id IS NULL ORDER BY id LIMIT 1`.execute(db)).rows[0]!.id;
  const filters: Array<[string, StatisticsFilter]> = [
    [`a year (${FIRST_DAY} … ${LAST_DAY})`, { from: FIRST_DAY, to: LAST_DAY }],
    ['a year, one 大科 with its 小科', { from: FIRST_DAY, to: LAST_DAY, departmentId: bigParent }],
    [`30 days (… ${addDays(TODAY, 7)})`, { from: addDays(TODAY, -22), to: addDays(TODAY, 7) }],
  ];

  const liveMs = new Map<string, number>();
  console.log('\nRollup + live days = wholly live:');
  for (const [label, filter] of filters) {
    const fromRollup = await statistics(db, filter);
    const liveStarted = performance.now();
    const live = await liveStatistics(db, filter);
    liveMs.set(label, performance.now() - liveStarted);
    const same = isDeepStrictEqual(
      { daily: fromRollup.daily, departments: fromRollup.departments, doctors: fromRollup.doctors, hours: fromRollup.hours },
      live,
    );
    console.log(`  ${label.padEnd(44)} ${same ? 'equal' : 'DIFFERENT'}  (${fromRollup.totals.bookings.toLocaleString('en')} bookings)`);
    if (!same) process.exitCode = 1;
  }

  console.log('\nTimes (median of 3 after a warm-up):');
  const scan = await median(() => exec('SELECT status, COUNT(*), SUM(fee_fen) FROM appointment GROUP BY status'));
  console.log(`  ${'full scan of appointment (GROUP BY status)'.padEnd(58)} ${scan.toFixed(0).padStart(6)} ms   100 %`);
  let worst = 0;
  for (const [label, filter] of filters) {
    const scope = await departmentScope(db, filter);
    const rows: Array<[string, () => Promise<unknown>]> = [
      ['dashboard (4 queries)', () => statistics(db, filter)],
      ['  每日 (daily counts)', () => dailyCounts(db, filter, rolled, scope)],
      ['  热门科室', () => departmentRanking(db, filter, rolled, scope)],
      ['  医生排行', () => doctorRanking(db, filter, rolled, scope)],
      ['  时段分布', () => hourlyDistribution(db, filter, rolled, scope)],
    ];
    console.log(`  ${label}`);
    for (const [what, run] of rows) {
      const ms = await median(run);
      const ratio = (ms / scan) * 100;
      worst = Math.max(worst, ratio);
      console.log(`    ${what.padEnd(56)} ${ms.toFixed(0).padStart(6)} ms ${ratio.toFixed(1).padStart(5)} %`);
    }
    // For comparison only, and once (it reads every row of the range): the same four queries
    // with no rollup. Its time came from the equality check above.
    console.log(`    ${'wholly live, no rollup (for comparison, one run)'.padEnd(56)} ${liveMs.get(label)!.toFixed(0).padStart(6)} ms ${((liveMs.get(label)! / scan) * 100).toFixed(1).padStart(5)} %`);
  }
  console.log(`\nWorst statistics request: ${worst.toFixed(1)} % of the full scan (goal ≤ 10 %): ${worst <= 10 ? 'met' : 'NOT met'}`);
} finally {
  await db.destroy();
  if (args.keep) console.log(`kept database ${name}`);
  else await admin.query(`DROP DATABASE \`${name}\``);
  await admin.end();
}
