/**
 * Both drivers of createDb against one real MariaDB database: the same JavaScript value types
 * for every column type of our schema, real transactions, and driver errors (duplicate key,
 * deadlock, lock-wait timeout) recognised the same way. The PlanetScale driver talks to the
 * database through tests/support/planetscale-shim.ts. The suite runs under
 * TZ=America/New_York, so any value that leaned on the process time zone shows up here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../functions/src/db/create-db.js';
import { isDuplicateKey, isRetryableTransactionError, mysqlErrno } from '../../functions/src/db/driver-errors.js';
import { inTransaction, type Trx } from '../../functions/src/db/transaction.js';
import { AppError } from '../../functions/src/errors.js';
import { migratedDatabase, type TestDatabase } from '../support/database.js';
import { drivers, openDb, type Driver } from '../support/drivers.js';

let database: TestDatabase;
const open = {} as Record<Driver, { db: Db; close(): Promise<void> }>;

beforeAll(async () => {
  database = await migratedDatabase(4);
  for (const driver of drivers) open[driver] = openDb(driver, database.url, { poolSize: 6 });
});
afterAll(async () => {
  for (const driver of drivers) await open[driver]?.close();
  await database?.close();
});

const at = new Date('2026-11-24T23:30:00.123Z');
let codeCounter = 0;
const newCode = (driver: Driver) => `${driver.slice(0, 2)}${++codeCounter}`;

async function insertDepartment(db: Db | Trx, code: string, name = '心血管内科') {
  return db
    .insertInto('department')
    .values({ code, name, intro: null, sort_order: 0, created_at: at, updated_at: at })
    .executeTakeFirstOrThrow();
}

/** A two-party rendezvous: each side waits until the other has arrived. */
function rendezvous(): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const bothHere = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    arrived += 1;
    if (arrived === 2) release();
    await bothHere;
  };
}

const bump = (trx: Trx, id: number) =>
  trx.updateTable('department').set((eb) => ({ sort_order: eb('sort_order', '+', 1) })).where('id', '=', id).execute();

