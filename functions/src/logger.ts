/**
 * One structured JSON logger (pino). Request handlers use a child logger that carries the
 * request id on every line, so one request can be followed through the logs.
 *
 * Personal data never reaches the log, whatever a caller passes (the logger is the one place
 * that guarantees it, rather than every call site):
 *   - errors are written by `safeError`: type, code, errno, SQL state and a message whose quoted
 *     values are blanked — never mysql2's `err.sql` (the statement with its bound values:
 *     phones, names, hashes) nor `sqlMessage`, nor Vitess's `Sql: … BindVars: …` tail;
 *   - fields that hold credentials or personal data (bodies, tokens, passwords, ID numbers,
 *     names, SQL) are replaced by `[redacted]`; a `phone` field is masked (138****8000);
 *   - any other string has phone numbers masked and ID numbers blanked.
 *
 * It writes to standard output (or `destination`), never through a pino transport: the Lambda
 * bundles replace pino's transport threads with a stub (serverless.yml esbuild.alias).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const REDACTED = '[redacted]';

/** Fields never written, at the top level or one level down (`*.x`). */
const SECRET_FIELDS = [
  'password',
  'newPassword',
  'oldPassword',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  'cookie',
  'idNumber',
  'realName',
  'body',
  'sql',
  'sqlMessage',
  'phone',
];

// A mainland mobile number, not inside a longer run of digits.
const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
// A resident ID number (18 characters, last a digit or X) or the old 15-digit form.
const ID_NUMBER = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;

function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : REDACTED;
}

/** Masks phones and blanks ID numbers inside free text. */
export function scrubText(text: string): string {
  return text.replace(ID_NUMBER, '[id]').replace(PHONE, '$1****$2');
}

/**
 * A database error's text without the data in it: MySQL quotes the offending value
 * ("Duplicate entry '139…' for key 'uq_x'"), Vitess appends the statement and its bind
 * variables. Quoted identifiers (key, column and table names) stay, they say what failed.
 */
function scrubErrorText(text: string): string {
  return scrubText(
    text
      // Vitess: `… Sql: "insert …", BindVars: {…}` runs to the end of the message's line.
      .replace(/\bSql: [^\n]*/g, 'Sql: [redacted]')
      .replace(/'([^']*)'/g, (whole, inner: string) => (/^[A-Za-z_][\w.]*$/.test(inner) ? whole : "'?'"))
      .replace(/"([^"]*)"/g, (whole, inner: string) => (/^[A-Za-z_][\w.]*$/.test(inner) ? whole : '"?"')),
  );
}

const ERROR_FIELDS = ['name', 'code', 'errno', 'sqlState', 'fatal', 'status', 'syscall'] as const;

/** What of an error is logged: enough to find the failure, nothing of the data. */
export function safeError(error: unknown, depth = 0): Record<string, unknown> | string {
  if (typeof error !== 'object' || error === null) return scrubErrorText(String(error));
  const e = error as Record<string, unknown>;
  const out: Record<string, unknown> = { type: (e.constructor as { name?: string } | undefined)?.name ?? 'Object' };
  if (typeof e.message === 'string') out.message = scrubErrorText(e.message);
  if (typeof e.stack === 'string') out.stack = scrubErrorText(e.stack);
  for (const field of ERROR_FIELDS) {
    const value = e[field];
    if (typeof value === 'string') out[field] = scrubErrorText(value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[field] = value;
  }
  // @planetscale/database: the vtrpc code of a DatabaseError (its message is scrubbed above).
  const body = e.body as { code?: unknown } | undefined;
  if (typeof body?.code === 'string') out.vitessCode = body.code;
  if (e.cause !== undefined && depth < 3) out.cause = safeError(e.cause, depth + 1);
  return out;
}

// Shorter strings cannot hold a phone number (11 digits) or an ID number.
const SHORTEST_SECRET = 11;

/**
 * Free text anywhere in a logged object gets `scrubText`; errors are left to `safeError`. An
 * object is copied only when something in it changed: the per-request line (method, path,
 * status, ms) passes through untouched, at no allocation.
 */
function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length < SHORTEST_SECRET ? value : scrubText(value);
  if (typeof value !== 'object' || value === null || value instanceof Error || depth > 4) return value;
  if (Array.isArray(value)) {
    const items = value.map((v) => scrubValue(v, depth + 1));
    return items.some((v, i) => v !== value[i]) ? items : value;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const before = (value as Record<string, unknown>)[key];
    const after = scrubValue(before, depth + 1);
    if (after !== before) (out ??= { ...(value as Record<string, unknown>) })[key] = after;
  }
  return out ?? value;
}

/** `destination` (tests) replaces standard output. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'bx87h9' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: safeError, error: safeError },
    formatters: { log: (object) => scrubValue(object, 0) as Record<string, unknown> },
    redact: {
      paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), 'req.headers.authorization', '*.headers.authorization', '*.headers.cookie'],
      censor: (value: unknown, path: string[]) => (path.at(-1) === 'phone' && typeof value === 'string' ? maskPhone(value) : REDACTED),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
