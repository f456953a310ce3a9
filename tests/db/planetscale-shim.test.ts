/**
 * The shim's wire format, checked directly (without the driver), so that a shim bug cannot
 * hide behind a matching driver bug: Vitess type names, protobuf-JSON encoding of rows and
 * counters, sessions pinned through a transaction, and vttablet-style errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDatabase, type TestDatabase } from '../support/database.js';
import { createPlanetScaleShim, type PlanetScaleShim } from '../support/planetscale-shim.js';

let database: TestDatabase;
let shim: PlanetScaleShim;
beforeAll(async () => {
  database = await migratedDatabase(2);
  shim = createPlanetScaleShim(database.url, { poolSize: 3 });
});
afterAll(async () => {
  await shim?.close();
  await database?.close();
});

interface Reply {
  session: { inTransaction: boolean } | null;
  result?: {
    fields?: { name: string; type: string; charset?: number }[];
    rows?: { lengths: string[]; values?: string }[];
    rowsAffected?: string;
    insertId?: string;
  };
  error?: { code: string; message: string };
}

async function post(method: string, body: unknown, auth = shim.credentials): Promise<{ status: number; reply: Reply }> {
  const response = await shim.fetch(`https://${auth.host}/psdb.v1alpha1.Database/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${auth.username}:${auth.password}`)}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, reply: (await response.json()) as Reply };
}
const execute = async (query: string, session: Reply['session'] = null) => (await post('Execute', { query, session })).reply;

/** Decodes a row the way the driver does: lengths in bytes, -1 for NULL. */
function decodeRow(row: { lengths: string[]; values?: string }): (string | null)[] {
  const bytes = Buffer.from(row.values ?? '', 'base64');
  let offset = 0;
  return row.lengths.map((length) => {
    const n = Number(length);
    if (n < 0) return null;
    const value = bytes.subarray(offset, offset + n).toString('utf8');
    offset += n;
    return value;
  });
}

describe('planetscale-shim', () => {
  it('answers INSERT with rowsAffected and insertId as decimal strings', async () => {
    const { result, error, session } = await execute(
      "INSERT INTO department (code, name, intro, created_at, updated_at) VALUES ('NK', '内科 🫀', NULL, '2026-11-24 23:30:00.123', '2026-11-24 23:30:00.123')",
    );
    expect(error).toBeUndefined();
    expect(session).toMatchObject({ inTransaction: false });
    expect(result).toEqual({ rowsAffected: '1', insertId: expect.stringMatching(/^[1-9]\d*$/) });
  });

  it('answers SELECT with Vitess type names and base64 text-protocol rows, NULL as length -1', async () => {
    const { result } = await execute(
      "SELECT id, code, name, intro, active, sort_order, created_at, CAST('2026-11-25' AS DATE) AS d, CAST('07:30' AS TIME) AS t FROM department WHERE code = 'NK'",
    );
    expect(result?.fields?.map((f) => [f.name, f.type])).toEqual([
      ['id', 'UINT64'],
      ['code', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['intro', 'TEXT'],
      ['active', 'INT8'],
      ['sort_order', 'INT32'],
      ['created_at', 'DATETIME'],
      ['d', 'DATE'],
      ['t', 'TIME'],
    ]);
    expect(result?.rows).toHaveLength(1);
    const [row] = result!.rows!;
    expect(row!.lengths[3]).toBe('-1');
    expect(decodeRow(row!)).toEqual([expect.stringMatching(/^\d+$/), 'NK', '内科 🫀', null, '1', '0', '2026-11-24 23:30:00.123', '2026-11-25', '07:30:00']);
    // Lengths count bytes, not characters: '内科 🫀' is 11 bytes of UTF-8.
    expect(row!.lengths[2]).toBe('11');
  });

  it('names ENUM, CHAR, aggregate and unsigned types as Vitess does', async () => {
    const { result } = await execute(
      "SELECT 'x' AS s, COUNT(*) AS n, SUM(sort_order) AS total FROM department",
    );
    expect(result?.fields?.map((f) => f.type)).toEqual(['VARCHAR', 'INT64', 'DECIMAL']);
    const { result: typed } = await execute('SELECT role, phone, failed_login_count FROM user_account LIMIT 0');
    expect(typed?.fields?.map((f) => f.type)).toEqual(['ENUM', 'CHAR', 'UINT32']);
    expect(typed?.rows).toEqual([]);
  });

  it('pins a session to one connection from BEGIN to ROLLBACK', async () => {
    const begun = await execute('BEGIN');
    expect(begun.session).toMatchObject({ inTransaction: true });
    const inserted = await execute("INSERT INTO department (code, name, created_at, updated_at) VALUES ('WK', '外科', NOW(3), NOW(3))", begun.session);
    expect(inserted.session).toMatchObject({ inTransaction: true });
    const count = "SELECT COUNT(*) AS n FROM department WHERE code = 'WK'";
    expect(decodeRow((await execute(count, begun.session)).result!.rows![0]!)).toEqual(['1']);
    expect(decodeRow((await execute(count)).result!.rows![0]!)).toEqual(['0']);
    const rolledBack = await execute('ROLLBACK', begun.session);
    expect(rolledBack.session).toMatchObject({ inTransaction: false });
    expect(decodeRow((await execute(count)).result!.rows![0]!)).toEqual(['0']);
  });

  it('reports MySQL errors the way vttablet does, errno and sqlstate in the message', async () => {
    const { error, result } = await execute("INSERT INTO department (code, name, created_at, updated_at) VALUES ('NK', '重复', NOW(3), NOW(3))");
    expect(result).toBeUndefined();
    expect(error?.code).toBe('ALREADY_EXISTS');
    expect(error?.message).toMatch(
      /^target: t_\w+\.-\.primary: vttablet: rpc error: code = AlreadyExists desc = Duplicate entry 'NK' for key '(department\.)?uq_department_code' \(errno 1062\) \(sqlstate 23000\) \(CallerID: /,
    );
    const missing = await execute('SELECT nope FROM department');
    expect(missing.error?.message).toMatch(/code = InvalidArgument desc = .*\(errno 1054\) \(sqlstate 42S22\)/);
  });

  it('refuses wrong credentials and unknown methods', async () => {
    const wrong = await post('Execute', { query: 'SELECT 1', session: null }, { ...shim.credentials, password: 'guess' });
    expect(wrong.status).toBe(401);
    expect((await post('Nope', {})).status).toBe(404);
    const created = await post('CreateSession', {});
    expect(created.reply.session).toMatchObject({ inTransaction: false });
  });
});
