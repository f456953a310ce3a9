/**
 * Driver errors, normalised once for both drivers. mysql2 reports a MySQL error number as
 * `errno`; @planetscale/database throws a `DatabaseError` whose message carries it as
 * `… (errno 1062) (sqlstate 23000) …`. Domain code asks these predicates, never the driver.
 *
 * Failures of the database itself (not of a statement) are mapped to 503 in one place,
 * `databaseUnavailable` below, used by the HTTP error mapper (http/respond.ts):
 *
 * | what happened                                    | mysql2                                     | PlanetScale (@planetscale/database)            | answer |
 * | ------------------------------------------------ | ------------------------------------------ | ---------------------------------------------- | ------ |
 * | deadlock (1213)                                  | errno 1213                                 | `(errno 1213)`, code ABORTED                   | retried by inTransaction, then 503 DATABASE_BUSY |
 * | deadlock on the AUTO-INC table lock (MariaDB, innodb_autoinc_lock_mode = 1: an INSERT … SELECT) | errno 1467 | `(errno 1467)` | retried by inTransaction, then 503 DATABASE_BUSY |
 * | lock-wait timeout (1205), after LOCK_WAIT_TIMEOUT_SECONDS (create-db.ts) | errno 1205            | `(errno 1205)`, code DEADLINE_EXCEEDED         | 503 DATABASE_BUSY (not retried) |
 * | refused, reset, lost, timed out; any fatal error | `fatal: true` (ECONNREFUSED, ECONNRESET, PROTOCOL_CONNECTION_LOST, "Can't add new command when connection is in closed state" — what Kysely's ROLLBACK throws on a dead connection, hiding the original) | fetch rejects (`TypeError: fetch failed`, abort, timeout); HTTP 5xx | 503 SERVICE_UNAVAILABLE |
 * | server shutting down, connection killed, gone    | errno 1053, 1927, 2002, 2003, 2006, 2013   | the same errnos; code UNAVAILABLE              | 503 SERVICE_UNAVAILABLE |
 * | too many connections                             | errno 1040                                 | code RESOURCE_EXHAUSTED (Vitess transaction pool full: "transaction pool connection limit exceeded") | 503 DATABASE_BUSY |
 * | transaction ended by the server                  | —                                          | code ABORTED without 1213: Vitess's transaction killer ("transaction … ended at … (exceeded timeout: 20s)", "… for tx killer rollback"); code CANCELED / DEADLINE_EXCEEDED: a query past its timeout | 503 DATABASE_BUSY |
 */
import { AppError } from '../errors.js';

export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_DEADLOCK = 1213;
export const ER_LOCK_WAIT_TIMEOUT = 1205;
/**
 * "Failed to read auto-increment value from storage engine": what InnoDB answers when an
 * INSERT … SELECT (book.ts, waitlist-offer.ts: INSERT_APPOINTMENT_SQL) is chosen as the victim
 * of a deadlock while it waits for the table's AUTO-INC lock (MariaDB's default
 * innodb_autoinc_lock_mode = 1 holds that lock to the end of such a statement; two of them
 * waiting on each other's uniqueness-check row locks deadlock). The transaction is rolled back.
 */
export const ER_AUTOINC_READ_FAILED = 1467;

