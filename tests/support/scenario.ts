/**
 * Scenario builders for booking tests: a department and doctor, a clinic session with slots,
 * and many patients with a profile each — written straight into the database (the SMS
 * endpoint is rate-limited, and 500 registrations would test registration, not booking).
 * Tokens are minted at the test clock's "now", as a login would.
 *
 * ```ts
 * const hospital = await createDoctor(app.database.db);
 * const session = await createSession(app.database.db, hospital, { date, slots: [{ start: '08:00', capacity: 50 }] });
 * const [patient] = await createPatients(app.database.db, 1);
 * const res = await book(app, patient, session.slotIds[0]);
 * expect(await capacityViolations(app.database.db)).toEqual([]);
 * ```
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createConnection, type Connection } from 'mysql2/promise';
import { DUMMY_PASSWORD_HASH } from '../../functions/src/auth/password.js';
import { signAccessToken } from '../../functions/src/auth/tokens.js';
import type { Db } from '../../functions/src/db/create-db.js';
import { defaultRules, releaseAt } from '../../functions/src/rules/booking-rules.js';
import { addDays, shanghaiDate, shanghaiToInstant, type LocalDate } from '../../functions/src/time/shanghai.js';
import type { TestApp } from './app.js';

let sequence = 0;
function next(): number {
  sequence += 1;
  return sequence;
}
/** Unique within the run and across parallel test files (different pids). */
function uniquePhone(): string {
  return `17${String(process.pid % 1000).padStart(3, '0')}${String(next()).padStart(6, '0')}`;
}

export interface Hospital {
  departmentId: number;
  doctorId: number;
  doctorUserId: number;
}

