/**
 * Lock waits end before Lambda does (functions/src/db/create-db.ts, db/driver-errors.ts): every
 * mysql2 connection waits for a row lock at most LOCK_WAIT_TIMEOUT_SECONDS, well inside the API
 * function's timeout in serverless.yml, and a booking stuck behind a lock answers
 * 503 DATABASE_BUSY with Retry-After instead of running into the Lambda timeout. On PlanetScale
 * the same failures arrive as Vitess errors; the table of driver-errors.ts maps them.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { DatabaseError } from '@planetscale/database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, LOCK_WAIT_TIMEOUT_SECONDS, PLANETSCALE_QUERY_TIMEOUT_MS } from '../../functions/src/db/create-db.js';
import { databaseUnavailable, isRetryableTransactionError } from '../../functions/src/db/driver-errors.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createDatabase } from '../support/database.js';
import { driverConfig, drivers } from '../support/drivers.js';
import { book, capacityViolations, createDoctor, createPatients, createSession, shanghaiDay } from '../support/scenario.js';

const serverlessYml = await readFile(new URL('../../serverless.yml', import.meta.url), 'utf8');

describe('lock waits on mysql2', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('every pooled connection waits LOCK_WAIT_TIMEOUT_SECONDS at most, under half the API function timeout', async () => {
    const apiTimeout = Number(/^provider:[\s\S]*?^ {2}timeout: (\d+)$/m.exec(serverlessYml)?.[1]);
    expect(apiTimeout).toBe(10);
    // A booking can queue on two row locks (profile, slot) and still answer before Lambda ends it.
    expect(2 * LOCK_WAIT_TIMEOUT_SECONDS).toBeLessThan(apiTimeout);
    const db = createDb({ kind: 'mysql', url: app.database.url, poolSize: 3 });
    try {
      const held = await Promise.all(
        [1, 2, 3].map(() => db.connection().execute(async (conn) => {
          const { rows } = await sql<{ t: number; id: number }>`SELECT @@innodb_lock_wait_timeout AS t, CONNECTION_ID() AS id, SLEEP(0.05)`.execute(conn);
          return rows[0]!;
        })),
      );
      expect(new Set(held.map((r) => r.id)).size).toBe(3);
      expect(held.map((r) => Number(r.t))).toEqual([LOCK_WAIT_TIMEOUT_SECONDS, LOCK_WAIT_TIMEOUT_SECONDS, LOCK_WAIT_TIMEOUT_SECONDS]);
    } finally {
      await db.destroy();
    }
  });
});

describe('statement timeouts on PlanetScale', () => {
  it('every statement carries the Vitess QUERY_TIMEOUT_MS directive after its verb; dates travel as before', async () => {
    expect(PLANETSCALE_QUERY_TIMEOUT_MS).toBeLessThan(10_000 / 2);
    const database = await createDatabase('lw');
    const { config, closeDriver } = driverConfig('planetscale', database.url);
    const sent: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(String(JSON.parse(String(init?.body ?? '{}')).query ?? ''));
      return (config.kind === 'planetscale' ? config.fetch! : fetch)(input, init);
    };
    const db = createDb(config.kind === 'planetscale' ? { ...config, fetch: recording } : config);
    try {
      await sql`CREATE TABLE t (id INT PRIMARY KEY, at DATETIME(3) NOT NULL)`.execute(db);
      const at = new Date('2026-11-28T23:59:58.123Z');
      await db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t (id, at) VALUES (${1}, ${at})`.execute(trx);
        await sql`UPDATE t SET at = ${at} WHERE id = ${1}`.execute(trx);
      });
      const { rows } = await sql<{ at: Date }>`SELECT at FROM t WHERE at = ${at}`.execute(db);
      expect(rows.map((r) => r.at.toISOString())).toEqual([at.toISOString()]);
      await sql`DELETE FROM t WHERE id = ${1}`.execute(db);
    } finally {
      await db.destroy();
      await closeDriver();
      await database.drop();
    }
    const directive = `/*vt+ QUERY_TIMEOUT_MS=${PLANETSCALE_QUERY_TIMEOUT_MS} */`;
    const dml = sent.filter((q) => /^\s*(select|insert|update|delete)\b/i.test(q));
    expect(dml).toHaveLength(4);
    for (const query of dml) expect(query).toMatch(new RegExp(`^\\s*(select|insert|update|delete) ${directive.replace(/[*+/]/g, '\\$&')} `, 'i'));
    expect(sent.filter((q) => /^(BEGIN|COMMIT)$/.test(q))).toEqual(['BEGIN', 'COMMIT']);
  });
});

describe.each(drivers)('a booking queued behind a held slot lock on %s', (driver) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({}, undefined, { driver });
  });
  afterAll(() => app.close());

  it('answers 503 DATABASE_BUSY with Retry-After, and books nothing', { timeout: 30_000 }, async () => {
    const db = app.database.db;
    const session = await createSession(db, await createDoctor(db), { date: shanghaiDay(app.clock.now(), 3), slots: [{ start: '08:00', capacity: 5 }] });
    const slotId = session.slotIds[0]!;
    const [patient] = await createPatients(db, 1);
    let release!: () => void;
    const mayRelease = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction().execute(async (trx) => {
      await trx.selectFrom('slot').select('id').where('id', '=', slotId).forUpdate().execute();
      locked();
      await mayRelease;
    });
    try {
      await isLocked;
      const res = await book(app, patient!, slotId, { key: randomUUID() });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('DATABASE_BUSY');
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      release();
      await holder;
    }
    expect(await db.selectFrom('appointment').select('id').where('slot_id', '=', slotId).execute()).toEqual([]);
    expect(await capacityViolations(db)).toEqual([]);
  });
});

/** An error exactly as @planetscale/database throws it for a vttablet error in the answer. */
function vitessError(code: string, desc: string): DatabaseError {
  const message = `target: bx87h9.-.primary: vttablet: rpc error: code = ${code} desc = ${desc} (CallerID: app)`;
  const vtCode = code.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return new DatabaseError(message, 400, { code: vtCode, message });
}

describe('Vitess / PlanetScale errors (the table in driver-errors.ts)', () => {
  const cases: [string, 'DATABASE_BUSY' | 'SERVICE_UNAVAILABLE', boolean, DatabaseError][] = [
    ['transaction pool full', 'DATABASE_BUSY', false, vitessError('ResourceExhausted', 'transaction pool connection limit exceeded')],
    ['transaction pool wait timed out', 'DATABASE_BUSY', false, vitessError('ResourceExhausted', 'resource pool timed out')],
    ['transaction ended by the 20 s killer', 'DATABASE_BUSY', false, vitessError('Aborted', 'transaction 1719844899129891398: ended at 2026-11-28 15:05:40.334 UTC (exceeded timeout: 20s)')],
    ['transaction killed while in use', 'DATABASE_BUSY', false, vitessError('Aborted', 'transaction 1719844899129891398: in use: in use: for tx killer rollback')],
    ['query past its timeout', 'DATABASE_BUSY', false, vitessError('Canceled', '(errno 2013) due to context deadline exceeded, elapsed time: 15m0.002s, killing query ID 65535')],
    ['query deadline', 'DATABASE_BUSY', false, vitessError('DeadlineExceeded', 'context deadline exceeded')],
    ['lock-wait timeout', 'DATABASE_BUSY', false, vitessError('DeadlineExceeded', 'Lock wait timeout exceeded; try restarting transaction (errno 1205) (sqlstate HY000)')],
    ['deadlock', 'DATABASE_BUSY', true, vitessError('Aborted', 'Deadlock found when trying to get lock; try restarting transaction (errno 1213) (sqlstate 40001)')],
    ['tablet unreachable', 'SERVICE_UNAVAILABLE', false, vitessError('Unavailable', 'no healthy tablet available for bx87h9.-.primary')],
  ];
  it.each(cases)('%s → 503 %s (retried: %s)', (_name, code, retried, error) => {
    expect(databaseUnavailable(error)).toMatchObject({ code, status: 503, retryAfterSeconds: code === 'DATABASE_BUSY' ? 1 : 3 });
    expect(isRetryableTransactionError(error)).toBe(retried);
  });

  it('leaves a statement’s own errors alone (duplicate key, bad SQL): those are not outages', () => {
    expect(databaseUnavailable(vitessError('AlreadyExists', "Duplicate entry 'x' for key 'uq' (errno 1062) (sqlstate 23000)"))).toBeUndefined();
    expect(databaseUnavailable(vitessError('InvalidArgument', "Unknown column 'nope' in 'field list' (errno 1054) (sqlstate 42S22)"))).toBeUndefined();
    expect(databaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeUndefined();
  });
});
