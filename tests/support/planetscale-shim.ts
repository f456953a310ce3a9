/**
 * A test-only PlanetScale: the HTTP protocol of @planetscale/database (as read from its
 * dist/index.js, v1.20) answered in-process over a real MariaDB through mysql2, plugged into
 * the driver with its `fetch` option. It lets the PlanetScale code path (driver, kysely-planetscale,
 * our cast and error parsing) run against the same database as the mysql2 path.
 *
 * ```ts
 * const shim = createPlanetScaleShim(databaseUrl, { roundTripMs: 5 });
 * const db = createDb({ kind: 'planetscale', ...shim.credentials, fetch: shim.fetch });
 * // … then: await db.destroy(); await shim.close();
 * ```
 *
 * What it reproduces, because our code depends on it:
 *   - `POST /psdb.v1alpha1.Database/Execute` with `{query, session}` answers
 *     `{session, result: {fields, rows: [{lengths, values}], rowsAffected, insertId}, error, timing}`
 *     in protobuf-JSON style: 64-bit numbers as strings, zero values left out, row values as the
 *     base64 of the MySQL text-protocol bytes, NULL as length -1, Vitess type names in `fields`.
 *   - Sessions: a session is pinned to one mysql2 connection from BEGIN to COMMIT / ROLLBACK,
 *     so transactions are real; outside a transaction any pooled connection runs the statement.
 *     `SET TRANSACTION …` before BEGIN travels in the session and applies to that transaction,
 *     as Vitess keeps it in its session.
 *   - Errors come back as HTTP 200 with `error: {code, message}` and a vttablet-style message
 *     carrying `(errno N) (sqlstate S)`, which is all functions/src/db/driver-errors.ts reads.
 *   - UPDATE reports rows changed, not rows matched: Vitess sessions default to
 *     `ClientFoundRows: false`, so the mysql2 side connects without CLIENT_FOUND_ROWS.
 *   - The session runs in UTC, as PlanetScale's servers do.
 *   - MariaDB's JSON (LONGTEXT marked 'json') is typed JSON, as MySQL 8 under PlanetScale types it.
 *   - The QUERY_TIMEOUT_MS comment directive (vtgate's): a statement past it is killed (Canceled).
 * Not reproduced: Vitess's own SQL parser and planner (statements go to MariaDB as they are),
 * connection-level settings outside a transaction (a `SET` there does not outlive its statement,
 * which matches kysely-planetscale, whose every statement outside a transaction starts a fresh
 * session), and the transaction killer.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type FieldPacket, type PoolConnection, type ResultSetHeader } from 'mysql2/promise';

export interface PlanetScaleShimOptions {
  /** Simulated network round trip added to every HTTP request, in milliseconds. */
  roundTripMs?: number;
  /** Size of the mysql2 pool behind the shim (pinned transactions count against it). */
  poolSize?: number;
}

export interface PlanetScaleShim {
  /** Pass as `fetch` in the driver's config. */
  fetch: typeof fetch;
  /** Host, username and password the shim accepts (any host works: requests never leave the process). */
  credentials: { host: string; username: string; password: string };
  /** Ends every pinned transaction's connection and the pool. */
  close(): Promise<void>;
}

/** The session object the client echoes back with every request; opaque to the driver. */
interface ShimSession {
  id: string;
  inTransaction: boolean;
  /** `SET TRANSACTION …` statements waiting for the next BEGIN of this session. */
  transactionSettings?: string[];
}

interface VitessField {
  name: string;
  type: string;
  table?: string;
  orgTable?: string;
  database?: string;
  orgName?: string;
  columnLength?: number;
  charset?: number;
  decimals?: number;
  flags?: number;
}

interface VitessResult {
  fields?: VitessField[];
  rows?: { lengths: string[]; values?: string }[];
  rowsAffected?: string;
  insertId?: string;
}

const BINARY_CHARSET = 63;
const FLAG_UNSIGNED = 32;
const FLAG_ENUM = 256;
const FLAG_SET = 2048;