export function mysqlErrno(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const errno = (error as { errno?: unknown }).errno;
  if (typeof errno === 'number') return errno;
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    const match = /\(errno (\d+)\)/.exec(message);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/** True for a unique-key violation, optionally of one named key. */
export function isDuplicateKey(error: unknown, keyName?: string): boolean {
  if (mysqlErrno(error) !== ER_DUP_ENTRY) return false;
  if (!keyName) return true;
  const message = String((error as { message?: unknown }).message ?? '');
  // MySQL 8 names the key 'table.key'; MariaDB names it 'key'.
  return message.includes(`'${keyName}'`) || message.includes(`.${keyName}'`);
}

/**
 * A deadlock (1213, or 1467 when it was on the AUTO-INC lock): the database rolled the
 * transaction back at once, and running it again will usually succeed. A lock-wait timeout is not retried: the wait has already spent seconds of
 * the request's budget (create-db.ts, LOCK_WAIT_TIMEOUT_SECONDS); it is answered DATABASE_BUSY.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const errno = mysqlErrno(error);
  return errno === ER_LOCK_DEADLOCK || errno === ER_AUTOINC_READ_FAILED;
}

/** Retry-After for a database that cannot be reached: the pool reconnects on the next request. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 3;
/** Retry-After for a database that is up but overloaded or contended. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/** MySQL / MariaDB errors that mean the server, not the statement, failed. */
const SERVER_GONE_ERRNOS = new Set([
  1053, // ER_SERVER_SHUTDOWN
  1927, // ER_CONNECTION_KILLED (MariaDB)
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
]);
const ER_CON_COUNT_ERROR = 1040;

/** Node's network error codes, as mysql2 and fetch's `cause` carry them. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

interface DriverErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  fatal?: unknown;
  status?: unknown;
  body?: { code?: unknown };
  cause?: unknown;
}

function shape(error: unknown): DriverErrorShape | undefined {
  return typeof error === 'object' && error !== null ? (error as DriverErrorShape) : undefined;
}

/** A statement waited LOCK_WAIT_TIMEOUT_SECONDS for a row lock and gave up. */
export function isLockWaitTimeout(error: unknown): boolean {
  return mysqlErrno(error) === ER_LOCK_WAIT_TIMEOUT;
}

/** MySQL 8's answer to a `FOR UPDATE NOWAIT` that found the row locked (MariaDB answers 1205). */
export const ER_LOCK_NOWAIT = 3572;

/**
 * A `FOR UPDATE NOWAIT` read found a row locked by another transaction: only that statement
 * failed, the transaction goes on (MariaDB reports it as a lock-wait timeout, MySQL 8 as 3572).
 * Ask this only of a NOWAIT statement: a 1205 from an ordinary read is a real timeout.
 */
export function isNowaitRefused(error: unknown): boolean {
  const errno = mysqlErrno(error);
  return errno === ER_LOCK_WAIT_TIMEOUT || errno === ER_LOCK_NOWAIT;
}

/** The vtrpc code of a PlanetScale `DatabaseError` (e.g. 'UNAVAILABLE'), if any. */
function vitessCode(error: DriverErrorShape): string | undefined {
  if (error.name !== 'DatabaseError' && error.name !== 'UnknownError') return undefined;
  return typeof error.body?.code === 'string' ? error.body.code : undefined;
}

/** The database could not be reached or the connection died: nothing about the statement. */
export function isConnectionFailure(error: unknown): boolean {
  const e = shape(error);
  if (!e) return false;
  // mysql2 marks every error that ends the connection as fatal: refused, reset, lost, a
  // protocol error, and any command (ROLLBACK included) sent on a connection already dead.
  if (e.fatal === true) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  const errno = mysqlErrno(error);
  if (errno !== undefined && SERVER_GONE_ERRNOS.has(errno)) return true;
  // PlanetScale: vttablet lost MySQL, or the edge answered HTTP 5xx instead of a result.
  const code = vitessCode(e);
  if (code === 'UNAVAILABLE') return true;
  if (code !== undefined && typeof e.status === 'number' && e.status >= 500) return true;
  // PlanetScale: the driver's fetch itself failed (network, DNS, TLS, abort or timeout).
  if (e.name === 'TypeError' && e.message === 'fetch failed') return true;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  return false;
}

/** The database is up but refused or ended the work for load or time: retry shortly. */
export function isDatabaseBusy(error: unknown): boolean {
  const e = shape(error);
  if (!e) return false;
  const errno = mysqlErrno(error);
  if (errno === ER_LOCK_WAIT_TIMEOUT || errno === ER_LOCK_DEADLOCK || errno === ER_CON_COUNT_ERROR) return true;
  const code = vitessCode(e);
  // Vitess's own limits: the transaction pool full, a query past its timeout (its message may
  // carry errno 2013 from the killed query), the transaction killer (ABORTED without 1213).
  if (code === 'RESOURCE_EXHAUSTED' || code === 'DEADLINE_EXCEEDED' || code === 'CANCELED') return true;
  if (code === 'ABORTED') return true;
  return false;
}

/**
 * The 503 a database failure is answered with, or undefined for any other error (a bug or a
 * statement's own error, which stays a 500). Deadlocks reach here only once inTransaction has
 * run out of retries.
 */
export function databaseUnavailable(error: unknown): AppError | undefined {
  // Busy first: a Vitess timeout can carry the errno of the query it killed (2013, "lost").
  if (isDatabaseBusy(error)) return new AppError('DATABASE_BUSY', undefined, undefined, BUSY_RETRY_AFTER_SECONDS);
  if (isConnectionFailure(error)) return new AppError('SERVICE_UNAVAILABLE', undefined, undefined, UNAVAILABLE_RETRY_AFTER_SECONDS);
  return undefined;
}
