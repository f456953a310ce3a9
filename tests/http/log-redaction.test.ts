/**
 * Personal data never reaches the log (functions/src/logger.ts). The real case: an unexpected
 * database error on a request that carries a patient's name, phone and ID number. mysql2 puts
 * the whole statement with its bound values on the error (`err.sql`) and the duplicate value in
 * its message; the log line must still name the failure, and nothing of the person.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListener } from '../../functions/src/bootstrap.js';
import { createLogger } from '../../functions/src/logger.js';
import { residentIdCheckChar } from '../../functions/src/patient/id-document.js';
import { registerPatient } from '../support/accounts.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** A pino destination that keeps every line. */
function memoryStream(): { stream: Writable; text: () => string; lines: () => any[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  return { stream, text, lines: () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('the log carries no personal data', () => {
  it('an unexpected database error on a request with a name, phone and ID number logs the failure, not the person', async () => {
    const patient = await registerPatient(app);
    // A unique key the code does not know of: the second profile's INSERT fails with a
    // duplicate-key error that no domain code maps, so it is logged as unexpected.
    await sql`ALTER TABLE patient_profile ADD UNIQUE KEY t_profile_phone (phone)`.execute(app.database.db);

    const log = memoryStream();
    const server = createServer(createListener({ ...app.deps, log: createLogger('info', log.stream) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const phone = '13937761234';
    const person = (realName: string, idNumber: string) => ({ realName, idType: 'resident_id', idNumber, phone, relation: 'child' });
    const first17a = '41130220150601021';
    const first17b = '41130220120304032';
    const idA = first17a + residentIdCheckChar(first17a);
    const idB = first17b + residentIdCheckChar(first17b);
    try {
      const post = (body: unknown) =>
        fetch(`${base}/api/v1/me/profiles`, {
          method: 'POST',
          headers: { authorization: `Bearer ${patient.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post(person('欧阳娜娜', idA))).status).toBe(201);
      const failed = await post(person('欧阳小雨', idB));
      expect(failed.status).toBe(500);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    const error = log.lines().find((l) => l.msg === 'unhandled error');
    // The line still says what failed and where.
    expect(error).toMatchObject({ level: 50, requestId: expect.any(String), err: { code: 'ER_DUP_ENTRY', errno: 1062 } });
    expect(error.err.message).toContain("for key 't_profile_phone'");
    expect(error.err).not.toHaveProperty('sql');
    expect(error.err).not.toHaveProperty('sqlMessage');

    const text = log.text();
    for (const secret of [phone, '欧阳娜娜', '欧阳小雨', idA, idB, patient.phone, patient.accessToken]) {
      expect(text, secret).not.toContain(secret);
    }
    const hashes = await app.database.db.selectFrom('patient_profile').select(['id_number_hash', 'id_number_cipher']).execute();
    for (const row of hashes) {
      expect(text).not.toContain(row.id_number_hash);
      expect(text).not.toContain(row.id_number_cipher);
    }
  });

  it("blanks the statement and bind variables Vitess appends to a PlanetScale error, keeping the stack", () => {
    const log = memoryStream();
    const error = new Error(
      `target: bx87h9.-.primary: vttablet: rpc error: code = AlreadyExists desc = Duplicate entry '13937761234' for key 't_profile_phone' (errno 1062) (sqlstate 23000) (CallerID: app): Sql: "insert into patient_profile(real_name, phone) values (:v1, :v2)", BindVars: {v1: "type:VARCHAR value:\\"欧阳小雨\\"" v2: "type:VARCHAR value:\\"13937761234\\""}`,
    );
    createLogger('info', log.stream).error({ err: error }, 'unhandled error');
    const line = log.lines()[0];
    for (const secret of ['13937761234', '欧阳小雨', 'insert into', 'BindVars']) expect(log.text(), secret).not.toContain(secret);
    expect(line.err.message).toContain("for key 't_profile_phone' (errno 1062)");
    expect(line.err.stack).toMatch(/\n\s+at /);
  });

  it('masks phones and redacts bodies, tokens, ID numbers and SQL wherever a caller puts them', () => {
    const log = memoryStream();
    const logger = createLogger('info', log.stream);
    logger.info(
      {
        body: { realName: '张三', idNumber: '41130219850317011X', phone: '13800138000' },
        sms: { phone: '13800138000', text: '验证码 123456' },
        headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln', cookie: 'sid=abc' },
        refreshToken: 'rt_secret_value',
        accessToken: 'at_secret_value',
        sql: "insert into user_account (phone) values ('13800138000')",
        note: 'called back 13800138000 about 41130219850317011X',
      },
      'something happened',
    );
    const text = log.text();
    for (const secret of ['张三', '41130219850317011X', '13800138000', 'eyJhbGciOiJIUzI1NiJ9', 'sid=abc', 'rt_secret_value', 'at_secret_value', 'insert into']) {
      expect(text, secret).not.toContain(secret);
    }
    // A masked phone still tells an operator which number it was about.
    expect(log.lines()[0].sms.phone).toBe('138****8000');
    expect(log.lines()[0].msg).toBe('something happened');
  });
});