/** Vitess's name for a MySQL column type (go/sqltypes: MySQLToType), given flags and charset. */
function vitessType(columnType: number, flags: number, charset: number, extendedFormat?: string): string {
  // MariaDB's JSON is LONGTEXT marked 'json' in extended metadata; MySQL 8 (PlanetScale) has a JSON type.
  if (extendedFormat === 'json') return 'JSON';
  const unsigned = (flags & FLAG_UNSIGNED) !== 0;
  const binary = charset === BINARY_CHARSET;
  const integer = (bits: string) => (unsigned ? `UINT${bits}` : `INT${bits}`);
  switch (columnType) {
    case 0x01: return integer('8');
    case 0x02: return integer('16');
    case 0x03: return integer('32');
    case 0x04: return 'FLOAT32';
    case 0x05: return 'FLOAT64';
    case 0x06: return 'NULL_TYPE';
    case 0x07: return 'TIMESTAMP';
    case 0x08: return integer('64');
    case 0x09: return integer('24');
    case 0x0a:
    case 0x0e: return 'DATE';
    case 0x0b: return 'TIME';
    case 0x0c: return 'DATETIME';
    case 0x0d: return 'YEAR';
    case 0x10: return 'BIT';
    case 0xf5: return 'JSON';
    case 0x00:
    case 0xf6: return 'DECIMAL';
    case 0xf7: return 'ENUM';
    case 0xf8: return 'SET';
    case 0xf9:
    case 0xfa:
    case 0xfb:
    case 0xfc: return binary ? 'BLOB' : 'TEXT';
    case 0x0f:
    case 0xfd:
      if (flags & FLAG_ENUM) return 'ENUM';
      if (flags & FLAG_SET) return 'SET';
      return binary ? 'VARBINARY' : 'VARCHAR';
    case 0xfe:
      // MySQL sends ENUM and SET columns as STRING with a flag.
      if (flags & FLAG_ENUM) return 'ENUM';
      if (flags & FLAG_SET) return 'SET';
      return binary ? 'BINARY' : 'CHAR';
    case 0xff: return 'GEOMETRY';
    default: throw new Error(`planetscale-shim: unknown MySQL column type ${columnType}`);
  }
}

/** The vtrpc code Vitess gives a MySQL error (tabletserver's convertErrorCode, the cases we meet). */
function vitessErrorCode(errno: number | undefined): string {
  switch (errno) {
    case 1062:
    case 1586: return 'ALREADY_EXISTS';
    case 1213: return 'ABORTED';
    case 1205: return 'DEADLINE_EXCEEDED';
    case 1317: return 'CANCELED';
    case 1048:
    case 1054:
    case 1064:
    case 1146:
    case 1264:
    case 1364:
    case 1366:
    case 1406:
    case 3819:
    case 4025: return 'INVALID_ARGUMENT';
    default: return 'UNKNOWN';
  }
}

/** ALREADY_EXISTS → AlreadyExists: the gRPC spelling inside vttablet's message. */
function grpcCodeName(code: string): string {
  return code.toLowerCase().replace(/(^|_)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase());
}

const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
const END = /^\s*(?:commit|rollback)\b(?!\s+(?:work\s+)?to\b)/i;
const SET_TRANSACTION = /^\s*set\s+transaction\b/i;
const SET_OTHER = /^\s*set\b/i;