describe('both drivers return the same rows', () => {
  it('for every table, column for column (types included)', async () => {
    const db = database.db;
    const department = Number((await insertDepartment(db, 'cmp1', '儿科 👶')).insertId);
    await db
      .insertInto('doctor')
      .values({ user_id: 9, department_id: department, name: '王医生', title: 'chief', default_fee_fen: 5000, created_at: at, updated_at: at })
      .execute();
    const session = await db
      .insertInto('clinic_session')
      .values({
        doctor_id: 1, department_id: department, session_date: '2026-11-25', period: 'morning', start_time: '08:00',
        end_time: '12:00', fee_fen: 5000, release_at: at, bookable_until: new Date('2026-11-25T03:30:00.999Z'), created_at: at, updated_at: at,
      })
      .executeTakeFirstOrThrow();
    await db
      .insertInto('slot')
      .values({ session_id: Number(session.insertId), start_time: '08:00', end_time: '08:30', capacity: 5, remaining: 5, seq_start: 1, seq_count: 5, created_at: at, updated_at: at })
      .execute();
    const user = await db
      .insertInto('user_account')
      .values({ phone: '13900000000', password_hash: 'scrypt$x', role: 'patient', display_name: '张三', created_at: at, updated_at: at })
      .executeTakeFirstOrThrow();
    await db
      .insertInto('patient_profile')
      .values({
        account_id: Number(user.insertId), real_name: '张小明', id_type: 'resident_id', id_number_cipher: 'c', id_number_hash: 'h'.repeat(64),
        id_number_masked: '4113**********0011', gender: 'male', birth_date: '2019-02-28', phone: '13900000000', relation: 'child', created_at: at, updated_at: at,
      })
      .execute();
    await db
      .insertInto('health_record')
      .values({ profile_id: 1, allergies: '青霉素过敏', created_at: at, updated_at: at })
      .execute();

    for (const table of ['department', 'doctor', 'clinic_session', 'slot', 'user_account', 'patient_profile', 'health_record'] as const) {
      const query = sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY 1`;
      const viaMysql2 = await query.execute(open.mysql2.db);
      const viaPlanetScale = await query.execute(open.planetscale.db);
      expect(viaPlanetScale.rows.length, table).toBeGreaterThan(0);
      expect(viaPlanetScale.rows, table).toStrictEqual(viaMysql2.rows);
    }
  });

  it('for expressions of every kind', async () => {
    const query = sql<Record<string, unknown>>`
      SELECT 1 AS int_, 1.5 AS decimal_, 2.5e0 AS double_, CAST(7 AS UNSIGNED) AS unsigned_, 1 = 1 AS boolean_,
             '中文 🏥' AS text_, NULL AS null_, CAST('2026-01-02' AS DATE) AS date_, CAST('08:30' AS TIME) AS time_,
             TIMESTAMP('2026-01-02 03:04:05.678') AS datetime_, YEAR('2026-01-01') AS year_, UNHEX('ff00') AS binary_,
             JSON_OBJECT('a', 1, 'b', '乙') AS json_, AVG(3) AS avg_, SUM(2) AS sum_, COUNT(*) AS count_, GROUP_CONCAT('a') AS concat_`;
    const viaMysql2 = await query.execute(open.mysql2.db);
    const viaPlanetScale = await query.execute(open.planetscale.db);
    expect(viaPlanetScale.rows).toStrictEqual(viaMysql2.rows);
    expect(viaMysql2.rows[0]).toMatchObject({ binary_: Buffer.from([0xff, 0]), json_: { a: 1, b: '乙' }, datetime_: new Date('2026-01-02T03:04:05.678Z') });
  });
});

describe.each(drivers)('on %s', (driver) => {
  const db = () => open[driver].db;

  describe('value types', () => {
    it('BIGINT ids and insertId, TINYINT, ENUM, NULL, DATE, TIME and DATETIME(3)', async () => {
      const inserted = await insertDepartment(db(), newCode(driver));
      // Kysely reports insertId as a bigint on both drivers; ids read back are numbers.
      expect(typeof inserted.insertId).toBe('bigint');
      const id = Number(inserted.insertId);
      const department = await db().selectFrom('department').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(department.id).toBe(id);
      expect(department.active).toBe(1);
      expect(department.intro).toBeNull();
      expect(department.created_at).toBeInstanceOf(Date);
      expect(department.created_at.toISOString()).toBe('2026-11-24T23:30:00.123Z');

      const session = await db()
        .insertInto('clinic_session')
        .values({
          doctor_id: id, department_id: id, session_date: '2026-12-31', period: 'evening', start_time: '18:00:00',
          end_time: '21:30', fee_fen: 1200, release_at: new Date('2026-12-30T23:30:00.007Z'), bookable_until: new Date('2026-12-31T13:00:00.999Z'),
          created_at: at, updated_at: at,
        })
        .executeTakeFirstOrThrow();
      const row = await db().selectFrom('clinic_session').selectAll().where('id', '=', Number(session.insertId)).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ session_date: '2026-12-31', start_time: '18:00:00', end_time: '21:30:00', period: 'evening', status: 'open', fee_fen: 1200, template_id: null });
      expect(row.release_at.getTime()).toBe(Date.parse('2026-12-30T23:30:00.007Z'));
      expect(row.bookable_until.getTime()).toBe(Date.parse('2026-12-31T13:00:00.999Z'));
    });

    it('stores instants in UTC, whatever the process TZ', async () => {
      const id = Number((await insertDepartment(db(), newCode(driver))).insertId);
      const stored = await sql<{ text: string; zone: string }>`
        SELECT DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS text, @@session.time_zone AS zone
        FROM department WHERE id = ${id}`.execute(db());
      expect(stored.rows[0]).toEqual({ text: '2026-11-24 23:30:00.123000', zone: '+00:00' });
      const now = await sql<{ now: Date }>`SELECT NOW(3) AS now`.execute(db());
      expect(now.rows[0]?.now).toBeInstanceOf(Date);
      expect(Math.abs(now.rows[0]!.now.getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('COUNT(*) and SUM() are numbers; an empty SUM is null', async () => {
      const prefix = newCode(driver);
      for (const n of [1, 2, 3]) {
        await db().insertInto('department').values({ code: `${prefix}-${n}`, name: '科', sort_order: n, created_at: at, updated_at: at }).execute();
      }
      const totals = await db()
        .selectFrom('department')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('sort_order').as('sum'), eb.fn.max('created_at').as('latest')])
        .where('code', 'like', `${prefix}-%`)
        .executeTakeFirstOrThrow();
      expect(totals).toStrictEqual({ count: 3, sum: 6, latest: at });
      const none = await db()
        .selectFrom('department')
        .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('sort_order').as('sum')])
        .where('code', '=', 'no-such-code')
        .executeTakeFirstOrThrow();
      expect(none).toStrictEqual({ count: 0, sum: null });
    });

    it('round-trips utf8mb4 Chinese text and emoji', async () => {
      // utf8mb4_unicode_ci ranks all supplementary characters alike, so the driver's name keeps
      // this row apart from the other driver's in the lookup below.
      const text = `${driver} 南阳市第二人民医院 · 心血管内科「专家门诊」🏥🩺 𠀀`;
      const id = Number((await insertDepartment(db(), newCode(driver), text.slice(0, 50))).insertId);
      await db().updateTable('department').set({ intro: `${text}\n'引号' "双引号" \\ 反斜杠` }).where('id', '=', id).execute();
      const row = await db().selectFrom('department').select(['name', 'intro']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.name).toBe(text.slice(0, 50));
      expect(row.intro).toBe(`${text}\n'引号' "双引号" \\ 反斜杠`);
      const found = await db().selectFrom('department').select('id').where('name', '=', text.slice(0, 50)).executeTakeFirst();
      expect(found?.id).toBe(id);
    });

    it('UPDATE counts rows changed, not rows matched', async () => {
      const id = Number((await insertDepartment(db(), newCode(driver))).insertId);
      const changed = await db().updateTable('department').set({ sort_order: 7 }).where('id', '=', id).executeTakeFirst();
      expect(changed.numUpdatedRows).toBe(1n);
      // PlanetScale reports 0 for a row already holding the value; mysql2 must agree.
      const unchanged = await db().updateTable('department').set({ sort_order: 7 }).where('id', '=', id).executeTakeFirst();
      expect(unchanged.numUpdatedRows).toBe(0n);
    });
  });

  /** The isolation level of the caller's InnoDB transaction (the table is a cache refreshed every 100 ms). */
  async function isolationLevel(trx: Trx): Promise<string | undefined> {
    await trx.selectFrom('department').select('id').limit(1).execute();
    await sleep(150);
    const result = await sql<{ level: string }>`
      SELECT trx_isolation_level AS level FROM information_schema.innodb_trx
      WHERE trx_mysql_thread_id = CONNECTION_ID()`.execute(trx);
    return result.rows[0]?.level;
  }

  describe('transactions', () => {
    it('commit, and are invisible to others until then', async () => {
      const code = newCode(driver);
      await db()
        .transaction()
        .execute(async (trx) => {
          await insertDepartment(trx, code);
          expect(await trx.selectFrom('department').select('id').where('code', '=', code).executeTakeFirst()).toBeDefined();
          expect(await db().selectFrom('department').select('id').where('code', '=', code).executeTakeFirst()).toBeUndefined();
        });
      expect(await db().selectFrom('department').select('id').where('code', '=', code).executeTakeFirst()).toBeDefined();
    });

    it('roll back everything when the work throws', async () => {
      const code = newCode(driver);
      await expect(
        db()
          .transaction()
          .execute(async (trx) => {
            await insertDepartment(trx, code);
            await insertDepartment(trx, `${code}b`);
            throw new Error('changed my mind');
          }),
      ).rejects.toThrow('changed my mind');
      const left = await db().selectFrom('department').select('id').where('code', 'in', [code, `${code}b`]).execute();
      expect(left).toEqual([]);
    });

    it('run at the isolation level asked for', async () => {
      const level = await db().transaction().setIsolationLevel('serializable').execute(isolationLevel);
      expect(level).toBe('SERIALIZABLE');
      // The setting is for that one transaction, not for whoever uses the connection next.
      const next = await db().transaction().execute(isolationLevel);
      expect(next).toBe('REPEATABLE READ');
    });
  });

  describe('driver errors', () => {
    it('recognise a duplicate key by its name', async () => {
      const code = newCode(driver);
      await insertDepartment(db(), code);
      const error = await insertDepartment(db(), code).catch((e: unknown) => e);
      expect(mysqlErrno(error)).toBe(1062);
      expect(isDuplicateKey(error)).toBe(true);
      expect(isDuplicateKey(error, 'uq_department_code')).toBe(true);
      expect(isDuplicateKey(error, 'uq_user_phone')).toBe(false);
      expect(isRetryableTransactionError(error)).toBe(false);
    });

    it('recognise a deadlock between two transactions as retryable', async () => {
      const a = Number((await insertDepartment(db(), newCode(driver))).insertId);
      const b = Number((await insertDepartment(db(), newCode(driver))).insertId);
      const bothLocked = rendezvous();
      const outcomes = await Promise.allSettled([
        db().transaction().execute(async (trx) => {
          await bump(trx, a);
          await bothLocked();
          await bump(trx, b);
        }),
        db().transaction().execute(async (trx) => {
          await bump(trx, b);
          await bothLocked();
          await sleep(150); // let the other transaction queue on b first
          await bump(trx, a);
        }),
      ]);
      const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason);
      expect(failures).toHaveLength(1);
      expect(mysqlErrno(failures[0])).toBe(1213);
      expect(isRetryableTransactionError(failures[0])).toBe(true);
      expect(isDuplicateKey(failures[0])).toBe(false);
    });

    it('inTransaction retries the deadlock victim to success', async () => {
      const a = Number((await insertDepartment(db(), newCode(driver))).insertId);
      const b = Number((await insertDepartment(db(), newCode(driver))).insertId);
      const bothLocked = rendezvous();
      let attempts = 0;
      const crossing = (first: number, second: number, pause: number) =>
        inTransaction(db(), async (trx) => {
          attempts += 1;
          const firstAttempt = attempts <= 2;
          await bump(trx, first);
          if (firstAttempt) {
            await bothLocked();
            await sleep(pause);
          }
          await bump(trx, second);
          return 'done';
        });
      expect(await Promise.all([crossing(a, b, 0), crossing(b, a, 150)])).toEqual(['done', 'done']);
      expect(attempts).toBe(3);
      const rows = await db().selectFrom('department').select('sort_order').where('id', 'in', [a, b]).execute();
      // Both transactions committed exactly once: each row bumped twice, never three times.
      expect(rows.map((r) => r.sort_order)).toEqual([2, 2]);
    });

    it('recognise a lock-wait timeout, and inTransaction answers DATABASE_BUSY without waiting again', async () => {
      const id = Number((await insertDepartment(db(), newCode(driver))).insertId);
      // The waiter changes its session's lock-wait timeout, so it gets a Db of its own.
      const waiter = openDb(driver, database.url, { poolSize: 1 });
      let releaseHolder!: () => void;
      const holderMayFinish = new Promise<void>((resolve) => (releaseHolder = resolve));
      const locked = rendezvous();
      const holder = db().transaction().execute(async (trx) => {
        await bump(trx, id);
        await locked();
        await holderMayFinish;
      });
      try {
        await locked();
        const waitOnce = (trx: Trx) => sql`SET SESSION innodb_lock_wait_timeout = 1`.execute(trx).then(() => bump(trx, id));
        const error = await waiter.db.transaction().execute(waitOnce).catch((e: unknown) => e);
        expect(mysqlErrno(error)).toBe(1205);
        expect(isRetryableTransactionError(error)).toBe(false);

        let tries = 0;
        const busy = await inTransaction(waiter.db, (trx) => {
          tries += 1;
          return waitOnce(trx);
        }).catch((e: unknown) => e);
        expect(busy).toBeInstanceOf(AppError);
        expect(busy).toMatchObject({ code: 'DATABASE_BUSY', status: 503, retryAfterSeconds: 1 });
        expect(tries).toBe(1);
      } finally {
        releaseHolder();
        await holder;
        await waiter.close();
      }
      const row = await db().selectFrom('department').select('sort_order').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.sort_order).toBe(1);
    });
  });
});