/** A department (optionally under `parentId`) with one doctor, whose account can log in as 'doctor'. */
export async function createDoctor(
  db: Db,
  options: { parentId?: number; name?: string; title?: 'chief' | 'associate_chief' | 'attending' | 'resident' } = {},
): Promise<Hospital> {
  const now = new Date();
  const n = next();
  const department = await db
    .insertInto('department')
    .values({
      code: `T${process.pid % 10000}${n}`,
      name: `测试科室${n}`,
      location: `门诊楼${n}层`,
      parent_id: options.parentId ?? null,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  const user = await db
    .insertInto('user_account')
    .values({ phone: uniquePhone(), password_hash: DUMMY_PASSWORD_HASH, role: 'doctor', display_name: '测试医生', created_at: now, updated_at: now })
    .executeTakeFirstOrThrow();
  const doctor = await db
    .insertInto('doctor')
    .values({
      user_id: Number(user.insertId),
      department_id: Number(department.insertId),
      name: options.name ?? `王医生${n}`,
      title: options.title ?? 'attending',
      default_fee_fen: 1000,
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return { departmentId: Number(department.insertId), doctorId: Number(doctor.insertId), doctorUserId: Number(user.insertId) };
}

export interface SlotSpec {
  start: string;
  end?: string;
  capacity: number;
  /** Size of the slot's queue-number range; defaults to its capacity. */
  seqCount?: number;
}

export interface SessionSpec {
  date: LocalDate;
  period?: 'morning' | 'afternoon' | 'evening';
  feeFen?: number;
  slots: SlotSpec[];
  /** Defaults to the rules' release instant (7 days before at 07:30 Shanghai). */
  releaseAt?: Date;
  /** Defaults to the end of the last slot. */
  bookableUntil?: Date;
}

export interface Session {
  sessionId: number;
  slotIds: number[];
  date: LocalDate;
}

function plusMinutes(time: string, minutes: number): string {
  const [h = 0, m = 0] = time.split(':').map(Number);
  const total = h * 60 + m + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}:00`;
}

/** A clinic session with its slots; each slot's queue numbers follow the previous slot's. */
export async function createSession(db: Db, hospital: Hospital, spec: SessionSpec): Promise<Session> {
  const now = new Date();
  const slots = spec.slots.map((s) => ({ ...s, end: s.end ?? plusMinutes(s.start, 30), seqCount: s.seqCount ?? s.capacity }));
  const first = slots[0]!;
  const last = slots.at(-1)!;
  const session = await db
    .insertInto('clinic_session')
    .values({
      doctor_id: hospital.doctorId,
      department_id: hospital.departmentId,
      session_date: spec.date,
      period: spec.period ?? 'morning',
      start_time: first.start,
      end_time: last.end,
      fee_fen: spec.feeFen ?? 0,
      release_at: spec.releaseAt ?? releaseAt(spec.date, defaultRules),
      bookable_until: spec.bookableUntil ?? shanghaiToInstant(spec.date, last.end),
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  const sessionId = Number(session.insertId);
  const slotIds: number[] = [];
  let seqStart = 1;
  for (const slot of slots) {
    const inserted = await db
      .insertInto('slot')
      .values({
        session_id: sessionId,
        start_time: slot.start,
        end_time: slot.end,
        capacity: slot.capacity,
        remaining: slot.capacity,
        seq_start: seqStart,
        seq_count: slot.seqCount,
        created_at: now,
        updated_at: now,
      })
      .executeTakeFirstOrThrow();
    slotIds.push(Number(inserted.insertId));
    seqStart += slot.seqCount;
  }
  return { sessionId, slotIds, date: spec.date };
}

/** A Shanghai date `days` after the Shanghai "today" of `now`. */
export function shanghaiDay(now: Date, days: number): LocalDate {
  return addDays(shanghaiDate(now), days);
}

export interface Patient {
  userId: number;
  profileId: number;
  phone: string;
}

/** `count` patient accounts, each with one (self) profile, in two multi-row inserts. */
export async function createPatients(db: Db, count: number): Promise<Patient[]> {
  const now = new Date();
  const phones = Array.from({ length: count }, () => uniquePhone());
  await db
    .insertInto('user_account')
    .values(phones.map((phone) => ({ phone, password_hash: DUMMY_PASSWORD_HASH, role: 'patient' as const, display_name: '测试患者', created_at: now, updated_at: now })))
    .execute();
  const users = await db.selectFrom('user_account').select(['id', 'phone']).where('phone', 'in', phones).execute();
  const idByPhone = new Map(users.map((u) => [u.phone, u.id]));
  await db
    .insertInto('patient_profile')
    .values(
      phones.map((phone, i) => ({
        account_id: idByPhone.get(phone)!,
        real_name: `患者${i + 1}`,
        id_type: 'passport' as const,
        id_number_cipher: 'test-only',
        id_number_hash: randomBytes(32).toString('hex'),
        id_number_masked: 'E****123',
        gender: 'female' as const,
        birth_date: '1990-01-01',
        phone,
        relation: 'self' as const,
        is_default: 1,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const profiles = await db
    .selectFrom('patient_profile')
    .select(['id', 'account_id'])
    .where('account_id', 'in', [...idByPhone.values()])
    .execute();
  const profileByAccount = new Map(profiles.map((p) => [p.account_id, p.id]));
  return phones.map((phone) => {
    const userId = idByPhone.get(phone)!;
    return { userId, phone, profileId: profileByAccount.get(userId)! };
  });
}

/** Another profile (e.g. a child) on an existing account. */
export async function addProfile(db: Db, userId: number): Promise<number> {
  const now = new Date();
  const inserted = await db
    .insertInto('patient_profile')
    .values({
      account_id: userId,
      real_name: '家属',
      id_type: 'passport',
      id_number_cipher: 'test-only',
      id_number_hash: randomBytes(32).toString('hex'),
      id_number_masked: 'E****456',
      gender: 'male',
      birth_date: '2015-06-01',
      phone: '13800000000',
      relation: 'child',
      created_at: now,
      updated_at: now,
    })
    .executeTakeFirstOrThrow();
  return Number(inserted.insertId);
}

/** An access token for the account, issued at the test clock's now. */
export function tokenFor(app: TestApp, userId: number, role: 'patient' | 'doctor' | 'admin' = 'patient'): Promise<string> {
  return signAccessToken(app.deps.config, { userId, role }, app.clock.now());
}

export async function book(app: TestApp, patient: Patient, slotId: number, options: { key?: string; profileId?: number } = {}) {
  return app.request('POST', '/api/v1/appointments', {
    token: await tokenFor(app, patient.userId),
    headers: { 'idempotency-key': options.key ?? randomUUID() },
    body: { slotId, profileId: options.profileId ?? patient.profileId },
  });
}

export async function appointmentAction(app: TestApp, patient: Patient, appointmentId: number, action: 'pay' | 'cancel') {
  return app.request('POST', `/api/v1/appointments/${appointmentId}/${action}`, {
    token: await tokenFor(app, patient.userId),
    ...(action === 'cancel' ? { body: {} } : {}),
  });
}

/**
 * The booking invariants, read from the database: for every slot `remaining + active
 * appointments = capacity` and `remaining >= 0`; per session, no profile with two active
 * appointments and no queue number held twice by active appointments, and every active number
 * inside its slot's range. Returns the violations (empty when all hold).
 */
export async function capacityViolations(db: Db): Promise<string[]> {
  const violations: string[] = [];
  const slots = await sql<{ id: number; capacity: number; remaining: number; active: number }>`
    SELECT s.id, s.capacity, s.remaining,
           (SELECT COUNT(*) FROM appointment a WHERE a.slot_id = s.id AND a.holds_place = 1) AS active
      FROM slot s`.execute(db);
  for (const s of slots.rows) {
    if (s.remaining < 0) violations.push(`slot ${s.id}: remaining ${s.remaining} < 0`);
    if (Number(s.remaining) + Number(s.active) !== s.capacity) {
      violations.push(`slot ${s.id}: remaining ${s.remaining} + active ${s.active} != capacity ${s.capacity}`);
    }
  }
  const doubles = await sql<{ profile_id: number; session_id: number; n: number }>`
    SELECT profile_id, session_id, COUNT(*) AS n FROM appointment WHERE holds_place = 1
     GROUP BY profile_id, session_id HAVING COUNT(*) > 1`.execute(db);
  for (const d of doubles.rows) violations.push(`profile ${d.profile_id} holds ${d.n} places in session ${d.session_id}`);
  const numbers = await sql<{ session_id: number; queue_number: number; n: number }>`
    SELECT session_id, queue_number, COUNT(*) AS n FROM appointment WHERE holds_place = 1
     GROUP BY session_id, queue_number HAVING COUNT(*) > 1`.execute(db);
  for (const q of numbers.rows) violations.push(`queue number ${q.queue_number} held ${q.n} times in session ${q.session_id}`);
  const outside = await sql<{ id: number; queue_number: number }>`
    SELECT a.id, a.queue_number FROM appointment a JOIN slot s ON s.id = a.slot_id
     WHERE a.holds_place = 1 AND (a.queue_number < s.seq_start OR a.queue_number >= s.seq_start + s.seq_count)`.execute(db);
  for (const o of outside.rows) violations.push(`appointment ${o.id}: queue number ${o.queue_number} outside its slot's range`);
  return violations;
}

/**
 * Runs `booking` while the test holds the slot's row lock, and once the booking waits for that
 * lock — its gate passed, its transaction under way, its conditional UPDATE queued behind us —
 * runs `meanwhile` (which must not touch the slot row), then lets the booking go. So a change
 * made by `meanwhile` lands between the gate and the UPDATE, after the booking's snapshot: only
 * the UPDATE's own condition can see it.
 *
 * ```ts
 * const res = await betweenGateAndUpdate(app, slotId, () => book(app, patient, slotId), async () => {
 *   await db.updateTable('doctor').set({ active: 0 }).where('id', '=', doctorId).execute();
 * });
 * ```
 */
export async function betweenGateAndUpdate<T>(app: TestApp, slotId: number, booking: () => Promise<T>, meanwhile: () => Promise<void>): Promise<T> {
  const holder = await createConnection(app.database.url);
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM slot WHERE id = ? FOR UPDATE', [slotId]);
    const answer = booking();
    await waitForLockWait(holder);
    await meanwhile();
    await holder.query('ROLLBACK');
    return await answer;
  } finally {
    await holder.end();
  }
}

/**
 * Until another connection to this test database is running an UPDATE of the slot table — one
 * that can only be waiting for the lock the caller holds (10 s at most; on PlanetScale the
 * statement carries Vitess's timeout directive after its verb, create-db.ts). The process list, not
 * information_schema.innodb_trx: MariaDB's copy of the latter did not list the waiting
 * transaction reliably.
 */
async function waitForLockWait(conn: Connection): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    const [rows] = await conn.query(
      `SELECT COUNT(*) AS n FROM information_schema.processlist
        WHERE id <> CONNECTION_ID() AND db = DATABASE()
          AND (info LIKE '%UPDATE slot%' OR info LIKE '%UPDATE /*vt+ %*/ slot%')`,
    );
    if (Number((rows as Array<{ n: number }>)[0]!.n) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no booking of this database started waiting for the slot row within 10 s');
}