export function createPlanetScaleShim(databaseUrl: string, options: PlanetScaleShimOptions = {}): PlanetScaleShim {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const credentials = { host: 'planetscale-shim.invalid', username: 'shim-user', password: `pscale_pw_${randomUUID()}` };
  const expectedAuth = `Basic ${btoa(`${credentials.username}:${credentials.password}`)}`;
  const pool = createPool({
    uri: databaseUrl,
    connectionLimit: options.poolSize ?? 20,
    charset: 'utf8mb4',
    // Vitess answers UPDATE with rows changed (its sessions default to ClientFoundRows: false).
    flags: ['-FOUND_ROWS'],
    // insertId / rowsAffected exactly, as the decimal strings Vitess sends.
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  // PlanetScale runs in UTC whatever the server default, with MySQL's default lock wait (50 s,
  // not the test server's); every connection starts that way.
  pool.pool.on('connection', (connection) => {
    // Queued ahead of the statement the connection was opened for; a connection that cannot
    // be set up is dropped, so that statement fails instead of running in another zone.
    connection.query("SET time_zone = '+00:00', innodb_lock_wait_timeout = 50", (error) => {
      if (error) connection.destroy();
    });
  });

  /** Connections pinned to sessions in a transaction, by session id. */
  const pinned = new Map<string, { connection: PoolConnection; dirty: boolean }>();
  let closed = false;

  /**
   * vtgate's QUERY_TIMEOUT_MS directive: a statement still running (or waiting for a row lock)
   * after that long is killed, and the client gets Canceled "(errno 2013) due to context
   * deadline exceeded", as from PlanetScale.
   */
  async function run(connection: PoolConnection | typeof pool, query: string): Promise<VitessResult> {
    const timeoutMs = Number(/\/\*vt\+ QUERY_TIMEOUT_MS=(\d+) \*\//.exec(query)?.[1] ?? 0);
    if (!timeoutMs) return runNow(connection, query);
    if (connection !== pool) return runWithin(connection as PoolConnection, query, timeoutMs);
    const own = await pool.getConnection();
    try {
      return await runWithin(own, query, timeoutMs);
    } finally {
      own.release();
    }
  }

  async function runWithin(connection: PoolConnection, query: string, timeoutMs: number): Promise<VitessResult> {
    const started = performance.now();
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      pool.query(`KILL QUERY ${connection.threadId}`).catch(() => undefined);
    }, timeoutMs);
    try {
      return await runNow(connection, query);
    } catch (error) {
      if (!killed) throw error;
      const elapsed = Math.round(performance.now() - started);
      throw Object.assign(new Error(`(errno 2013) due to context deadline exceeded, elapsed time: ${elapsed}ms, killing query ID ${connection.threadId}`), {
        vitessCode: 'CANCELED',
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function runNow(connection: PoolConnection | typeof pool, query: string): Promise<VitessResult> {
    // typeCast false: every value is the raw text-protocol bytes, exactly what Vitess forwards,
    // and mysql2 converts nothing (so DATETIME / DATE / TIME travel as text, time zone untouched).
    const [result, fields] = await connection.query({ sql: query, rowsAsArray: true, typeCast: false });
    if (!Array.isArray(result)) return dmlResult(result as ResultSetHeader);
    return {
      fields: (fields as FieldPacket[]).map(vitessField),
      rows: (result as (Buffer | null)[][]).map(encodeRow),
    };
  }

  async function execute(session: ShimSession | null, query: string): Promise<{ session: ShimSession; result: VitessResult }> {
    const current: ShimSession = session ?? { id: randomUUID(), inTransaction: false };
    const held = pinned.get(current.id);

    if (held) {
      if (SET_OTHER.test(query) && !SET_TRANSACTION.test(query)) held.dirty = true;
      if (!END.test(query)) return { session: current, result: await run(held.connection, query) };
      pinned.delete(current.id);
      try {
        const result = await run(held.connection, query);
        return { session: { id: current.id, inTransaction: false }, result };
      } finally {
        // A connection whose session variables were changed is not handed to anyone else.
        if (held.dirty) held.connection.destroy();
        else held.connection.release();
      }
    }

    if (BEGIN.test(query)) {
      const connection = await pool.getConnection();
      const held = { connection, dirty: false };
      try {
        for (const setting of current.transactionSettings ?? []) await run(connection, setting);
        const result = await run(connection, query);
        pinned.set(current.id, held);
        return { session: { id: current.id, inTransaction: true }, result };
      } catch (error) {
        connection.release();
        throw error;
      }
    }
    if (SET_TRANSACTION.test(query)) {
      const transactionSettings = [...(current.transactionSettings ?? []), query];
      return { session: { ...current, transactionSettings }, result: {} };
    }
    if (SET_OTHER.test(query)) {
      const connection = await pool.getConnection();
      try {
        return { session: current, result: await run(connection, query) };
      } finally {
        connection.destroy();
      }
    }
    // Anything else outside a transaction runs on whichever pooled connection is free.
    return { session: current, result: await run(pool, query) };
  }

  function vitessError(error: unknown): { code: string; message: string } {
    const e = error as { errno?: number; sqlState?: string; sqlMessage?: string; message?: string; vitessCode?: string };
    if (e.vitessCode) {
      return {
        code: e.vitessCode,
        message: `target: ${database}.-.primary: vttablet: rpc error: code = ${grpcCodeName(e.vitessCode)} desc = ${e.message} (CallerID: ${credentials.username})`,
      };
    }
    // A MySQL error has a positive errno; a dead or refused connection (mysql2 gives system
    // errors a negative errno, protocol errors none) is vttablet's Unavailable, as in production.
    const mysqlError = typeof e.errno === 'number' && e.errno > 0;
    const code = mysqlError ? vitessErrorCode(e.errno) : 'UNAVAILABLE';
    const desc = mysqlError ? `${e.sqlMessage} (errno ${e.errno}) (sqlstate ${e.sqlState})` : String(e.message);
    return {
      code,
      message: `target: ${database}.-.primary: vttablet: rpc error: code = ${grpcCodeName(code)} desc = ${desc} (CallerID: ${credentials.username})`,
    };
  }

  const shimFetch: typeof fetch = async (input, init) => {
    if (options.roundTripMs) await sleep(options.roundTripMs);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const reply = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (closed) return reply(503, { error: { code: 'UNAVAILABLE', message: 'planetscale-shim is closed' } });
    if (init?.method !== 'POST') return reply(405, { error: { code: 'UNIMPLEMENTED', message: 'POST only' } });
    if (headers.get('authorization') !== expectedAuth) {
      return reply(401, { error: { code: 'UNAUTHENTICATED', message: 'invalid username or password' } });
    }
    const body = JSON.parse(String(init.body ?? '{}')) as { query?: string; session?: ShimSession | null };

    if (url.pathname === '/psdb.v1alpha1.Database/CreateSession') {
      return reply(200, { session: { id: randomUUID(), inTransaction: false } });
    }
    if (url.pathname !== '/psdb.v1alpha1.Database/Execute') {
      return reply(404, { error: { code: 'NOT_FOUND', message: `no such method ${url.pathname}` } });
    }
    const started = performance.now();
    try {
      const { session, result } = await execute(body.session ?? null, String(body.query));
      return reply(200, { session, result, timing: (performance.now() - started) / 1000 });
    } catch (error) {
      return reply(200, { session: body.session ?? null, error: vitessError(error), timing: (performance.now() - started) / 1000 });
    }
  };

  return {
    fetch: shimFetch,
    credentials,
    async close() {
      closed = true;
      for (const { connection } of pinned.values()) connection.destroy();
      pinned.clear();
      await pool.end();
    },
  };
}

function vitessField(field: FieldPacket): VitessField {
  const columnType = field.columnType ?? field.type ?? 0;
  const flags = typeof field.flags === 'number' ? field.flags : 0;
  const charset = field.characterSet ?? 0;
  return {
    name: field.name,
    type: vitessType(columnType, flags, charset, (field as { extendedFormat?: string }).extendedFormat),
    ...(field.table ? { table: field.table } : {}),
    ...(field.orgTable ? { orgTable: field.orgTable } : {}),
    ...(field.db ? { database: field.db } : {}),
    ...(field.orgName ? { orgName: field.orgName } : {}),
    ...(field.columnLength ? { columnLength: field.columnLength } : {}),
    ...(charset ? { charset } : {}),
    ...(field.decimals ? { decimals: field.decimals } : {}),
    ...(flags ? { flags } : {}),
  };
}

function encodeRow(values: (Buffer | null)[]): { lengths: string[]; values?: string } {
  const lengths = values.map((v) => String(v === null ? -1 : v.length));
  const bytes = Buffer.concat(values.filter((v): v is Buffer => v !== null));
  return bytes.length ? { lengths, values: bytes.toString('base64') } : { lengths };
}

function dmlResult(header: ResultSetHeader): VitessResult {
  const rowsAffected = String(header.affectedRows);
  const insertId = String(header.insertId);
  return {
    ...(rowsAffected !== '0' ? { rowsAffected } : {}),
    ...(insertId !== '0' ? { insertId } : {}),
  };
}
